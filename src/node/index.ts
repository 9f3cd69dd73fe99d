import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CareLayerError } from '../errors.js';
import { Engine } from '../model/engine.js';
import { graphFiles, parseManifest, type Manifest, type Precision } from '../model/manifest.js';
import { createTokenizer } from '../model/tokenize.js';
import { nodeOrt } from './ort-node.js';

export { Engine } from '../model/engine.js';
export type { Manifest, Precision } from '../model/manifest.js';

export interface NodeEngineOptions {
  /** A model directory following docs/model-contract.md. Default: {@link defaultModelDir}. */
  modelDir?: string;
  precision?: Precision;
  cacheSize?: number;
  threads?: number;
  /** Check every file against the manifest's sha256 (default true). */
  verify?: boolean;
}

/** Package root, found from this file whether it runs from src/ (tests) or dist/node/ (CLI). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return dir;
}

/** The real model when it is present, else the tiny contract fixture the tests generate. */
export function defaultModelDir(): { dir: string; isFixture: boolean } {
  const root = packageRoot();
  const real = join(root, 'models', 'carelayer-v1');
  if (existsSync(join(real, 'manifest.json'))) return { dir: real, isFixture: false };
  return { dir: join(root, 'test', 'fixtures', 'tiny-model'), isFixture: true };
}

async function readVerified(dir: string, name: string, manifest: Manifest, verify: boolean): Promise<Uint8Array> {
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, name));
  } catch {
    throw new CareLayerError('load_failed', { file: name });
  }
  const want = manifest.files[name]?.sha256;
  if (verify && want) {
    const got = createHash('sha256').update(bytes).digest('hex');
    if (got !== want) throw new CareLayerError('integrity', { file: name });
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

export async function loadManifest(dir: string): Promise<Manifest> {
  let text: string;
  try {
    text = await readFile(join(dir, 'manifest.json'), 'utf8');
  } catch {
    throw new CareLayerError('load_failed', { file: 'manifest.json' });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new CareLayerError('manifest_invalid', { field: 'json' });
  }
  return parseManifest(raw);
}

/** Loads a model directory into an Engine on onnxruntime-node. */
export async function loadEngine(opts: NodeEngineOptions = {}): Promise<Engine> {
  const dir = resolve(opts.modelDir ?? defaultModelDir().dir);
  const verify = opts.verify ?? true;
  const manifest = await loadManifest(dir);
  const [tokFile, cfgFile] = manifest.tokenizer.files;
  const decoder = new TextDecoder();
  const json = async (name: string | undefined): Promise<unknown> => {
    if (!name) return {};
    try {
      return JSON.parse(decoder.decode(await readVerified(dir, name, manifest, verify)));
    } catch (e) {
      if (e instanceof CareLayerError) throw e;
      throw new CareLayerError('model_mismatch', { file: name });
    }
  };
  const tokenizer = createTokenizer(manifest, await json(tokFile), await json(cfgFile));
  const g = graphFiles(manifest, opts.precision ?? 'int8');
  return Engine.create({
    manifest,
    tokenizer,
    ort: nodeOrt(opts.threads ? { threads: opts.threads } : {}),
    encoderBytes: await readVerified(dir, g.encoder, manifest, verify),
    headsBytes: await readVerified(dir, g.heads, manifest, verify),
    backend: 'node',
    ...(opts.cacheSize !== undefined ? { cacheSize: opts.cacheSize } : {}),
  });
}
