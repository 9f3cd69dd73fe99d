"""Blind second pass on the synthetic examples: draw a seeded random 10% and write them for a
second labeller WITHOUT their labels (the messages up to and including the judged one).

  /usr/bin/python3 models/train/synthetic_blind.py --out /tmp/carelayer-synblind

The second labeller writes {"uid": <example id>, ...labels...} lines to
models/data/synthetic/relabel_blind.jsonl; agreement.py --synthetic compares them with the
first labels (Cohen's kappa per field).
"""
import argparse
import json
import os
import random

from data import synthetic_examples


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="/tmp/carelayer-synblind")
    ap.add_argument("--share", type=float, default=0.10)
    ap.add_argument("--shards", type=int, default=2)
    ap.add_argument("--seed", type=int, default=21)
    a = ap.parse_args()
    items = [{"uid": x["id"], "judge": x["messages"][k]["role"], "lang": x.get("lang", "en"),
              "messages": [{"role": m["role"], "text": m["text"]} for m in x["messages"][:k + 1]]}
             for x, k in synthetic_examples()]
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
