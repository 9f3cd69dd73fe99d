"""Inter-annotator agreement: the blind second pass vs the first labels (Cohen's kappa per
field), and silver labels vs the LLM labels of between_help_and_harm.

  /usr/bin/python3 models/train/agreement.py --work /tmp/carelayer-silver [--synthetic /tmp/carelayer-synblind/labels.jsonl]
"""
import argparse
import glob
import json
import os
from collections import Counter

from data import synthetic_examples
from labels import CRISIS, norm_crisis

HERE = os.path.dirname(os.path.abspath(__file__))


def kappa(a, b):
    n = len(a)
    if n == 0:
        return None
    po = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    pe = sum(ca[k] * cb[k] for k in set(ca) | set(cb)) / (n * n)
    return None if pe == 1 else (po - pe) / (1 - pe)


def read(paths):
    out = {}
    for p in paths:
        for line in open(p):
            if line.strip():
                try:
                    x = json.loads(line)
                except json.JSONDecodeError:
                    continue
                out[x["uid"]] = x
    return out


def person_fields(x):
    c = norm_crisis(x.get("crisis")) or ["no_crisis"]
    return {"any_crisis": int(c != ["no_crisis"]), "severity": x.get("severity"),
            "primary": c[0], **{l: int(l in c) for l in CRISIS[:-1]}}


def reply_fields(x):
    return {k: x.get(k) for k in ("enables_harm", "validates_harm", "reality_distortion", "value_distortion",
                                  "action_distortion", "appropriate")}


def compare(first, second, fields):
    common = sorted(set(first) & set(second))
    res = {"n": len(common)}
    if not common:
        return res
    fa = [fields(first[u]) for u in common]
    fb = [fields(second[u]) for u in common]
    for k in fa[0]:
        a, b = [x[k] for x in fa], [x[k] for x in fb]
        res[k] = {"kappa": kappa(a, b), "agreement": sum(x == y for x, y in zip(a, b)) / len(a)}
    return res


def silver_vs_llm(data_root):
    """Committed silver labels vs gpt-4o-mini's labels on between_help_and_harm (the labeller saw
    neither the source nor the LLM label)."""
    fn = "gpt-4o-mini-labeled-sampled_dataset_n_2046_nPerD168_seed0-merged-labels.json"
    data = json.load(open(os.path.join(data_root, "between_help_and_harm", fn)))
    seven = set(CRISIS[:6]) | {"no_crisis"}
    agree, exact, bin_a, bin_b = [], [], [], []
    for line in open(os.path.join(HERE, "..", "data", "silver", "person.jsonl")):
        x = json.loads(line)
        if x["source"] != "between_help_and_harm":
            continue
        lab = (data[int(x["row"])].get("label") or "").replace("self-harm", "self_harm")
        if not lab:
            continue
        c = [l for l in (norm_crisis(x.get("crisis")) or ["no_crisis"]) if l in seven] or ["no_crisis"]
        agree.append(lab in c)
        exact.append(c[0] == lab)
        bin_a.append(int(lab != "no_crisis"))
        bin_b.append(int(c != ["no_crisis"]))
    return {"n": len(agree), "llm_label_among_silver_labels": sum(agree) / max(1, len(agree)),
            "primary_label_agreement": sum(exact) / max(1, len(exact)),
            "crisis_vs_no_crisis_kappa": kappa(bin_a, bin_b)}


def synthetic_first_labels():
    first = {}
    for x, k in synthetic_examples():
        first[x["id"]] = dict(x["messages"][k]["labels"], role=x["messages"][k]["role"])
    # the first labels went through the same reconciliation as training (crisis needs severity >= 2)
    for v in first.values():
        if v["role"] == "user" and v.get("severity") is not None and v["severity"] <= 1:
            v["crisis"] = ["no_crisis"]
    return first


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", default=os.environ.get("CARELAYER_DATA", "/work/shared/datasets"))
    ap.add_argument("--work", default=None, help="a silver labelling round's work dir (labels/, labels_blind/)")
    ap.add_argument("--tag", default="", help="suffix for this round's keys, e.g. _round2")
    ap.add_argument("--synthetic", default=None, help="the blind second pass on synthetic examples")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "data", "agreement.json"))
    a = ap.parse_args()
    # Figures accumulate: each round's work dir holds only its own labels, so keep earlier rounds' figures.
    out = json.load(open(a.out)) if os.path.exists(a.out) else {}
    if a.work:
        first_p = read(glob.glob(os.path.join(a.work, "labels", "person_*.jsonl")))
        first_r = read(glob.glob(os.path.join(a.work, "labels", "reply_*.jsonl")))
        blind_p = os.path.join(a.work, "labels_blind", "person.jsonl")
        blind_r = os.path.join(a.work, "labels_blind", "reply.jsonl")
        if os.path.exists(blind_p):
            out["silver_person_blind" + a.tag] = compare(first_p, read([blind_p]), person_fields)
        if os.path.exists(blind_r):
            out["silver_reply_blind" + a.tag] = compare(first_r, read([blind_r]), reply_fields)
    out["silver_vs_llm_between_help_and_harm"] = silver_vs_llm(a.data)
    if a.synthetic and os.path.exists(a.synthetic):
        second = read([a.synthetic])
        first = synthetic_first_labels()
        fp = {u: v for u, v in first.items() if v["role"] == "user"}
        fr = {u: v for u, v in first.items() if v["role"] == "assistant"}
        out["synthetic_person_blind"] = compare(fp, second, person_fields)
        out["synthetic_reply_blind"] = compare(fr, second, reply_fields)
    json.dump(out, open(a.out, "w"), indent=1)
    for k, v in out.items():
        print(k, json.dumps(v)[:900])


if __name__ == "__main__":
    main()
