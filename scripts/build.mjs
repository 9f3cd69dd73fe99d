#!/usr/bin/env node
// Builds dist/: the ESM library, the IIFE script-tag bundle, the module worker,
// ONNX Runtime's wasm (served from the page's origin, never a CDN), the bundled
// model, and the Node CLI (tsc). One command, no network.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
const require = createRequire(import.meta.url);
rmSync(dist, { recursive: true, force: true });
mkdirSync(dist, { recursive: true });

// Resolve onnxruntime-web to its non-bundled build: the .mjs glue is then loaded
// from dist/ort/ by URL, and so are its pthread workers (no blob: URLs, CSP-safe).
const conditions = ['onnxruntime-web-use-extern-wasm', 'browser', 'module', 'import', 'default'];
const common = {
  root,
  configFile: false,
  logLevel: 'warn',
  publicDir: false,
  resolve: { conditions },
  build: { outDir: dist, emptyOutDir: false, sourcemap: true, target: 'es2022', minify: true, reportCompressedSize: false },
};

async function lib(entry, fileName, format, name) {
  await build({
    ...common,
    build: {
      ...common.build,
      lib: { entry: join(root, entry), formats: [format], fileName: () => fileName, ...(name ? { name } : {}) },
    },
  });
}

await lib('src/worker/worker.ts', 'carelayer.worker.js', 'es');
await lib('src/index.ts', 'carelayer.mjs', 'es');
await lib('src/embed/index.ts', 'carelayer.js', 'iife', 'carelayerEmbed');

// The exact ORT build transformers.js imports (onnxruntime-web/webgpu → asyncify).
const ortDist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.asyncify.wasm'));
mkdirSync(join(dist, 'ort'), { recursive: true });
for (const f of ['ort-wasm-simd-threaded.asyncify.wasm', 'ort-wasm-simd-threaded.asyncify.mjs']) cpSync(join(ortDist, f), join(dist, 'ort', f));

// Bundled model: the real one once it exists, else the tiny contract fixture.
const real = join(root, 'models', 'carelayer-v1');
const modelSrc = existsSync(join(real, 'manifest.json')) ? real : join(root, 'test', 'fixtures', 'tiny-model');
const manifest = JSON.parse(readFileSync(join(modelSrc, 'manifest.json'), 'utf8'));
mkdirSync(join(dist, 'model'), { recursive: true });
cpSync(join(modelSrc, 'manifest.json'), join(dist, 'model', 'manifest.json'));
for (const f of Object.keys(manifest.files)) if (existsSync(join(modelSrc, f))) cpSync(join(modelSrc, f), join(dist, 'model', f));
writeFileSync(join(dist, 'model', 'SOURCE'), `${manifest.name}@${manifest.version} from ${modelSrc.slice(root.length + 1)}\n`);

// Node: CLI and engine, compiled by tsc with declarations.
const tsc = join(dirname(require.resolve('typescript/package.json')), 'bin', 'tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit', cwd: root });

console.log(`built dist/ (model ${manifest.name}@${manifest.version})`);
