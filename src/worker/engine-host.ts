import { env as hfEnv } from '@huggingface/transformers';
import { CareLayerError, toCareLayerError } from '../errors.js';
import { Engine } from '../model/engine.js';
import { graphFiles, modelVersion, parseManifest, type Manifest } from '../model/manifest.js';
import { createTokenizer } from '../model/tokenize.js';
import type { Assessment, BackendInfo, LoadProgress, Message } from '../types.js';
import { currentDevice, selectBackend, type GpuDeviceLike } from './backend.js';
import { createFetcher, parseJson } from './loader.js';
import { ort, webOrt } from './ort-web.js';
import type { WorkerInit, WorkerReady } from './protocol.js';

/** The ORT build transformers.js and we share (onnxruntime-web/webgpu) loads this pair. */
export const ORT_WASM = 'ort-wasm-simd-threaded.asyncify.wasm';
export const ORT_MJS = 'ort-wasm-simd-threaded.asyncify.mjs';

// transformers.js must never reach for a hub or a CDN: we hand it bytes ourselves.
const hf = hfEnv as unknown as Record<string, unknown>;
hf['allowRemoteModels'] = false;
hf['allowLocalModels'] = false;
hf['useBrowserCache'] = false;
hf['useWasmCache'] = false;

/**
 * Owns the Engine inside the worker: loading, backend choice, and the WebGPU →
 * WASM fallback when the device is lost, without losing the caller's request.
 */
export class EngineHost {
  private engine: Engine | null = null;
  private manifest: Manifest | null = null;
  private backend: BackendInfo | null = null;
  private bytes: { encoder: Uint8Array; heads: Uint8Array } | null = null;
  private device: GpuDeviceLike | null = null;
  private deviceLost = false;

  async init(o: WorkerInit, onProgress: (p: LoadProgress) => void): Promise<WorkerReady> {
    const fetcher = createFetcher({
      modelUrl: o.modelUrl,
      cache: o.cache,
      allowCrossOrigin: o.allowCrossOrigin,
      onProgress,
      manifest: () => this.manifest!,
    });
    const { raw } = await fetcher.manifest();
    const m = (this.manifest = parseManifest(raw));
    const sel = await selectBackend(o.backend, o.threads);

    const wasmBase = new URL(o.wasmUrl, self.location.href);
    const wasmUrl = new URL(ORT_WASM, wasmBase).href;
    onProgress({ phase: 'runtime', file: ORT_WASM, loaded: 0, total: 1 });
    const wasmBinary = await fetcher.runtime(wasmUrl, ort.env.versions.web ?? 'unknown');
    ort.env.wasm.wasmPaths = { mjs: new URL(ORT_MJS, wasmBase).href, wasm: wasmUrl };
    ort.env.wasm.wasmBinary = wasmBinary.buffer.slice(wasmBinary.byteOffset, wasmBinary.byteOffset + wasmBinary.byteLength) as ArrayBuffer;
    ort.env.wasm.numThreads = sel.info.threads;
    ort.env.wasm.proxy = false;
    // ORT logs node-placement notes at warning level through console.error; keep real errors only.
    ort.env.logLevel = 'error';
    if (!sel.info.crossOriginIsolated && sel.ep === 'wasm')
      console.info('[carelayer] WASM runs single-threaded: serve the page cross-origin isolated (COOP/COEP) to enable threads');

    const [tokFile, cfgFile] = m.tokenizer.files;
    const dec = new TextDecoder();
    const tokJson = parseJson(dec.decode(await fetcher.file(tokFile!)), tokFile!);
    const cfgJson = cfgFile ? parseJson(dec.decode(await fetcher.file(cfgFile)), cfgFile) : {};
    const tokenizer = createTokenizer(m, tokJson, cfgJson);
    const g = graphFiles(m, o.precision);
    this.bytes = { encoder: await fetcher.file(g.encoder), heads: await fetcher.file(g.heads) };

    onProgress({ phase: 'session', loaded: 0, total: 1 });
    let info = sel.info;
    const parts = { manifest: m, tokenizer, encoderBytes: this.bytes.encoder, headsBytes: this.bytes.heads, cacheSize: o.cacheSize };
    if (sel.ep === 'webgpu') {
      try {
        this.engine = await Engine.create({ ...parts, ort: webOrt('webgpu'), backend: 'webgpu' });
        this.watchDevice(await currentDevice());
      } catch (e) {
        if (e instanceof CareLayerError && e.code === 'model_mismatch') throw e;
        info = { name: 'wasm', threads: info.threads, crossOriginIsolated: info.crossOriginIsolated, fallbackReason: 'webgpu_init_failed' };
      }
    }
    if (!this.engine) {
      try {
        this.engine = await Engine.create({ ...parts, ort: webOrt('wasm'), backend: 'wasm' });
      } catch (e) {
        throw toCareLayerError(e, 'backend_failed');
      }
    }
    this.backend = info;
    onProgress({ phase: 'ready', loaded: 1, total: 1 });
    return { backend: info, modelVersion: modelVersion(m), policy: m.policy, maxWindow: m.heads.maxWindow, labels: m.labels };
  }

  private watchDevice(d: GpuDeviceLike | null): void {
    this.device = d;
    d?.lost.then(() => {
      if (this.device === d) this.deviceLost = true;
    });
  }

  private async fallbackToWasm(reason: string): Promise<void> {
    if (!this.engine || !this.bytes || !this.backend) return;
    this.device = null;
    this.deviceLost = false;
    await this.engine.swapRuntime(webOrt('wasm'), this.bytes.encoder, this.bytes.heads, 'wasm');
    this.backend = { name: 'wasm', threads: this.backend.threads, crossOriginIsolated: this.backend.crossOriginIsolated, fallbackReason: reason };
  }

  async assess(messages: Message[]): Promise<{ assessment: Assessment; backend: BackendInfo }> {
    if (!this.engine || !this.backend) throw new CareLayerError('disposed');
    if (this.deviceLost) await this.fallbackToWasm('device_lost');
    try {
      return { assessment: await this.engine.assess(messages), backend: this.backend };
    } catch (e) {
      if (this.backend.name !== 'webgpu' || !(e instanceof CareLayerError) || e.code !== 'inference_failed') throw e;
      // A run can fail before device.lost resolves: give it a tick, then decide.
      await new Promise((r) => setTimeout(r, 0));
      await this.fallbackToWasm(this.deviceLost ? 'device_lost' : 'webgpu_run_failed');
      return { assessment: await this.engine.assess(messages), backend: this.backend };
    }
  }

  stats() {
    if (!this.engine) throw new CareLayerError('disposed');
    return this.engine.stats();
  }

  loseDevice(): void {
    this.device?.destroy();
  }

  async dispose(): Promise<void> {
    const e = this.engine;
    this.engine = null;
    this.bytes = null;
    await e?.dispose();
  }
}
