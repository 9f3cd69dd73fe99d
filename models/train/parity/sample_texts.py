"""Sample texts for the parity checks: a few hundred real sentences from the data (never
committed: written to --out outside the project) plus Unicode edge cases."""
import argparse
import json
import random
import re
import sys
import os

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import sources  # noqa: E402

EDGE = ["", " ", "   leading and trailing   ", "tab\tand\nnewline", "emoji 😭😭 only 🙃", "👍", "ＦＵＬＬＷＩＤＴＨ ｔｅｘｔ",
        "ligature ﬁ ﬂ", "combining é vs é", "RTL مرحبا بالعالم mixed with English", "עברית", "日本語の文章です。死にたい",
        "我不想活了", "quiero morirme ya", "Ünïcödé ñ ß ø", "zero\u200bwidth", "lone \ud800 surrogate".encode("utf-8", "replace").decode("utf-8", "replace"),
        "<s> special </s> <unk>", "a" * 600, ("word " * 400).strip(), "kms lol 💀💀", "i'm fine :) :( :-)", "http://example.com/a?b=c",
        "CAPS LOCK RAGE!!!", "numbers 1234567890 3.14", "“smart quotes” and ‘apostrophes’", "em—dash – en-dash", "…"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--n", type=int, default=400)
    a = ap.parse_args()
    rng = random.Random(3)
    recs = [r for r in sources.load(a.data, ("person", "reply")) if r["lang"] == "en"]
    rng.shuffle(recs)
    out = []
    for r in recs:
        s = re.split(r"(?<=[.!?])\s+", r["text"])[0][:300]
        if len(s.split()) >= 3:
            out.append(s)
        if len(out) >= a.n:
            break
    with open(a.out, "w") as f:
        for t in out + EDGE:
            f.write(json.dumps({"text": t}, ensure_ascii=False) + "\n")
    print(len(out) + len(EDGE), "texts")


if __name__ == "__main__":
    main()
