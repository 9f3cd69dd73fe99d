import * as ort from 'onnxruntime-web/webgpu';
import { toCareLayerError } from '../errors.js';
import { FOLD_INT8, type OrtBinding, type OrtSession, type OrtTensor } from '../model/ort.js';

export { ort };

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
