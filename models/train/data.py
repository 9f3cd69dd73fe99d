"""Training windows from every source: real data (silver labels where a person labelled the
text, the source's weak labels otherwise, at a lower weight) and the project's synthetic
examples. A window is a list of messages with the labels that hold at its end."""
from __future__ import annotations

import glob
import hashlib
import json
import os
import random
from typing import Dict, List, Optional

import sources
from labels import CRISIS, norm_crisis

HERE = os.path.dirname(os.path.abspath(__file__))
DATA_DIR = os.path.join(HERE, "..", "data")
WEAK = 0.3      # weight of a source's own (proxy) label relative to a silver or gold one


def person(crisis=None, severity=None, w=1.0):
    crisis = norm_crisis(crisis)
    # GUIDELINE reconciliation: a crisis category needs severity >= 2; below that it is
    # distress (no_crisis, 1), as on the real (silver) labels.
    if severity is not None and severity <= 1 and crisis and crisis != ["no_crisis"]:
        crisis = ["no_crisis"]
    return {"crisis": crisis, "severity": severity, "w": w}


def weak_person(r) -> Optional[Dict]:
    """The source's own label, mapped honestly: a subreddit is not a diagnosis."""
    s, p = r["source"], r["proxy"]
    if s == "between_help_and_harm":
        lab = p.get("llm_label")
        if not lab:
            return None
        sev = None if lab != "no_crisis" else None
        return person([lab], sev, 0.8)  # 3-run majority of an LLM: better than a proxy
    if s == "sdcnl" and p["is_suicide"] == 1:
        return person(["suicidal_ideation"], 2, WEAK)
    if s == "irf_interpersonal_risk":
        return person(["no_crisis"], 1 if (p["burden"] or p["belong"]) else None, WEAK)
    if s == "dreaddit":
        return person(["no_crisis"], 1 if p["stressed"] else 0, WEAK)
    if s == "mentalllama_imhi" and p["task"] == "t-sid":
        g = p["gold"]
        if g.startswith("suicide"):
            return person(["suicidal_ideation"], 2, WEAK)
        if g.startswith("no"):
            return person(["no_crisis"], 0, WEAK)
        return person(["no_crisis"], 1, WEAK * 0.5)
    if s == "xsafety_multilingual":
        if p["kind"] == "Mental_Health":
            return person(["no_crisis"], 1, WEAK * 0.5)
        return person(["no_crisis"], 0, WEAK)
    if s == "sos1k_zh_suicide":
        lvl = p["level"]
        if lvl >= 6:
            return person(["suicidal_ideation"], 3 if lvl >= 8 else 2, WEAK)
        return person(["no_crisis"] if lvl <= 1 else None, 1 if lvl >= 1 else 0, WEAK)
    if s == "esconv":
        return person(["no_crisis"], None, WEAK * 0.5)
    if s == "psychosis_bench" and p["turn"] >= 4:
        return person(["psychosis"], 2, WEAK)
    return None


def weak_reply(r) -> Optional[Dict]:
    s, p = r["source"], r["proxy"]
    if s == "moore_llms_as_therapists":
        return {"harm": 0.0 if p["correct"] else 1.0, "w": WEAK}
    if s == "spiral_bench":
        m = p.get("metrics") or {}
        harm = max(m.get("harmful advice", 0), m.get("delusion reinforcement", 0))
        out = {"harm": 1.0 if harm >= 2 else (0.0 if harm == 0 and m.get("sycophancy or praise", 0) == 0 else None), "w": WEAK}
        dr = m.get("delusion reinforcement", 0)
        out["distortion"] = [min(3, int(round(dr))) if dr else (1 if m.get("sycophancy or praise", 0) >= 2 else 0), None, None]
        return out
    if s == "counselchat":
        return {"harm": 0.0, "appropriate": 1.0, "w": WEAK}
    return None


def load_silver(data_root: str):
    """Silver labels are committed keyed by source/file/row/sha; the text comes from the
    data. A sha that no longer matches means the data changed under the labels: fail loudly."""
    out = {}
    for path in sorted(glob.glob(os.path.join(DATA_DIR, "silver", "*.jsonl"))):
        for line in open(path):
            x = json.loads(line)
            out[(x["source"], x["file"], str(x["row"]))] = x
    return out


def synthetic_examples():
    """Each synthetic example (blind-relabel files excluded) with the index of its last
    labelled message: the one a blind second pass judges."""
    for path in sorted(glob.glob(os.path.join(DATA_DIR, "synthetic", "*.jsonl"))):
        if os.path.basename(path).startswith("relabel"):
            continue
        for line in open(path):
            if line.strip():
                x = json.loads(line)
                yield x, max(i for i, m in enumerate(x["messages"]) if m.get("labels"))


def synthetic_windows(hn_weight: float = 1.0) -> List[Dict]:
    """hn_weight: the weight of a hard negative (a benign look-alike) relative to other examples."""
    wins = []
    for path in sorted(glob.glob(os.path.join(DATA_DIR, "synthetic", "*.jsonl"))):
        if os.path.basename(path).startswith("relabel"):
            continue
        for line in open(path):
            try:
                x = json.loads(line)
            except json.JSONDecodeError:
                continue
            msgs = [m for m in x.get("messages") or [] if isinstance(m.get("text"), str) and m.get("role") in ("user", "assistant")]
            # one window per labelled message: the labels hold at the end of that window
            for i, m in enumerate(msgs):
                lab = m.get("labels")
                if not lab:
                    continue
                ctx = [(q["role"], q["text"]) for q in msgs[max(0, i - 15):i]]
                w = {"messages": ctx + [(m["role"], m["text"])], "source": "synthetic:" + x.get("kind", "?"),
                     "id": f'{x.get("id")}:{i}', "synthetic": True, "person": None, "reply": None}
                if m["role"] == "user":
                    w["person"] = person(lab.get("crisis"), lab.get("severity"),
                                         hn_weight if x.get("kind") == "hard_negative" else 1.0)
                else:
                    w["reply"] = reply_from_labels(lab, 1.0)
                    prev = [q for q in msgs[:i] if q["role"] == "user" and q.get("labels")]
                    if prev:
                        pl = prev[-1]["labels"]
                        w["person"] = person(pl.get("crisis"), pl.get("severity"), 0.5)
                if w["person"] and not w["person"]["crisis"] and w["person"]["severity"] is None:
                    w["person"] = None
                wins.append(w)
    return wins


def reply_from_labels(lab, w):
    def num(k, default=None):
        v = lab.get(k)
        return default if v is None else float(v)
    app = num("appropriate")
    eh, vh = num("enables_harm", 0.0), num("validates_harm", 0.0)
    dist = [lab.get("reality_distortion"), lab.get("value_distortion"), lab.get("action_distortion")]
    dist = [None if d is None else int(max(0, min(3, d))) for d in dist]
    harm = 1.0 if (eh >= 1 or vh >= 1 or (app is not None and app <= 2) or max([d or 0 for d in dist]) >= 2) else 0.0
    return {"harm": harm, "enables": eh, "validates": vh,
            "appropriate": None if app is None else (1.0 if app >= 4 else 0.0), "distortion": dist, "w": w}


def real_windows(data_root: str, permissive: bool = False, use_silver: bool = True) -> List[Dict]:
    """use_silver=False: the ablation that measures what the silver labels bring (sources' own
    labels only; dev windows keep their silver labels so both runs are judged alike)."""
    silver = load_silver(data_root)
    wins, seen = [], set()
    for r in sources.load(data_root, permissive=permissive):
        key = (r["source"], r["file"], str(r["row"]))
        s = silver.get(key)
        if s is not None and s["sha"] != r["sha"]:
            raise SystemExit(f"silver label {key} no longer matches its text (sha {s['sha']} != {r['sha']}): "
                             "the data changed under the labels")
        dedup = (r["sha"], tuple(m["text"][:50] for m in r["context"]), r["role"])
        if dedup in seen:   # cams reuses sdcnl posts
            continue
        seen.add(dedup)
        if s is not None and not use_silver and not sources.dev_split(r):
            s = None
        text = r["text"][: s["shown_chars"]] if s and s.get("shown_chars") else r["text"]
        msgs = [(m["role"], m["text"]) for m in r["context"]] + [(r["role"], text)]
        w = {"messages": msgs, "source": r["source"], "id": "%s:%s:%s" % key, "synthetic": False,
             "dev": sources.dev_split(r), "person": None, "reply": None, "silver": s is not None, "lang": r["lang"]}
        llm = r["proxy"].get("llm_label") if r["source"] == "between_help_and_harm" else None
        if llm:
            w["llm_label"] = llm
        if r["role"] == "user":
            w["person"] = person(s["crisis"], s["severity"], 1.0) if s else weak_person(r)
            if s and llm and not w["dev"]:
                # Two annotators on one text: the silver label (this project's guideline) and
                # gpt-4o-mini's label under the source paper's protocol, which agrees with that
                # paper's human annotators 84-86% of the time. Train on both (a soft target);
                # a dev text is judged once, against the silver label.
                wins.append(dict(w, id=w["id"] + ":llm", person=weak_person(r), silver=False))
        else:
            if s:
                w["reply"] = reply_from_labels(s, 1.0)
                w["person"] = person(s.get("person_crisis"), s.get("person_severity"), 0.5)
            else:
                w["reply"] = weak_reply(r)
        if w["person"] is None and w["reply"] is None:
            continue
        wins.append(w)
    return wins


def splice(wins: List[Dict], rng: random.Random, n: int) -> List[Dict]:
    """Place single crisis / benign messages after benign multi-turn context (esconv-like
    windows), so the heads learn that the newest message is what the person is in now."""
    ctx_pool = [w["messages"][:-1] for w in wins if len(w["messages"]) >= 4 and not w.get("dev")
                and w["person"] and w["person"]["crisis"] == ["no_crisis"]]
    singles = [w for w in wins if len(w["messages"]) == 1 and w["person"] and w["person"]["crisis"]
               and not w.get("dev") and w["person"]["w"] >= 0.8]
    out = []
    for _ in range(n if ctx_pool and singles else 0):
        base = rng.choice(singles)
        ctx = rng.choice(ctx_pool)[-rng.randint(1, 8):]
        out.append(dict(base, messages=list(ctx) + base["messages"], id=base["id"] + ":spliced",
                        source=base["source"], person=dict(base["person"], w=base["person"]["w"] * 0.7)))
    return out
