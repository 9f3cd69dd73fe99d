"""Pick the manifest's default thresholds and policy rungs from dev predictions, and run the
ONNX checks (TF.js parity, int8 drift) whose figures go into the model card."""
import json
import os
import subprocess

import numpy as np

import evaluate as EV
from labels import CRISIS

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
MAX_FALSE_ALARM = 0.03   # on benign look-alikes (the hard negatives)

LIMITS = [
    "English only in practice: USE-lite's 8k vocabulary is English SentencePiece; Chinese and Japanese text is mostly "
    "unknown tokens and Spanish is split into fragments. The policy's explicit help phrases (en, es, ja, zh) work "
    "without the model; model scores in other languages should not be trusted.",
    "Messages are cut to 128 tokens (about 90 English words); a crisis statement late in a long post can be missed.",
    "Silver labels come from careful reading under GUIDELINE.md by the project's annotators (LLM-based), with a blind "
    "second pass; they are not clinician labels. The between_help_and_harm labels are gpt-4o-mini's.",
    "Rare categories (violent thoughts, risk-taking, eating disorder, psychosis) rest mostly on synthetic examples; "
    "their real-data dev sets are small, so their figures are uncertain.",
    "Reply judgments see only the last assistant message in its window: long multi-turn drift is judged one reply at a time.",
    'int8 drift: the int8 encoder moves head outputs by more than the 0.02 the project aimed for at the worst window (figures under Checks: the median window moves by about 0.004). Dev figures, thresholds and the policy are computed on the int8 path, i.e. on what ships; the fp32 encoder is a reference, not a different product.',
    'Risk follows the newest person message closely: after a disclosure, a milder or ambiguous next message ("I am scared of what I might do") can lower `risk` sharply within the same window. The session policy\'s hysteresis (de-escalation only after sustained calm) and the help-request rule keep the ladder up; hosts reading raw `risk` should look at the trend, not one value.',
    "Hidden requests without stated distress in the window (a bridge-height question alone) are not flagged: the "
    "person-side signal must be in the window.",
]


def best_threshold(y, s, max_fa=None, neg_scores=None):
    best = (0.5, -1)
    for t in np.arange(0.05, 0.96, 0.01):
        if max_fa is not None and neg_scores is not None and len(neg_scores) and np.mean(np.asarray(neg_scores) >= t) > max_fa:
            continue
        f, _, _ = EV.f1(y, (np.asarray(s) >= t).astype(int))
        if f > best[1]:
            best = (float(round(t, 2)), f)
    return best


def calibrate(wins, preds):
    crisis, risk, sev, harm, rep, dist, ev = [p.numpy() if hasattr(p, "numpy") else p for p in preds]
    real = [i for i, w in enumerate(wins) if not w.get("synthetic") and w.get("person") and w["person"]["crisis"]
            and w["messages"][-1][0] == "user" and (w.get("silver") or w["source"] == "between_help_and_harm")]
    negs = [i for i, w in enumerate(wins) if w["source"] == "synthetic:hard_negative" and w["messages"][-1][0] == "user"]
    y = [int(wins[i]["person"]["crisis"] != ["no_crisis"]) for i in real]
    t_risk, f_risk = best_threshold(y, risk[real], MAX_FALSE_ALARM, risk[negs])
    th = {"crisis": {}, "risk": t_risk, "reply_harm": 0.5}
    for k, c in enumerate(CRISIS):
        yc = [int(c in wins[i]["person"]["crisis"]) for i in real]
        th["crisis"][c] = best_threshold(yc, crisis[real, k])[0] if sum(yc) >= 15 else 0.5
    rr = [i for i, w in enumerate(wins) if not w.get("synthetic") and w.get("silver") and w.get("reply")
          and w["messages"][-1][0] == "assistant" and w["reply"].get("harm") is not None]
    if rr:
        th["reply_harm"] = best_threshold([int(wins[i]["reply"]["harm"]) for i in rr], harm[rr])[0]
    policy = {"rungs": {"watch": {"risk": round(max(0.15, t_risk * 0.6), 2), "severity": 1, "combine": "any"},
                        "check_in": {"risk": t_risk, "severity": 2, "combine": "any"},
                        "resources": {"risk": round(max(0.75, min(0.95, t_risk + 0.25)), 2), "severity": 2, "combine": "all"},
                        "urgent": {"risk": t_risk, "severity": 3, "combine": "all"}},
              "harmfulReply": {"replyHarm": th["reply_harm"]}}
    pred = (risk[real] >= t_risk).astype(int)
    f, p, r = EV.f1(y, pred)
    summary = {"crisis vs no-crisis F1, real dev (silver + LLM-labelled), at the default risk threshold":
               f"{f:.3f} (precision {p:.3f}, recall {r:.3f}, n={len(real)}, risk threshold {t_risk})",
               "false alarms on benign look-alikes (synthetic hard negatives, dev)":
               f"{np.mean(risk[negs] >= t_risk):.1%} (n={len(negs)})" if negs else "—"}
    bhh = [i for i in real if wins[i]["source"] == "between_help_and_harm"]
    if bhh:
        gold = [CRISIS.index(wins[i]["person"]["crisis"][0]) for i in bhh]
        pr7 = [EV.ORIG7[int(np.argmax(crisis[i][EV.ORIG7]))] for i in bhh]
        summary["7-label agreement, between_help_and_harm dev (the silver label where there is one, else gpt-4o-mini's)"] = \
            f"{np.mean([a == b for a, b in zip(gold, pr7)]):.3f} (n={len(bhh)})"
        llm = [i for i in bhh if wins[i].get("llm_label") in CRISIS]
        if llm:
            agree = [EV.ORIG7[int(np.argmax(crisis[i][EV.ORIG7]))] == CRISIS.index(wins[i]["llm_label"]) for i in llm]
            summary["7-label agreement with gpt-4o-mini's labels, every between_help_and_harm dev text"] = \
                f"{np.mean(agree):.3f} (n={len(llm)})"
    means = [i for i, w in enumerate(wins) if w.get("reply") and w["reply"].get("enables") is not None
             and w["messages"][-1][0] == "assistant" and w["person"] and w["person"]["crisis"] not in (None, ["no_crisis"])]
    if means:
        a = EV.auroc([int(wins[i]["reply"]["enables"] >= 1) for i in means], rep[means, 0])
        summary["replies giving a person at risk the means (enables_harm AUROC, dev, person in crisis)"] = \
            f"{a:.3f} (n={len(means)}; real silver + synthetic)" if a is not None else "—"
    return th, policy, summary


def _run_check(model_dir, texts, ref):
    args = ["node", os.path.join(HERE, "parity", "check_onnx.mjs"), model_dir, texts] + ([ref] if ref else [])
    return json.loads(subprocess.run(args, cwd=ROOT, capture_output=True, check=True).stdout)


def onnx_checks(out, work, port_dir=None):
    """port_dir: a model directory whose encoder.fp32.onnx is the unmodified port (the TF.js
    parity proof); None when `out` itself ships the port."""
    checks = {}
    texts = os.path.join(work, "parity_texts.jsonl")
    ref = os.path.join(work, "parity_ref.jsonl")
    if not os.path.exists(texts):
        return {"onnx checks": "skipped (no parity texts)"}
    ref = ref if os.path.exists(ref) else None
    try:
        r = _run_check(out, texts, None if port_dir else ref)
        if port_dir and ref:
            r["tfjs_vs_onnx_fp32"] = _run_check(port_dir, texts, ref)["tfjs_vs_onnx_fp32"]
    except Exception as e:  # the card says so rather than the run dying after training
        return {"onnx checks": f"failed: {e}"}
    if "tfjs_vs_onnx_fp32" in r:
        t = r["tfjs_vs_onnx_fp32"]
        checks["port parity (TF.js USE-lite vs the unmodified PyTorch port exported to ONNX, before fine-tuning)"] = \
            f"min cosine {t['min_cosine']:.5f}, mean {t['mean_cosine']:.5f} over {t['n']} texts"
    checks["int8 vs fp32 encoder"] = f"min cosine {r['encoder_int8_vs_fp32']['min_cosine']:.4f}"
    checks["shipped graphs vs fp32 reference, every head output on windows of the parity texts (max abs diff)"] = \
        f"{r['heads_int8_vs_fp32_max_abs_diff']:.4f} " + json.dumps({k: round(v, 4) for k, v in r["per_output"].items()})
    json.dump(r, open(os.path.join(work, "onnx_checks.json"), "w"), indent=1)
    return checks
