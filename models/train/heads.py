"""Window heads: the embeddings of the last N messages, their roles and a mask -> every
judgment of docs/model-contract.md. Small on purpose: a new message costs one encoder pass
plus this."""
import torch
from torch import nn

from labels import CRISIS, DISTORTION, REPLY, SEVERITY


class Block(nn.Module):
    def __init__(self, d, heads=4, d_ff=512, p=0.1):
        super().__init__()
        self.h, self.dk = heads, d // heads
        self.ln1, self.ln2 = nn.LayerNorm(d), nn.LayerNorm(d)
        self.qkv, self.out = nn.Linear(d, 3 * d), nn.Linear(d, d)
        self.ff = nn.Sequential(nn.Linear(d, d_ff), nn.GELU(), nn.Linear(d_ff, d))
        self.drop = nn.Dropout(p)

    def forward(self, x, bias):
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).chunk(3, dim=-1)
        sp = lambda y: y.reshape(b, t, self.h, self.dk).transpose(1, 2)
        w = torch.softmax(sp(q) @ sp(k).transpose(-1, -2) * self.dk ** -0.5 + bias, dim=-1)
        x = x + self.drop(self.out((w @ sp(v)).transpose(1, 2).reshape(b, t, d)))
        return x + self.drop(self.ff(self.ln2(x)))


class Heads(nn.Module):
    def __init__(self, dim=512, d=192, window=16, layers=2, p=0.1):
        super().__init__()
        self.window = window
        self.inp = nn.Sequential(nn.Dropout(p), nn.Linear(dim, d))
        self.role = nn.Embedding(2, d)
        self.recency = nn.Embedding(window, d)
        self.blocks = nn.ModuleList([Block(d, p=p) for _ in range(layers)])
        self.ln = nn.LayerNorm(d)
        self.pool = nn.Linear(d, 1)
        # strictly-upper-triangular ones: (m @ U)[i] = how many marked messages come after i
        self.register_buffer("after", torch.triu(torch.ones(window, window), diagonal=1).t().contiguous())
        self.person = nn.Sequential(nn.Linear(2 * d, d), nn.GELU(), nn.Dropout(p))
        self.crisis = nn.Linear(d, len(CRISIS))
        self.risk = nn.Linear(d, 1)
        self.severity = nn.Linear(d, len(SEVERITY))
        self.reply_trunk = nn.Sequential(nn.Linear(2 * d, d), nn.GELU(), nn.Dropout(p))
        self.reply_harm = nn.Linear(d, 1)
        self.reply = nn.Linear(d, len(REPLY))
        self.distortion = nn.Linear(d, len(DISTORTION) * 4)

    def logits(self, embeddings, roles, mask):
        b, w, _ = embeddings.shape
        mask = mask.to(torch.float32)
        is_user = (1 - roles.to(torch.float32).clamp(0, 1)) * mask
        n = mask.sum(1, keepdim=True)
        pos = torch.arange(w, device=mask.device, dtype=torch.float32).unsqueeze(0)
        rec = (n - 1 - pos).clamp(0, self.window - 1) * mask
        x = self.inp(embeddings) + self.role(roles.clamp(0, 1)) + self.recency(rec.to(torch.int64))
        bias = (1.0 - mask)[:, None, None, :] * -1e4
        for blk in self.blocks:
            x = blk(x, bias)
        x = self.ln(x)
        after = self.after[:w, :w]
        last_user = is_user * (((is_user @ after) == 0).to(torch.float32))
        last = mask * (((mask @ after) == 0).to(torch.float32))
        score = self.pool(x).squeeze(-1) + (1.0 - mask) * -1e4
        evidence = torch.softmax(score, dim=-1) * mask
        evidence = evidence / evidence.sum(-1, keepdim=True).clamp(min=1e-6)
        pooled = (evidence.unsqueeze(-1) * x).sum(1)
        h_user = (last_user.unsqueeze(-1) * x).sum(1)
        h_last = (last.unsqueeze(-1) * x).sum(1)
        p = self.person(torch.cat([h_user, pooled], -1))
        r = self.reply_trunk(torch.cat([h_last, pooled], -1))
        return {"crisis": self.crisis(p), "risk": self.risk(p).squeeze(-1), "severity": self.severity(p),
                "reply_harm": self.reply_harm(r).squeeze(-1), "reply": self.reply(r),
                "distortion": self.distortion(r).reshape(b, len(DISTORTION), 4), "evidence": evidence}

    def forward(self, embeddings, roles, mask):
        z = self.logits(embeddings, roles, mask)
        return (torch.sigmoid(z["crisis"]), torch.sigmoid(z["risk"]), torch.softmax(z["severity"], -1),
                torch.sigmoid(z["reply_harm"]), torch.sigmoid(z["reply"]), torch.softmax(z["distortion"], -1),
                z["evidence"])


OUTPUTS = ["crisis", "risk", "severity", "reply_harm", "reply", "distortion", "evidence"]
