// Embed token-id lists with an exported encoder through onnxruntime-node (several times
// faster than torch on these CPUs, and the runtime's own numerics).
//   node models/train/embed_texts.mjs <encoder.onnx> <ids.jsonl> <out.f32>
// ids.jsonl: one {"ids": [...]} per line; out.f32: float32 rows in input order.
import fs from 'node:fs';
import ort from 'onnxruntime-node';

const [model, idsPath, outPath] = process.argv.slice(2);
const sess = await ort.InferenceSession.create(model, { intraOpNumThreads: 2, extra: { session: { disable_quant_qdq: '1' } } });   // as the runtime loads it (FOLD_INT8, src/model/ort.ts)
const rows = fs.readFileSync(idsPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).ids);
const order = rows.map((_, i) => i).sort((a, b) => rows[a].length - rows[b].length);
let dim = 0, out = null;
const BATCH_TOKENS = 4096;
for (let s = 0; s < order.length;) {
  const t = Math.max(1, rows[order[s]].length);
  let e = s;
  while (e < order.length && (e - s + 1) * Math.max(1, rows[order[e]].length) <= BATCH_TOKENS) e++;
  e = Math.max(e, s + 1);
  const idx = order.slice(s, e);
  const T = Math.max(1, ...idx.map((i) => rows[i].length));
  const ids = new BigInt64Array(idx.length * T), mask = new BigInt64Array(idx.length * T);
  idx.forEach((i, r) => { const x = rows[i].length ? rows[i] : [0]; x.forEach((v, j) => { ids[r * T + j] = BigInt(v); mask[r * T + j] = 1n; }); });
  const res = await sess.run({ input_ids: new ort.Tensor('int64', ids, [idx.length, T]), attention_mask: new ort.Tensor('int64', mask, [idx.length, T]) });
  const emb = res.embedding;
  if (!out) { dim = emb.dims[1]; out = new Float32Array(rows.length * dim); }
  idx.forEach((i, r) => out.set(emb.data.subarray(r * dim, (r + 1) * dim), i * dim));
  if (Math.floor(s / 5000) !== Math.floor(e / 5000)) process.stderr.write(`embedded ${e}/${rows.length}\n`);
  s = e;
}
fs.writeFileSync(outPath, Buffer.from(out.buffer));
process.stderr.write(`done ${rows.length} x ${dim}\n`);
