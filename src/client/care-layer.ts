import { CareLayerError } from '../errors.js';
import type { Precision } from '../model/manifest.js';
import { validateMessages } from '../model/text.js';
import { resolvePolicy, type PolicyOverrides } from '../policy/config.js';
import type { Assessment, BackendInfo, LoadProgress, Message } from '../types.js';
import type { BackendPreference, DebugAction, WorkerReady, WorkerStats } from '../worker/protocol.js';
import { Emitter } from './emitter.js';
import { CareSession } from './session.js';
import { WorkerHost } from './worker-host.js';

export interface CareLayerOptions {
  /** Model directory (manifest.json, tokenizer, graphs). Default: `model/` next to the library script. */
  modelUrl?: string | URL;
  /** Directory with ONNX Runtime's `.wasm`/`.mjs`. Default: `ort/` next to the library script. */
  wasmUrl?: string | URL;
  /** The worker bundle. Default: `carelayer.worker.js` next to the library script. */
  workerUrl?: string | URL;
  /** `auto` (default): WebGPU when an adapter exists, else WASM. */
  backend?: BackendPreference;
  /** `int8` (default) or the `fp32` reference graphs. */
  precision?: Precision;
  onProgress?: (p: LoadProgress) => void;
  /** Default policy overrides for every session (on top of the manifest's calibrated policy). */
  policy?: PolicyOverrides;
  /** Cache API caching of model and runtime files (default true). */
  cache?: boolean;
  /** Per-message embedding cache entries (default 4096). */
  embeddingCacheSize?: number;
  /** WASM threads when cross-origin isolated; 0 = auto (default). */
  threads?: number;
  /** Allow model/runtime URLs on another origin (default false: same origin only). */
  allowCrossOrigin?: boolean;
  /** Ping interval for detecting a hung worker while calls are pending (ms, default 10000). */
  watchdogMs?: number;
  /** Test-only fault injection. */
  debug?: boolean;
}

export interface CareLayerEvents extends Record<string, unknown> {
  backend: BackendInfo;
  restart: { backend: BackendInfo };
}

interface Defaults {
  base: string;
}

function abs(u: string | URL, base: string): string {
  return new URL(String(u), base).href;
}

function dir(u: string): string {
  return u.endsWith('/') ? u : u + '/';
}

/** The host-side handle; create with {@link createCareLayer}. */
export class CareLayer {
  private readonly host: WorkerHost;
  private readonly events = new Emitter<CareLayerEvents>();
  private info: WorkerReady | null = null;
  private current: BackendInfo | null = null;
  private readonly sessions = new Set<CareSession>();
  private disposed = false;
  /** Resolves when the model is loaded; rejects with a CareLayerError if it cannot be. */
  readonly ready: Promise<void>;

  constructor(
    private readonly opts: CareLayerOptions,
    d: Defaults,
  ) {
    if (opts.policy !== undefined) resolvePolicy(opts.policy); // fail fast on a bad policy
    const pageBase = typeof document !== 'undefined' ? document.baseURI : d.base;
    const workerUrl = abs(opts.workerUrl ?? new URL('carelayer.worker.js', d.base), pageBase);
    const modelUrl = dir(abs(opts.modelUrl ?? new URL('model/', d.base), pageBase));
    const wasmUrl = dir(abs(opts.wasmUrl ?? new URL('ort/', d.base), pageBase));
    const backend = opts.backend ?? 'auto';
    if (!['auto', 'webgpu', 'wasm'].includes(backend)) throw new CareLayerError('invalid_option', { field: 'backend' });
    const precision = opts.precision ?? 'int8';
    if (precision !== 'int8' && precision !== 'fp32') throw new CareLayerError('invalid_option', { field: 'precision' });
    this.host = new WorkerHost({
      // A module worker from a same-origin URL: no blob: workers, so strict CSPs allow it.
      spawn: () => new Worker(workerUrl, { type: 'module', name: 'carelayer' }),
      init: {
        modelUrl,
        wasmUrl,
        backend,
        precision,
        cache: opts.cache ?? true,
        cacheSize: opts.embeddingCacheSize ?? 4096,
        threads: opts.threads ?? 0,
        allowCrossOrigin: opts.allowCrossOrigin ?? false,
        debug: opts.debug ?? false,
      },
      onProgress: opts.onProgress,
      watchdogMs: opts.watchdogMs ?? 10_000,
      maxRestartsPerMinute: 5,
      onRestart: (r) => {
        this.setBackend(r.backend);
        this.events.emit('restart', { backend: r.backend });
      },
    });
    this.ready = this.host.start().then((r) => {
      this.info = r;
      this.setBackend(r.backend);
    });
    this.ready.catch(() => undefined);
  }

  private setBackend(b: BackendInfo): void {
    const changed = !this.current || this.current.name !== b.name || this.current.fallbackReason !== b.fallbackReason;
    this.current = b;
    if (changed) this.events.emit('backend', b);
  }

  /** What actually runs (updated after a WebGPU → WASM fallback). */
  get backend(): BackendInfo {
    if (!this.current) throw new CareLayerError('load_failed', { field: 'not_ready' });
    return this.current;
  }

  get modelVersion(): string {
    return this.info?.modelVersion ?? '';
  }

  /** Label lists from the manifest, for UIs that render every category. */
  get labels(): WorkerReady['labels'] | null {
    return this.info?.labels ?? null;
  }

  on<K extends keyof CareLayerEvents>(type: K, cb: (e: CareLayerEvents[K]) => void): () => void {
    return this.events.on(type, cb);
  }

  /** Scores a conversation (oldest first). The newest `maxWindow` messages are used. */
  async assess(messages: Message[]): Promise<Assessment> {
    if (this.disposed) throw new CareLayerError('disposed');
    const valid = validateMessages(messages);
    // Plain copies: host objects may carry getters or DOM nodes that cannot be cloned.
    const plain = valid.map((m) => ({ role: m.role, text: m.text, ...(m.id !== undefined && m.id !== null ? { id: m.id } : {}) }));
    await this.ready;
    const r = await this.host.call((api) => api.assess(plain));
    this.setBackend(r.backend);
    return r.assessment;
  }

  /** A stateful conversation tracker with the graduated-intervention policy. */
  session(o: { policy?: PolicyOverrides } = {}): CareSession {
    if (this.disposed) throw new CareLayerError('disposed');
    const s = new CareSession(
      {
        assess: (m) => this.assess(m),
        manifestPolicy: () => (this.info ? (this.info.policy ?? {}) : undefined),
        maxWindow: () => this.info?.maxWindow ?? 64,
        ready: this.ready,
      },
      o.policy,
      this.opts.policy,
    );
    this.sessions.add(s);
    return s;
  }

  stats(): Promise<WorkerStats> {
    if (this.disposed) return Promise.reject(new CareLayerError('disposed'));
    return this.ready.then(() => this.host.call((api) => api.stats()));
  }

  /** Test hook (needs `debug: true`): crash the worker, lose the WebGPU device, … */
  debug(action: DebugAction): Promise<void> {
    return this.ready.then(() => this.host.debug(action));
  }

  /** Terminates the worker. Safe to call more than once; later calls reject with `disposed`. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    for (const s of this.sessions) s.dispose();
    this.sessions.clear();
    this.events.clear();
    await this.host.dispose();
  }
}

/** Starts the worker, loads the model and resolves once it can score. */
export async function createCareLayerWith(opts: CareLayerOptions, d: Defaults): Promise<CareLayer> {
  const c = new CareLayer(opts, d);
  try {
    await c.ready;
  } catch (e) {
    await c.dispose();
    throw e;
  }
  return c;
}
