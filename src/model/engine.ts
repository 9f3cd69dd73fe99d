import { CareLayerError } from '../errors.js';
import type { Assessment, BackendName, Message } from '../types.js';
import { toAssessment } from './assessment.js';
import { MessageEncoder } from './encoder.js';
import { WindowHeads } from './heads.js';
import { Lru } from './lru.js';
import type { Manifest } from './manifest.js';
import type { OrtBinding } from './ort.js';
import { textHash, validateMessages } from './text.js';
import type { MessageTokenizer } from './tokenize.js';
import { roleId, selectWindow } from './window.js';

export const DEFAULT_EMBEDDING_CACHE = 4096;

let yieldChannel: { port: MessagePort; waiting: (() => void)[] } | null = null;

/** A macrotask turn without setTimeout's 4 ms clamp (setImmediate in Node, a MessageChannel in workers). */
function yieldToEventLoop(): Promise<void> {
  const g = globalThis as { setImmediate?: (cb: () => void) => unknown };
  if (typeof g.setImmediate === 'function') return new Promise((r) => g.setImmediate!(r));
  if (typeof MessageChannel === 'undefined') return new Promise((r) => setTimeout(r, 0));
  if (!yieldChannel) {
    const ch = new MessageChannel();
    const waiting: (() => void)[] = [];
    ch.port1.onmessage = () => waiting.shift()?.();
    yieldChannel = { port: ch.port2, waiting };
  }
  const y = yieldChannel;
  return new Promise((r) => {
    y.waiting.push(r);
    y.port.postMessage(0);
  });
}

export interface EngineParts {
  manifest: Manifest;
  tokenizer: MessageTokenizer;
  ort: OrtBinding;
  encoderBytes: Uint8Array;
  headsBytes: Uint8Array;
  backend: BackendName;
  /** Embedding cache entries (messages); 0 disables caching. */
  cacheSize?: number;
  now?: () => number;
}

interface CachedEmbedding {
  textKey: string;
  vec: Float32Array;
  truncated: boolean;
}

export interface EngineStats {
  cacheSize: number;
  cacheHits: number;
  cacheMisses: number;
  encoderMessages: number;
  headsWindows: number;
}

/**
 * Tokenize → encode (cached per message) → window → heads → Assessment. The same
 * class runs in the browser worker and in the Node CLI; only `ort` differs.
 */
export class Engine {
  readonly manifest: Manifest;
  private readonly tokenizer: MessageTokenizer;
  private encoder!: MessageEncoder;
  private heads!: WindowHeads;
  private backendName: BackendName;
  private readonly cache: Lru<string, CachedEmbedding>;
  private readonly now: () => number;
  // ONNX Runtime sessions must not run concurrently; every public call queues here.
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private encoderMessages = 0;
  private headsWindows = 0;

  private constructor(p: EngineParts) {
    this.manifest = p.manifest;
    this.tokenizer = p.tokenizer;
    this.backendName = p.backend;
    this.cache = new Lru(p.cacheSize ?? DEFAULT_EMBEDDING_CACHE);
    this.now = p.now ?? (() => performance.now());
  }

  static async create(p: EngineParts): Promise<Engine> {
    const e = new Engine(p);
    await e.load(p.ort, p.encoderBytes, p.headsBytes, p.backend);
    return e;
  }

  private async load(ort: OrtBinding, encoderBytes: Uint8Array, headsBytes: Uint8Array, backend: BackendName): Promise<void> {
    const [enc, heads] = [await ort.createSession(encoderBytes), await ort.createSession(headsBytes)];
    try {
      this.encoder = new MessageEncoder(ort, enc, this.manifest);
      this.heads = new WindowHeads(ort, heads, this.manifest);
    } catch (err) {
      await Promise.allSettled([enc.release(), heads.release()]);
      throw err;
    }
    this.backendName = backend;
  }

  get backend(): BackendName {
    return this.backendName;
  }

  /**
   * Rebuilds the sessions on another binding (WebGPU device lost → WASM) between two
   * queued calls; cached embeddings are kept since both backends compute the same model.
   */
  swapRuntime(ort: OrtBinding, encoderBytes: Uint8Array, headsBytes: Uint8Array, backend: BackendName): Promise<void> {
    return this.enqueue(async () => {
      const old = [this.encoder, this.heads];
      await this.load(ort, encoderBytes, headsBytes, backend);
      await Promise.allSettled(old.map((s) => s.release()));
    });
  }

  assess(messages: readonly Message[]): Promise<Assessment> {
    return this.assessMany([messages]).then((r) => r[0]!);
  }

  /** Batched scoring for logs: every distinct message is encoded once across all conversations. */
  assessMany(conversations: readonly (readonly Message[])[]): Promise<Assessment[]> {
    if (this.disposed) return Promise.reject(new CareLayerError('disposed'));
    let valid: Message[][];
    try {
      valid = conversations.map((c) => validateMessages(c));
    } catch (e) {
      return Promise.reject(e);
    }
    return this.enqueue(() => this.assessNow(valid));
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(async () => {
      // Yield to the event loop between queued calls: ORT can settle a run in
      // microtasks, and a long queue would otherwise starve pings and progress messages.
      await yieldToEventLoop();
      if (this.disposed) throw new CareLayerError('disposed');
      return fn();
    });
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async assessNow(conversations: Message[][]): Promise<Assessment[]> {
    const t0 = this.now();
    const wins = conversations.map((c) => selectWindow(c.length, this.manifest));
    // Gather the window messages that miss the cache; identical ones share one encoder row.
    const pending = new Map<string, { ids: number[]; truncated: boolean; textKey: string }>();
    // Hits are pinned here: inserting this call's misses may evict them from the LRU.
    const resolved = new Map<string, CachedEmbedding>();
    const keysPer: string[][] = conversations.map((c, ci) => {
      const w = wins[ci]!;
      return c.slice(w.start).map((msg) => {
        const textKey = textHash(msg.text);
        const key = msg.id !== undefined && msg.id !== null ? `id:${String(msg.id)}` : `tx:${textKey}`;
        const hit = resolved.get(key) ?? this.cache.get(key);
        if (hit && hit.textKey === textKey) {
          resolved.set(key, hit);
          return key;
        }
        if (!pending.has(key)) {
          const tok = this.tokenizer.encode(msg.text);
          pending.set(key, { ids: tok.ids, truncated: tok.truncated, textKey });
        }
        return key;
      });
    });
    if (pending.size > 0) {
      const keys = [...pending.keys()];
      const vecs = await this.encoder.encode(keys.map((k) => pending.get(k)!.ids));
      this.encoderMessages += keys.length;
      keys.forEach((k, i) => {
        const p = pending.get(k)!;
        const entry = { textKey: p.textKey, vec: vecs[i]!, truncated: p.truncated };
        resolved.set(k, entry);
        this.cache.set(k, entry);
      });
    }
    const lookup = (k: string): CachedEmbedding => resolved.get(k)!;
    const windows = conversations.map((c, ci) => {
      const w = wins[ci]!;
      const entries = keysPer[ci]!.map(lookup);
      return {
        embeddings: entries.map((e) => e.vec),
        roles: c.slice(w.start).map((msg) => roleId(this.manifest, msg.role)),
        truncated: entries.flatMap((e, j) => (e.truncated ? [w.start + j] : [])),
      };
    });
    const outs = await this.heads.run(windows);
    this.headsWindows += windows.length;
    const latency = (this.now() - t0) / conversations.length;
    return outs.map((o, ci) => toAssessment(this.manifest, o, conversations[ci]!, wins[ci]!, windows[ci]!.truncated, this.backendName, latency));
  }

  stats(): EngineStats {
    return {
      cacheSize: this.cache.size,
      cacheHits: this.cache.hits,
      cacheMisses: this.cache.misses,
      encoderMessages: this.encoderMessages,
      headsWindows: this.headsWindows,
    };
  }

  clearCache(): void {
    this.cache.clear();
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    await this.queue;
    this.disposed = true;
    this.cache.clear();
    await Promise.allSettled([this.encoder.release(), this.heads.release()]);
  }
}
