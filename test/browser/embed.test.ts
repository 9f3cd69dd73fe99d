import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HAVE_CHROMIUM, openHarness, type Harness } from '../helpers/browser.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;

describe.skipIf(!HAVE_CHROMIUM)('script tag on a sample widget under a strict CSP', () => {
  let h: Harness;
  const events = () => h.page.evaluate(() => window.events as any[]);

  beforeAll(async () => {
    h = await openHarness({ path: '/test/browser/pages/widget.csp.html' });
    await h.page.waitForFunction(() => window.ready !== null, undefined, { timeout: 180_000 });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('loads under the CSP, reports ready, and exposes window.carelayer', async () => {
    const r = await h.page.evaluate(() => ({ ready: window.ready, api: typeof window.carelayer?.observe, csp: document.contentType }));
    expect(r.ready.error).toBeUndefined();
    expect(r.ready.backend.name).toBe('wasm');
    expect(r.api).toBe('function');
  });

  test('messages already in the widget are scored in order', async () => {
    await h.page.waitForFunction(() => window.events.filter((e: any) => e.type === 'carelayer:assessment').length >= 2);
    const ev = (await events()).filter((e) => e.type === 'carelayer:assessment');
    expect(ev.slice(0, 2).map((e) => [e.role, e.id])).toEqual([['user', 'pre-1'], ['assistant', 'pre-2']]);
    expect(ev[0].fromElement).toBe(true);
    expect(typeof ev[0].risk).toBe('number');
  });

  test('a new user message fires carelayer:assessment', async () => {
    const id = await h.page.evaluate(() => window.addMessage('user', 'I had a stressful day at work'));
    await h.page.waitForFunction((i) => window.events.some((e: any) => e.type === 'carelayer:assessment' && e.id === i), id);
    const ev = (await events()).find((e) => e.id === id);
    expect(ev).toMatchObject({ role: 'user', type: 'carelayer:assessment' });
  });

  test('a streamed reply is scored once, after it settles', async () => {
    const id = await h.page.evaluate(() => window.streamMessage('That sounds really hard, I am here with you and I want to listen'));
    await h.page.waitForFunction((i) => window.events.some((e: any) => e.id === i), id);
    await h.page.evaluate(() => new Promise((r) => setTimeout(r, 300)));
    expect((await events()).filter((e) => e.id === id)).toHaveLength(1);
  });

  test('a help request fires carelayer:intervention at urgent and shows an accessible banner', async () => {
    // Start from `none` so the result does not depend on what the model made of earlier turns.
    const mark = await h.page.evaluate(() => {
      window.carelayer.session.reset();
      window.carelayer.hideBanner();
      window.addMessage('user', '助けて、今すぐ助けが必要');
      return window.events.length;
    });
    await h.page.waitForFunction((m) => window.events.slice(m).some((e: any) => e.type === 'carelayer:intervention'), mark);
    const iv = (await events()).slice(mark).find((e) => e.type === 'carelayer:intervention');
    expect(iv.level).toBe('urgent');
    expect(iv.reasons).toEqual(['help_request']);
    const banner = h.page.locator('section.carelayer-banner');
    await banner.waitFor();
    expect(await banner.getAttribute('role')).toBe('alert');
    expect(await banner.getAttribute('data-level')).toBe('urgent');
    expect(await h.page.locator('#carelayer-banner-title').textContent()).toBeTruthy();
    expect(await banner.locator('a').getAttribute('href')).toBe('/help');
    await banner.getByRole('button').click();
    expect(await banner.count()).toBe(0);
  });

  test('window.carelayer.observe scores without DOM scraping', async () => {
    const r = await h.page.evaluate(async () => {
      const o = await window.carelayer.observe({ role: 'user', text: 'thanks, that was helpful', id: 'api-1' });
      return { level: o.intervention.level, risk: o.assessment.risk, index: o.index };
    });
    expect(typeof r.risk).toBe('number');
    expect(r.level).toBe('urgent'); // hysteresis: one calm turn does not undo urgent
    expect(r.index).toBe(1); // the session was reset before the help request
  });

  test('no CSP violation, no console error, no request off the origin', async () => {
    expect(await h.page.evaluate(() => window.violations)).toEqual([]);
    expect(h.consoleErrors).toEqual([]);
    const off = h.requests.filter((u) => !u.startsWith('data:') && new URL(u).origin !== h.origin);
    expect(off).toEqual([]);
    expect(h.requests.some((u) => u.startsWith('blob:'))).toBe(false);
  });
});

describe.skipIf(!HAVE_CHROMIUM)('script tag with the banner off (default)', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({ path: '/test/browser/pages/widget-plain.csp.html' });
    await h.page.waitForFunction(() => window.ready !== null, undefined, { timeout: 180_000 });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('interventions are dispatched but no banner is shown', async () => {
    await h.page.evaluate(() => window.addMessage('user', 'I need help now'));
    await h.page.waitForFunction(() => window.events.some((e: any) => e.type === 'carelayer:intervention'));
    const iv = (await h.page.evaluate(() => window.events)).find((e: any) => e.type === 'carelayer:intervention');
    expect(iv.level).toBe('urgent');
    expect(await h.page.locator('section.carelayer-banner').count()).toBe(0);
  });
});
