"""Draw the stratified pool of real texts to label by hand (silver labels) and write
batches for the labellers OUTSIDE the project (they hold dataset text).

  /usr/bin/python3 models/train/silver_pool.py --data ../shared/datasets --out /tmp/carelayer-silver

Batches show only a uid, the text and its preceding context: no source name and no proxy
label, so the labeller judges the text alone. keys.jsonl maps uid -> (source, file, row, sha).
Sampling uses the proxies only to *oversample* likely-crisis pools.
"""
import argparse
import json
import os
import random

import sources

SHOW_CHARS = 1200      # a labeller sees (and labels) at most this much of a text
CONTEXT_CHARS = 300

# (source, predicate on proxy, how many) -- oversamples the likely-crisis pools
PERSON_PLAN = [
    ("sdcnl", lambda p: p["is_suicide"] == 1, 1000),
    ("sdcnl", lambda p: p["is_suicide"] == 0, 500),
    ("cams", lambda p: True, 900),
    ("irf_interpersonal_risk", lambda p: p["burden"] or p["belong"], 500),
    ("irf_interpersonal_risk", lambda p: not (p["burden"] or p["belong"]), 250),
    ("dreaddit", lambda p: p["stressed"] == 1, 450),
    ("dreaddit", lambda p: p["stressed"] == 0, 300),
    ("mentalllama_imhi", lambda p: p["task"] == "t-sid", 500),
    ("mentalllama_imhi", lambda p: p["task"] in ("SAD", "loneliness", "DR", "MultiWD", "CAMS"), 1050),
    ("counselchat", lambda p: True, 798),
    ("esconv", lambda p: True, 1150),
    ("xsafety_multilingual", lambda p: p["kind"] == "Mental_Health", 200),
    ("psychosis_bench", lambda p: True, 192),
    ("between_help_and_harm", lambda p: True, 300),
]
REPLY_PLAN = [
    ("moore_llms_as_therapists", lambda p: True, 800),
    ("spiral_bench", lambda p: True, 750),
    ("hh_rlhf", lambda p: True, 550),
    ("counselchat", lambda p: True, 400),
]


def cut(text, n):
    return text if len(text) <= n else text[:n].rsplit(" ", 1)[0] + " …"


def draw(records, plan, rng, taken):
    out = []
    for source, pred, n in plan:
        pool = [r for r in records if r["source"] == source and pred(r["proxy"]) and r["sha"] not in taken]
        rng.shuffle(pool)
        for r in pool[:n]:
            taken.add(r["sha"])
            out.append(r)
    rng.shuffle(out)
    return out


def write(out_dir, prefix, items, shards, batch=50):
    os.makedirs(out_dir, exist_ok=True)
    with open(os.path.join(out_dir, "keys.jsonl"), "w") as keys:
        for i, r in enumerate(items):
            r["uid"] = f"{prefix}{i:05d}"
            keys.write(json.dumps({"uid": r["uid"], "source": r["source"], "file": r["file"], "row": r["row"],
                                   "sha": r["sha"], "shown_chars": min(len(r["text"]), SHOW_CHARS)}) + "\n")
    per = -(-len(items) // shards)
    for s in range(shards):
        part = items[s * per:(s + 1) * per]
        d = os.path.join(out_dir, f"shard{s + 1}")
        os.makedirs(d, exist_ok=True)
        for b in range(0, len(part), batch):
            with open(os.path.join(d, f"batch_{b // batch:03d}.jsonl"), "w") as f:
                for r in part[b:b + batch]:
                    f.write(json.dumps({
                        "uid": r["uid"],
                        "context": [{"role": m["role"], "text": cut(m["text"], CONTEXT_CHARS)} for m in r["context"][-3:]],
                        "text": cut(r["text"], SHOW_CHARS),
                    }, ensure_ascii=False) + "\n")
    return len(items)


# A second round (--round 2): texts not labelled in round 1, weighted toward the sources
# closest to what the model is judged on (mixed mental-health posts with crisis labels).
PERSON_PLAN_2 = [
    ("between_help_and_harm", lambda p: True, 330),
    ("sdcnl", lambda p: p["is_suicide"] == 1, 120),
    ("mentalllama_imhi", lambda p: p["task"] == "t-sid", 120),
    ("irf_interpersonal_risk", lambda p: p["burden"] or p["belong"], 60),
    ("dreaddit", lambda p: p["stressed"] == 1, 60),
]


def labelled_shas():
    d = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "silver", "person.jsonl")
    return {json.loads(l)["sha"] for l in open(d)} if os.path.exists(d) else set()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", default="/tmp/carelayer-silver")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--round", type=int, default=1)
    ap.add_argument("--shards", type=int, default=3)
    a = ap.parse_args()
    rng = random.Random(a.seed)
    person = sources.load(a.data, ("person",))
    if a.round == 2:
        p = draw(person, PERSON_PLAN_2, rng, labelled_shas())
        print("person", write(os.path.join(a.out, "person"), "q", p, a.shards))
        return
    reply = sources.load(a.data, ("reply",))
    taken = set()
    p = draw(person, PERSON_PLAN, rng, taken)
    r = draw(reply, REPLY_PLAN, rng, set())
    print("person", write(os.path.join(a.out, "person"), "p", p, 3))
    print("reply", write(os.path.join(a.out, "reply"), "r", r, 1))


if __name__ == "__main__":
    main()
