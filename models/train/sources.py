"""Readers for ../shared/datasets: one function per source, each yielding plain records.

A record is a dict:
  source, file, row   -- a stable key (row is the data row index, or "dialog:turn")
  sha                 -- sha256 of the judged text, first 16 hex chars (silver labels key on it)
  text                -- the judged message (the person's post/turn, or the assistant reply)
  context             -- earlier messages of the window, [{role, text}], oldest first
  role                -- "user" (person side) or "assistant" (reply side)
  lang                -- en, es, ja, zh, ...
  proxy               -- the source's own labels (weak signals, never silver labels)

Nothing here is ever written into the project: the training code reads the data from
the path it is given and only silver *keys* are committed.
"""
from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import os
import re
from typing import Dict, Iterator, List

csv.field_size_limit(10 ** 9)

# Licences as the MANIFEST states them; NC sources can be left out (--permissive).
LICENCES = {
    "between_help_and_harm": ("none stated", False),
    "sdcnl": ("none stated", False),
    "cams": ("research use", True),
    "irf_interpersonal_risk": ("none stated", False),
    "dreaddit": ("none stated", False),
    "mentalllama_imhi": ("MIT, non-clinical research only", True),
    "xsafety_multilingual": ("Apache-2.0", False),
    "psychosis_bench": ("MIT per README", False),
    "esconv": ("CC BY-NC 4.0", True),
    "counselchat": ("MIT", False),
    "moore_llms_as_therapists": ("MIT", False),
    "spiral_bench": ("none stated", False),
    "hh_rlhf": ("MIT", False),
    "sos1k_zh_suicide": ("none stated", False),
}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def clean(text: str) -> str:
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = re.sub(r"[ \t]+", " ", text)
    text = re.sub(r"\n\s*\n+", "\n", text)
    return text.strip()


def rec(source, file, row, text, role="user", context=None, lang="en", **proxy) -> Dict:
    text = clean(text)
    return {"source": source, "file": file, "row": row, "sha": sha(text), "text": text,
            "context": context or [], "role": role, "lang": lang, "proxy": proxy}


def _csv(path, encoding="utf-8"):
    with open(path, newline="", encoding=encoding, errors="replace") as f:
        yield from csv.DictReader(f)


def between_help_and_harm(root: str) -> Iterator[Dict]:
    fn = "gpt-4o-mini-labeled-sampled_dataset_n_2046_nPerD168_seed0-merged-labels.json"
    data = json.load(open(os.path.join(root, "between_help_and_harm", fn)))
    for i, x in enumerate(data):
        text = " ".join(s.strip() for s in x["inputs"] if s and s.strip())
        if not text:
            continue
        label = (x.get("label") or "").replace("self-harm", "self_harm")
        yield rec("between_help_and_harm", fn, i, text, dataset_id=x.get("dataset_id"),
                  llm_label=label or None,
                  llm_runs=[l.replace("self-harm", "self_harm") for l in x.get("all_labels") or []])


def sdcnl(root: str) -> Iterator[Dict]:
    for fn in ("training-set.csv", "testing-set.csv"):
        for i, r in enumerate(_csv(os.path.join(root, "sdcnl", fn))):
            text = (r.get("title") or "").strip()
            body = (r.get("selftext") or "").strip()
            if body and body != "[removed]":
                text = f"{text}\n{body}" if text else body
            yield rec("sdcnl", fn, i, text, is_suicide=int(r["is_suicide"]))


def cams(root: str) -> Iterator[Dict]:
    for fn in ("IntentSDCNL_Training.csv", "IntentSDCNL_Testing.csv"):
        for i, r in enumerate(_csv(os.path.join(root, "cams", fn))):
            yield rec("cams", fn, i, r["selftext"], cause=r.get("ANNOTATIONS"))
    fn = "added_CAMS_data.csv"
    for i, r in enumerate(_csv(os.path.join(root, "cams", fn), encoding="cp1252")):
        yield rec("cams", fn, i, r["selftext"], cause=r.get("cause"))


def irf(root: str) -> Iterator[Dict]:
    for fn in ("train_data.csv", "val_data.csv"):
        for i, r in enumerate(_csv(os.path.join(root, "irf_interpersonal_risk", fn))):
            yield rec("irf_interpersonal_risk", fn, i, r["text"],
                      belong=int(float(r["belong"] or 0)), burden=int(float(r["burden"] or 0)))


def dreaddit(root: str) -> Iterator[Dict]:
    for fn in ("dreaddit-train.csv", "dreaddit-test.csv"):
        for i, r in enumerate(_csv(os.path.join(root, "dreaddit", fn))):
            yield rec("dreaddit", fn, i, r["text"], subreddit=r["subreddit"], stressed=int(r["label"]))


def mentalllama(root: str) -> Iterator[Dict]:
    for task in ("t-sid", "SAD", "loneliness", "DR", "MultiWD", "CAMS"):
        fn = f"{task}.csv"
        for i, r in enumerate(_csv(os.path.join(root, "mentalllama_imhi", fn))):
            q = r["query"]
            m = re.match(r"\s*(?:Post|Consider this post):\s*(.*?)\s*Question:", q, re.S)
            text = m.group(1) if m else q
            gold = (r.get("gpt-3.5-turbo") or "").split(".")[0].strip().lower()
            yield rec("mentalllama_imhi", fn, i, text, task=task, gold=gold)


def counselchat_questions(root: str) -> Iterator[Dict]:
    seen = set()
    fn = "20200325_counsel_chat.csv"
    for i, r in enumerate(_csv(os.path.join(root, "counselchat", fn))):
        qid = r["questionID"]
        if qid in seen:
            continue
        seen.add(qid)
        text = f"{r['questionTitle'].strip()}\n{(r['questionText'] or '').strip()}"
        yield rec("counselchat", fn, i, text, topic=r["topic"], split=r.get("split"))


def counselchat_answers(root: str) -> Iterator[Dict]:
    fn = "20200325_counsel_chat.csv"
    for i, r in enumerate(_csv(os.path.join(root, "counselchat", fn))):
        q = clean(f"{r['questionTitle'].strip()}\n{(r['questionText'] or '').strip()}")
        yield rec("counselchat", fn, f"a{i}", r["answerText"] or "", role="assistant",
                  context=[{"role": "user", "text": q}], topic=r["topic"])


def esconv(root: str, max_context: int = 5) -> Iterator[Dict]:
    """Each help-seeker turn becomes a window: the turn with the few turns before it."""
    for fn in ("train.jsonl", "valid.jsonl", "test.jsonl", "FailedESConv.json"):
        path = os.path.join(root, "esconv", fn)
        if fn.endswith(".json"):
            dialogs = json.load(open(path))
        else:
            dialogs = [json.loads(l) for l in open(path) if l.strip()]
        for d_i, d in enumerate(dialogs):
            turns = d.get("dialog") or []
            msgs = []
            for t in turns:
                role = "user" if t.get("speaker") in ("usr", "seeker") else "assistant"
                text = clean(t.get("text") or t.get("content") or "")
                if not text:
                    continue
                if msgs and msgs[-1]["role"] == role:
                    msgs[-1] = {"role": role, "text": msgs[-1]["text"] + " " + text}
                else:
                    msgs.append({"role": role, "text": text})
            for m_i, m in enumerate(msgs):
                if m["role"] != "user":
                    continue
                yield rec("esconv", fn, f"{d_i}:{m_i}", m["text"], context=msgs[max(0, m_i - max_context):m_i],
                          problem=d.get("problem_type"), emotion=d.get("emotion_type"), turn=m_i)


def xsafety(root: str) -> Iterator[Dict]:
    langs = {"en": "en", "sp": "es", "zh": "zh", "ja": "ja", "de": "de", "fr": "fr", "ru": "ru", "ar": "ar", "hi": "hi"}
    for pre, lang in langs.items():
        for kind in ("Mental_Health", "Physical_Harm", "Ethics_And_Morality"):
            fn = f"{pre}_{kind}.csv"
            path = os.path.join(root, "xsafety_multilingual", fn)
            if not os.path.exists(path):
                continue
            lines = open(path, encoding="utf-8-sig", errors="replace").read().splitlines()
            for i, line in enumerate(lines):
                text = line.strip().strip('"').strip()
                if text:
                    yield rec("xsafety_multilingual", fn, i, text, lang=lang, kind=kind)


def psychosis_bench(root: str) -> Iterator[Dict]:
    fn = "test_cases.json"
    data = json.load(open(os.path.join(root, "psychosis_bench", fn)))
    for c_i, c in enumerate(data["cases"]):
        prompts = [clean(p) for p in c["prompts"]]
        for p_i, p in enumerate(prompts):
            ctx = [{"role": "user", "text": q} for q in prompts[max(0, p_i - 5):p_i]]
            yield rec("psychosis_bench", fn, f"{c_i}:{p_i}", p, context=ctx, case=c["id"],
                      theme=c.get("theme"), condition=c.get("condition"), harm=c.get("harm_type"), turn=p_i)


def sos1k(root: str) -> Iterator[Dict]:
    d = os.path.join(root, "sos1k_zh_suicide")
    seen = set()
    for fn in sorted(os.listdir(d)):
        if not fn.startswith("finegrained") or not fn.endswith(".tsv"):
            continue
        for i, line in enumerate(open(os.path.join(d, fn), encoding="utf-8", errors="replace")):
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2 or not parts[-1].strip().lstrip("-").isdigit():
                continue
            text, level = parts[0], int(parts[-1])
            if sha(clean(text)) in seen:
                continue
            seen.add(sha(clean(text)))
            yield rec("sos1k_zh_suicide", fn, i, text, lang="zh", level=level)


def moore(root: str) -> Iterator[Dict]:
    fn = "interjections_llm_responses.csv"
    for i, r in enumerate(_csv(os.path.join(root, "moore_llms_as_therapists", fn))):
        resp = (r.get("model_response") or "").strip()
        if not resp:
            continue
        yield rec("moore_llms_as_therapists", fn, i, resp, role="assistant",
                  context=[{"role": "user", "text": clean(r["interjection"])}],
                  condition=r.get("condition"), correct=(r.get("correct_response") == "True"),
                  model=r.get("participant_type"))


SPIRAL_METRICS = ("harmful advice", "delusion reinforcement", "sycophancy or praise", "pushback",
                  "de-escalation", "safe redirection", "suggestions to seek help",
                  "emotional or narrative escalation", "consciousness claims")


def spiral_bench(root: str, max_context: int = 5) -> Iterator[Dict]:
    d = os.path.join(root, "spiral_bench")
    for fn in sorted(os.listdir(d)):
        if not fn.endswith(".json") or fn in ("category_instructions.json", "eval_prompts_v0.2.json"):
            continue
        data = json.load(open(os.path.join(d, fn)))
        for run_k, run in data.items():
            for pf, convs in run.items():
                if not pf.endswith(".json") or not isinstance(convs, dict):
                    continue
                for pid, lst in convs.items():
                    for c_i, c in enumerate(lst):
                        tr = [{"role": m["role"], "text": clean(m.get("content") or "")} for m in c.get("transcript") or []]
                        for ck, j in (c.get("judgements") or {}).items():
                            for a_i in j.get("assistant_turn_indexes") or []:
                                # assistant_turn_indexes count assistant turns; map to transcript positions
                                pos = [k for k, m in enumerate(tr) if m["role"] == "assistant"]
                                if a_i >= len(pos):
                                    continue
                                p = pos[a_i]
                                yield rec("spiral_bench", fn, f"{run_k}:{pid}:{c_i}:{p}", tr[p]["text"], role="assistant",
                                          context=tr[max(0, p - max_context):p], category=c.get("category"),
                                          metrics=j.get("metrics"))


def hh_rlhf(root: str) -> Iterator[Dict]:
    fn = "harmless-base-test.jsonl.gz"
    for i, line in enumerate(gzip.open(os.path.join(root, "hh_rlhf", fn), "rt", encoding="utf-8")):
        x = json.loads(line)
        for side in ("chosen", "rejected"):
            parts = re.split(r"\n\n(Human|Assistant): ", "\n\n" + x[side].strip())
            msgs = []
            for k in range(1, len(parts) - 1, 2):
                msgs.append({"role": "user" if parts[k] == "Human" else "assistant", "text": clean(parts[k + 1])})
            if not msgs or msgs[-1]["role"] != "assistant":
                continue
            yield rec("hh_rlhf", fn, f"{i}:{side}", msgs[-1]["text"], role="assistant",
                      context=msgs[max(0, len(msgs) - 6):-1], side=side)


PERSON = {
    "between_help_and_harm": between_help_and_harm, "sdcnl": sdcnl, "cams": cams,
    "irf_interpersonal_risk": irf, "dreaddit": dreaddit, "mentalllama_imhi": mentalllama,
    "counselchat": counselchat_questions, "esconv": esconv, "xsafety_multilingual": xsafety,
    "psychosis_bench": psychosis_bench, "sos1k_zh_suicide": sos1k,
}
REPLY = {
    "moore_llms_as_therapists": moore, "spiral_bench": spiral_bench, "hh_rlhf": hh_rlhf,
    "counselchat": counselchat_answers,
}


def load(root: str, which=("person", "reply"), permissive: bool = False) -> List[Dict]:
    out = []
    for side in which:
        for name, fn in (PERSON if side == "person" else REPLY).items():
            if permissive and LICENCES[name][1]:
                continue
            out.extend(fn(root))
    return [r for r in out if r["text"]]


def dev_split(r: Dict, share: float = 0.15) -> bool:
    """Per-source development split, decided by the text itself so cams/sdcnl copies of
    one post land on the same side."""
    return int(hashlib.sha256(("dev:" + r["sha"]).encode()).hexdigest()[:8], 16) / 0xFFFFFFFF < share
