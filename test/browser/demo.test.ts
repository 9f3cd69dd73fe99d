import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HAVE_CHROMIUM, openHarness, type Harness } from '../helpers/browser.js';
import { MODEL_DIR, ROOT, USING_REAL_MODEL } from '../helpers/model.js';

/* eslint-disable @typescript-eslint/no-explicit-any */
declare const window: any;
declare const document: any;

const LEVELS = ['none', 'watch', 'check_in', 'resources', 'urgent'];
const manifest = JSON.parse(readFileSync(join(MODEL_DIR, 'manifest.json'), 'utf8'));
const SHOTS = join(ROOT, 'test-results');

async function playScript(h: Harness, id: string): Promise<void> {
  const p = h.page;
  // Keyboard only: pick the script, then press Play.
  await p.focus('#script');
  await p.selectOption('#script', id);
  await p.focus('#play');
  await p.keyboard.press('Enter');
  await p.waitForFunction(() => document.body.dataset.playing === 'done' && !document.querySelector('.msg.pending'), null, { timeout: 180_000 });
}

async function levelNotes(h: Harness): Promise<string[]> {
  return h.page.$$eval('#messages .level-note', (els: any[]) => els.map((e) => e.dataset.level));
}

describe.skipIf(!HAVE_CHROMIUM)('demo page in Chromium', () => {
  let h: Harness;
  let requestsAtReady = 0;

  beforeAll(async () => {
    h = await openHarness({ path: '/?delay=0&backend=wasm' });
    await h.page.setViewportSize({ width: 1400, height: 1000 });
    await h.page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 180_000 });
    requestsAtReady = h.requests.length;
  });
  afterAll(async () => {
    await h?.close();
  });

  test('shows the backend, the model and one bar per manifest crisis label', async () => {
    const engine = await h.page.evaluate(() => ({
      backend: document.getElementById('engine-backend').textContent,
      model: document.getElementById('engine-model').textContent,
      ladder: [...document.querySelectorAll('#ladder li')].map((li: any) => li.dataset.level),
    }));
    expect(engine.backend).toMatch(/^WASM · 1 thread/);
    expect(engine.model).toBe(`${manifest.name}@${manifest.version}`);
    expect(engine.ladder).toEqual(LEVELS);
  });

  test('the build-up script climbs the ladder to urgent and raises the banner', async () => {
    await playScript(h, 'buildup');
    const r = await h.page.evaluate(() => {
      const banner = document.getElementById('intervention-banner');
      return {
        scored: Number(document.body.dataset.scored),
        messages: document.querySelectorAll('#messages .msg').length,
        level: document.getElementById('level-badge').dataset.level,
        bodyLevel: document.body.dataset.level,
        current: document.querySelector('#ladder li[aria-current="step"]').dataset.level,
        bannerHidden: banner.hidden,
        bannerLevel: banner.dataset.level,
        bannerRole: banner.getAttribute('role'),
        bannerTitle: banner.querySelector('h3')?.textContent,
        live: document.getElementById('level-live').textContent,
        why: document.getElementById('level-why').textContent,
        categories: [...document.querySelectorAll('#categories li .name')].map((e: any) => e.title),
        evidence: [...document.querySelectorAll('#evidence li .w')].map((e: any) => Number.parseInt(e.textContent, 10)),
        risks: document.getElementById('trend').querySelectorAll('circle').length,
        demoLevel: window.demo.level,
      };
    });
    expect(r.messages).toBe(11);
    expect(r.scored).toBe(11);
    expect(r.level).toBe('urgent');
    expect(r.bodyLevel).toBe('urgent');
    expect(r.demoLevel).toBe('urgent');
    expect(r.current).toBe('urgent');
    expect(r.bannerHidden).toBe(false);
    expect(r.bannerLevel).toBe('urgent');
    expect(r.bannerRole).toBe('alert');
    expect(r.bannerTitle).toBeTruthy();
    expect(r.live).toMatch(/Urgent/);
    expect(r.why).toMatch(/Urgent/);
    expect(r.categories).toEqual(manifest.labels.crisis);
    expect(r.evidence.length).toBeGreaterThan(0);
    for (const w of r.evidence) expect(w).toBeGreaterThanOrEqual(0), expect(w).toBeLessThanOrEqual(100);
    expect(r.risks).toBe(6); // one point per person turn
    // The ladder only rises in a build-up: every level change shown in the chat goes up, ending at urgent.
    const notes = await levelNotes(h);
    expect(notes.length).toBeGreaterThan(0);
    expect(notes.at(-1)).toBe('urgent');
    for (let i = 1; i < notes.length; i++) expect(LEVELS.indexOf(notes[i]!)).toBeGreaterThan(LEVELS.indexOf(notes[i - 1]!));
    mkdirSync(SHOTS, { recursive: true });
    await h.page.screenshot({ path: join(SHOTS, 'demo-buildup.png'), fullPage: true });
  });

  test('the banner can be dismissed from the keyboard and focus returns to the composer', async () => {
    await h.page.focus('#intervention-banner button:last-of-type');
    await h.page.keyboard.press('Enter');
    const r = await h.page.evaluate(() => ({ hidden: document.getElementById('intervention-banner').hidden, focus: document.activeElement?.id }));
    expect(r).toEqual({ hidden: true, focus: 'composer-text' });
  });

  test('typing as the assistant gets a reply judgment with every manifest reply head', async () => {
    await h.page.click('#reset');
    await h.page.fill('#composer-text', 'I feel like nobody would care if I was gone');
    await h.page.keyboard.press('Enter');
    await h.page.check('input[name="role"][value="assistant"]');
    await h.page.fill('#composer-text', 'I am here with you. Would you like to talk about what has been happening?');
    await h.page.keyboard.press('Enter');
    await h.page.waitForFunction(() => Number(document.body.dataset.scored) === 2, null, { timeout: 60_000 });
    const r = await h.page.evaluate(() => ({
      roles: [...document.querySelectorAll('#messages .msg')].map((e: any) => e.dataset.role),
      verdict: document.querySelector('#reply .verdict')?.textContent,
      heads: [...document.querySelectorAll('#reply .bars li .name')].map((e: any) => e.title),
    }));
    expect(r.roles).toEqual(['user', 'assistant']);
    expect(['Appropriate', 'Harmful or inappropriate']).toContain(r.verdict);
    expect(r.heads).toEqual([...manifest.labels.reply, ...manifest.labels.distortion]);
  });

  test.skipIf(!USING_REAL_MODEL)('the false-alarm look-alike stays below the resources banner', async () => {
    await h.page.click('#reset');
    await playScript(h, 'false-alarm');
    const level = await h.page.evaluate(() => window.demo.level);
    expect(LEVELS.indexOf(level)).toBeLessThan(LEVELS.indexOf('resources'));
    const banner = await h.page.evaluate(() => document.getElementById('intervention-banner').dataset.level ?? null);
    expect(banner === null || banner === 'check_in').toBe(true);
  });

  test.skipIf(!USING_REAL_MODEL)('the delusion script gets at least one assistant reply judged harmful', async () => {
    await h.page.click('#reset');
    await playScript(h, 'delusion');
    const tags = await h.page.$$eval('#messages .msg.assistant .tag', (els: any[]) => els.length);
    expect(tags).toBeGreaterThan(0);
  });

  test('nothing left the page: no request during the conversations, every request same-origin, the log says so', async () => {
    const after = h.requests.slice(requestsAtReady);
    expect(after).toEqual([]);
    const off = h.requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== h.origin);
    expect(off).toEqual([]);
    const shown = await h.page.evaluate(() => ({ text: document.getElementById('requests-summary').textContent, off: document.getElementById('requests-summary').dataset.off, n: document.querySelectorAll('#requests li').length }));
    expect(shown.off).toBe('0');
    expect(shown.text).toMatch(/all to this origin · 0 since the model loaded/);
    // The page's log lists the model files the worker loaded.
    const logged = await h.page.$$eval('#requests li', (els: any[]) => els.map((e) => e.textContent));
    for (const f of [manifest.encoder.file, manifest.heads.file]) expect(logged.some((l: string) => l.includes(`/carelayer/model/${f}`))).toBe(true);
    expect(h.consoleErrors).toEqual([]);
  });
});

describe.skipIf(!HAVE_CHROMIUM)('drop-in page (one <script> tag) in Chromium', () => {
  let h: Harness;
  beforeAll(async () => {
    h = await openHarness({ path: '/demo/dropin.html' });
    await h.page.waitForFunction(() => document.getElementById('embed-status').textContent.startsWith('ready'), null, { timeout: 180_000 });
  });
  afterAll(async () => {
    await h?.close();
  });

  test('the embed watches the plain widget and shows its banner on a help request', async () => {
    const snippet = await h.page.textContent('#snippet');
    expect(snippet?.replace(/\s+/g, ' ')).toContain('<script src="/carelayer/carelayer.js" data-messages="#chat-log"');
    await h.page.fill('#widget-input', 'I need help now');
    await h.page.keyboard.press('Enter');
    await h.page.waitForSelector('.carelayer-banner[data-level="urgent"]', { timeout: 60_000 });
    const r = await h.page.evaluate(() => ({
      role: document.querySelector('.carelayer-banner').getAttribute('role'),
      level: document.body.dataset.level,
      events: [...document.querySelectorAll('#embed-events li')].map((e: any) => e.textContent),
    }));
    expect(r.role).toBe('alert');
    expect(r.level).toBe('urgent');
    expect(r.events.some((e: string) => e.startsWith('carelayer:ready'))).toBe(true);
    expect(r.events.some((e: string) => /carelayer:intervention none → urgent \(help_request\)/.test(e))).toBe(true);
    mkdirSync(SHOTS, { recursive: true });
    await h.page.screenshot({ path: join(SHOTS, 'demo-dropin.png'), fullPage: true });
    const off = h.requests.filter((u) => !u.startsWith('data:') && !u.startsWith('blob:') && new URL(u).origin !== h.origin);
    expect(off).toEqual([]);
    expect(h.consoleErrors).toEqual([]);
  });
});
