import { CareLayerError, toCareLayerError } from '../errors.js';
import type { Manifest } from './manifest.js';
import { staticDim, type OrtBinding, type OrtSession } from './ort.js';

/** Messages per encoder run: bounds peak memory for the CLI's big batches. */
export const ENCODER_BATCH = 32;

/** Runs encoder.onnx: token id lists → one `dim`-vector per message. */
export class MessageEncoder {
  /** Graphs exported with static shapes get exactly those; dynamic ones get the batch's longest row. */
  private readonly fixedTokens: number | null;
  private readonly batchSize: number;

  constructor(
    private readonly ort: OrtBinding,
    private readonly session: OrtSession,
    private readonly manifest: Manifest,
  ) {
    const [ids, mask] = manifest.encoder.inputs;
    for (const n of [ids, mask]) if (!session.inputNames.includes(n)) throw new CareLayerError('model_mismatch', { graph: 'encoder', input: n });
    if (!session.outputNames.includes(manifest.encoder.output))
      throw new CareLayerError('model_mismatch', { graph: 'encoder', output: manifest.encoder.output });
    this.fixedTokens = staticDim(session, ids, 1);
    if (this.fixedTokens !== null && this.fixedTokens < manifest.tokenizer.maxTokens)
      throw new CareLayerError('model_mismatch', { graph: 'encoder', input: ids, tokens: this.fixedTokens });
    this.batchSize = staticDim(session, ids, 0) ?? ENCODER_BATCH;
  }

  async encode(batch: number[][]): Promise<Float32Array[]> {
    const out: Float32Array[] = [];
    // Similar lengths share a run so padding stays small.
    const order = batch.map((_, i) => i).sort((a, b) => batch[a]!.length - batch[b]!.length);
    const result = new Array<Float32Array>(batch.length);
    for (let s = 0; s < order.length; s += this.batchSize) {
      const idx = order.slice(s, s + this.batchSize);
      const vecs = await this.run(idx.map((i) => batch[i]!));
      idx.forEach((i, k) => (result[i] = vecs[k]!));
    }
    for (const r of result) out.push(r);
    return out;
  }

  private async run(rows: number[][]): Promise<Float32Array[]> {
    const { padId } = this.manifest.tokenizer;
    const { dim, inputs, output } = this.manifest.encoder;
    const b = this.batchSize === ENCODER_BATCH ? rows.length : this.batchSize;
    const len = this.fixedTokens ?? Math.max(1, ...rows.map((r) => r.length));
    const ids = new BigInt64Array(b * len).fill(BigInt(padId));
    const mask = new BigInt64Array(b * len);
    rows.forEach((r, i) => {
      for (let j = 0; j < r.length; j++) {
        ids[i * len + j] = BigInt(r[j]!);
        mask[i * len + j] = 1n;
      }
    });
    const feeds = { [inputs[0]]: this.ort.int64(ids, [b, len]), [inputs[1]]: this.ort.int64(mask, [b, len]) };
    let res;
    try {
      res = await this.session.run(feeds);
    } catch (e) {
      throw toCareLayerError(e, 'inference_failed');
    }
    const t = res[output];
    if (!t || !(t.data instanceof Float32Array) || t.dims.length !== 2 || t.dims[0] !== b || t.dims[1] !== dim)
      throw new CareLayerError('model_mismatch', { graph: 'encoder', output, dims: String(t?.dims ?? '') });
    const data = t.data;
    const vecs: Float32Array[] = [];
    // Copy: the tensor's buffer may be reused or released by the runtime.
    for (let i = 0; i < rows.length; i++) vecs.push(data.slice(i * dim, (i + 1) * dim));
    for (const x of Object.values(res)) x.dispose?.();
    return vecs;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
