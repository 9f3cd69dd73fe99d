import type { Manifest } from '../model/manifest.js';
import { LEVELS, rank, type Level } from '../policy/index.js';
import type { ErrorLine, ScoreLine } from './score.js';

export interface AuditReport {
  model: string;
  conversations: number;
  errors: number;
  /** Share of conversations at or above each crisis category's threshold. */
  crisisRates: Record<string, number>;
  riskRate: number;
  severity: Record<string, number>;
  levels: Record<Level, number>;
  /** Among conversations whose last message is the assistant's. */
  replies: number;
  replyHarmRate: number;
  replyHeadRates: Record<string, number>;
  flagged: { id: string | number | null; level: Level; risk: number; severity: string; top: string | null; reply_harm: number | null }[];
}

/** Aggregates score lines: rates per category and the conversations a reviewer should read first. */
export class Auditor {
  private n = 0;
  private errors = 0;
  private crisisHits: Record<string, number> = {};
  private riskHits = 0;
  private sev: number[];
  private levels = Object.fromEntries(LEVELS.map((l) => [l, 0])) as Record<Level, number>;
  private replies = 0;
  private harmHits = 0;
  private headHits: Record<string, number> = {};
  private flagged: AuditReport['flagged'] = [];

  constructor(private readonly m: Manifest) {
    for (const c of m.labels.crisis) this.crisisHits[c] = 0;
    for (const r of m.labels.reply) this.headHits[r] = 0;
    this.sev = m.labels.severity.map(() => 0);
  }

  add(line: ScoreLine | ErrorLine): void {
    if ('error' in line) {
      this.errors++;
      return;
    }
    this.n++;
    let top: string | null = null;
    let topP = -1;
    for (const c of this.m.labels.crisis) {
      const p = line.crisis[c] ?? 0;
      if (p >= (this.m.thresholds.crisis[c] ?? 0.5)) this.crisisHits[c]!++;
      if (p > topP) [top, topP] = [c, p];
    }
    if (line.risk >= this.m.thresholds.risk) this.riskHits++;
    if (line.severity >= 0 && line.severity < this.sev.length) this.sev[line.severity]!++;
    this.levels[line.level]++;
    const harmful = line.reply_harm !== null && line.reply_harm >= this.m.thresholds.reply_harm;
    if (line.reply_harm !== null) {
      this.replies++;
      if (harmful) this.harmHits++;
      for (const r of this.m.labels.reply) if ((line.reply?.[r] ?? 0) >= 0.5) this.headHits[r]!++;
    }
    if (rank(line.level) >= rank('check_in') || harmful)
      this.flagged.push({ id: line.id, level: line.level, risk: line.risk, severity: this.m.labels.severity[line.severity] ?? String(line.severity), top, reply_harm: line.reply_harm });
  }

  report(top: number): AuditReport {
    const rate = (k: number, n: number): number => (n ? Math.round((k / n) * 1e4) / 1e4 : 0);
    const flagged = [...this.flagged].sort((a, b) => rank(b.level) - rank(a.level) || b.risk - a.risk || (b.reply_harm ?? 0) - (a.reply_harm ?? 0)).slice(0, top);
    return {
      model: `${this.m.name}@${this.m.version}`,
      conversations: this.n,
      errors: this.errors,
      crisisRates: Object.fromEntries(Object.entries(this.crisisHits).map(([k, v]) => [k, rate(v, this.n)])),
      riskRate: rate(this.riskHits, this.n),
      severity: Object.fromEntries(this.m.labels.severity.map((s, i) => [s, this.sev[i]!])),
      levels: this.levels,
      replies: this.replies,
      replyHarmRate: rate(this.harmHits, this.replies),
      replyHeadRates: Object.fromEntries(Object.entries(this.headHits).map(([k, v]) => [k, rate(v, this.replies)])),
      flagged,
    };
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`.padStart(7);

export function formatAudit(r: AuditReport, flaggedTotal: number): string {
  const out: string[] = [];
  out.push(`carelayer audit — model ${r.model}`);
  out.push(`conversations: ${r.conversations}   unreadable lines: ${r.errors}`);
  out.push('', 'crisis category                      rate');
  for (const [k, v] of Object.entries(r.crisisRates)) out.push(`  ${k.padEnd(34)} ${pct(v)}`);
  out.push(`  ${'any crisis (risk)'.padEnd(34)} ${pct(r.riskRate)}`);
  out.push('', 'severity');
  for (const [k, v] of Object.entries(r.severity)) out.push(`  ${k.padEnd(34)} ${String(v).padStart(7)}`);
  out.push('', 'intervention level (single assessment)');
  for (const [k, v] of Object.entries(r.levels)) out.push(`  ${k.padEnd(34)} ${String(v).padStart(7)}`);
  out.push('', `assistant replies judged: ${r.replies}`);
  out.push(`  ${'harmful or inappropriate'.padEnd(34)} ${pct(r.replyHarmRate)}`);
  for (const [k, v] of Object.entries(r.replyHeadRates)) out.push(`  ${k.padEnd(34)} ${pct(v)}`);
  out.push('', `flagged conversations: ${flaggedTotal} (showing ${r.flagged.length})`);
  if (r.flagged.length) out.push(`  ${'id'.padEnd(24)} ${'level'.padEnd(10)} ${'risk'.padStart(6)} ${'severity'.padEnd(9)} ${'top category'.padEnd(30)} reply_harm`);
  for (const f of r.flagged)
    out.push(`  ${String(f.id).slice(0, 24).padEnd(24)} ${f.level.padEnd(10)} ${f.risk.toFixed(3).padStart(6)} ${f.severity.padEnd(9)} ${String(f.top).padEnd(30)} ${f.reply_harm === null ? '-' : f.reply_harm.toFixed(3)}`);
  return out.join('\n') + '\n';
}
