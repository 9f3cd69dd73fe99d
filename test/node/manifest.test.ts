import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { CareLayerError } from '../../src/errors.js';
import { graphFiles, parseManifest } from '../../src/model/manifest.js';
import { MODEL_DIR, TINY_MODEL_DIR } from '../helpers/model.js';

const raw = (dir: string) => JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Record<string, any>;

function codeOf(fn: () => unknown): { code: string; field?: unknown } {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CareLayerError);
    return { code: (e as CareLayerError).code, field: (e as CareLayerError).detail?.['field'] };
  }
  throw new Error('expected a CareLayerError');
}

describe('manifest', () => {
  test('the model under test satisfies contract 1', () => {
    const m = parseManifest(raw(MODEL_DIR));
    expect(m.contract).toBe(1);
    expect(m.heads.outputs).toEqual(['crisis', 'risk', 'severity', 'reply_harm', 'reply', 'distortion', 'evidence']);
    expect(m.labels.severity).toHaveLength(5);
    expect(Object.keys(m.thresholds.crisis)).toEqual(m.labels.crisis);
    for (const f of [...m.tokenizer.files, m.encoder.file, m.heads.file]) expect(m.files[f]?.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  test('fp32 graphs are chosen by precision', () => {
    const m = parseManifest(raw(TINY_MODEL_DIR));
    expect(graphFiles(m, 'int8')).toEqual({ encoder: 'encoder.onnx', heads: 'heads.onnx' });
    expect(graphFiles(m, 'fp32')).toEqual({ encoder: 'encoder.fp32.onnx', heads: 'heads.fp32.onnx' });
  });

  test('a wrong contract version is refused', () => {
    expect(codeOf(() => parseManifest({ ...raw(TINY_MODEL_DIR), contract: 2 }))).toEqual({ code: 'manifest_invalid', field: 'contract' });
  });

  test.each([
    ['labels', (m: any) => delete m.labels, 'labels'],
    ['duplicate labels', (m: any) => (m.labels.crisis = ['a', 'a']), 'labels.crisis'],
    ['heads outputs', (m: any) => (m.heads.outputs = ['crisis']), 'heads.outputs'],
    ['threshold out of range', (m: any) => (m.thresholds.risk = 2), 'thresholds.risk'],
    ['file hash', (m: any) => (m.files['encoder.onnx'].sha256 = 'nope'), 'files.encoder.onnx.sha256'],
    ['missing file entry', (m: any) => delete m.files['heads.onnx'], 'files.heads.onnx'],
    ['maxTokens', (m: any) => (m.tokenizer.maxTokens = 0), 'tokenizer.maxTokens'],
  ])('invalid %s names its field', (_n, mutate, field) => {
    const m = raw(TINY_MODEL_DIR);
    mutate(m);
    expect(codeOf(() => parseManifest(m))).toEqual({ code: 'manifest_invalid', field });
  });

  test('non-objects are refused', () => {
    expect(codeOf(() => parseManifest(null)).code).toBe('manifest_invalid');
    expect(codeOf(() => parseManifest([])).code).toBe('manifest_invalid');
  });
});
