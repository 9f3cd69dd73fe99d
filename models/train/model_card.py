"""Write MODEL_CARD.md from the run's facts: sources and row counts, synthetic share,
per-source dev metrics, parity and drift checks. Figures come from files, not from prose."""
import json
import os
import sys
from collections import Counter

import sources

HERE = os.path.dirname(os.path.abspath(__file__))


def fmt(v):
    return "—" if v is None else (f"{v:.3f}" if isinstance(v, float) else str(v))


def ablation_table(without, with_):
    """Dev metrics of the heads trained without the silver labels vs with them (same encoder,
    both at threshold 0.5, judged on the same silver-labelled dev texts)."""
    keys = ["risk_auroc", "crisis_f1", "label7_accuracy", "reply_harm_auroc"]
    L = ["Heads trained on the sources' own (proxy) labels only vs with the silver labels; the same fine-tuned "
         "encoder, the same dev texts and labels, threshold 0.5. (The encoder itself was fine-tuned with the silver "
         "labels in both runs, so this understates their effect.)\n",
         "| dev set | " + " | ".join(f"{k} without → with" for k in keys) + " |", "|---" * (len(keys) + 1) + "|"]
    for g in sorted(with_):
        if g.startswith("synthetic") or "weak proxy" in g:
            continue
        a, b = without.get(g, {}), with_[g]
        L.append(f"| {g} | " + " | ".join(f"{fmt(a.get(k))} → {fmt(b.get(k))}" for k in keys) + " |")
    return "\n".join(L) + "\n"


def write(out_dir, metrics, counts, extra):
    m = json.load(open(os.path.join(out_dir, "manifest.json")))
    size = sum(f["bytes"] for k, f in m["files"].items() if "fp32" not in k)   # what the runtime loads
    L = []
    L.append(f"# {m['name']} — model card\n")
    L.append(f"Version {m['version']} (contract {m['contract']}). Shipped files (what the runtime loads by default): {size / 1e6:.1f} MB; the fp32 encoder beside them as the reference.\n")
    L.append("## What it does\n")
    L.append("Scores a window of up to 16 chat messages for: the person's crisis categories "
             f"({', '.join(m['labels']['crisis'])}; multi-label), any-crisis `risk`, a 0-4 `severity` "
             f"({', '.join(m['labels']['severity'])}), and, when the last message is the assistant's, "
             "`reply_harm`, `enables_harm`, `validates_harm`, `appropriate` and reality / value / action distortion 0-3, "
             "plus `evidence` weights over the messages. Labels are defined in the taxonomy the project follows "
             "(`docs/taxonomy`), written into `manifest.json`.\n")
    L.append("**Intended use:** an on-device *signal* for a chat app to check in, show resources or escalate to a human; "
             "a second line of defence next to the app's own judgment and human review. **Not** a diagnosis, not a "
             "clinical instrument, not a reason to refuse someone service, and not validated on real crisis conversations "
             "from the wild.\n")
    L.append("## Architecture\n")
    L.append("- `encoder.onnx`: Universal Sentence Encoder Lite (Apache-2.0; 2-layer transformer, 8k SentencePiece "
             "vocabulary, 512-d output), ported from its TF.js graph to PyTorch (`models/train/encoder.py`) and exported. "
             f"{extra.get('encoder_note', '')}\n"
             "- `heads.onnx`: a 2-layer transformer over the window's message embeddings with role and recency "
             "embeddings; attention pooling gives `evidence`; separate person and reply heads.\n"
             "- Precision: the encoder ships int8 (weight-only, symmetric per-channel, DequantizeLinear; "
             "`models/train/export.py`), `encoder.fp32.onnx` beside it as the reference. The heads ship fp32 (3.8 MB: int8 "
             "would save 2.8 MB and add about 0.02 of drift). The heads were trained on the same windows through both the "
             "fp32 and the int8 encoder with a consistency penalty, so the shipped graphs stay close to the reference.\n")
    L.append("## Checks\n")
    for k, v in extra.get("checks", {}).items():
        L.append(f"- {k}: {v}")
    L.append("")
    L.append("## Training data\n")
    L.append("Real sources are read from `../shared/datasets` at training time and never committed; silver labels are "
             "committed as keys (source, file, row, sha of the text). Dev split: 15% of each source by a hash of the text "
             "(copies of a post land on one side), never trained on.\n")
    L.append("| source | licence | rows used (train + dev) | labels used |")
    L.append("|---|---|---|---|")
    for s, c in sorted(counts["real"].items()):
        lic, nc = sources.LICENCES.get(s, ("?", False))
        L.append(f"| {s} | {lic}{' (NC)' if nc else ''} | {c['rows']} | silver {c['silver']}, source's own labels {c['rows'] - c['silver']} |")
    syn = counts["synthetic"]
    tot = sum(c["rows"] for c in counts["real"].values())
    L.append(f"| synthetic (project-written, guideline v1.1) | project | {syn} windows | written labels |")
    L.append(f"\nSynthetic share of training windows: {syn / (syn + tot):.1%}. "
             "`--permissive` leaves out the NC sources (esconv, cams, mentalllama) for a permissively trained variant.\n")
    L.append("## Dev metrics, per source (never trained on)\n")
    L.append("Real-data rows first. *silver* = labelled by the project under GUIDELINE.md (a second blind pass agrees at "
             "the kappas given there); *LLM labels* = the between_help_and_harm gpt-4o-mini labels; *weak proxy* = a "
             "source's own label mapped onto the taxonomy (e.g. a subreddit), reported for completeness only. Synthetic "
             "rows test behaviour and are **not** evidence of real-world accuracy. F1, precision, recall and false "
             f"alarms are at the shipped risk threshold ({m['thresholds']['risk']}); `label7_accuracy` is against the dev "
             "text's own label (silver where there is one), `label7_accuracy_vs_llm` against gpt-4o-mini's on every "
             "between_help_and_harm dev text.\n")
    keys = ["n", "crisis_f1", "precision", "recall", "risk_auroc", "label7_accuracy", "label7_accuracy_vs_llm", "false_alarm_rate",
            "severity_within1", "reply_harm_auroc", "enables_harm_auroc"]
    L.append("| dev set | " + " | ".join(keys[1:]) + " | n |")
    L.append("|---" * len(keys) + "|---|")
    real_rows = sorted((g, v) for g, v in metrics.items() if not g.startswith("synthetic"))
    syn_rows = sorted((g, v) for g, v in metrics.items() if g.startswith("synthetic"))
    for g, v in real_rows + syn_rows:
        L.append(f"| {g} | " + " | ".join(fmt(v.get(k)) for k in keys[1:]) + f" | {v.get('person_n', v.get('reply_n', v['n']))} |")
    L.append("")
    for k, v in extra.get("summary", {}).items():
        L.append(f"- **{k}**: {v}")
    for title, body in extra.get("sections", []):
        L.append(f"\n## {title}\n")
        L.append(body)
    L.append("\n## Known failure modes and limits\n")
    for x in extra.get("limits", []):
        L.append(f"- {x}")
    open(os.path.join(out_dir, "MODEL_CARD.md"), "w").write("\n".join(L) + "\n")


if __name__ == "__main__":
    # Add the silver ablation to an existing card without retraining (train.py --silver-ablation
    # writes the same section in one go):
    #   model_card.py <model-dir> <without-silver metrics.json> <with-silver metrics.json, threshold 0.5>
    out_dir, without, with_ = sys.argv[1:4]
    path = os.path.join(out_dir, "MODEL_CARD.md")
    card = open(path).read()
    head, sep, tail = card.partition("\n## Known failure modes and limits\n")
    section = "\n## What the silver labels changed\n\n" + ablation_table(json.load(open(without)), json.load(open(with_)))
    open(path, "w").write(head + section + sep + tail)

