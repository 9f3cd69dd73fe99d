"""Turn the labellers' files (outside the project: they quote dataset text) into the
committed silver labels, keyed by source/file/row/sha, with evidence as character offsets
into the text instead of a quote.

  /usr/bin/python3 models/train/merge_silver.py --data ../shared/datasets --work /tmp/carelayer-silver
"""
import argparse
import glob
import json
import os

import sources
from labels import norm_crisis

REPLY_FIELDS = ("enables_harm", "validates_harm", "reality_distortion", "value_distortion", "action_distortion", "appropriate")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--work", default="/tmp/carelayer-silver")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "data", "silver"))
    ap.add_argument("--sides", default="person,reply")
    ap.add_argument("--append", action="store_true",
                    help="keep the committed labels and add this round's (a later round's work dir holds only its own)")
    a = ap.parse_args()
    texts = {(r["source"], r["file"], str(r["row"])): r["text"] for r in sources.load(a.data)}
    os.makedirs(a.out, exist_ok=True)
    for side in a.sides.split(","):
        keys = {}
        for line in open(os.path.join(a.work, side, "keys.jsonl")):
            k = json.loads(line)
            keys[k["uid"]] = k
        rows, bad = {}, 0
        for path in sorted(glob.glob(os.path.join(a.work, "labels", f"{side}_*.jsonl"))):
            labeller = os.path.basename(path).split(".")[0]
            for line in open(path):
                line = line.strip()
                if not line:
                    continue
                try:
                    x = json.loads(line)
                except json.JSONDecodeError:
                    bad += 1
                    continue
                k = keys.get(x.get("uid"))
                if not k:
                    bad += 1
                    continue
                out = {"source": k["source"], "file": k["file"], "row": k["row"], "sha": k["sha"],
                       "shown_chars": k["shown_chars"], "labeller": labeller}
                if side == "person":
                    c = norm_crisis(x.get("crisis"))
                    sev = x.get("severity")
                    if not c or not isinstance(sev, int) or not 0 <= sev <= 4:
                        bad += 1
                        continue
                    out.update(crisis=c, severity=sev)
                    ev = x.get("evidence")
                    text = texts.get((k["source"], k["file"], str(k["row"])), "")
                    if isinstance(ev, str) and ev.strip():
                        at = text.find(ev.strip().rstrip("…").strip())
                        out["evidence"] = [at, at + len(ev.strip())] if at >= 0 else None
                else:
                    try:
                        out.update({f: int(x[f]) for f in REPLY_FIELDS})
                    except (KeyError, TypeError, ValueError):
                        bad += 1
                        continue
                    out["person_crisis"] = norm_crisis(x.get("person_crisis")) or ["no_crisis"]
                    out["person_severity"] = int(x.get("person_severity") or 0)
                rows[x["uid"]] = out   # a later line for the same uid (a fix) wins
        path = os.path.join(a.out, f"{side}.jsonl")
        kept = []
        if a.append and os.path.exists(path):
            new = {(r["source"], r["file"], str(r["row"])) for r in rows.values()}
            kept = [l for l in open(path) if l.strip()
                    and (lambda r: (r["source"], r["file"], str(r["row"])))(json.loads(l)) not in new]
        with open(path, "w") as f:
            f.writelines(kept)
            for uid in sorted(rows):
                f.write(json.dumps(rows[uid]) + "\n")
        print(side, len(rows), "labels,", bad, "unusable lines")


if __name__ == "__main__":
    main()
