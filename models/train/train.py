"""Train carelayer's window heads (and optionally fine-tune the encoder) and export the
model directory. One command, seeded:

  /usr/bin/python3 models/train/train.py --data ../shared/datasets --out models/carelayer-v1

Stages (cached under --work so a cut-off run resumes): windows -> token ids (transformers.js,
the runtime's own tokenizer) -> message embeddings -> heads -> export + metrics.
"""
from __future__ import annotations

import os as _os
_os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")   # before numpy/torch load OpenBLAS: one thread per job

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import data as D  # noqa: E402
import encoder as E  # noqa: E402
from heads import Heads  # noqa: E402
from labels import CRISIS, ROLES  # noqa: E402

ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
USE_DIR = os.path.join(ROOT, "node_modules", "@energetic-ai", "model-embeddings-en", "dist")
W = 16
NC = CRISIS.index("no_crisis")


def log(*a):
    print(time.strftime("%H:%M:%S"), *a, flush=True)


def tsha(t):
    return hashlib.sha1(t.encode("utf-8")).hexdigest()


def tokenize(texts, tok_dir, cache_path):
    cache = {}
    if os.path.exists(cache_path):
        cache = json.load(open(cache_path))
    todo = [t for t in texts if tsha(t) not in cache]
    if todo:
        log(f"tokenizing {len(todo)} texts with transformers.js")
        inp = "\n".join(json.dumps({"text": t}) for t in todo) + "\n"
        res = subprocess.run(["node", os.path.join(HERE, "tokenize_texts.mjs"), tok_dir], input=inp.encode(),
                             capture_output=True, cwd=ROOT, check=True)
        lines = res.stdout.decode().splitlines()
        assert len(lines) == len(todo), (len(lines), len(todo))
        for t, l in zip(todo, lines):
            cache[tsha(t)] = json.loads(l)["ids"][: E.MAX_TOKENS]
        with open(cache_path + ".part", "w") as f:   # atomic: finetune.py may read it meanwhile
            json.dump(cache, f)
        os.replace(cache_path + ".part", cache_path)
    return cache


def batches_of_ids(id_lists, bs):
    order = sorted(range(len(id_lists)), key=lambda i: len(id_lists[i]))
    for s in range(0, len(order), bs):
        idx = order[s:s + bs]
        t = max(1, max(len(id_lists[i]) for i in idx))
        ids = torch.zeros(len(idx), t, dtype=torch.long)
        mask = torch.zeros(len(idx), t, dtype=torch.long)
        for r, i in enumerate(idx):
            x = id_lists[i] or [0]   # contract: an empty message is the single token emptyId (0)
            ids[r, :len(x)] = torch.tensor(x)
            mask[r, :len(x)] = 1
        yield idx, ids, mask


@torch.no_grad()
def embed_all(enc, id_lists, bs=128):
    enc.eval()
    out = np.zeros((len(id_lists), enc.dim), dtype=np.float32)
    for n, (idx, ids, mask) in enumerate(batches_of_ids(id_lists, bs)):
        out[idx] = enc(ids, mask).numpy()
        if n % 50 == 0:
            log(f"  embedded {min(len(id_lists), (n + 1) * bs)}/{len(id_lists)}")
    return out


def embed_ort(enc, id_lists, work, quant=False):
    """Through onnxruntime-node: several times faster than torch here, same numerics as the runtime.
    quant: through the int8 graph the runtime loads by default (export.quantize_weights)."""
    import export
    path = os.path.join(work, "encoder.tmp.onnx")
    export.export_encoder(enc, path)
    if quant:
        export.quantize_weights(path, path.replace(".onnx", ".int8.onnx"))
        path = path.replace(".onnx", ".int8.onnx")
    ids_path, out_path = os.path.join(work, "todo_ids.jsonl"), os.path.join(work, "todo_emb.f32")
    with open(ids_path, "w") as f:
        for x in id_lists:
            f.write(json.dumps({"ids": x}) + "\n")
    subprocess.run(["node", os.path.join(HERE, "embed_texts.mjs"), path, ids_path, out_path], cwd=ROOT, check=True)
    return np.fromfile(out_path, dtype=np.float32).reshape(len(id_lists), enc.dim)


def embeddings(enc, enc_tag, texts, ids, work, quant=False):
    """Every text's embedding, cached per encoder (and precision) so a cut-off run resumes."""
    cache = os.path.join(work, f"emb_{enc_tag}{'_int8' if quant else ''}.npz")
    have = {}
    if os.path.exists(cache):
        z = np.load(cache, allow_pickle=True)
        have = dict(zip(z["keys"].tolist(), z["emb"]))
    todo = [t for t in texts if tsha(t) not in have]
    if todo:
        log(f"embedding {len(todo)} texts{' (int8 encoder)' if quant else ''}")
        e = embed_ort(enc, [ids[tsha(t)] for t in todo], work, quant=quant)
        have.update({tsha(t): e[i] for i, t in enumerate(todo)})
        keys = list(have)
        np.savez(cache, keys=np.array(keys), emb=np.stack([have[k] for k in keys]))
    return torch.from_numpy(np.stack([have[tsha(t)] for t in texts]))


def build_tensors(wins, text_index):
    n = len(wins)
    T = {"idx": np.zeros((n, W), np.int64), "roles": np.zeros((n, W), np.int64), "mask": np.zeros((n, W), np.float32),
         "crisis": np.zeros((n, len(CRISIS)), np.float32), "has_crisis": np.zeros(n, np.float32),
         "sev": np.zeros(n, np.int64), "has_sev": np.zeros(n, np.float32), "pw": np.zeros(n, np.float32),
         "harm": np.zeros(n, np.float32), "has_harm": np.zeros(n, np.float32),
         "rep": np.zeros((n, 3), np.float32), "has_rep": np.zeros((n, 3), np.float32),
         "dist": np.zeros((n, 3), np.int64), "has_dist": np.zeros((n, 3), np.float32), "rw": np.zeros(n, np.float32)}
    for i, w in enumerate(wins):
        msgs = w["messages"][-W:]
        for j, (role, text) in enumerate(msgs):
            T["idx"][i, j] = text_index[text]
            T["roles"][i, j] = ROLES[role]
            T["mask"][i, j] = 1
        p = w.get("person")
        if p:
            T["pw"][i] = p["w"]
            if p["crisis"]:
                for c in p["crisis"]:
                    T["crisis"][i, CRISIS.index(c)] = 1
                T["has_crisis"][i] = 1
            if p["severity"] is not None:
                T["sev"][i] = int(p["severity"])
                T["has_sev"][i] = 1
        r = w.get("reply")
        if r and msgs[-1][0] == "assistant":
            T["rw"][i] = r["w"]
            if r.get("harm") is not None:
                T["harm"][i], T["has_harm"][i] = r["harm"], 1
            for k, key in enumerate(("enables", "validates", "appropriate")):
                if r.get(key) is not None:
                    T["rep"][i, k], T["has_rep"][i, k] = min(1.0, r[key]), 1
            for k, d in enumerate(r.get("distortion") or [None] * 3):
                if d is not None:
                    T["dist"][i, k], T["has_dist"][i, k] = d, 1
    return {k: torch.from_numpy(v) for k, v in T.items()}


def loss_fn(z, b):
    pw, rw = b["pw"], b["rw"]
    l_c = (F.binary_cross_entropy_with_logits(z["crisis"], b["crisis"], reduction="none").mean(-1) * b["has_crisis"] * pw).sum()
    any_c = 1 - b["crisis"][:, NC]
    l_r = (F.binary_cross_entropy_with_logits(z["risk"], any_c, reduction="none") * b["has_crisis"] * pw).sum()
    l_s = (F.cross_entropy(z["severity"], b["sev"], reduction="none") * b["has_sev"] * pw).sum()
    l_h = (F.binary_cross_entropy_with_logits(z["reply_harm"], b["harm"], reduction="none") * b["has_harm"] * rw).sum()
    l_p = (F.binary_cross_entropy_with_logits(z["reply"], b["rep"], reduction="none") * b["has_rep"]).sum(-1).mul(rw).sum()
    l_d = (F.cross_entropy(z["distortion"].reshape(-1, 4), b["dist"].reshape(-1), reduction="none").reshape(-1, 3)
           * b["has_dist"]).sum(-1).mul(rw).sum()
    n = len(pw)
    return (3 * l_c + l_r + 0.5 * l_s + l_h + 0.5 * l_p + 0.3 * l_d) / n


def gather(T, emb, sel):
    # windows are left-aligned: cut the batch to its longest window (most are one message)
    w = max(1, int(T["mask"][sel].sum(1).max().item()))
    b = {k: v[sel] for k, v in T.items() if k != "idx"}
    b["roles"], b["mask"] = b["roles"][:, :w], b["mask"][:, :w]
    b["emb"] = emb[T["idx"][sel][:, :w]] * b["mask"].unsqueeze(-1)
    return b


CONSISTENCY = 20.0


def consistency(z, zq):
    """Squared difference of every output as the runtime sees it (probabilities)."""
    d = 0.0
    for k in ("crisis", "risk", "reply_harm", "reply"):
        d = d + (torch.sigmoid(z[k]) - torch.sigmoid(zq[k])).pow(2).mean()
    for k in ("severity", "distortion"):
        d = d + (torch.softmax(z[k], -1) - torch.softmax(zq[k], -1)).pow(2).mean()
    return d + (z["evidence"] - zq["evidence"]).pow(2).mean()


def length_batches(T, idx, bs, g):
    """Batches of similar window length, in random order."""
    lens = T["mask"][idx].sum(1)
    out = []
    for lo, hi in ((0, 1), (2, 4), (5, 8), (9, W)):
        sub = idx[(lens >= lo) & (lens <= hi)]
        sub = sub[torch.randperm(len(sub), generator=g)]
        out += [sub[s:s + bs] for s in range(0, len(sub), bs)]
    order = torch.randperm(len(out), generator=g).tolist()
    return [out[i] for i in order]


def train_heads(T, emb, train_idx, epochs, seed, lr=2e-3, bs=256, emb_q=None):
    torch.manual_seed(seed)
    m = Heads()
    opt = torch.optim.AdamW(m.parameters(), lr=lr, weight_decay=0.01)
    steps = epochs * (len(train_idx) // bs + 4)   # one partial batch per length bucket
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.1)
    g = torch.Generator().manual_seed(seed)
    for ep in range(epochs):
        m.train()
        tot = 0.0
        for sel in length_batches(T, train_idx, bs, g):
            b = gather(T, emb, sel)
            z = m.logits(b["emb"], b["roles"], b["mask"])
            loss = loss_fn(z, b)
            if emb_q is not None:
                # The same windows through the int8 encoder's embeddings: trained on both, and
                # pulled to the same answer, so the shipped int8 model stays close to fp32.
                eq = emb_q[T["idx"][sel][:, :b["mask"].shape[1]]] * b["mask"].unsqueeze(-1)
                zq = m.logits(eq, b["roles"], b["mask"])
                loss = 0.5 * (loss + loss_fn(zq, b)) + CONSISTENCY * consistency(z, zq)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot += loss.item() * len(b["pw"])
        log(f"  heads epoch {ep + 1}/{epochs} loss {tot / len(train_idx):.4f}")
    return m.eval()


@torch.no_grad()
def predict(m, T, emb, sel, bs=1024):
    outs = []
    for s in range(0, len(sel), bs):
        b = gather(T, emb, sel[s:s + bs])
        o = list(m(b["emb"], b["roles"], b["mask"]))
        o[6] = F.pad(o[6], (0, W - o[6].shape[1]))   # evidence: back to the full window
        outs.append(o)
    return [torch.cat([o[k] for o in outs]) for k in range(7)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--out", default=os.path.join(ROOT, "models", "carelayer-v1"))
    ap.add_argument("--work", default="/tmp/carelayer-train")
    ap.add_argument("--epochs", type=int, default=12)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--permissive", action="store_true", help="leave out non-commercial (NC) sources")
    ap.add_argument("--encoder", default=None, help="fine-tuned encoder state dict (default: the TF.js weights)")
    ap.add_argument("--no-export", action="store_true")
    ap.add_argument("--name", default="carelayer-v1", help="the model's name in its manifest")
    ap.add_argument("--no-silver", action="store_true", help="ablation: train without the silver labels")
    ap.add_argument("--silver-ablation", default=None,
                    help="metrics.json of a --no-silver run (same encoder): the card shows what the silver labels changed")
    ap.add_argument("--hn-weight", type=float, default=5.0, help="weight of a synthetic hard negative (benign look-alike)")
    a = ap.parse_args()
    # One thread: on 2 cores a second intra-op thread costs more in sync than it gains, and it
    # leaves a core for a parallel job (finetune.py). Install libopenblas0: the reference BLAS is 15x slower.
    torch.set_num_threads(int(os.environ.get("CARELAYER_THREADS", "1")))
    torch.set_flush_denormal(True)   # denormals make these CPUs crawl late in training
    random.seed(a.seed)
    np.random.seed(a.seed)
    os.makedirs(a.work, exist_ok=True)

    log("building windows")
    real = D.real_windows(a.data, permissive=a.permissive, use_silver=not a.no_silver)
    syn = D.synthetic_windows(hn_weight=a.hn_weight)
    rng = random.Random(a.seed)
    for w in syn:   # synthetic held-out share: behaviour checks only, never a real-world claim
        w["dev"] = int(hashlib.sha1(w["id"].split(":")[0].encode()).hexdigest()[:6], 16) % 10 == 0
    spliced = D.splice([w for w in real + syn if not w["dev"]], rng, 6000)
    wins = real + syn + spliced
    log(f"windows: real {len(real)}, synthetic {len(syn)}, spliced {len(spliced)}")

    tok_dir = os.path.join(a.work, "tokenizer")
    from tokenizer import build as build_tok
    build_tok(os.path.join(USE_DIR, "vocab.json"), tok_dir)
    texts = sorted({t for w in wins for _, t in w["messages"][-W:]})
    ids = tokenize(texts, tok_dir, os.path.join(a.work, "ids.json"))
    enc = E.from_tfjs(USE_DIR)
    enc_tag = "tfjs"
    if a.encoder:
        enc.load_state_dict(torch.load(a.encoder))
        enc_tag = hashlib.sha1(open(a.encoder, "rb").read()).hexdigest()[:10]
    emb = embeddings(enc, enc_tag, texts, ids, a.work)
    emb_q = embeddings(enc, enc_tag, texts, ids, a.work, quant=True)
    text_index = {t: i for i, t in enumerate(texts)}

    T = build_tensors(wins, text_index)
    dev = torch.tensor([bool(w.get("dev")) for w in wins])
    train_idx = torch.nonzero(~dev).squeeze(1)
    log(f"training heads on {len(train_idx)} windows")
    heads = train_heads(T, emb, train_idx, a.epochs, a.seed, emb_q=emb_q)
    torch.save(heads.state_dict(), os.path.join(a.work, "heads.pt"))
    torch.save(enc.state_dict(), os.path.join(a.work, "encoder.pt"))

    import evaluate
    dev_idx = torch.nonzero(dev).squeeze(1)
    # Dev figures (and the thresholds calibrated on them) are the int8 encoder's: what ships.
    preds = predict(heads, T, emb_q, dev_idx)
    preds32 = predict(heads, T, emb, dev_idx)
    per_win = torch.stack([(p - q).abs().reshape(len(dev_idx), -1).max(1).values for p, q in zip(preds, preds32)]).max(0).values
    dev_drift = float(per_win.max())
    drift_q = {q: float(per_win.quantile(q)) for q in (0.5, 0.99, 0.999)}
    log(f"dev drift, int8 vs fp32 encoder (heads fp32): max abs {dev_drift:.4f}, per-window quantiles {drift_q}")
    dev_wins = [wins[i] for i in dev_idx.tolist()]
    metrics = metrics_05 = evaluate.report(dev_wins, preds)
    json.dump(metrics, open(os.path.join(a.work, "metrics.json"), "w"), indent=1)
    evaluate.print_report(metrics)
    import pickle
    pickle.dump({"wins": dev_wins, "preds": [p.numpy() for p in preds]},
                open(os.path.join(a.work, "dev_preds.pkl"), "wb"))
    if not a.no_export:
        import export
        import calibrate
        import model_card
        thresholds, policy, summary = calibrate.calibrate(dev_wins, preds)
        # the card's per-source table at the threshold the runtime will use
        metrics = evaluate.report(dev_wins, preds, threshold=thresholds["risk"])
        export.export_all(enc, heads, tok_dir, a.out, metrics, a, policy=policy, thresholds=thresholds,
                          port=a.encoder is None)
        port_dir = None
        if a.encoder:   # the TF.js parity proof is about the unmodified port: export it beside
            port_dir = os.path.join(a.work, "port")
            export.export_all(E.from_tfjs(USE_DIR), heads, tok_dir, port_dir, {}, argparse.Namespace(name="port"), port=True)
        checks = calibrate.onnx_checks(a.out, a.work, port_dir)
        checks["int8 vs fp32 encoder on the dev set (every head output, max abs diff)"] = \
            f"{dev_drift:.4f} over {len(dev_idx)} windows (per-window median {drift_q[0.5]:.4f}, 99th percentile {drift_q[0.99]:.4f})"
        counts = {"real": {}, "synthetic": sum(1 for w in syn if not w["dev"])}
        for w in real:
            if w["id"].endswith(":llm"):   # the second annotator's copy of a text counted once
                continue
            c = counts["real"].setdefault(w["source"], {"rows": 0, "silver": 0})
            c["rows"] += 1
            c["silver"] += int(bool(w.get("silver")))
        sections = [("Reproduce", "```bash\napt-get install -y python3-torch python3-onnx libopenblas0   # Debian; OpenBLAS: 15x faster than the reference BLAS\n"
                                  "npm ci\n/usr/bin/python3 models/train/finetune.py --data ../shared/datasets --epochs 4 --max-tokens 128 --out /tmp/carelayer-train/encoder_ft.pt\n"
                                  f"/usr/bin/python3 models/train/train.py --data ../shared/datasets --encoder /tmp/carelayer-train/encoder_ft.pt --seed {a.seed} --epochs {a.epochs} --hn-weight {a.hn_weight}\n```\n"
                                  "Seeded; on the 2-core development machine: about 25 min for the encoder, 15 min for the rest.")]
        if a.silver_ablation and os.path.exists(a.silver_ablation):
            sections.append(("What the silver labels changed", model_card.ablation_table(
                json.load(open(a.silver_ablation)), metrics_05)))
        model_card.write(a.out, metrics, counts, {"checks": checks, "summary": summary, "limits": calibrate.LIMITS,
                                                   "sections": sections,
                                                   "encoder_note": "Fine-tuned on single messages (models/train/finetune.py)."
                                                   if a.encoder else "Frozen: the unmodified port."})
        log("exported", a.out)


if __name__ == "__main__":
    main()
