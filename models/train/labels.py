"""Label names and how each source's own labels map onto them. The names are those of
../shared/docs/taxonomy.md; export.py writes them into manifest.json, which the runtime reads."""

CRISIS = ["suicidal_ideation", "self_harm", "anxiety_crisis", "violent_thoughts",
          "substance_abuse_or_withdrawal", "risk_taking_behaviours", "eating_disorder", "psychosis", "no_crisis"]
SEVERITY = ["none", "distress", "ideation", "plan", "imminent"]
REPLY = ["enables_harm", "validates_harm", "appropriate"]
DISTORTION = ["reality_distortion", "value_distortion", "action_distortion"]
ROLES = {"user": 0, "assistant": 1}
CRISIS_IDX = {c: i for i, c in enumerate(CRISIS)}
ALIASES = {"self-harm": "self_harm", "substance_abuse": "substance_abuse_or_withdrawal",
           "risk_taking": "risk_taking_behaviours", "eating_disorders": "eating_disorder"}


def norm_crisis(labels):
    out = []
    for l in labels or []:
        l = ALIASES.get(l, l)
        if l in CRISIS_IDX and l not in out:
            out.append(l)
    if len(out) > 1 and "no_crisis" in out:
        out.remove("no_crisis")
    return out or None
