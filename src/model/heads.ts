import { CareLayerError, toCareLayerError } from '../errors.js';
import type { Manifest } from './manifest.js';
import { staticDim, type OrtBinding, type OrtSession, type OrtTensor } from './ort.js';
import { packWindows } from './window.js';

/** Messages windows per heads run. */
export const HEADS_BATCH = 32;

/** One window's raw head outputs (already probabilities; the runtime applies no activation). */
export interface HeadsOutput {
  crisis: Float32Array;
  risk: number;
  severity: Float32Array;
  replyHarm: number;
  reply: Float32Array;
  /** [distortion dims × 4 levels], row-major. */
  distortion: Float32Array;
  /** Per window position; only the first `length` entries are real. */
  evidence: Float32Array;
}

export class WindowHeads {
  private readonly batchSize: number;
  private readonly fixedBatch: boolean;

  constructor(
    private readonly ort: OrtBinding,
    private readonly session: OrtSession,
    private readonly manifest: Manifest,
  ) {
    for (const n of manifest.heads.inputs) if (!session.inputNames.includes(n)) throw new CareLayerError('model_mismatch', { graph: 'heads', input: n });
    for (const n of manifest.heads.outputs) if (!session.outputNames.includes(n)) throw new CareLayerError('model_mismatch', { graph: 'heads', output: n });
    const win = staticDim(session, manifest.heads.inputs[0], 1);
    if (win !== null && win !== manifest.heads.maxWindow) throw new CareLayerError('model_mismatch', { graph: 'heads', window: win });
    const fixed = staticDim(session, manifest.heads.inputs[0], 0);
    this.fixedBatch = fixed !== null;
    this.batchSize = fixed ?? HEADS_BATCH;
  }

  async run(windows: { embeddings: Float32Array[]; roles: number[] }[]): Promise<HeadsOutput[]> {
    const out: HeadsOutput[] = [];
    for (let s = 0; s < windows.length; s += this.batchSize) out.push(...(await this.runBatch(windows.slice(s, s + this.batchSize))));
    return out;
  }

  private async runBatch(windows: { embeddings: Float32Array[]; roles: number[] }[]): Promise<HeadsOutput[]> {
    const m = this.manifest;
    const real = windows.length;
    // A static batch dim is filled with empty windows (all-zero mask) and their outputs dropped.
    const padded = this.fixedBatch ? [...windows, ...Array.from({ length: this.batchSize - real }, () => ({ embeddings: [], roles: [] }))] : windows;
    const p = packWindows(m, padded);
    const b = padded.length;
    const [embName, rolesName, maskName] = m.heads.inputs;
    const feeds = {
      [embName]: this.ort.float32(p.embeddings, [b, p.window, m.encoder.dim]),
      [rolesName]: this.ort.int64(p.roles, [b, p.window]),
      [maskName]: this.ort.float32(p.mask, [b, p.window]),
    };
    let res: Record<string, OrtTensor>;
    try {
      res = await this.session.run(feeds);
    } catch (e) {
      throw toCareLayerError(e, 'inference_failed');
    }
    const [crisisN, riskN, sevN, harmN, replyN, distN, evN] = m.heads.outputs;
    const C = m.labels.crisis.length;
    const S = m.labels.severity.length;
    const R = m.labels.reply.length;
    const D = m.labels.distortion.length;
    const get = (name: string, per: number): Float32Array => {
      const t = res[name];
      if (!t || !(t.data instanceof Float32Array) || t.data.length !== b * per)
        throw new CareLayerError('model_mismatch', { graph: 'heads', output: name, dims: String(t?.dims ?? '') });
      return t.data;
    };
    const crisis = get(crisisN, C);
    const risk = get(riskN, 1);
    const sev = get(sevN, S);
    const harm = get(harmN, 1);
    const reply = get(replyN, R);
    const dist = get(distN, D * 4);
    const ev = get(evN, p.window);
    const outs: HeadsOutput[] = [];
    for (let i = 0; i < real; i++) {
      outs.push({
        crisis: crisis.slice(i * C, (i + 1) * C),
        risk: risk[i]!,
        severity: sev.slice(i * S, (i + 1) * S),
        replyHarm: harm[i]!,
        reply: reply.slice(i * R, (i + 1) * R),
        distortion: dist.slice(i * D * 4, (i + 1) * D * 4),
        evidence: ev.slice(i * p.window, (i + 1) * p.window),
      });
    }
    for (const x of Object.values(res)) x.dispose?.();
    return outs;
  }

  release(): Promise<void> {
    return this.session.release();
  }
}
