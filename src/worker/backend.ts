import type { BackendInfo } from '../types.js';
import type { BackendPreference } from './protocol.js';
import { ort } from './ort-web.js';

/** Minimal WebGPU typings: the DOM lib in use does not ship them. */
interface GpuAdapterLike {
  info?: { vendor?: string; architecture?: string; description?: string; device?: string };
}
interface GpuLike {
  requestAdapter(o?: { powerPreference?: string }): Promise<GpuAdapterLike | null>;
}
export interface GpuDeviceLike {
  lost: Promise<{ reason?: string }>;
  destroy(): void;
}

export interface Selection {
  info: BackendInfo;
  /** The EP to try first; `wasm` when WebGPU is unavailable or not wanted. */
  ep: 'webgpu' | 'wasm';
}

export function wasmThreads(requested: number): { threads: number; isolated: boolean } {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  if (!isolated) return { threads: 1, isolated };
  const hw = (globalThis.navigator as { hardwareConcurrency?: number } | undefined)?.hardwareConcurrency ?? 2;
  return { threads: Math.max(1, requested > 0 ? requested : Math.min(4, hw)), isolated };
}

/** Picks WebGPU when an adapter exists (and is wanted), else WASM; never throws. */
export async function selectBackend(pref: BackendPreference, requestedThreads: number): Promise<Selection> {
  const { threads, isolated } = wasmThreads(requestedThreads);
  const wasm = (fallbackReason?: string): Selection => ({
    ep: 'wasm',
    info: { name: 'wasm', threads, crossOriginIsolated: isolated, ...(fallbackReason ? { fallbackReason } : {}) },
  });
  if (pref === 'wasm') return wasm();
  const gpu = (globalThis.navigator as { gpu?: GpuLike } | undefined)?.gpu;
  if (!gpu) return wasm('no_webgpu');
  let adapter: GpuAdapterLike | null = null;
  try {
    adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  } catch {
    adapter = null;
  }
  if (!adapter) return wasm('no_adapter');
  (ort.env.webgpu as { adapter?: unknown }).adapter = adapter;
  const i = adapter.info ?? {};
  return {
    ep: 'webgpu',
    info: {
      name: 'webgpu',
      threads,
      crossOriginIsolated: isolated,
      adapter: { vendor: i.vendor ?? '', architecture: i.architecture ?? '', description: i.description || i.device || '' },
    },
  };
}

/** The GPUDevice ONNX Runtime created, once a WebGPU session exists. */
export async function currentDevice(): Promise<GpuDeviceLike | null> {
  try {
    const d = await Promise.resolve((ort.env.webgpu as { device?: unknown }).device);
    return (d as GpuDeviceLike | undefined) ?? null;
  } catch {
    return null;
  }
}
