import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { CareLayerError } from '../../src/errors.js';
import type { Engine } from '../../src/model/engine.js';
import { loadEngine } from '../../src/node/index.js';
import type { Assessment, Message } from '../../src/types.js';
import { MODEL_DIR } from '../helpers/model.js';

let engine: Engine;
beforeAll(async () => {
  engine = await loadEngine({ modelDir: MODEL_DIR });
});
afterAll(async () => {
  await engine?.dispose();
});

const u = (text: string, id?: string): Message => (id ? { role: 'user', text, id } : { role: 'user', text });
const a = (text: string): Message => ({ role: 'assistant', text });

function expectWellFormed(x: Assessment, n: number): void {
  const m = engine.manifest;
  expect(Object.keys(x.crisis)).toEqual(m.labels.crisis);
  for (const p of [...Object.values(x.crisis), x.risk, ...x.severityProbs]) expect(p).toBeGreaterThanOrEqual(0), expect(p).toBeLessThanOrEqual(1);
  expect(x.severityProbs).toHaveLength(m.labels.severity.length);
  expect(x.severityProbs.reduce((s, p) => s + p, 0)).toBeCloseTo(1, 3);
  expect(x.severityLabel).toBe(m.labels.severity[x.severity]);
  expect(x.modelVersion).toBe(`${m.name}@${m.version}`);
  expect(x.backend).toBe('node');
  expect(x.window.length).toBe(Math.min(n, m.heads.maxWindow));
  expect(x.evidence).toHaveLength(x.window.length);
  expect(x.evidence.reduce((s, e) => s + e.weight, 0)).toBeCloseTo(1, 3);
  for (const e of x.evidence) expect(e.index).toBeGreaterThanOrEqual(x.window.start), expect(e.index).toBeLessThan(n);
  expect(x.latencyMs).toBeGreaterThanOrEqual(0);
}

describe('engine (node)', () => {
  test('assesses a user message with every manifest label', async () => {
    const x = await engine.assess([u('I want to die')]);
    expectWellFormed(x, 1);
    expect(x.reply).toBeNull();
    expect(x.flagged.every((l) => engine.manifest.labels.crisis.includes(l))).toBe(true);
  });

  test('judges the reply when the last message is the assistant', async () => {
    const x = await engine.assess([u('I want to die'), a('The tallest bridges are listed here')]);
    expectWellFormed(x, 2);
    expect(x.reply).not.toBeNull();
    expect(x.reply!.index).toBe(1);
    expect(Object.keys(x.reply!.heads)).toEqual(engine.manifest.labels.reply);
    expect(Object.keys(x.reply!.distortion)).toEqual(engine.manifest.labels.distortion);
    for (const d of Object.values(x.reply!.distortion)) expect(d.probs).toHaveLength(4), expect(d.level).toBeGreaterThanOrEqual(0);
  });

  test('a crisis statement scores above small talk', async () => {
    const crisis = await engine.assess([u('I want to die')]);
    const benign = await engine.assess([u('the weather is nice today')]);
    expect(crisis.risk).toBeGreaterThan(benign.risk);
    expect(crisis.severity).toBeGreaterThan(benign.severity);
  });

  test('a harmful reply scores above a supportive one', async () => {
    const bad = await engine.assess([u('I want to die'), a('The tallest bridges are listed here')]);
    const good = await engine.assess([u('I want to die'), a('I am sorry you feel this way. Are you safe right now?')]);
    expect(bad.reply!.harm).toBeGreaterThan(good.reply!.harm);
  });

  test('re-scoring a window after one new message costs one encoder pass', async () => {
    engine.clearCache();
    const conv: Message[] = [u('hello there', 'm1'), a('hi, how are you?'), u('not great honestly', 'm3')];
    await engine.assess(conv);
    const before = engine.stats().encoderMessages;
    await engine.assess([...conv, a('I am sorry to hear that. Do you want to talk about it?')]);
    expect(engine.stats().encoderMessages - before).toBe(1);
  });

  test('an edited message with the same id is re-encoded', async () => {
    await engine.assess([u('first text', 'edit-1')]);
    const before = engine.stats().encoderMessages;
    await engine.assess([u('first text', 'edit-1')]);
    expect(engine.stats().encoderMessages).toBe(before);
    await engine.assess([u('edited text', 'edit-1')]);
    expect(engine.stats().encoderMessages).toBe(before + 1);
  });

  test('long conversations use the newest maxWindow messages', async () => {
    const w = engine.manifest.heads.maxWindow;
    const conv: Message[] = Array.from({ length: w + 7 }, (_, i) => (i % 2 ? a(`reply ${i}`) : u(`message ${i}`)));
    const x = await engine.assess(conv);
    expectWellFormed(x, conv.length);
    expect(x.window).toEqual({ start: 7, length: w });
    // Only the window matters: the same window alone gives the same scores.
    const y = await engine.assess(conv.slice(7));
    expect(y.risk).toBeCloseTo(x.risk, 5);
  });

  test('assessMany equals one-by-one assess', async () => {
    const convs: Message[][] = [[u('I cut myself again')], [u('what is a good pasta recipe'), a('here is a pasta recipe')], [u('I feel hopeless'), a('ok'), u('nobody cares about me')]];
    const many = await engine.assessMany(convs);
    for (let i = 0; i < convs.length; i++) {
      const one = await engine.assess(convs[i]!);
      expect(many[i]!.risk).toBeCloseTo(one.risk, 5);
      expect(many[i]!.severityProbs[0]).toBeCloseTo(one.severityProbs[0]!, 5);
    }
  });

  test('int8 and fp32 graphs agree within tolerance', async () => {
    const fp32 = await loadEngine({ modelDir: MODEL_DIR, precision: 'fp32' });
    try {
      for (const conv of [[u('I want to die')], [u('the weather is nice today')], [u('I want to die'), a('The tallest bridges are listed here')]]) {
        const [x, y] = [await engine.assess(conv), await fp32.assess(conv)];
        expect(Math.abs(x.risk - y.risk)).toBeLessThan(0.15);
        if (x.reply && y.reply) expect(Math.abs(x.reply.harm - y.reply.harm)).toBeLessThan(0.15);
      }
    } finally {
      await fp32.dispose();
    }
  });
});

describe('engine bad input and faults', () => {
  test('empty, whitespace, RTL, mixed-script and surrogate texts give defined assessments', async () => {
    const texts = ['', '   ', '\t\n', 'مرحبا، أشعر باليأس', 'שלום עולם', 'I feel 我需要帮助 today 助けて', '\ud800\udc00\ud800', '🙂'.repeat(50)];
    for (const t of texts) expectWellFormed(await engine.assess([u(t)]), 1);
  });

  test('a 1 MB message is truncated and flagged', async () => {
    const x = await engine.assess([u('hello'), u('I feel so lonely lately. '.repeat(45_000))]);
    expect(x.truncated).toEqual([1]);
    expectWellFormed(x, 2);
  });

  test.each([
    ['wrong role', [{ role: 'system', text: 'x' }], 'invalid_input'],
    ['non-string text', [{ role: 'user', text: { toString: (): string => 'x' } }], 'invalid_input'],
    ['not an array', 'I want to die', 'invalid_input'],
    ['no messages', [], 'empty_conversation'],
  ])('%s is a typed rejection', async (_n, input, code) => {
    await expect(engine.assess(input as never)).rejects.toMatchObject({ name: 'CareLayerError', code });
  });

  test('1,000 overlapping assess calls all resolve, in input order', async () => {
    const texts = Array.from({ length: 1000 }, (_, i) => `message number ${i % 37} I feel ${i % 3 ? 'fine' : 'hopeless'}`);
    const results = await Promise.all(texts.map((t) => engine.assess([u(t)])));
    expect(results).toHaveLength(1000);
    const direct = await engine.assess([u(texts[999]!)]);
    expect(results[999]!.risk).toBeCloseTo(direct.risk, 6);
  });

  test('a bad call between good ones does not break the queue', async () => {
    const [ok1, bad, ok2] = await Promise.allSettled([engine.assess([u('hi')]), engine.assess([{ role: 'x', text: 'y' } as never]), engine.assess([u('hi again')])]);
    expect(ok1.status).toBe('fulfilled');
    expect(bad.status).toBe('rejected');
    expect(ok2.status).toBe('fulfilled');
  });

  test('dispose twice is fine and later calls reject with disposed', async () => {
    const e = await loadEngine({ modelDir: MODEL_DIR });
    const pending = e.assess([u('hello')]);
    await e.dispose();
    await e.dispose();
    await expect(pending).resolves.toMatchObject({ backend: 'node' });
    await expect(e.assess([u('hello')])).rejects.toBeInstanceOf(CareLayerError);
    await expect(e.assess([u('hello')])).rejects.toMatchObject({ code: 'disposed' });
  });

  test('a model directory with a tampered file fails integrity', async () => {
    const { mkdtemp, cp, writeFile, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = await mkdtemp(join(tmpdir(), 'carelayer-'));
    try {
      await cp(MODEL_DIR, dir, { recursive: true });
      const m = engine.manifest;
      await writeFile(join(dir, m.heads.file), new Uint8Array([1, 2, 3]));
      await expect(loadEngine({ modelDir: dir })).rejects.toMatchObject({ code: 'integrity', detail: { file: m.heads.file } });
      await expect(loadEngine({ modelDir: join(dir, 'nope') })).rejects.toMatchObject({ code: 'load_failed' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
