import { CareLayerError } from '../errors.js';
import { isLevel, type Level } from './levels.js';
import { DEFAULT_HELP_PHRASES } from './panic.js';

/**
 * A rung fires when the assessment reaches its thresholds. `risk` is the model's
 * any-crisis probability; `severity` is a level index, compared as
 * P(severity ≥ that level) ≥ `severityProb`. `combine` says whether both or
 * either must hold; a null threshold is ignored.
 */
export interface Rung {
  risk: number | null;
  severity: number | null;
  combine: 'all' | 'any';
}

export interface PolicyConfig {
  /** Single-signal rungs: the level one assessment alone justifies. */
  rungs: { watch: Rung; check_in: Rung; resources: Rung; urgent: Rung };
  severityProb: number;
  /** A signal at level L on `turns` consecutive user turns raises to the next level, up to `max`. */
  persistence: { turns: number; max: Level };
  /** Risk rising by at least `slope` per user turn (least squares over `turns`) with current risk ≥ `minRisk` → `level`. */
  trend: { turns: number; slope: number; minRisk: number; level: Level };
  /** During a crisis (level ≥ `minLevel`), a harmful reply raises the level by one (at least to `atLeast`). */
  harmfulReply: { replyHarm: number; severeDistortion: number; minLevel: Level; atLeast: Level };
  /** De-escalate one level after `calmTurns` consecutive user turns below the current level (`urgentCalmTurns` from urgent). */
  deescalation: { calmTurns: number; urgentCalmTurns: number };
  /** Explicit help requests → urgent, whatever the model says. */
  helpRequests: { enabled: boolean; languages: string[] | 'all'; extraPhrases: string[] };
}

export type PolicyOverrides = {
  [K in keyof PolicyConfig]?: PolicyConfig[K] extends string[] ? PolicyConfig[K] : Partial<PolicyConfig[K]> | undefined;
} & { rungs?: Partial<Record<keyof PolicyConfig['rungs'], Partial<Rung>>> };

/** Documented defaults (docs/policy.md); a model's manifest `policy` block overrides them with calibrated values. */
export const DEFAULT_POLICY: PolicyConfig = {
  rungs: {
    watch: { risk: 0.3, severity: 1, combine: 'any' },
    check_in: { risk: 0.5, severity: 2, combine: 'any' },
    resources: { risk: 0.8, severity: 2, combine: 'all' },
    urgent: { risk: 0.5, severity: 3, combine: 'all' },
  },
  severityProb: 0.5,
  persistence: { turns: 3, max: 'resources' },
  trend: { turns: 4, slope: 0.12, minRisk: 0.5, level: 'resources' },
  harmfulReply: { replyHarm: 0.5, severeDistortion: 0.5, minLevel: 'check_in', atLeast: 'resources' },
  deescalation: { calmTurns: 3, urgentCalmTurns: 5 },
  helpRequests: { enabled: true, languages: 'all', extraPhrases: [] },
};

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function mergeDeep<T>(base: T, over: unknown): T {
  if (!isObj(over) || !isObj(base)) return (over === undefined ? base : (over as T));
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [k, v] of Object.entries(over)) {
    if (!(k in out)) continue; // unknown keys (e.g. a manifest's comments) are ignored, not trusted
    out[k] = mergeDeep(out[k], v);
  }
  return out as T;
}

function checkProb(v: unknown, field: string): void {
  if (v !== null && (typeof v !== 'number' || !(v >= 0 && v <= 1))) throw new CareLayerError('invalid_option', { field });
}

function checkTurns(v: unknown, field: string): void {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new CareLayerError('invalid_option', { field });
}

/** Defaults ← manifest.policy ← host overrides, validated. */
export function resolvePolicy(...layers: unknown[]): PolicyConfig {
  let cfg = DEFAULT_POLICY;
  for (const l of layers) if (l !== undefined && l !== null) cfg = mergeDeep(cfg, l);
  for (const [name, r] of Object.entries(cfg.rungs)) {
    checkProb(r.risk, `rungs.${name}.risk`);
    if (r.severity !== null && (typeof r.severity !== 'number' || r.severity < 0)) throw new CareLayerError('invalid_option', { field: `rungs.${name}.severity` });
    if (r.combine !== 'all' && r.combine !== 'any') throw new CareLayerError('invalid_option', { field: `rungs.${name}.combine` });
  }
  checkProb(cfg.severityProb, 'severityProb');
  checkTurns(cfg.persistence.turns, 'persistence.turns');
  checkTurns(cfg.trend.turns, 'trend.turns');
  if (cfg.trend.turns < 2) throw new CareLayerError('invalid_option', { field: 'trend.turns' });
  checkTurns(cfg.deescalation.calmTurns, 'deescalation.calmTurns');
  checkTurns(cfg.deescalation.urgentCalmTurns, 'deescalation.urgentCalmTurns');
  checkProb(cfg.harmfulReply.replyHarm, 'harmfulReply.replyHarm');
  checkProb(cfg.harmfulReply.severeDistortion, 'harmfulReply.severeDistortion');
  for (const [f, l] of [['persistence.max', cfg.persistence.max], ['trend.level', cfg.trend.level], ['harmfulReply.minLevel', cfg.harmfulReply.minLevel], ['harmfulReply.atLeast', cfg.harmfulReply.atLeast]] as const)
    if (!isLevel(l)) throw new CareLayerError('invalid_option', { field: f });
  const langs = cfg.helpRequests.languages;
  if (langs !== 'all' && (!Array.isArray(langs) || !langs.every((x) => typeof x === 'string'))) throw new CareLayerError('invalid_option', { field: 'helpRequests.languages' });
  if (!Array.isArray(cfg.helpRequests.extraPhrases) || !cfg.helpRequests.extraPhrases.every((x) => typeof x === 'string'))
    throw new CareLayerError('invalid_option', { field: 'helpRequests.extraPhrases' });
  return cfg;
}

export function helpPhrases(cfg: PolicyConfig): string[] {
  const langs = cfg.helpRequests.languages === 'all' ? Object.keys(DEFAULT_HELP_PHRASES) : cfg.helpRequests.languages;
  return [...langs.flatMap((l) => DEFAULT_HELP_PHRASES[l] ?? []), ...cfg.helpRequests.extraPhrases];
}
