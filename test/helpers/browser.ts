import { existsSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page, type Request } from 'playwright-core';
import { startServer } from '../../scripts/serve.mjs';

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const HAVE_CHROMIUM = existsSync(CHROMIUM);

if (!HAVE_CHROMIUM) {
  const bar = '!'.repeat(78);
  console.warn(`\n${bar}\n!! BROWSER TESTS SKIPPED: no Chromium at ${CHROMIUM}.\n!! Install it with: apt-get install -y chromium   (.ci/run does this)\n${bar}\n`);
}

const BASE_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-default-apps', '--disable-extensions'];
/** WebGPU on SwiftShader: correctness only, never timings. */
export const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader', '--disable-vulkan-surface', '--use-angle=swiftshader'];

export interface Harness {
  browser: Browser;
  context: BrowserContext;
  page: Page;
  origin: string;
  /** Every request the page and its workers made. */
  requests: string[];
  consoleErrors: string[];
  close(): Promise<void>;
}

export async function openHarness(o: { webgpu?: boolean; isolated?: boolean; path: string }): Promise<Harness> {
  const server = await startServer({ isolated: o.isolated ?? false });
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...BASE_ARGS, ...(o.webgpu ? WEBGPU_ARGS : [])] });
  const context = await browser.newContext();
  const requests: string[] = [];
  const seen = new Set<string>();
  const record = (url: string): void => {
    if (!seen.has(url)) seen.add(url), requests.push(url);
  };
  const consoleErrors: string[] = [];
  const origin = new URL(server.url).origin;
  // Record at the context level (covers workers), and refuse anything off-origin so a leak fails loudly, not silently.
  await context.route('**/*', (route) => {
    const url = route.request().url();
    record(url);
    if (url.startsWith('data:') || url.startsWith('blob:') || new URL(url).origin === origin) return route.continue();
    return route.abort('blockedbyclient');
  });
  context.on('request', (r: Request) => record(r.url()));
  const page = await context.newPage();
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => consoleErrors.push(`pageerror ${e.name}`));
  await page.goto(server.url + o.path);
  return {
    browser,
    context,
    page,
    origin,
    requests,
    consoleErrors,
    close: async () => {
      await browser.close().catch(() => undefined);
      await server.close();
    },
  };
}
