"""Blind second pass on the synthetic examples: draw a seeded random 10% and write them for a
second labeller WITHOUT their labels (the messages up to and including the judged one).

  /usr/bin/python3 models/train/synthetic_blind.py --out /tmp/carelayer-synblind

The second labeller writes {"uid": <example id>, ...labels...} lines to
models/data/synthetic/relabel_blind.jsonl; agreement.py --synthetic compares them with the
first labels (Cohen's kappa per field).
"""
import argparse
import glob
import json
import os
import random

HERE = os.path.dirname(os.path.abspath(__file__))
SYN = os.path.join(HERE, "..", "data", "synthetic")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/carelayer-synblind")
    ap.add_argument("--share", type=float, default=0.10)
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--seed", type=int, default=21)
    a = ap.parse_args()
    items = []
    for path in sorted(glob.glob(os.path.join(SYN, "*.jsonl"))):
        if os.path.basename(path).startswith("relabel"):
            continue
        for line in open(path):
            if not line.strip():
                continue
            x = json.loads(line)
            msgs = x["messages"]
            k = max(i for i, m in enumerate(msgs) if m.get("labels"))
            items.append({"uid": x["id"], "judge": msgs[k]["role"], "lang": x.get("lang", "en"),
                          "messages": [{"role": m["role"], "text": m["text"]} for m in msgs[:k + 1]]})
    rng = random.Random(a.seed)
    rng.shuffle(items)
    pick = items[: round(len(items) * a.share)]
    per = -(-len(pick) // a.shards)
    for s in range(a.shards):
        d = os.path.join(a.out, f"shard{s + 1}")
        os.makedirs(d, exist_ok=True)
        part = pick[s * per:(s + 1) * per]
        for b in range(0, len(part), 50):
            with open(os.path.join(d, f"batch_{b // 50:03d}.jsonl"), "w") as f:
                for it in part[b:b + 50]:
                    f.write(json.dumps(it, ensure_ascii=False) + "\n")
    print(f"{len(pick)} of {len(items)} examples drawn for the blind pass, {a.shards} shards")


if __name__ == "__main__":
    main()
