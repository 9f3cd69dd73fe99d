import * as Comlink from 'comlink';
import { CareLayerError, isCareLayerError } from '../errors.js';
import type { LoadProgress } from '../types.js';
import type { WorkerApi, WorkerInit, WorkerReady } from '../worker/protocol.js';

export interface WorkerHostOptions {
  spawn: () => Worker;
  init: WorkerInit;
  onProgress?: ((p: LoadProgress) => void) | undefined;
  /** How often a busy worker must answer a ping before it is declared dead (ms). */
  watchdogMs: number;
  /** Restarts allowed per minute before giving up with `worker_unavailable`. */
  maxRestartsPerMinute: number;
  onRestart?: (ready: WorkerReady) => void;
}

function fromWorkerError(e: unknown): unknown {
  if (isCareLayerError(e)) {
    const x = e as unknown as { code: CareLayerError['code']; detail?: Record<string, string | number | boolean> };
    return new CareLayerError(x.code, x.detail);
  }
  return e;
}

class WorkerDied extends Error {
  override name = 'WorkerDied';
}

/**
 * One worker, restarted when it crashes. A call in flight when the worker dies
 * is retried once on the new worker (every call is a pure function of its
 * arguments); host-side state such as sessions lives outside and survives.
 */
export class WorkerHost {
  private worker: Worker | null = null;
  private api: Comlink.Remote<WorkerApi> | null = null;
  private ready: Promise<WorkerReady> | null = null;
  private generation = 0;
  private died: { promise: Promise<never>; reject: (e: Error) => void } | null = null;
  private restarts: number[] = [];
  private pending = 0;
  private watchdog: ReturnType<typeof setInterval> | null = null;
  private disposed = false;
  /** The current worker finished init: only then is a silent worker suspicious. */
  private live = false;

  constructor(private readonly o: WorkerHostOptions) {}

  start(): Promise<WorkerReady> {
    if (this.disposed) return Promise.reject(new CareLayerError('disposed'));
    const gen = ++this.generation;
    let worker: Worker;
    try {
      worker = this.o.spawn();
    } catch {
      return Promise.reject(new CareLayerError('load_failed', { file: 'worker' }));
    }
    this.worker = worker;
    this.api = Comlink.wrap<WorkerApi>(worker);
    let reject!: (e: Error) => void;
    const promise = new Promise<never>((_, r) => (reject = r));
    promise.catch(() => undefined);
    this.died = { promise, reject };
    worker.addEventListener('error', (ev) => {
      ev.preventDefault(); // handled here: keep it out of the page's error console
      if (gen === this.generation) this.crashed();
    });
    worker.addEventListener('messageerror', () => gen === this.generation && this.crashed());
    const progress = this.o.onProgress ? Comlink.proxy(this.o.onProgress) : undefined;
    const api = this.api;
    this.ready = Promise.race([api.init(this.o.init, progress), promise]).catch((e) => {
      throw e instanceof WorkerDied ? new CareLayerError('worker_crashed') : fromWorkerError(e);
    });
    this.ready.then(() => gen === this.generation && (this.live = true), () => undefined);
    return this.ready;
  }

  private crashed(): void {
    const old = this.worker;
    this.worker = null;
    this.live = false;
    this.died?.reject(new WorkerDied());
    old?.terminate();
    if (this.disposed) return;
    const now = Date.now();
    this.restarts = this.restarts.filter((t) => now - t < 60_000);
    this.restarts.push(now);
    if (this.restarts.length > this.o.maxRestartsPerMinute) {
      this.ready = Promise.reject(new CareLayerError('worker_unavailable'));
      this.ready.catch(() => undefined);
      return;
    }
    this.start().then(
      (r) => this.o.onRestart?.(r),
      () => undefined,
    );
  }

  private armWatchdog(): void {
    if (this.watchdog || this.o.watchdogMs <= 0) return;
    this.watchdog = setInterval(() => {
      if (this.pending === 0 || !this.api || !this.live) return;
      const gen = this.generation;
      let answered = false;
      this.api.ping().then(() => (answered = true), () => undefined);
      setTimeout(() => {
        if (!answered && gen === this.generation && this.pending > 0 && this.worker) this.crashed();
      }, this.o.watchdogMs);
    }, this.o.watchdogMs);
  }

  /** Runs `fn` against the live worker; retried once if the worker dies meanwhile. */
  async call<T>(fn: (api: Comlink.Remote<WorkerApi>) => Promise<T>): Promise<T> {
    if (this.disposed) throw new CareLayerError('disposed');
    this.pending++;
    this.armWatchdog();
    try {
      for (let attempt = 0; ; attempt++) {
        const gen = this.generation;
        try {
          await this.ready;
          if (this.disposed) throw new CareLayerError('disposed');
          return await Promise.race([fn(this.api!), this.died!.promise]);
        } catch (e) {
          if (this.disposed) throw new CareLayerError('disposed');
          // The worker died (before or during this call) and a new one is starting: retry once more.
          const died = e instanceof WorkerDied || gen !== this.generation;
          if (!died) throw fromWorkerError(e);
          if (attempt >= 2) throw new CareLayerError('worker_crashed');
        }
      }
    } finally {
      this.pending--;
      if (this.pending === 0 && this.watchdog) {
        clearInterval(this.watchdog);
        this.watchdog = null;
      }
    }
  }

  /** Test hook: fault injection inside the worker (requires `debug: true`). */
  debug(action: Parameters<WorkerApi['debug']>[0]): Promise<void> {
    const api = this.api;
    if (!api) return Promise.reject(new CareLayerError('disposed'));
    return api.debug(action).catch((e) => {
      throw fromWorkerError(e);
    });
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    if (this.watchdog) clearInterval(this.watchdog);
    const api = this.api;
    const worker = this.worker;
    this.died?.reject(new WorkerDied());
    this.api = null;
    this.worker = null;
    try {
      // Give the engine a moment to release its sessions; a hung worker is terminated anyway.
      if (api) await Promise.race([api.dispose(), new Promise((r) => setTimeout(r, 1000))]);
    } catch {
      /* terminating regardless */
    }
    api?.[Comlink.releaseProxy]();
    worker?.terminate();
  }
}
