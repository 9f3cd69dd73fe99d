import type { Precision } from '../model/manifest.js';
import type { Assessment, BackendInfo, LoadProgress, Message } from '../types.js';

export type BackendPreference = 'auto' | 'webgpu' | 'wasm';

/** Everything the worker needs to load; plain data so it survives structured clone. */
export interface WorkerInit {
  /** Absolute URL of the model directory (ends with '/'). */
  modelUrl: string;
  /** Absolute URL of the directory holding ORT's .wasm/.mjs files (ends with '/'). */
  wasmUrl: string;
  backend: BackendPreference;
  precision: Precision;
  /** Use the Cache API for model and runtime files. */
  cache: boolean;
  cacheSize: number;
  /** WASM threads; 0 = auto (only when crossOriginIsolated). */
  threads: number;
  allowCrossOrigin: boolean;
  /** Enables test-only fault injection (`debug`). */
  debug: boolean;
}

export interface WorkerReady {
  backend: BackendInfo;
  modelVersion: string;
  /** The manifest's `policy` block and limits the host side needs. */
  policy: Record<string, unknown> | undefined;
  maxWindow: number;
  labels: { crisis: string[]; severity: string[]; reply: string[]; distortion: string[] };
}

export interface WorkerStats {
  cacheSize: number;
  cacheHits: number;
  cacheMisses: number;
  encoderMessages: number;
  headsWindows: number;
}

export type DebugAction = 'crash' | 'exit' | 'lose-device' | 'hang';

/** The API the worker exposes through comlink. */
export interface WorkerApi {
  init(opts: WorkerInit, onProgress?: (p: LoadProgress) => void): Promise<WorkerReady>;
  assess(messages: Message[]): Promise<{ assessment: Assessment; backend: BackendInfo }>;
  stats(): Promise<WorkerStats>;
  ping(): Promise<true>;
  dispose(): Promise<void>;
  debug(action: DebugAction): Promise<void>;
}
