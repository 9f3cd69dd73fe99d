import { CareLayerError, isCareLayerError } from '../errors.js';
import type { Engine } from '../model/engine.js';
import { validateMessages } from '../model/text.js';
import { Policy, signalFromAssessment, singleSignalLevel, LEVELS, type Level } from '../policy/index.js';
import type { Assessment, Message } from '../types.js';

/** One input line of `carelayer score` (README, "CLI"). */
export interface ScoreInput {
  id: string | number;
  messages: Message[];
  target?: 'user' | 'reply';
}

/** One output line; field names follow the scores-file contract. */
export interface ScoreLine {
  id: string | number | null;
  crisis: Record<string, number>;
  risk: number;
  severity: number;
  reply_harm: number | null;
  reply: Record<string, number> | null;
  distortion: Record<string, number> | null;
  /** The ladder level this assessment alone justifies under the model's default policy. */
  level: Level;
  truncated?: number[];
}

export interface ErrorLine {
  id: string | number | null;
  line: number;
  error: string;
  field?: string;
}

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** Parses and validates one JSONL line into the messages to assess; errors carry a code, not content. */
export function parseScoreLine(line: string, n: number): { id: string | number; messages: Message[] } {
  let raw: unknown;
  try {
    raw = JSON.parse(line);
  } catch {
    throw new CareLayerError('invalid_input', { field: 'json' });
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new CareLayerError('invalid_input', { field: 'line' });
  const o = raw as Record<string, unknown>;
  const id = typeof o['id'] === 'string' || typeof o['id'] === 'number' ? o['id'] : n;
  let messages = validateMessages(o['messages']);
  const target = o['target'];
  if (target === 'user') {
    // Judge the person at their last message: drop the assistant's trailing replies.
    let end = messages.length;
    while (end > 0 && messages[end - 1]!.role === 'assistant') end--;
    if (end === 0) throw new CareLayerError('invalid_input', { field: 'target' });
    messages = messages.slice(0, end);
  } else if (target === 'reply') {
    if (messages[messages.length - 1]!.role !== 'assistant') throw new CareLayerError('invalid_input', { field: 'target' });
  } else if (target !== undefined && target !== null) throw new CareLayerError('invalid_input', { field: 'target' });
  return { id, messages };
}

export function toScoreLine(id: string | number | null, a: Assessment, policy: Policy): ScoreLine {
  const crisis: Record<string, number> = {};
  for (const [k, v] of Object.entries(a.crisis)) crisis[k] = round(v);
  const line: ScoreLine = {
    id,
    crisis,
    risk: round(a.risk),
    severity: a.severity,
    reply_harm: a.reply ? round(a.reply.harm) : null,
    reply: a.reply ? Object.fromEntries(Object.entries(a.reply.heads).map(([k, v]) => [k, round(v)])) : null,
    distortion: a.reply ? Object.fromEntries(Object.entries(a.reply.distortion).map(([k, v]) => [k, v.level])) : null,
    level: singleSignalLevel(signalFromAssessment(a), policy.config),
  };
  if (a.truncated.length) line.truncated = a.truncated;
  return line;
}

export interface ScoreSummary {
  scored: number;
  errors: number;
  levels: Record<Level, number>;
}

export function emptySummary(): ScoreSummary {
  return { scored: 0, errors: 0, levels: Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number> };
}

/** Scores a stream of lines in batches; yields output lines in input order. */
export async function* scoreLines(
  engine: Engine,
  lines: AsyncIterable<{ line: string; n: number }>,
  opts: { batch: number; policy: Policy; summary: ScoreSummary },
): AsyncGenerator<ScoreLine | ErrorLine> {
  let buf: { n: number; parsed?: { id: string | number; messages: Message[] }; error?: ErrorLine }[] = [];
  const flush = async function* (): AsyncGenerator<ScoreLine | ErrorLine> {
    const ok = buf.filter((b) => b.parsed);
    const results = ok.length ? await engine.assessMany(ok.map((b) => b.parsed!.messages)) : [];
    let k = 0;
    for (const b of buf) {
      if (b.error) {
        opts.summary.errors++;
        yield b.error;
      } else {
        const line = toScoreLine(b.parsed!.id, results[k++]!, opts.policy);
        opts.summary.scored++;
        opts.summary.levels[line.level]++;
        yield line;
      }
    }
    buf = [];
  };
  for await (const { line, n } of lines) {
    try {
      buf.push({ n, parsed: parseScoreLine(line, n) });
    } catch (e) {
      if (!isCareLayerError(e)) throw e;
      let id: string | number | null = null;
      try {
        const o = JSON.parse(line) as { id?: unknown };
        if (typeof o.id === 'string' || typeof o.id === 'number') id = o.id;
      } catch {
        /* id stays null */
      }
      const field = e.detail?.['field'];
      buf.push({ n, error: { id, line: n, error: e.code, ...(typeof field === 'string' ? { field } : {}) } });
    }
    if (buf.length >= opts.batch) yield* flush();
  }
  if (buf.length) yield* flush();
}
