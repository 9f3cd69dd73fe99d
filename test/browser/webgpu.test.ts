import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HAVE_CHROMIUM, openHarness, type Harness } from '../helpers/browser.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const navigator: any;

const CONVS = [
  [{ role: 'user', text: 'I want to die' }],
  [{ role: 'user', text: 'the weather is nice today' }],
  [{ role: 'user', text: 'I want to die' }, { role: 'assistant', text: 'The tallest bridges are listed here' }],
  [{ role: 'user', text: 'I feel hopeless' }, { role: 'assistant', text: 'ok' }, { role: 'user', text: 'nobody cares about me' }],
  [{ role: 'user', text: 'مرحبا 我需要帮助 I have the pills ready' }],
];

// WebGPU here is SwiftShader (software): it checks correctness, never speed.
describe.skipIf(!HAVE_CHROMIUM)('WebGPU (SwiftShader) vs WASM in Chromium', () => {
  let h: Harness;
  let hasAdapter = false;

  beforeAll(async () => {
    h = await openHarness({ path: '/test/browser/pages/lib.html', webgpu: true });
    await h.page.waitForFunction(() => window.libReady === true);
    hasAdapter = await h.page.evaluate(async () => !!(navigator.gpu && (await navigator.gpu.requestAdapter())));
    if (!hasAdapter) console.warn('!! no WebGPU adapter in this Chromium: WebGPU parity cannot be checked here');
  });
  afterAll(async () => {
    await h?.close();
  });

  test('auto picks WebGPU when an adapter exists and reports it', async () => {
    const b = await h.page.evaluate(async () => {
      const c = await window.lib.createCareLayer({ backend: 'auto' });
      const b = c.backend;
      await c.dispose();
      return b;
    });
    if (hasAdapter) {
      expect(b.name).toBe('webgpu');
      expect(b.adapter).toBeDefined();
      expect(typeof b.adapter.vendor).toBe('string');
    } else expect(b).toMatchObject({ name: 'wasm', fallbackReason: expect.stringMatching(/no_webgpu|no_adapter/) });
  });

  test('WASM and WebGPU give the same scores within tolerance', async () => {
    expect(hasAdapter).toBe(true);
    const r = await h.page.evaluate(async (convs) => {
      const w = await window.lib.createCareLayer({ backend: 'wasm' });
      const g = await window.lib.createCareLayer({ backend: 'webgpu' });
      const out = [];
      for (const c of convs) out.push([await w.assess(c), await g.assess(c)]);
      const names = [w.backend.name, g.backend.name];
      await w.dispose();
      await g.dispose();
      return { out, names };
    }, CONVS);
    expect(r.names).toEqual(['wasm', 'webgpu']);
    for (const [w, g] of r.out) {
      expect(g.backend).toBe('webgpu');
      expect(Math.abs(w.risk - g.risk)).toBeLessThan(1e-2);
      for (const k of Object.keys(w.crisis)) expect(Math.abs(w.crisis[k] - g.crisis[k])).toBeLessThan(1e-2);
      for (let i = 0; i < w.severityProbs.length; i++) expect(Math.abs(w.severityProbs[i] - g.severityProbs[i])).toBeLessThan(1e-2);
      expect(w.reply === null).toBe(g.reply === null);
      if (w.reply) expect(Math.abs(w.reply.harm - g.reply.harm)).toBeLessThan(1e-2);
      for (let i = 0; i < w.evidence.length; i++) expect(Math.abs(w.evidence[i].weight - g.evidence[i].weight)).toBeLessThan(1e-2);
    }
  });

  test('a lost WebGPU device falls back to WASM without losing the session', async () => {
    expect(hasAdapter).toBe(true);
    const r = await h.page.evaluate(async () => {
      const c = await window.lib.createCareLayer({ backend: 'webgpu', debug: true });
      const before = c.backend.name;
      const s = c.session();
      await s.observe({ role: 'user', text: 'I need help now' });
      const changes: any[] = [];
      c.on('backend', (b: any) => changes.push(b));
      await c.debug('lose-device');
      await new Promise((res) => setTimeout(res, 50));
      const after = await s.observe({ role: 'user', text: 'still talking' });
      const out = { before, after: c.backend, level: s.level, assessment: after.assessment && after.assessment.backend, changes };
      await c.dispose();
      return out;
    });
    expect(r.before).toBe('webgpu');
    expect(r.after).toMatchObject({ name: 'wasm', fallbackReason: 'device_lost' });
    expect(r.assessment).toBe('wasm');
    expect(r.level).toBe('urgent');
    expect(r.changes.at(-1)).toMatchObject({ name: 'wasm' });
  });

  test('no request left the page origin', () => {
    const off = h.requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== h.origin);
    expect(off).toEqual([]);
  });
});

describe.skipIf(!HAVE_CHROMIUM)('cross-origin isolated page', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({ path: '/test/browser/pages/lib.html', isolated: true });
    await h.page.waitForFunction(() => window.libReady === true);
  });
  afterAll(async () => {
    await h?.close();
  });

  test('WASM runs multi-threaded and says so', async () => {
    const r = await h.page.evaluate(async () => {
      const c = await window.lib.createCareLayer({ backend: 'wasm', threads: 2 });
      const a = await c.assess([{ role: 'user', text: 'I want to die' }]);
      const b = c.backend;
      await c.dispose();
      return { b, risk: a.risk, isolated: window.crossOriginIsolated };
    });
    expect(r.isolated).toBe(true);
    expect(r.b).toMatchObject({ name: 'wasm', threads: 2, crossOriginIsolated: true });
    expect(r.risk).toBeGreaterThanOrEqual(0);
  });
});
