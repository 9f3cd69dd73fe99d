import * as ort from 'onnxruntime-web/webgpu';
import { toCareLayerError } from '../errors.js';
import type { OrtBinding, OrtSession, OrtTensor } from '../model/ort.js';

export { ort };

/**
 * Fold the int8 weights into fp32 once, at load, instead of letting each binding pick its own
 * int8 kernels: the browser and the Node CLI then run the same arithmetic and agree to ~1e-4
 * instead of ~2e-2. The download stays int8.
 */
export const FOLD_INT8 = { session: { disable_quant_qdq: '1' } };

/** onnxruntime-web as an OrtBinding for one execution provider. */
export function webOrt(ep: 'webgpu' | 'wasm'): OrtBinding {
  return {
    async createSession(bytes: Uint8Array): Promise<OrtSession> {
      try {
        const s = await ort.InferenceSession.create(bytes, { executionProviders: [ep], graphOptimizationLevel: 'all', extra: FOLD_INT8 });
        return s as unknown as OrtSession;
      } catch (e) {
        throw toCareLayerError(e, 'backend_failed');
      }
    },
    int64: (data, dims) => new ort.Tensor('int64', data, dims) as unknown as OrtTensor,
    float32: (data, dims) => new ort.Tensor('float32', data, dims) as unknown as OrtTensor,
  };
}
