import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const REAL_MODEL_DIR = join(ROOT, 'models', 'carelayer-v1');
export const TINY_MODEL_DIR = join(ROOT, 'test', 'fixtures', 'tiny-model');

/** Tests run on the real model as soon as its manifest lands; until then on the tiny contract fixture. */
export const USING_REAL_MODEL = existsSync(join(REAL_MODEL_DIR, 'manifest.json'));
export const MODEL_DIR = USING_REAL_MODEL ? REAL_MODEL_DIR : TINY_MODEL_DIR;

if (!USING_REAL_MODEL) console.warn('[carelayer tests] models/carelayer-v1 not present: testing against test/fixtures/tiny-model');
