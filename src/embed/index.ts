/**
 * Script-tag entry (IIFE): `<script src="/carelayer/carelayer.js" data-messages="#chat"
 * data-user=".msg.user" data-assistant=".msg.bot" defer></script>`.
 * Watches the widget's DOM, scores new messages in the worker and dispatches
 * `carelayer:assessment` / `carelayer:intervention` CustomEvents. Without
 * data-messages it only exposes `window.carelayer` for explicit `observe()` calls.
 */
import { CareLayer, type CareLayerOptions } from '../client/care-layer.js';
import type { CareSession, Observation } from '../client/session.js';
import { CareLayerError } from '../errors.js';
import { isLevel, rank, type Level } from '../policy/levels.js';
import type { Intervention } from '../policy/policy.js';
import type { Message, Role } from '../types.js';
import { Banner, DEFAULT_BANNER, type BannerOptions } from './banner.js';

const script = document.currentScript as HTMLScriptElement | null;
const BASE = script?.src || document.baseURI;
const data = script?.dataset ?? {};

export interface EmbedApi {
  layer: CareLayer;
  session: CareSession;
  /** Resolves when the model is loaded. */
  ready: Promise<void>;
  /** Score a message without DOM scraping. */
  observe(m: Message): Promise<Observation>;
  /** Start watching a container (done automatically with data-messages). */
  watch(container: Element, selectors: { user: string; assistant: string }): () => void;
  showBanner(level: Level): void;
  hideBanner(): void;
  configureBanner(o: Partial<BannerOptions> & { enabled?: boolean }): void;
  dispose(): Promise<void>;
  version: string;
}

function optionsFromDataset(): CareLayerOptions {
  const o: CareLayerOptions = {};
  if (data['model']) o.modelUrl = new URL(data['model'], document.baseURI);
  if (data['wasm']) o.wasmUrl = new URL(data['wasm'], document.baseURI);
  if (data['backend'] === 'wasm' || data['backend'] === 'webgpu' || data['backend'] === 'auto') o.backend = data['backend'];
  if (data['precision'] === 'fp32' || data['precision'] === 'int8') o.precision = data['precision'];
  if (data['debug'] === 'true') o.debug = true;
  return o;
}

const layer = new CareLayer(optionsFromDataset(), { base: BASE });
const session = layer.session();
let target: EventTarget = document;
let bannerOn = data['banner'] === 'true' || data['banner'] === '';
let bannerOpts: BannerOptions = {
  ...DEFAULT_BANNER,
  ...(data['bannerLevel'] && isLevel(data['bannerLevel']) ? { minLevel: data['bannerLevel'] } : {}),
  ...(data['resourcesUrl'] ? { linkUrl: data['resourcesUrl'] } : {}),
};
let banner = new Banner(bannerOpts);

function dispatch(type: string, detail: unknown, on: EventTarget = target): void {
  on.dispatchEvent(new CustomEvent(type, { detail, bubbles: true, composed: true }));
}

session.on('intervention', (iv: Intervention & { index: number }) => {
  dispatch('carelayer:intervention', iv);
  if (!bannerOn) return;
  if (rank(iv.level) >= rank(bannerOpts.minLevel)) banner.show(iv.level);
  else banner.hide();
});

async function observe(m: Message, el?: Element): Promise<Observation> {
  const obs = await session.observe(m);
  dispatch('carelayer:assessment', { ...obs, message: { role: m.role, id: m.id }, element: el ?? null }, el ?? target);
  return obs;
}

/** Settle time: streaming replies grow token by token; score once they stop changing. */
const SETTLE_MS = Number(data['settleMs'] ?? 400);

function watch(container: Element, sel: { user: string; assistant: string }): () => void {
  target = container;
  const seen = new WeakSet<Element>();
  const timers = new Map<Element, ReturnType<typeof setTimeout>>();
  let nextId = 0;
  // Messages are observed in DOM order even when their settle timers fire out of order.
  let chain: Promise<unknown> = Promise.resolve();

  const roleOf = (el: Element): Role | null => (el.matches(sel.user) ? 'user' : el.matches(sel.assistant) ? 'assistant' : null);
  const submit = (el: Element): void => {
    timers.delete(el);
    const role = roleOf(el);
    if (!role) return;
    const text = (el as HTMLElement).innerText ?? el.textContent ?? '';
    const id = (el as HTMLElement).dataset['id'] || el.id || `carelayer-${nextId++}`;
    chain = chain.then(() => observe({ role, text, id }, el).catch(() => undefined));
  };
  const schedule = (el: Element): void => {
    const t = timers.get(el);
    if (t !== undefined) clearTimeout(t);
    timers.set(el, setTimeout(() => submit(el), SETTLE_MS));
  };
  const consider = (node: Node): void => {
    if (!(node instanceof Element)) return;
    const found = [node, ...node.querySelectorAll(`${sel.user}, ${sel.assistant}`)].filter((e) => roleOf(e));
    for (const el of found) {
      if (seen.has(el)) continue;
      seen.add(el);
      schedule(el);
    }
  };
  for (const el of container.querySelectorAll(`${sel.user}, ${sel.assistant}`)) consider(el);
  const mo = new MutationObserver((records) => {
    for (const r of records) {
      for (const n of r.addedNodes) consider(n);
      // Text still streaming into a pending message: restart its settle timer.
      let el: Node | null = r.target;
      while (el && el !== container) {
        if (el instanceof Element && timers.has(el)) schedule(el);
        el = el.parentNode;
      }
    }
  });
  mo.observe(container, { childList: true, subtree: true, characterData: true });
  return () => {
    mo.disconnect();
    for (const t of timers.values()) clearTimeout(t);
    timers.clear();
  };
}

const api: EmbedApi = {
  layer,
  session,
  ready: layer.ready,
  observe: (m) => observe(m),
  watch,
  showBanner: (l) => banner.show(l),
  hideBanner: () => banner.hide(),
  configureBanner(o) {
    if (o.enabled !== undefined) bannerOn = o.enabled;
    const { enabled: _e, ...rest } = o;
    bannerOpts = { ...bannerOpts, ...rest };
    banner.hide();
    banner = new Banner(bannerOpts);
  },
  dispose: () => layer.dispose(),
  version: '0.1.0',
};

layer.ready.then(
  () => dispatch('carelayer:ready', { backend: layer.backend, modelVersion: layer.modelVersion }, document),
  (e: unknown) => dispatch('carelayer:error', { code: e instanceof CareLayerError ? e.code : 'load_failed' }, document),
);

function autoWatch(): void {
  const sel = data['messages'];
  if (!sel) return;
  const container = document.querySelector(sel);
  if (!container) {
    console.warn('[carelayer] data-messages matched no element');
    return;
  }
  watch(container, { user: data['user'] ?? '[data-role="user"]', assistant: data['assistant'] ?? '[data-role="assistant"]' });
}
if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', autoWatch, { once: true });
else autoWatch();

(window as unknown as { carelayer: EmbedApi }).carelayer = api;
