import type { Assessment, Role } from '../types.js';
import { helpPhrases, resolvePolicy, type PolicyConfig, type Rung } from './config.js';
import { atRank, rank, type Level } from './levels.js';
import { createHelpMatcher, type HelpMatcher } from './panic.js';

/** What the policy needs from one assessment: numbers only, so it is label-agnostic. */
export interface PolicySignal {
  risk: number;
  /** Distribution over severity levels 0..n-1. */
  severityProbs: readonly number[];
  /** null when the assessed message is not the assistant's. */
  replyHarm: number | null;
  /** Per distortion dimension, the distribution over levels 0-3; null when not judged. */
  distortionProbs: readonly (readonly number[])[] | null;
}

export function signalFromAssessment(a: Assessment): PolicySignal {
  return {
    risk: a.risk,
    severityProbs: a.severityProbs,
    replyHarm: a.reply ? a.reply.harm : null,
    distortionProbs: a.reply ? Object.values(a.reply.distortion).map((d) => d.probs) : null,
  };
}

export type Reason = 'help_request' | 'strong_signal' | 'persistence' | 'rising_trend' | 'harmful_reply' | 'sustained_calm';

export interface Intervention {
  level: Level;
  previous: Level;
  changed: boolean;
  /** Why the level changed this turn (empty when it did not). */
  reasons: Reason[];
  /** The level this turn's assessment alone justifies (null: no assessment, or an assistant turn). */
  signal: Level | null;
  /** User turns observed so far. */
  turn: number;
}

export interface PolicyState {
  level: Level;
  turn: number;
  /** Single-signal levels of recent user turns, newest last (bounded). */
  recentSignals: Level[];
  /** Risk of recent user turns, newest last (bounded). */
  recentRisks: number[];
  /** Consecutive user turns whose target sat below the current level. */
  calm: number;
}

export const INITIAL_STATE: PolicyState = Object.freeze({ level: 'none', turn: 0, recentSignals: [], recentRisks: [], calm: 0 }) as PolicyState;

export interface PolicyInput {
  role: Role;
  text: string;
  signal: PolicySignal | null;
}

function pAtLeast(probs: readonly number[], level: number): number {
  let s = 0;
  for (let i = Math.max(0, Math.ceil(level)); i < probs.length; i++) s += probs[i] ?? 0;
  return s;
}

function fires(r: Rung, s: PolicySignal, severityProb: number): boolean {
  const tests: boolean[] = [];
  if (r.risk !== null) tests.push(s.risk >= r.risk);
  if (r.severity !== null) tests.push(pAtLeast(s.severityProbs, r.severity) >= severityProb);
  if (tests.length === 0) return false;
  return r.combine === 'all' ? tests.every(Boolean) : tests.some(Boolean);
}

/** The level one assessment alone justifies (taxonomy §4's "when" column). */
export function singleSignalLevel(s: PolicySignal, cfg: PolicyConfig): Level {
  const order = ['urgent', 'resources', 'check_in', 'watch'] as const;
  for (const l of order) if (fires(cfg.rungs[l], s, cfg.severityProb)) return l;
  return 'none';
}

/** Least-squares slope of y over x = 0..n-1. */
export function slope(ys: readonly number[]): number {
  const n = ys.length;
  if (n < 2) return 0;
  const mx = (n - 1) / 2;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  ys.forEach((y, x) => {
    num += (x - mx) * (y - my);
    den += (x - mx) ** 2;
  });
  return num / den;
}

function push<T>(xs: readonly T[], x: T, keep: number): T[] {
  const out = [...xs, x];
  return out.length > keep ? out.slice(out.length - keep) : out;
}

/**
 * One step of the ladder as a pure function, so a conversation is a fold over
 * its turns and tests can script it. Escalation is immediate; de-escalation
 * waits for sustained calm and steps down one level at a time (hysteresis).
 */
export function step(state: PolicyState, input: PolicyInput, cfg: PolicyConfig, help: HelpMatcher): { state: PolicyState; intervention: Intervention } {
  const previous = state.level;
  const reasons: Reason[] = [];
  let level = state.level;
  let { calm, recentSignals, recentRisks, turn } = state;
  let signalLevel: Level | null = null;

  if (input.role === 'user') {
    turn++;
    let target: Level = 'none';
    const targetReasons: Reason[] = [];
    const raise = (l: Level, why: Reason): void => {
      if (rank(l) > rank(target)) {
        target = l;
        targetReasons.length = 0;
        targetReasons.push(why);
      } else if (rank(l) === rank(target) && rank(l) > 0 && !targetReasons.includes(why)) targetReasons.push(why);
    };
    if (cfg.helpRequests.enabled && help.match(input.text) !== null) raise('urgent', 'help_request');
    const s = input.signal;
    if (s) {
      signalLevel = singleSignalLevel(s, cfg);
      const keep = Math.max(cfg.persistence.turns, cfg.trend.turns);
      recentSignals = push(recentSignals, signalLevel, keep);
      recentRisks = push(recentRisks, s.risk, keep);
      raise(signalLevel, 'strong_signal');
      if (recentSignals.length >= cfg.persistence.turns) {
        const window = recentSignals.slice(-cfg.persistence.turns);
        const floor = Math.min(...window.map(rank));
        if (floor >= rank('watch')) raise(atRank(Math.min(floor + 1, rank(cfg.persistence.max))), 'persistence');
      }
      if (recentRisks.length >= cfg.trend.turns) {
        const rs = recentRisks.slice(-cfg.trend.turns);
        if (slope(rs) >= cfg.trend.slope && rs[rs.length - 1]! >= cfg.trend.minRisk) raise(cfg.trend.level, 'rising_trend');
      }
    }
    if (s || target !== 'none') {
      if (rank(target) > rank(level)) {
        level = target;
        calm = 0;
        reasons.push(...targetReasons);
      } else if (rank(target) < rank(level)) {
        calm++;
        const needed = level === 'urgent' ? cfg.deescalation.urgentCalmTurns : cfg.deescalation.calmTurns;
        if (calm >= needed) {
          level = atRank(rank(level) - 1);
          calm = 0;
          reasons.push('sustained_calm');
        }
      } else calm = 0;
    }
  } else if (input.signal && input.signal.replyHarm !== null) {
    const s = input.signal;
    const severe = Math.max(0, ...(s.distortionProbs ?? []).map((p) => p[3] ?? 0));
    const harmful = s.replyHarm! >= cfg.harmfulReply.replyHarm || severe >= cfg.harmfulReply.severeDistortion;
    if (harmful && rank(level) >= rank(cfg.harmfulReply.minLevel) && level !== 'urgent') {
      level = atRank(Math.max(rank(level) + 1, rank(cfg.harmfulReply.atLeast)));
      calm = 0;
      reasons.push('harmful_reply');
    }
  }

  return {
    state: { level, turn, recentSignals, recentRisks, calm },
    intervention: { level, previous, changed: level !== previous, reasons, signal: signalLevel, turn },
  };
}

/** Stateful wrapper: one per conversation. */
export class Policy {
  readonly config: PolicyConfig;
  private readonly help: HelpMatcher;
  private s: PolicyState = INITIAL_STATE;

  constructor(...layers: unknown[]) {
    this.config = resolvePolicy(...layers);
    this.help = createHelpMatcher(helpPhrases(this.config));
  }

  get state(): PolicyState {
    return this.s;
  }

  get level(): Level {
    return this.s.level;
  }

  /** True when `text` is an explicit help request under this policy. */
  isHelpRequest(text: string): boolean {
    return this.config.helpRequests.enabled && this.help.match(text) !== null;
  }

  observe(input: PolicyInput): Intervention {
    const r = step(this.s, input, this.config, this.help);
    this.s = r.state;
    return r.intervention;
  }

  reset(): void {
    this.s = INITIAL_STATE;
  }
}
