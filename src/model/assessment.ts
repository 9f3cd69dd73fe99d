import type { Assessment, BackendName, Evidence, Message, ReplyJudgment } from '../types.js';
import type { HeadsOutput } from './heads.js';
import { modelVersion, type Manifest } from './manifest.js';
import type { WindowSpec } from './window.js';

function argmax(a: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < a.length; i++) if (a[i]! > a[best]!) best = i;
  return best;
}

/** Turns raw head outputs into the public Assessment, naming everything from the manifest. */
export function toAssessment(
  m: Manifest,
  out: HeadsOutput,
  messages: readonly Message[],
  win: WindowSpec,
  truncated: number[],
  backend: BackendName,
  latencyMs: number,
): Assessment {
  const crisis: Record<string, number> = {};
  const flagged: string[] = [];
  m.labels.crisis.forEach((label, i) => {
    const p = out.crisis[i]!;
    crisis[label] = p;
    if (p >= (m.thresholds.crisis[label] ?? 0.5)) flagged.push(label);
  });
  const severity = argmax(out.severity);
  const evidence: Evidence[] = [];
  for (let j = 0; j < win.length; j++) evidence.push({ index: win.start + j, weight: out.evidence[j]! });
  evidence.sort((a, b) => b.weight - a.weight || b.index - a.index);

  const lastIndex = messages.length - 1;
  let reply: ReplyJudgment | null = null;
  if (messages[lastIndex]?.role === 'assistant') {
    const heads: Record<string, number> = {};
    m.labels.reply.forEach((label, i) => (heads[label] = out.reply[i]!));
    const distortion: ReplyJudgment['distortion'] = {};
    m.labels.distortion.forEach((label, i) => {
      const probs = Array.from(out.distortion.subarray(i * 4, i * 4 + 4));
      distortion[label] = { level: argmax(probs), probs };
    });
    reply = { index: lastIndex, harm: out.replyHarm, harmful: out.replyHarm >= m.thresholds.reply_harm, heads, distortion };
  }
  return {
    modelVersion: modelVersion(m),
    backend,
    latencyMs,
    crisis,
    flagged,
    risk: out.risk,
    atRisk: out.risk >= m.thresholds.risk,
    severity,
    severityLabel: m.labels.severity[severity] ?? String(severity),
    severityProbs: Array.from(out.severity),
    reply,
    evidence,
    window: win,
    truncated,
  };
}
