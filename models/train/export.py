"""Export the encoder and heads to ONNX (fp32 reference + int8 default), write manifest.json
with every label, threshold, limit, I/O name and file hash the runtime needs."""
from __future__ import annotations

import hashlib
import json
import os
import shutil

import numpy as np
import onnx
import torch
from onnx import helper, numpy_helper, TensorProto

from heads import OUTPUTS
from labels import CRISIS, DISTORTION, REPLY, ROLES, SEVERITY

OPSET = 14
MIN_QUANT = 4096      # smaller tensors (biases, norms) stay fp32: they cost nothing and drift most


def export_encoder(enc, path):
    enc.eval()
    ids = torch.tensor([[5, 6, 7, 8], [9, 10, 0, 0]], dtype=torch.long)
    mask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0]], dtype=torch.long)
    torch.onnx.export(enc, (ids, mask), path, input_names=["input_ids", "attention_mask"], output_names=["embedding"],
                      dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                                    "embedding": {0: "batch"}}, opset_version=OPSET, do_constant_folding=True)


def export_heads(heads, path, dim):
    heads.eval()
    emb = torch.randn(2, 3, dim)
    roles = torch.tensor([[0, 1, 0], [0, 0, 0]], dtype=torch.long)
    mask = torch.tensor([[1, 1, 1], [1, 0, 0]], dtype=torch.float32)
    dyn = {"embeddings": {0: "batch", 1: "window"}, "roles": {0: "batch", 1: "window"}, "mask": {0: "batch", 1: "window"}}
    for o in OUTPUTS:
        dyn[o] = {0: "batch"}
    dyn["evidence"] = {0: "batch", 1: "window"}
    torch.onnx.export(heads, (emb, roles, mask), path, input_names=["embeddings", "roles", "mask"], output_names=OUTPUTS,
                      dynamic_axes=dyn, opset_version=OPSET, do_constant_folding=True)


def quantize_weights(src, dst):
    """Weight-only int8: each large fp32 initializer becomes int8 + a per-channel scale and a
    DequantizeLinear node. Symmetric, zero point 0; the channel axis is the one the consumer
    reads per output (MatMul B: last axis; Gather table: rows)."""
    m = onnx.load(src)
    g = m.graph
    consumers = {}
    for n in g.node:
        for k, i in enumerate(n.input):
            consumers.setdefault(i, []).append((n, k))
    new_inits, new_nodes = [], []
    for init in list(g.initializer):
        a = numpy_helper.to_array(init)
        if a.dtype != np.float32 or a.size < MIN_QUANT or a.ndim != 2:
            new_inits.append(init)
            continue
        uses = consumers.get(init.name, [])
        axis = 0
        if uses and all(n.op_type == "MatMul" and k == 1 for n, k in uses):
            axis = 1
        elif uses and all(n.op_type == "Gemm" for n, k in uses):
            tb = [a_.i for n, _ in uses for a_ in n.attribute if a_.name == "transB"]
            axis = 0 if (tb and tb[0] == 1) else 1
        amax = np.abs(a).max(axis=1 - axis)
        scale = np.where(amax > 0, amax / 127.0, 1.0).astype(np.float32)
        shape = [1, 1]
        shape[axis] = -1
        q = np.clip(np.round(a / scale.reshape(shape)), -127, 127).astype(np.int8)
        qn, sn, zn = init.name + "_q", init.name + "_scale", init.name + "_zp"
        new_inits += [numpy_helper.from_array(q, qn), numpy_helper.from_array(scale, sn),
                      numpy_helper.from_array(np.zeros(scale.shape, np.int8), zn)]
        new_nodes.append(helper.make_node("DequantizeLinear", [qn, sn, zn], [init.name], name=init.name + "_dq", axis=axis))
    del g.initializer[:]
    g.initializer.extend(new_inits)
    nodes = list(g.node)
    del g.node[:]
    g.node.extend(new_nodes + nodes)
    onnx.checker.check_model(m)
    onnx.save(m, dst)


def sha256(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def export_all(enc, heads, tok_dir, out, metrics, args, policy=None, thresholds=None, version="1.0.0", port=False,
               heads_int8=False):
    os.makedirs(out, exist_ok=True)
    for f in ("tokenizer.json", "tokenizer_config.json"):
        shutil.copy(os.path.join(tok_dir, f), os.path.join(out, f))
    if os.path.exists(os.path.join(out, "heads.fp32.onnx")):   # a previous export's, which this one may not write
        os.remove(os.path.join(out, "heads.fp32.onnx"))
    export_encoder(enc, os.path.join(out, "encoder.fp32.onnx"))
    quantize_weights(os.path.join(out, "encoder.fp32.onnx"), os.path.join(out, "encoder.onnx"))
    files = ["tokenizer.json", "tokenizer_config.json", "encoder.onnx", "heads.onnx", "encoder.fp32.onnx"]
    if heads_int8:
        export_heads(heads, os.path.join(out, "heads.fp32.onnx"), enc.dim)
        quantize_weights(os.path.join(out, "heads.fp32.onnx"), os.path.join(out, "heads.onnx"))
        files.append("heads.fp32.onnx")
    else:
        # The heads are 1M parameters (3.8 MB fp32): int8 would save 2.8 MB and add ~0.02 of
        # output drift, so they ship fp32 and there is no separate reference file.
        export_heads(heads, os.path.join(out, "heads.onnx"), enc.dim)
    manifest = {
        "name": getattr(args, "name", None) or os.path.basename(os.path.abspath(out)),
        "version": version,
        "contract": 1,
        "tokenizer": {"files": ["tokenizer.json", "tokenizer_config.json"], "maxTokens": 128, "padId": 0, "emptyId": 0},
        "encoder": {"file": "encoder.onnx", "fp32": "encoder.fp32.onnx", "inputs": ["input_ids", "attention_mask"],
                    "output": "embedding", "dim": enc.dim, "base": "universal-sentence-encoder-lite",
                    # true when encoder.fp32.onnx is the unmodified port (tests then check parity with TF.js)
                    "port": bool(port)},
        "heads": {"file": "heads.onnx", **({"fp32": "heads.fp32.onnx"} if heads_int8 else {}), "maxWindow": heads.window, "roles": ROLES,
                  "inputs": ["embeddings", "roles", "mask"], "outputs": OUTPUTS},
        "labels": {"crisis": CRISIS, "severity": SEVERITY, "reply": REPLY, "distortion": DISTORTION},
        "thresholds": thresholds or {"crisis": {c: 0.5 for c in CRISIS}, "risk": 0.5, "reply_harm": 0.5},
        "files": {f: {"sha256": sha256(os.path.join(out, f)), "bytes": os.path.getsize(os.path.join(out, f))} for f in files},
    }
    if policy:
        manifest["policy"] = policy
    json.dump(manifest, open(os.path.join(out, "manifest.json"), "w"), indent=2)
    json.dump(metrics, open(os.path.join(out, "metrics.json"), "w"), indent=1)
    return manifest
