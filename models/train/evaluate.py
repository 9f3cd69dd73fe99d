"""Dev-split metrics, per source, on windows the model never trained on. Synthetic dev
windows are reported apart: they test behaviour, they do not measure real-world accuracy."""
from collections import defaultdict

import numpy as np

from labels import CRISIS

NC = CRISIS.index("no_crisis")
ORIG7 = [CRISIS.index(c) for c in ("suicidal_ideation", "self_harm", "anxiety_crisis", "violent_thoughts",
                                     "substance_abuse_or_withdrawal", "risk_taking_behaviours", "no_crisis")]


def auroc(y, s):
    y, s = np.asarray(y), np.asarray(s)
    pos, neg = s[y == 1], s[y == 0]
    if len(pos) == 0 or len(neg) == 0:
        return None
    order = np.argsort(np.concatenate([pos, neg]), kind="mergesort")
    ranks = np.empty(len(order))
    ranks[order] = np.arange(1, len(order) + 1)
    # ties: average ranks
    allv = np.concatenate([pos, neg])
    for v in np.unique(allv):
        idx = np.where(allv == v)[0]
        if len(idx) > 1:
            ranks[idx] = ranks[idx].mean()
    return float((ranks[:len(pos)].sum() - len(pos) * (len(pos) + 1) / 2) / (len(pos) * len(neg)))


def f1(y, p):
    y, p = np.asarray(y), np.asarray(p)
    tp = int(((y == 1) & (p == 1)).sum())
    fp = int(((y == 0) & (p == 1)).sum())
    fn = int(((y == 1) & (p == 0)).sum())
    prec = tp / (tp + fp) if tp + fp else 0.0
    rec = tp / (tp + fn) if tp + fn else 0.0
    return (2 * prec * rec / (prec + rec) if prec + rec else 0.0), prec, rec


def group_of(w):
    if w.get("synthetic"):
        return w["source"]
    if w["source"] == "between_help_and_harm":
        return "between_help_and_harm (LLM labels)"
    return w["source"] + (" (silver)" if w.get("silver") else " (weak proxy)")


def report(wins, preds, threshold=0.5):
    crisis, risk, sev, harm, rep, dist, ev = [p.numpy() for p in preds]
    groups = defaultdict(list)
    for i, w in enumerate(wins):
        groups[group_of(w)].append(i)
    out = {}
    for g, idx in sorted(groups.items()):
        m = {"n": len(idx)}
        pi = [i for i in idx if wins[i].get("person") and wins[i]["person"]["crisis"]
              and wins[i]["messages"][-1][0] == "user"]
        if pi:
            y = [0 if wins[i]["person"]["crisis"] == ["no_crisis"] else 1 for i in pi]
            pr = [int(risk[i] >= threshold) for i in pi]
            f, p, r = f1(y, pr)
            m.update(person_n=len(pi), crisis_share=float(np.mean(y)), crisis_f1=f, precision=p, recall=r,
                     risk_auroc=auroc(y, [risk[i] for i in pi]))
            if sum(y) == 0:
                m["false_alarm_rate"] = float(np.mean(pr))
            if "between_help_and_harm" in g:
                gold = [CRISIS.index(wins[i]["person"]["crisis"][0]) for i in pi]
                pred7 = [ORIG7[int(np.argmax(crisis[i][ORIG7]))] for i in pi]
                m["label7_accuracy"] = float(np.mean([a == b for a, b in zip(gold, pred7)]))
                # against gpt-4o-mini's labels on every dev text (silver-labelled ones included)
                li = [i for i in pi if wins[i].get("llm_label") in CRISIS]
                if li:
                    y7 = [CRISIS.index(wins[i]["llm_label"]) for i in li]
                    p7 = [ORIG7[int(np.argmax(crisis[i][ORIG7]))] for i in li]
                    m["label7_accuracy_vs_llm"] = float(np.mean([a == b for a, b in zip(y7, p7)]))
                    yb = [int(wins[i]["llm_label"] != "no_crisis") for i in li]
                    m["crisis_f1_vs_llm"] = f1(yb, [int(risk[i] >= threshold) for i in li])[0]
                    m["risk_auroc_vs_llm"] = auroc(yb, [risk[i] for i in li])
            sv = [i for i in pi if wins[i]["person"]["severity"] is not None]
            if sv:
                m["severity_accuracy"] = float(np.mean([int(np.argmax(sev[i])) == wins[i]["person"]["severity"] for i in sv]))
                m["severity_within1"] = float(np.mean([abs(int(np.argmax(sev[i])) - wins[i]["person"]["severity"]) <= 1 for i in sv]))
        ri = [i for i in idx if wins[i].get("reply") and wins[i]["reply"].get("harm") is not None
              and wins[i]["messages"][-1][0] == "assistant"]
        if ri:
            y = [int(wins[i]["reply"]["harm"]) for i in ri]
            m.update(reply_n=len(ri), reply_harm_share=float(np.mean(y)), reply_harm_auroc=auroc(y, [harm[i] for i in ri]))
            ei = [i for i in ri if wins[i]["reply"].get("enables") is not None]
            if ei:
                m["enables_harm_auroc"] = auroc([int(wins[i]["reply"]["enables"]) for i in ei], [rep[i][0] for i in ei])
        out[g] = m
    return out


def print_report(metrics):
    for g, m in metrics.items():
        print(f"{g:48s} " + " ".join(f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in m.items()))
