"""Near-duplicate check for the synthetic examples: two examples whose judged message has a
word-trigram Jaccard similarity >= --threshold (after lowercasing and stripping punctuation)
are near-duplicates; the later one is dropped with --write. Prints the figure either way.

  /usr/bin/python3 models/train/dedup_synthetic.py [--write]
"""
import argparse
import glob
import json
import os
import re
from collections import defaultdict

HERE = os.path.dirname(os.path.abspath(__file__))
SYN = os.path.join(HERE, "..", "data", "synthetic")


def shingles(text):
    w = re.sub(r"[^\w\s]", " ", text.lower()).split()
    if len(w) < 3:
        return {" ".join(w)}
    return {" ".join(w[i:i + 3]) for i in range(len(w) - 2)}


def key_text(x):
    # the whole example: near-duplicate conversations differ somewhere, so compare all turns
    return " \n ".join(m["text"] for m in x["messages"])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--threshold", type=float, default=0.8)
    ap.add_argument("--write", action="store_true")
    a = ap.parse_args()
    files = [p for p in sorted(glob.glob(os.path.join(SYN, "*.jsonl"))) if not os.path.basename(p).startswith("relabel")]
    items = []
    for p in files:
        for line in open(p):
            if line.strip():
                x = json.loads(line)
                items.append((p, x, shingles(key_text(x))))
    index = defaultdict(list)
    drop, pairs = set(), []
    for i, (_, x, sh) in enumerate(items):
        cands = defaultdict(int)
        for s in sh:
            for j in index[s]:
                cands[j] += 1
        for j, inter in cands.items():
            if j in drop:
                continue
            jac = inter / (len(sh) + len(items[j][2]) - inter)
            if jac >= a.threshold:
                drop.add(i)
                pairs.append((items[j][1]["id"], x["id"], round(jac, 3)))
                break
        if i not in drop:
            for s in sh:
                index[s].append(i)
    print(json.dumps({"examples": len(items), "near_duplicates": len(drop), "threshold": a.threshold,
                      "kept": len(items) - len(drop), "examples_of_pairs": pairs[:10]}))
    if a.write and drop:
        gone = {items[i][1]["id"] for i in drop}
        for p in files:
            lines = [l for l in open(p) if l.strip() and json.loads(l)["id"] not in gone]
            open(p, "w").writelines(lines)


if __name__ == "__main__":
    main()
