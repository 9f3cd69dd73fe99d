/** The intervention ladder from docs/taxonomy.md §4, lowest first. */
export const LEVELS = ['none', 'watch', 'check_in', 'resources', 'urgent'] as const;
export type Level = (typeof LEVELS)[number];

export function rank(l: Level): number {
  return LEVELS.indexOf(l);
}

export function atRank(r: number): Level {
  return LEVELS[Math.max(0, Math.min(LEVELS.length - 1, r))]!;
}

export function maxLevel(a: Level, b: Level): Level {
  return rank(a) >= rank(b) ? a : b;
}

export function isLevel(v: unknown): v is Level {
  return typeof v === 'string' && (LEVELS as readonly string[]).includes(v);
}
