import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { buildBaseline } from '../../bench/build-baseline.mjs';
import { HAVE_CHROMIUM, openHarness, type Harness } from '../helpers/browser.js';
import { MODEL_DIR } from '../helpers/model.js';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;

const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8'));
const LENGTHS = [1, 4, 8, 16];
// Quick mode: one conversation of each length.
const QUICK_MESSAGES = LENGTHS.reduce((a, b) => a + b, 0);

function checkStats(s: any, n?: number): void {
  for (const k of ['p50', 'p95', 'p99']) expect(Number.isFinite(s[k]) && s[k] > 0, `${k}=${s[k]}`).toBe(true);
  expect(s.p50).toBeLessThanOrEqual(s.p95);
  expect(s.p95).toBeLessThanOrEqual(s.p99);
  if (n !== undefined) expect(s.n).toBe(n);
}

// Shapes and agreement only: timings are never asserted (shared, noisy machines).
describe.skipIf(!HAVE_CHROMIUM)('benchmark page in Chromium (WASM threads, 1 thread, TF.js baseline)', () => {
  let h: Harness;
  let r: any;

  beforeAll(async () => {
    await buildBaseline({ quiet: true });
    h = await openHarness({ isolated: true, path: '/demo/bench.html?auto=1&quick=1&runs=1&backends=wasm-threads,wasm-1&baseline=1' });
    await h.page.waitForFunction(() => document.body.dataset.done, null, { timeout: 230_000, polling: 500 });
    r = await h.page.evaluate(() => window.benchResults ?? { error: window.benchError });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('reports the machine and the workload', () => {
    expect(r.error).toBeUndefined();
    expect(r.machine.cores).toBeGreaterThan(0);
    expect(r.machine.crossOriginIsolated).toBe(true);
    expect(r.workload).toMatchObject({ conversations: 4, messages: QUICK_MESSAGES, lengths: LENGTHS });
    expect(r.workload.words.min).toBeGreaterThanOrEqual(5);
    expect(r.workload.words.max).toBeLessThanOrEqual(120);
  });

  test('measures both WASM configurations with every figure the issue asks for', () => {
    const [threads, single] = r.backends;
    expect(threads).toMatchObject({ key: 'wasm-threads', available: true, modelVersion: `${manifest.name}@${manifest.version}` });
    expect(threads.backend).toMatchObject({ name: 'wasm', crossOriginIsolated: true });
    expect(threads.backend.threads).toBeGreaterThan(1);
    expect(single).toMatchObject({ key: 'wasm-1', available: true });
    expect(single.backend.threads).toBe(1);
    for (const b of [threads, single]) {
      // The cold start downloaded the model and runtime; runs start from the Cache API.
      expect(b.coldStart.downloadedBytes).toBeGreaterThan(manifest.files[manifest.encoder.file].bytes);
      expect(b.runs[0].warmStart.downloadedBytes).toBe(0);
      expect(b.runs[0].warmStart.cachedBytes).toBeGreaterThan(0);
      for (const k of ['downloadMs', 'workerStartMs', 'sessionStartMs', 'warmStartMs', 'firstInferenceMs', 'messagesPerSecond']) expect(b.median[k], k).toBeGreaterThan(0);
      checkStats(b.runs[0].incremental, QUICK_MESSAGES);
      for (const n of LENGTHS) checkStats(b.runs[0].cold[n], 1);
      expect(b.median.peakMemoryBytes).toBeGreaterThan(0);
      expect(b.profile.messagingMs).toBeGreaterThan(0);
    }
  });

  test('threaded and single-threaded WASM agree, and the page says so', async () => {
    expect(r.parity).toHaveLength(1);
    expect(r.parity[0].values).toBeGreaterThan(0);
    expect(r.parity[0].agree).toBe(true);
    expect(await h.page.textContent('#parity')).toMatch(/agree/);
  });

  test('the TF.js USE-lite baseline ran on the same messages and a ratio is reported', async () => {
    expect(r.baseline).toMatchObject({ available: true, backend: 'wasm' });
    checkStats(r.baseline.runs[0].perMessage, QUICK_MESSAGES);
    checkStats(r.baseline.runs[0].window16, 1);
    expect(r.comparison.map((c: any) => c.key)).toEqual(['wasm-threads', 'wasm-1']);
    for (const c of r.comparison) expect(Number.isFinite(c.ratio) && c.ratio > 0).toBe(true);
    expect(await h.page.textContent('#comparison')).toMatch(/faster per message than TF\.js USE-lite|TF\.js USE-lite/);
  });

  test('the results table is rendered and Export JSON downloads the same results', async () => {
    const rows = await h.page.$$eval('#results tbody tr:not(.group)', (trs: any[]) => trs.length);
    expect(rows).toBeGreaterThanOrEqual(15);
    const [download] = await Promise.all([h.page.waitForEvent('download'), h.page.click('#export')]);
    expect(download.suggestedFilename()).toMatch(/^carelayer-bench-\d{4}-\d{2}-\d{2}\.json$/);
    const path = await download.path();
    const exported = JSON.parse(readFileSync(path, 'utf8'));
    expect(exported.backends.map((b: any) => b.key)).toEqual(['wasm-threads', 'wasm-1']);
    expect(exported.started).toBe(r.started);
  });

  test('every request stayed on the page origin', () => {
    const off = h.requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== h.origin);
    expect(off).toEqual([]);
    expect(h.requests.some((u) => u.endsWith('/bench/.build/use-lite/model.json'))).toBe(true);
    expect(h.consoleErrors).toEqual([]);
  });
});

describe.skipIf(!HAVE_CHROMIUM)('benchmark page with WebGPU (SwiftShader: agreement only)', () => {
  let h: Harness;
  afterAll(async () => {
    await h?.close();
  });

  test('WebGPU and WASM outputs agree, and the page says so', async () => {
    // SwiftShader runs WebGPU on the CPU: two short conversations are enough for agreement.
    h = await openHarness({ webgpu: true, path: '/demo/bench.html?auto=1&quick=1&lengths=1,4&runs=1&backends=webgpu,wasm-1&baseline=0' });
    await h.page.waitForFunction(() => document.body.dataset.done, null, { timeout: 230_000, polling: 500 });
    const r = await h.page.evaluate(() => window.benchResults);
    const gpu = r.backends.find((b: any) => b.key === 'webgpu');
    expect(gpu.available, gpu.reason).toBe(true);
    expect(gpu.backend.name).toBe('webgpu');
    expect(r.machine.webgpu).not.toBeNull();
    expect(r.parity).toHaveLength(1);
    expect(r.parity[0].agree).toBe(true);
    expect(await h.page.textContent('#parity')).toMatch(/WebGPU vs WASM, 1 thread: max abs diff .* agree/);
  });
});
