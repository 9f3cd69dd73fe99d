import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, test } from 'vitest';
import { main } from '../../src/cli/main.js';
import { MODEL_DIR, ROOT } from '../helpers/model.js';

const FIXTURE = join(ROOT, 'test', 'fixtures', 'conversations.jsonl');
const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8'));
const tmp = mkdtempSync(join(tmpdir(), 'carelayer-cli-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

async function cli(args: string[], stdin = ''): Promise<{ code: number; out: string; err: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  const code = await main([...args, '--model', MODEL_DIR], { stdin: Readable.from([stdin]), stdout, stderr });
  return { code, out, err };
}

const parseLines = (s: string) => s.trim().split('\n').map((l) => JSON.parse(l));

describe('carelayer score', () => {
  test('one output line per input line, every manifest category, errors as typed lines', async () => {
    const { code, out, err } = await cli(['score', FIXTURE]);
    expect(code).toBe(0);
    const lines = parseLines(out);
    expect(lines).toHaveLength(11);
    const byId = new Map(lines.map((l) => [l.id, l]));
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 7]) {
      const l = byId.get(id);
      expect(Object.keys(l.crisis)).toEqual(manifest.labels.crisis);
      expect(l.risk).toBeGreaterThanOrEqual(0);
      expect(l.risk).toBeLessThanOrEqual(1);
      expect(Number.isInteger(l.severity) && l.severity >= 0 && l.severity <= 4).toBe(true);
    }
    // reply_harm only when the last message is the assistant's
    expect(byId.get('c2').reply_harm).toBeNull();
    expect(byId.get('c2').reply).toBeNull();
    expect(typeof byId.get('c3').reply_harm).toBe('number');
    expect(Object.keys(byId.get('c3').reply)).toEqual(manifest.labels.reply);
    // target "user" drops the trailing assistant reply
    expect(byId.get('c5').reply_harm).toBeNull();
    expect(byId.get('c4').reply_harm).not.toBeNull();
    expect(byId.get('bad-role')).toMatchObject({ error: 'invalid_input', field: 'role', line: 7 });
    expect(byId.get('bad-text')).toMatchObject({ error: 'invalid_input', field: 'text' });
    expect(byId.get('bad-target')).toMatchObject({ error: 'invalid_input', field: 'target' });
    expect(lines.find((l) => l.line === 9)).toMatchObject({ id: null, error: 'invalid_input', field: 'json' });
    // a crisis statement outranks small talk; a harmful reply outranks a supportive one
    expect(byId.get('c2').risk).toBeGreaterThan(byId.get('c1').risk);
    expect(byId.get('c3').reply_harm).toBeGreaterThan(byId.get('c6').reply_harm);
    expect(err).toMatch(/scored 7, unreadable 4; levels: none \d+, watch \d+, check_in \d+, resources \d+, urgent \d+/);
    expect(err).not.toContain('want to die'); // never message text in logs
  });

  test('-o writes a file and --strict fails on unreadable lines', async () => {
    const o = join(tmp, 'out.jsonl');
    const { code, out } = await cli(['score', FIXTURE, '-o', o, '--strict', '--quiet']);
    expect(code).toBe(1);
    expect(out).toBe('');
    expect(parseLines(readFileSync(o, 'utf8'))).toHaveLength(11);
  });

  test('reads stdin with -', async () => {
    const { code, out } = await cli(['score', '-'], '{"id":"s","messages":[{"role":"user","text":"hello"}]}\n\n');
    expect(code).toBe(0);
    expect(parseLines(out)).toHaveLength(1);
  });

  test('same scores as batch size 1 (batching does not change results)', async () => {
    const a = parseLines((await cli(['score', FIXTURE, '--batch', '1', '-q'])).out);
    const b = parseLines((await cli(['score', FIXTURE, '--batch', '64', '-q'])).out);
    for (let i = 0; i < a.length; i++) if (!a[i].error) expect(a[i].risk).toBeCloseTo(b[i].risk, 5);
  });

  test('usage and missing files are errors with exit 2', async () => {
    expect((await cli([])).code).toBe(2);
    expect((await cli(['bogus', 'x'])).code).toBe(2);
    const missing = await cli(['score', join(tmp, 'missing.jsonl')]);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('load_failed');
  });
});

describe('carelayer audit', () => {
  test('prints rates per category and flagged conversations', async () => {
    const { code, out } = await cli(['audit', FIXTURE, '-q']);
    expect(code).toBe(0);
    for (const c of manifest.labels.crisis) expect(out).toContain(c);
    expect(out).toContain('conversations: 7   unreadable lines: 4');
    expect(out).toMatch(/flagged conversations: \d+/);
  });

  test('--json report; score output is accepted as audit input', async () => {
    const scored = join(tmp, 'scored.jsonl');
    await cli(['score', FIXTURE, '-o', scored, '-q']);
    const a = JSON.parse((await cli(['audit', FIXTURE, '--json', '-q'])).out);
    const b = JSON.parse((await cli(['audit', scored, '--json', '-q'])).out);
    expect(Object.keys(a.crisisRates)).toEqual(manifest.labels.crisis);
    expect(a.conversations).toBe(7);
    expect(b.conversations).toBe(7);
    expect(b.crisisRates).toEqual(a.crisisRates);
    expect(b.flaggedTotal).toBe(a.flaggedTotal);
    expect(a.flagged.map((f: { id: unknown }) => f.id)).toContain('c3');
  });
});

const BIN = join(ROOT, 'bin', 'carelayer.js');
const BUILT = existsSync(join(ROOT, 'dist', 'node', 'cli', 'main.js'));
describe.skipIf(!BUILT)('bin/carelayer.js (built)', () => {
  test('npx carelayer score runs the compiled CLI', () => {
    const r = spawnSync(process.execPath, [BIN, 'score', FIXTURE, '--model', MODEL_DIR], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split('\n')).toHaveLength(11);
    expect(r.stderr).toContain('scored 7');
  });
});
if (!BUILT) console.warn('[carelayer tests] dist/node not built: skipping the compiled-CLI test (npm test builds first)');
