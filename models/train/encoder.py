"""Universal Sentence Encoder Lite, ported from its TF.js graph to PyTorch so it can be
fine-tuned and exported to ONNX (`encoder.onnx`).

The TF.js graph (KonaTransformer) is: token embedding (8002 x 256), counted twice, + sinusoidal
timing signal; layer 0 = pre-LN attention (4 heads x 64) whose residual is projected 256->512,
pre-LN FFN 512->1536->512; layer 1 = the same at width 512 (4 heads x 128); masked mean
pool; tanh dense 512->512; L2 normalise. Max 128 tokens. Every constant below was read
from the graph (see parity/check_parity.py for the proof against the TF.js reference).
"""
from __future__ import annotations

import json
import math
import os
from typing import Dict

import numpy as np
import torch
from torch import nn

P = "module_apply_default/Encoder_en/KonaTransformer/"
MAX_TOKENS = 128
LN_EPS = 1e-6


def load_tfjs_weights(model_dir: str) -> Dict[str, np.ndarray]:
    m = json.load(open(os.path.join(model_dir, "model.json")))
    out, parts = {}, []
    for group in m["weightsManifest"]:
        buf = b"".join(open(os.path.join(model_dir, p), "rb").read() for p in group["paths"])
        off = 0
        for w in group["weights"]:
            dt = {"float32": np.float32, "int32": np.int32}[w["dtype"]]
            n = int(np.prod(w["shape"])) if w["shape"] else 1
            out[w["name"]] = np.frombuffer(buf, dt, n, off).reshape(w["shape"]).copy()
            off += n * 4
    return out


class LayerNorm(nn.Module):
    # TF computes variance as mean((x-mean)^2) with eps inside the rsqrt, as torch does.
    def __init__(self, d):
        super().__init__()
        self.ln = nn.LayerNorm(d, eps=LN_EPS)

    def forward(self, x):
        return self.ln(x)


class Attention(nn.Module):
    def __init__(self, d_in, d_model, heads):
        super().__init__()
        self.heads, self.d_model = heads, d_model
        self.depth = d_in // heads
        self.qkv = nn.Linear(d_in, 3 * d_in)
        self.out = nn.Linear(d_in, d_model)

    def forward(self, x, bias):
        b, t, _ = x.shape
        q, k, v = self.qkv(x).chunk(3, dim=-1)
        split = lambda y: y.reshape(b, t, self.heads, self.depth).transpose(1, 2)
        q, k, v = split(q) * (self.depth ** -0.5), split(k), split(v)
        w = torch.softmax(q @ k.transpose(-1, -2) + bias, dim=-1)
        y = (w @ v).transpose(1, 2).reshape(b, t, self.heads * self.depth)
        return self.out(y)


class Layer(nn.Module):
    def __init__(self, d_in, d_model, heads, d_ff):
        super().__init__()
        self.ln1 = LayerNorm(d_in)
        self.attn = Attention(d_in, d_model, heads)
        self.adjust = nn.Linear(d_in, d_model) if d_in != d_model else None
        self.ln2 = LayerNorm(d_model)
        self.ff1 = nn.Linear(d_model, d_ff)
        self.ff2 = nn.Linear(d_ff, d_model)

    def forward(self, x, bias, keep):
        res = self.adjust(x) * keep if self.adjust is not None else x
        x = self.attn(self.ln1(x), bias) + res
        return x + self.ff2(torch.relu(self.ff1(self.ln2(x)))) * keep


class USELite(nn.Module):
    def __init__(self, vocab=8002, d_emb=256, d_model=512, d_ff=1536):
        super().__init__()
        self.embed = nn.Embedding(vocab, d_emb)
        self.register_buffer("inv_timescales", torch.zeros(d_emb // 2))
        self.layers = nn.ModuleList([Layer(d_emb, d_model, 4, d_ff), Layer(d_model, d_model, 4, d_ff)])
        self.dense = nn.Linear(d_model, d_model)
        self.dim = d_model

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        keep = attention_mask.unsqueeze(-1).to(torch.float32)
        t = input_ids.shape[1]
        pos = torch.arange(t, device=input_ids.device, dtype=torch.float32).unsqueeze(1) * self.inv_timescales.unsqueeze(0)
        timing = torch.cat([torch.sin(pos), torch.cos(pos)], dim=1)
        # The graph adds the embedding twice (Scatter(emb) + Scatter(emb + timing)).
        x = (2.0 * self.embed(input_ids) + timing.unsqueeze(0)) * keep
        bias = (1.0 - attention_mask.to(torch.float32))[:, None, None, :] * -1e9
        for layer in self.layers:
            x = layer(x, bias, keep)
        pooled = (x * keep).sum(1) / keep.sum(1).clamp(min=1.0)
        h = torch.tanh(self.dense(pooled))
        return h / h.norm(dim=-1, keepdim=True).clamp(min=1e-6)


def from_tfjs(model_dir: str) -> USELite:
    w = load_tfjs_weights(model_dir)
    m = USELite()
    t = lambda a: torch.from_numpy(np.ascontiguousarray(a))
    sd = {"embed.weight": t(w["module/Embeddings_en"]),
          "inv_timescales": t(w[P + "Encode/TransformerStack/Layer_0/AddTimingSignal/TimingSignal/ExpandDims_1"][0]),
          "dense.weight": t(w["module/Encoder_en/hidden_layers/tanh_layer_0/weights"].T),
          "dense.bias": t(w["module/Encoder_en/hidden_layers/tanh_layer_0/bias"])}
    for i in range(2):
        L = f"Encode/Layer_{i}/TransformerLayer/"
        S = f"Encode/TransformerStack/Layer_{i}/TransformerLayer/"
        k = f"module/Encoder_en/KonaTransformer/{L}"
        pre = f"layers.{i}."
        sd[pre + "ln1.ln.weight"] = t(w[P + L + "layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat"])
        sd[pre + "ln1.ln.bias"] = t(w[P + L + "layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat"])
        sd[pre + "attn.qkv.weight"] = t(w[k + "MultiheadAttention/qkv_transform_single/kernel/part_0"][0, 0].T)
        sd[pre + "attn.qkv.bias"] = t(w[P + L + "MultiheadAttention/qkv_transform_single/bias/ConcatPartitions/concat"])
        sd[pre + "attn.out.weight"] = t(w[k + "MultiheadAttention/output_transform_single/kernel/part_0"][0, 0].T)
        sd[pre + "attn.out.bias"] = t(w[P + L + "MultiheadAttention/output_transform_single/bias/ConcatPartitions/concat"])
        if i == 0:
            sd[pre + "adjust.weight"] = t(w[P + L + "dense/kernel/ConcatPartitions/concat"].T)
            sd[pre + "adjust.bias"] = t(w[P + L + "dense/bias/ConcatPartitions/concat"])
        sd[pre + "ln2.ln.weight"] = t(w[P + L + "FFN/layer_prepostprocess/layer_norm/layer_norm_scale/ConcatPartitions/concat"])
        sd[pre + "ln2.ln.bias"] = t(w[P + L + "FFN/layer_prepostprocess/layer_norm/layer_norm_bias/ConcatPartitions/concat"])
        sd[pre + "ff1.weight"] = t(w[P + S + "FFN/conv1/Tensordot/Reshape_1"].T)
        sd[pre + "ff1.bias"] = t(w[P + L + "FFN/conv1/bias/ConcatPartitions/concat"])
        sd[pre + "ff2.weight"] = t(w[P + S + "FFN/conv2/Tensordot/Reshape_1"].T)
        sd[pre + "ff2.bias"] = t(w[P + L + "FFN/conv2/bias/ConcatPartitions/concat"])
    m.load_state_dict(sd, strict=True)
    return m
