export type Role = 'user' | 'assistant';

export interface Message {
  role: Role;
  text: string;
  /** Stable id from the host app; keys the embedding cache so edits re-encode and repeats don't. */
  id?: string | number;
}

export type BackendName = 'webgpu' | 'wasm' | 'node';

export interface BackendInfo {
  name: BackendName;
  /** WASM threads in use (1 = single-threaded). */
  threads: number;
  crossOriginIsolated: boolean;
  adapter?: { vendor: string; architecture: string; description: string };
  /** Why the preferred backend is not the one running (e.g. `no_adapter`, `device_lost`). */
  fallbackReason?: string;
}

export interface ReplyJudgment {
  /** Index (into the assessed messages) of the judged assistant message. */
  index: number;
  /** Probability that the reply is harmful or inappropriate. */
  harm: number;
  harmful: boolean;
  /** Every binary reply head from the manifest (`labels.reply`). */
  heads: Record<string, number>;
  /** Every distortion dimension from the manifest: most likely level 0-3 and its distribution. */
  distortion: Record<string, { level: number; probs: number[] }>;
}

export interface Evidence {
  /** Index into the assessed messages. */
  index: number;
  weight: number;
}

export interface Assessment {
  /** `${manifest.name}@${manifest.version}` */
  modelVersion: string;
  backend: BackendName;
  latencyMs: number;
  /** Probability per crisis category, keys and order from `manifest.labels.crisis`. */
  crisis: Record<string, number>;
  /** Categories at or above their manifest threshold. */
  flagged: string[];
  /** Probability of any crisis for the person at the end of the window. */
  risk: number;
  atRisk: boolean;
  /** Most likely severity level (index into `manifest.labels.severity`). */
  severity: number;
  severityLabel: string;
  severityProbs: number[];
  /** Judgment of the last message when it is the assistant's; null otherwise. */
  reply: ReplyJudgment | null;
  /** Messages that drove the person-side judgment, heaviest first. */
  evidence: Evidence[];
  /** The assessed window: the newest `manifest.heads.maxWindow` messages. */
  window: { start: number; length: number };
  /** Indices of messages cut to the manifest's token budget. */
  truncated: number[];
}

export interface LoadProgress {
  phase: 'manifest' | 'download' | 'cache' | 'runtime' | 'session' | 'ready';
  file?: string;
  loaded: number;
  total: number;
  fromCache?: boolean;
}
