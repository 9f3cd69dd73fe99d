import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { parseManifest } from '../../src/model/manifest.js';
import { cleanText, textHash, validateMessages } from '../../src/model/text.js';
import { createTokenizer } from '../../src/model/tokenize.js';
import { packWindows, selectWindow } from '../../src/model/window.js';
import { MODEL_DIR } from '../helpers/model.js';

const read = (f: string) => JSON.parse(readFileSync(join(MODEL_DIR, f), 'utf8'));
const manifest = parseManifest(read('manifest.json'));
const tok = createTokenizer(manifest, read(manifest.tokenizer.files[0]!), manifest.tokenizer.files[1] ? read(manifest.tokenizer.files[1]) : {});
const { maxTokens, emptyId } = manifest.tokenizer;

describe('tokenize', () => {
  test('ordinary text gives in-budget ids without special tokens', () => {
    const a = tok.encode('I want to die');
    expect(a.ids.length).toBeGreaterThan(0);
    expect(a.ids.length).toBeLessThanOrEqual(maxTokens);
    expect(a.truncated).toBe(false);
    expect(a.empty).toBe(false);
    expect(tok.encode('I want to die')).toEqual(a);
  });

  test.each(['', '   ', '\n\t  \u00a0'])('empty or whitespace %j is the single emptyId token', (t) => {
    expect(tok.encode(t)).toEqual({ ids: [emptyId], truncated: false, empty: true });
  });

  test('a 1 MB message is cut to the token budget and flagged', () => {
    const big = 'I feel so lonely lately and '.repeat(40_000);
    expect(big.length).toBeGreaterThan(1_000_000);
    const r = tok.encode(big);
    expect(r.ids).toHaveLength(maxTokens);
    expect(r.truncated).toBe(true);
  });

  test('lone surrogates, RTL and mixed scripts tokenize without throwing', () => {
    for (const t of ['\ud800 hello \udfff', 'abc\ud83d', 'مرحبا أريد أن أموت', 'שלום I feel hopeless 我需要帮助 助けて', '🙂🙂🙂', '\u202eevil\u202c']) {
      const r = tok.encode(t);
      expect(r.ids.length).toBeGreaterThan(0);
      expect(r.ids.every((i) => Number.isInteger(i) && i >= 0)).toBe(true);
    }
  });

  test('cleanText replaces lone surrogates and clips long input without splitting a pair', () => {
    expect(cleanText('a\ud800b', 10).text).toBe('a\ufffdb');
    const limit = 2 * 64;
    const s = 'x'.repeat(limit - 1) + '😀' + 'y';
    const c = cleanText(s, 2);
    expect(c.clipped).toBe(true);
    expect(c.text).toBe('x'.repeat(limit - 1));
  });

  test('textHash separates texts and is stable', () => {
    expect(textHash('abc')).toBe(textHash('abc'));
    expect(textHash('abc')).not.toBe(textHash('abd'));
    expect(textHash('')).not.toBe(textHash(' '));
  });
});

describe('validateMessages', () => {
  test.each([
    [null, 'messages'],
    ['text', 'messages'],
    [[{ role: 'system', text: 'x' }], 'role'],
    [[{ role: 'user' }], 'text'],
    [[{ role: 'user', text: 5 }], 'text'],
    [[{ role: 'user', text: 'x', id: {} }], 'id'],
    [[null], 'message'],
  ])('%j is invalid_input on %s', (m, field) => {
    expect(() => validateMessages(m)).toThrowError(expect.objectContaining({ code: 'invalid_input', detail: expect.objectContaining({ field }) }));
  });
  test('an empty list is empty_conversation', () => {
    expect(() => validateMessages([])).toThrowError(expect.objectContaining({ code: 'empty_conversation' }));
  });
});

describe('window', () => {
  test('keeps the newest maxWindow messages', () => {
    const w = manifest.heads.maxWindow;
    expect(selectWindow(3, manifest)).toEqual({ start: 0, length: Math.min(3, w) });
    expect(selectWindow(w + 5, manifest)).toEqual({ start: 5, length: w });
  });

  test('packs left-aligned with zero padding', () => {
    const dim = manifest.encoder.dim;
    const e = (v: number) => new Float32Array(dim).fill(v);
    const p = packWindows(manifest, [{ embeddings: [e(1), e(2)], roles: [0, 1] }]);
    expect(p.window).toBe(manifest.heads.maxWindow);
    expect(p.embeddings[0]).toBe(1);
    expect(p.embeddings[dim]).toBe(2);
    expect(p.embeddings[2 * dim]).toBe(0);
    expect(Array.from(p.mask.slice(0, 3))).toEqual([1, 1, 0]);
    expect(Array.from(p.roles.slice(0, 3))).toEqual([0n, 1n, 0n]);
  });
});
