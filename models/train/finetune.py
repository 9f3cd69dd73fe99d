"""Fine-tune the USE-lite message encoder on single messages (person-side crisis labels,
and reply-side harm for assistant messages), so that one embedding carries the signals the
window heads need. Dev windows (the per-source split) are never seen.

  /usr/bin/python3 models/train/finetune.py --data ../shared/datasets --out /tmp/carelayer-train/encoder_ft.pt
"""
from __future__ import annotations

import os as _os
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")   # before numpy/torch load OpenBLAS: one thread per job

import argparse
import json
import os
import random
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data as D  # noqa: E402
import encoder as E  # noqa: E402
from labels import CRISIS  # noqa: E402
from train import USE_DIR, tokenize, tsha, log  # noqa: E402

NC = CRISIS.index("no_crisis")


class Probe(nn.Module):
    def __init__(self, dim=512):
        super().__init__()
        self.scale = nn.Parameter(torch.tensor(8.0))  # embeddings are unit-norm: give the probe range
        self.crisis = nn.Linear(dim, len(CRISIS))
        self.severity = nn.Linear(dim, 5)
        self.harm = nn.Linear(dim, 1)

    def forward(self, e):
        e = e * self.scale
        return self.crisis(e), self.severity(e), self.harm(e).squeeze(-1)


def examples(data_root, seed, weak_cap):
    rng = random.Random(seed)
    real = [w for w in D.real_windows(data_root) if not w["dev"]]
    syn = [w for w in D.synthetic_windows() if int(__import__("hashlib").sha1(w["id"].split(":")[0].encode()).hexdigest()[:6], 16) % 10 != 0]
    out, weak = [], []
    for w in real + syn:
        role, text = w["messages"][-1]
        p, r = w.get("person"), w.get("reply")
        ex = {"text": text, "crisis": None, "sev": None, "harm": None, "w": 1.0}
        if role == "user" and p and (len(w["messages"]) == 1 or w.get("silver") or w.get("synthetic")):
            ex["crisis"], ex["sev"], ex["w"] = p["crisis"], p["severity"], p["w"]
        elif role == "assistant" and r and r.get("harm") is not None:
            ex["harm"], ex["w"] = r["harm"], r["w"]
        else:
            continue
        (weak if ex["w"] < 0.5 else out).append(ex)
    rng.shuffle(weak)
    return out + weak[:weak_cap]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", default="/tmp/carelayer-train/encoder_ft.pt")
    ap.add_argument("--work", default="/tmp/carelayer-train")
    ap.add_argument("--epochs", type=int, default=2)
    ap.add_argument("--max-tokens", type=int, default=64)
    ap.add_argument("--lr", type=float, default=4e-5)
    ap.add_argument("--bs", type=int, default=32)
    ap.add_argument("--weak-cap", type=int, default=6000)
    ap.add_argument("--seed", type=int, default=7)
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(int(os.environ.get("CARELAYER_THREADS", "1")))   # see train.py
    torch.set_flush_denormal(True)
    exs = examples(a.data, a.seed, a.weak_cap)
    log(f"fine-tuning on {len(exs)} messages")
    from tokenizer import build as build_tok
    tok_dir = os.path.join(a.work, "tokenizer")
    build_tok(os.path.join(USE_DIR, "vocab.json"), tok_dir)
    ids = tokenize(sorted({e["text"] for e in exs}), tok_dir, os.path.join(a.work, "ids.json"))
    enc = E.from_tfjs(USE_DIR)
    probe = Probe()
    opt = torch.optim.AdamW([{"params": enc.parameters(), "lr": a.lr}, {"params": probe.parameters(), "lr": 1e-3}], weight_decay=0.01)
    steps = a.epochs * (len(exs) // a.bs + 1)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=[a.lr, 1e-3], total_steps=steps, pct_start=0.06)
    rng = random.Random(a.seed)
    step = 0
    for ep in range(a.epochs):
        enc.train()
        rng.shuffle(exs)
        # bucket by length for speed, batches shuffled
        order = sorted(range(len(exs)), key=lambda i: (len(ids[tsha(exs[i]["text"])]) // 8, rng.random()))
        batches = [order[s:s + a.bs] for s in range(0, len(order), a.bs)]
        rng.shuffle(batches)
        t0, tot = time.time(), 0.0
        for bi, b in enumerate(batches):
            seqs = [(ids[tsha(exs[i]["text"])][: a.max_tokens] or [0]) for i in b]
            T = max(len(s) for s in seqs)
            x = torch.zeros(len(b), T, dtype=torch.long)
            m = torch.zeros(len(b), T, dtype=torch.long)
            for r, s in enumerate(seqs):
                x[r, :len(s)] = torch.tensor(s)
                m[r, :len(s)] = 1
            c, sv, h = probe(enc(x, m))
            loss = torch.zeros(())
            for r, i in enumerate(b):
                e = exs[i]
                if e["crisis"]:
                    y = torch.zeros(len(CRISIS))
                    for l in e["crisis"]:
                        y[CRISIS.index(l)] = 1
                    loss = loss + e["w"] * (3 * F.binary_cross_entropy_with_logits(c[r], y)
                                            + F.binary_cross_entropy_with_logits(-c[r, NC], 1 - y[NC]))
                if e["sev"] is not None:
                    loss = loss + 0.5 * e["w"] * F.cross_entropy(sv[r:r + 1], torch.tensor([int(e["sev"])]))
                if e["harm"] is not None:
                    loss = loss + e["w"] * F.binary_cross_entropy_with_logits(h[r], torch.tensor(float(e["harm"])))
            loss = loss / len(b)
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(enc.parameters(), 1.0)
            opt.step()
            sched.step()
            step += 1
            tot += loss.item()
            if bi % 100 == 0:
                log(f"  epoch {ep + 1} batch {bi}/{len(batches)} loss {tot / (bi + 1):.4f} ({time.time() - t0:.0f}s)")
        torch.save(enc.state_dict(), a.out)   # checkpoint each epoch: a cut-off run loses little
        log(f"epoch {ep + 1} done, saved {a.out}")


if __name__ == "__main__":
    main()
