import * as ort from 'onnxruntime-node';
import { toCareLayerError } from '../errors.js';
import { FOLD_INT8, type OrtBinding, type OrtSession, type OrtTensor } from '../model/ort.js';

export interface NodeOrtOptions {
  /** Intra-op threads; default lets ONNX Runtime decide. */
  threads?: number;
}

export function nodeOrt(opts: NodeOrtOptions = {}): OrtBinding {
  return {
    async createSession(bytes: Uint8Array): Promise<OrtSession> {
      try {
        const s = await ort.InferenceSession.create(bytes, {
          executionProviders: ['cpu'],
          graphOptimizationLevel: 'all',
          extra: FOLD_INT8,
          ...(opts.threads ? { intraOpNumThreads: opts.threads } : {}),
        });
        return s as unknown as OrtSession;
      } catch (e) {
        throw toCareLayerError(e, 'backend_failed');
      }
    },
    int64: (data, dims) => new ort.Tensor('int64', data, dims) as unknown as OrtTensor,
    float32: (data, dims) => new ort.Tensor('float32', data, dims) as unknown as OrtTensor,
  };
}
