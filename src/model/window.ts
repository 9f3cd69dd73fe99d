import type { Manifest } from './manifest.js';
import type { Message } from '../types.js';

export interface WindowSpec {
  /** Index of the first message in the window (the window keeps the newest messages). */
  start: number;
  length: number;
}

/** The newest `maxWindow` messages, oldest first, as the contract's heads expect. */
export function selectWindow(count: number, manifest: Manifest): WindowSpec {
  const length = Math.min(count, manifest.heads.maxWindow);
  return { start: count - length, length };
}

export function roleId(manifest: Manifest, role: Message['role']): number {
  return manifest.heads.roles[role] ?? 0;
}

export interface PackedWindows {
  embeddings: Float32Array;
  roles: BigInt64Array;
  mask: Float32Array;
  /** Always `maxWindow`: fixed shapes keep WebGPU pipelines cached and suit static exports. */
  window: number;
}

/** Left-aligned, zero-padded [batch, maxWindow, dim] tensors (model-contract.md, heads.onnx). */
export function packWindows(manifest: Manifest, windows: { embeddings: Float32Array[]; roles: number[] }[]): PackedWindows {
  const w = manifest.heads.maxWindow;
  const dim = manifest.encoder.dim;
  const b = windows.length;
  const embeddings = new Float32Array(b * w * dim);
  const roles = new BigInt64Array(b * w);
  const mask = new Float32Array(b * w);
  windows.forEach((win, i) => {
    win.embeddings.forEach((e, j) => {
      embeddings.set(e, (i * w + j) * dim);
      roles[i * w + j] = BigInt(win.roles[j]!);
      mask[i * w + j] = 1;
    });
  });
  return { embeddings, roles, mask, window: w };
}
