// The alternative a web developer reaches for today: Universal Sentence Encoder Lite in
// TensorFlow.js with a linear head on top (the TF.js toxicity-model recipe: frozen USE
// encoder + one dense sigmoid layer). Weights, vocabulary and the TF.js WASM binaries are
// served from the page's own origin (bench/.build/, made by bench/build-baseline.mjs).
// Bundled by bench/build-baseline.mjs into bench/.build/use-lite.js.
import * as tf from '@energetic-ai/core';
import { Tokenizer } from '@tensorflow-models/universal-sentence-encoder/dist/tokenizer/index.js';

/** The toxicity model's head has 7 labels; the weights only need to be fixed, not trained. */
const HEAD_LABELS = 7;

function seeded(n, seed) {
  let a = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296 - 0.5) * 0.1;
  }
  return out;
}

/**
 * @param {{ base: string, threads?: number }} o base: URL of bench/.build/ (ends with '/')
 */
export async function loadBaseline(o) {
  const t0 = performance.now();
  const wasmDir = new URL('tfjs/', o.base).href;
  tf.setWasmPaths(wasmDir);
  if (o.threads) tf.setThreadsCount(o.threads);
  await tf.setBackend('wasm');
  await tf.ready();
  const tBackend = performance.now();
  const [model, vocab] = await Promise.all([
    tf.loadGraphModel(new URL('use-lite/model.json', o.base).href),
    fetch(new URL('use-lite/vocab.json', o.base)).then((r) => r.json()),
  ]);
  const tokenizer = new Tokenizer(vocab);
  const W = tf.tensor2d(seeded(512 * HEAD_LABELS, 7), [512, HEAD_LABELS]);
  const b = tf.tensor1d(seeded(HEAD_LABELS, 11));
  const tLoaded = performance.now();

  /** Tokenize → encoder → linear head → probabilities read back (what a page must await). */
  async function score(texts) {
    const s = performance.now();
    const enc = texts.map((t) => tokenizer.encode(t));
    const tTok = performance.now();
    const flat = [];
    enc.forEach((ids, i) => ids.forEach((_, j) => flat.push(i, j)));
    const indices = tf.tensor2d(flat, [flat.length / 2, 2], 'int32');
    const values = tf.tensor1d(enc.flat(), 'int32');
    const emb = await model.executeAsync({ indices, values });
    const probs = tf.tidy(() => tf.sigmoid(tf.add(tf.matMul(emb, W), b)));
    const out = await probs.data();
    const tEnd = performance.now();
    tf.dispose([indices, values, emb, probs]);
    return { probs: out, tokenizeMs: tTok - s, totalMs: tEnd - s };
  }

  const tw = performance.now();
  await score(['warm up the graph']);
  const firstInferenceMs = performance.now() - tw;

  return {
    name: 'TF.js USE-lite + linear head',
    tfjs: tf.version_core ?? tf.version?.['tfjs-core'] ?? 'unknown',
    backend: tf.getBackend(),
    threads: typeof tf.getThreadsCount === 'function' ? tf.getThreadsCount() : 1,
    startup: { backendMs: tBackend - t0, modelMs: tLoaded - tBackend, totalMs: tLoaded - t0, firstInferenceMs },
    score,
    numTensors: () => tf.memory().numTensors,
    dispose() {
      model.dispose();
      tf.dispose([W, b]);
    },
  };
}
