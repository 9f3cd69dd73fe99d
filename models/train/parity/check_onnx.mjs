// Checks an exported model directory with onnxruntime-node, the runtime's own binding:
//  1. fp32 ONNX encoder vs the TF.js reference embeddings (cosine), when a reference file is given;
//  2. int8 vs fp32 drift of every head output on windows built from the given texts.
//   node models/train/parity/check_onnx.mjs <model-dir> <texts.jsonl> [reference.jsonl]
import fs from 'node:fs';
import path from 'node:path';
import ort from 'onnxruntime-node';
import { AutoTokenizer, env } from '@huggingface/transformers';

const [dir, textsPath, refPath] = process.argv.slice(2).map((p) => p && path.resolve(p));
const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8'));
env.allowRemoteModels = false;
env.localModelPath = path.dirname(dir) + '/';
const tok = await AutoTokenizer.from_pretrained(path.basename(dir));
const texts = fs.readFileSync(textsPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).text);
// the runtime's folding (FOLD_INT8 in src/model/ort.ts): int8 weights become fp32 at load
const open = (f) => ort.InferenceSession.create(path.join(dir, f), { extra: { session: { disable_quant_qdq: '1' } } });
const [enc8, enc32, heads8, heads32] = await Promise.all([
  open(manifest.encoder.file), open(manifest.encoder.fp32 ?? manifest.encoder.file), open(manifest.heads.file), open(manifest.heads.fp32 ?? manifest.heads.file)]);

async function embed(sess, text) {
  let ids = tok.encode(text, { add_special_tokens: false }).slice(0, manifest.tokenizer.maxTokens);
  if (ids.length === 0) ids = [manifest.tokenizer.emptyId];
  const t = new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]);
  const m = new ort.Tensor('int64', BigInt64Array.from(ids.map(() => 1n)), [1, ids.length]);
  const out = await sess.run({ [manifest.encoder.inputs[0]]: t, [manifest.encoder.inputs[1]]: m });
  return out[manifest.encoder.output].data;
}

const cos = (a, b) => { let d = 0, na = 0, nb = 0; for (let i = 0; i < a.length; i++) { d += a[i] * b[i]; na += a[i] ** 2; nb += b[i] ** 2; } return d / Math.sqrt(na * nb); };
const report = {};
const e8 = [], e32 = [];
for (const t of texts) { e8.push(await embed(enc8, t)); e32.push(await embed(enc32, t)); }
if (refPath) {
  const ref = fs.readFileSync(refPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
  // An empty text has no TF.js embedding to compare: the contract encodes it as emptyId instead.
  const c = ref.map((r, i) => (r.embedding && r.ids?.length ? cos(r.embedding, e32[i]) : null)).filter((x) => x !== null);
  report.tfjs_vs_onnx_fp32 = { n: c.length, min_cosine: Math.min(...c), mean_cosine: c.reduce((a, b) => a + b, 0) / c.length };
}
report.encoder_int8_vs_fp32 = { min_cosine: Math.min(...e8.map((e, i) => cos(e, e32[i]))) };
// windows of 1..maxWindow consecutive texts, alternating roles
const W = manifest.heads.maxWindow, D = manifest.encoder.dim;
let maxDiff = 0, encOnly = 0, headsOnly = 0; const perOut = {};
for (let s = 0; s + 1 < texts.length; s += 3) {
  const n = 1 + (s % W);
  const emb8 = new Float32Array(n * D), emb32 = new Float32Array(n * D);
  const roles = new BigInt64Array(n), mask = new Float32Array(n).fill(1);
  for (let j = 0; j < n; j++) {
    const k = (s + j) % texts.length;
    emb8.set(e8[k], j * D); emb32.set(e32[k], j * D); roles[j] = BigInt(j % 2 === n % 2 ? 1 : 0);
  }
  const feed = (e) => ({ embeddings: new ort.Tensor('float32', e, [1, n, D]), roles: new ort.Tensor('int64', roles, [1, n]), mask: new ort.Tensor('float32', mask, [1, n]) });
  const [o8, o32] = [await heads8.run(feed(emb8)), await heads32.run(feed(emb32))];
  for (const name of manifest.heads.outputs) {
    let d = 0; for (let i = 0; i < o8[name].data.length; i++) d = Math.max(d, Math.abs(o8[name].data[i] - o32[name].data[i]));
    perOut[name] = Math.max(perOut[name] ?? 0, d); maxDiff = Math.max(maxDiff, d);
  }
  // where the drift comes from: int8 encoder alone, int8 heads alone
  const [oe, oh] = [await heads32.run(feed(emb8)), await heads8.run(feed(emb32))];
  for (const name of manifest.heads.outputs) {
    for (let i = 0; i < o32[name].data.length; i++) {
      encOnly = Math.max(encOnly, Math.abs(oe[name].data[i] - o32[name].data[i]));
      headsOnly = Math.max(headsOnly, Math.abs(oh[name].data[i] - o32[name].data[i]));
    }
  }
}
report.heads_int8_vs_fp32_max_abs_diff = maxDiff;
report.per_output = perOut;
report.drift_from_encoder_int8 = encOnly;
report.drift_from_heads_int8 = headsOnly;
console.log(JSON.stringify(report, null, 1));
