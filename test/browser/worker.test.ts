import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Engine } from '../../src/model/engine.js';
import { loadEngine } from '../../src/node/index.js';
import { HAVE_CHROMIUM, openHarness, type Harness } from '../helpers/browser.js';
import { MODEL_DIR } from '../helpers/model.js';

// Browser globals inside page.evaluate are untyped on purpose: the page is another runtime.
/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;

const CONVS = [
  [{ role: 'user', text: 'I want to die' }],
  [{ role: 'user', text: 'the weather is nice today' }],
  [{ role: 'user', text: 'I want to die' }, { role: 'assistant', text: 'The tallest bridges are listed here' }],
  [{ role: 'user', text: 'I feel hopeless' }, { role: 'assistant', text: 'ok' }, { role: 'user', text: 'nobody cares about me' }],
];

describe.skipIf(!HAVE_CHROMIUM)('worker engine in Chromium (WASM)', () => {
  let h: Harness;
  let node: Engine;

  beforeAll(async () => {
    node = await loadEngine({ modelDir: MODEL_DIR });
    h = await openHarness({ path: '/test/browser/pages/lib.html' });
    await h.page.waitForFunction(() => window.libReady === true);
    await h.page.evaluate(async () => {
      window.progress = [];
      window.care = await window.lib.createCareLayer({ backend: 'wasm', debug: true, watchdogMs: 2000, onProgress: (p: any) => window.progress.push(p) });
    });
  });
  afterAll(async () => {
    await h?.page.evaluate(() => window.care?.dispose()).catch(() => undefined);
    await h?.close();
    await node?.dispose();
  });

  test('loads the bundled model from the page origin and reports the backend', async () => {
    const r = await h.page.evaluate(() => ({ backend: window.care.backend, version: window.care.modelVersion, phases: window.progress.map((p: any) => p.phase) }));
    expect(r.backend).toMatchObject({ name: 'wasm', threads: 1, crossOriginIsolated: false });
    expect(r.version).toBe(`${node.manifest.name}@${node.manifest.version}`);
    expect(r.phases).toContain('manifest');
    expect(r.phases).toContain('download');
    expect(r.phases.at(-1)).toBe('ready');
  });

  test('scores match the Node engine (same pre/post-processing, other ORT binding)', async () => {
    const browser = await h.page.evaluate((convs) => Promise.all(convs.map((c: any) => window.care.assess(c))), CONVS);
    for (let i = 0; i < CONVS.length; i++) {
      const n = await node.assess(CONVS[i] as never);
      const b = browser[i];
      expect(b.backend).toBe('wasm');
      expect(Object.keys(b.crisis)).toEqual(node.manifest.labels.crisis);
      // onnxruntime-node and -web differ in kernels (and versions): agree to 1e-2, not bit for bit.
      expect(Math.abs(b.risk - n.risk)).toBeLessThan(1e-2);
      for (const c of node.manifest.labels.crisis) expect(Math.abs(b.crisis[c] - n.crisis[c]!)).toBeLessThan(1e-2);
      expect(b.severity).toBe(n.severity);
      expect(b.reply === null).toBe(n.reply === null);
      if (n.reply) expect(Math.abs(b.reply.harm - n.reply.harm)).toBeLessThan(1e-2);
      expect(b.evidence.map((e: any) => e.index)).toEqual(n.evidence.map((e) => e.index));
    }
  });

  test('typed errors cross the worker boundary; bad input never hangs', async () => {
    const codes = await h.page.evaluate(async () => {
      const tries = [[{ role: 'system', text: 'x' }], [{ role: 'user', text: 42 }], [], 'nope', [{ role: 'user', text: 'x', id: { a: 1 } }]];
      return Promise.all(tries.map((t) => window.care.assess(t).then(() => 'resolved', (e: any) => `${e.name}:${e.code}`)));
    });
    expect(codes).toEqual(['CareLayerError:invalid_input', 'CareLayerError:invalid_input', 'CareLayerError:empty_conversation', 'CareLayerError:invalid_input', 'CareLayerError:invalid_input']);
  });

  test('empty, 1 MB, RTL, mixed-script and lone-surrogate messages give defined results', async () => {
    const r = await h.page.evaluate(async () => {
      const texts = ['', '   ', 'مرحبا، أشعر باليأس', 'שלום I feel 我需要帮助 助けて', '\ud800 lone', 'I feel so lonely lately. '.repeat(45000)];
      const out = [];
      for (const t of texts) {
        const a = await window.care.assess([{ role: 'user', text: t }]);
        out.push({ risk: a.risk, truncated: a.truncated });
      }
      return out;
    });
    for (const x of r) expect(x.risk).toBeGreaterThanOrEqual(0), expect(x.risk).toBeLessThanOrEqual(1);
    expect(r.at(-1)!.truncated).toEqual([0]);
  });

  test('1,000 overlapping assess calls all resolve', async () => {
    const n = await h.page.evaluate(async () => {
      const calls = Array.from({ length: 1000 }, (_, i) => window.care.assess([{ role: 'user', text: `message ${i % 50}` }]));
      const res = await Promise.all(calls);
      return res.filter((a: any) => typeof a.risk === 'number').length;
    });
    expect(n).toBe(1000);
  });

  test('re-scoring after a new message costs one encoder pass', async () => {
    const d = await h.page.evaluate(async () => {
      const conv = [{ role: 'user', text: 'cache test one', id: 'k1' }, { role: 'assistant', text: 'cache test two', id: 'k2' }];
      await window.care.assess(conv);
      const before = (await window.care.stats()).encoderMessages;
      await window.care.assess([...conv, { role: 'user', text: 'cache test three', id: 'k3' }]);
      return (await window.care.stats()).encoderMessages - before;
    });
    expect(d).toBe(1);
  });

  test('a session escalates on a help request before the model and emits intervention events', async () => {
    const r = await h.page.evaluate(async () => {
      const s = window.care.session();
      const events: any[] = [];
      s.on('intervention', (i: any) => events.push(i));
      const a = await s.observe({ role: 'user', text: 'hello' });
      const b = await s.observe({ role: 'user', text: 'necesito ayuda ahora' });
      return { a: a.intervention.level, b: b.intervention, hasAssessment: b.assessment !== null, events };
    });
    expect(r.b).toMatchObject({ level: 'urgent', changed: true, reasons: ['help_request'] });
    expect(r.hasAssessment).toBe(true);
    expect(r.events.at(-1)).toMatchObject({ level: 'urgent', index: 1 });
  });

  test('10,000-turn session stays bounded and defined', async () => {
    const r = await h.page.evaluate(async () => {
      const s = window.care.session();
      let last: any;
      const N = 10000;
      const jobs = [];
      for (let i = 0; i < N; i++) jobs.push(s.observe({ role: i % 2 ? 'assistant' : 'user', text: `turn ${i % 20}` }));
      const all = await Promise.all(jobs);
      last = all.at(-1);
      return { index: last.index, level: last.intervention.level, turn: last.intervention.turn, window: last.assessment.window };
    });
    expect(r.index).toBe(9999);
    expect(r.turn).toBe(5000);
    expect(typeof r.level).toBe('string');
    expect(r.window.start + r.window.length).toBe(10000);
  });

  test('a crashed worker restarts and the session keeps its state', async () => {
    const r = await h.page.evaluate(async () => {
      const s = window.care.session();
      await s.observe({ role: 'user', text: 'I need help now' });
      const restarted = new Promise((res) => window.care.on('restart', res));
      await window.care.debug('crash');
      const during = s.observe({ role: 'user', text: 'still here' });
      await restarted;
      const after = await during;
      const again = await window.care.assess([{ role: 'user', text: 'after the crash' }]);
      return { level: s.level, afterLevel: after.intervention.level, assessed: after.assessment !== null, again: typeof again.risk };
    });
    expect(r.level).toBe('urgent');
    expect(r.afterLevel).toBe('urgent');
    expect(r.assessed).toBe(true);
    expect(r.again).toBe('number');
  });

  test('a worker that silently exits is detected by the watchdog and replaced', async () => {
    const r = await h.page.evaluate(async () => {
      await window.care.debug('exit');
      const a = await window.care.assess([{ role: 'user', text: 'are you there?' }]);
      return typeof a.risk;
    });
    expect(r).toBe('number');
  });

  test('the Cache API serves the second load: no model or wasm download', async () => {
    const before = h.requests.length;
    const r = await h.page.evaluate(async () => {
      const progress: any[] = [];
      const care2 = await window.lib.createCareLayer({ backend: 'wasm', onProgress: (p: any) => progress.push(p) });
      const a = await care2.assess([{ role: 'user', text: 'hello' }]);
      await care2.dispose();
      return { progress, risk: a.risk };
    });
    const files = r.progress.filter((p: any) => p.phase === 'cache' || p.phase === 'download');
    expect(files.length).toBeGreaterThanOrEqual(5);
    expect(files.every((p: any) => p.fromCache === true)).toBe(true);
    const fetched = h.requests.slice(before);
    expect(fetched.filter((u) => /\.(onnx|wasm)$/.test(new URL(u).pathname))).toEqual([]);
  });

  test('dispose twice resolves; later calls reject with disposed', async () => {
    const r = await h.page.evaluate(async () => {
      const c = await window.lib.createCareLayer({ backend: 'wasm' });
      const s = c.session();
      await c.dispose();
      await c.dispose();
      const e1 = await c.assess([{ role: 'user', text: 'x' }]).then(() => 'resolved', (e: any) => e.code);
      const e2 = await s.observe({ role: 'user', text: 'x' }).then(() => 'resolved', (e: any) => e.code);
      let e3 = 'none';
      try {
        c.session();
      } catch (e: any) {
        e3 = e.code;
      }
      return [e1, e2, e3];
    });
    expect(r).toEqual(['disposed', 'disposed', 'disposed']);
  });

  test('a missing model is a typed load error, not a hang', async () => {
    const code = await h.page.evaluate(() => window.lib.createCareLayer({ modelUrl: '/nowhere/', backend: 'wasm' }).then(() => 'resolved', (e: any) => e.code));
    expect(code).toBe('load_failed');
  });

  test('a model URL on another origin is refused without a request', async () => {
    const code = await h.page.evaluate(() => window.lib.createCareLayer({ modelUrl: 'https://cdn.example.com/m/', backend: 'wasm' }).then(() => 'resolved', (e: any) => e.code));
    expect(code).toBe('cross_origin');
  });

  // Runs last: checks everything the suite above caused.
  test('every network request stayed on the page origin', () => {
    expect(h.requests.length).toBeGreaterThan(5);
    const off = h.requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== h.origin);
    expect(off).toEqual([]);
  });
});
