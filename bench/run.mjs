#!/usr/bin/env node
// `npm run bench`: the benchmark workload in headless Chromium (WASM threaded and single
// thread, plus WebGPU-on-SwiftShader for output parity only), in Node (the CLI's path), and
// the TF.js USE-lite baseline on the same messages in the same browser. Prints a table and
// writes bench/results/<date>.json.
//   node bench/run.mjs [--runs N] [--quick] [--no-webgpu] [--no-baseline] [--out FILE]
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { buildBaseline } from './build-baseline.mjs';
import { LENGTHS, allMessages, describeWorkload, makeWorkload, maxAbsDiff, median, runWorkload, summarize } from './workload.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const { values: argv } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    quick: { type: 'boolean', default: false },
    'no-webgpu': { type: 'boolean', default: false },
    'no-baseline': { type: 'boolean', default: false },
    out: { type: 'string' },
    chromium: { type: 'string', default: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
  },
});
const RUNS = Math.max(1, Math.min(15, Number(argv.runs) || 5));
const TARGETS = { incrementalP50: 10, incrementalP95: 25, cold16: 120, warmStartMs: 1500, speedup: 3 };
const BASE_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic', '--disable-default-apps', '--disable-extensions'];
const WEBGPU_ARGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-webgpu-adapter=swiftshader', '--disable-vulkan-surface', '--use-angle=swiftshader'];
const log = (s) => process.stderr.write(`bench: ${s}\n`);

if (!existsSync(join(root, 'dist', 'carelayer.mjs')) || !existsSync(join(root, 'dist', 'node', 'node', 'index.js'))) {
  console.error('dist/ is missing: run `npm run build` first (npm run bench does)');
  process.exit(2);
}

// ---- Chromium -----------------------------------------------------------------------------
async function inChromium(server, query, extraArgs, timeoutMs) {
  const { chromium } = await import('playwright-core');
  const browser = await chromium.launch({ executablePath: argv.chromium, headless: true, args: [...BASE_ARGS, ...extraArgs] });
  try {
    const context = await browser.newContext();
    const origin = new URL(server.url).origin;
    const offOrigin = [];
    await context.route('**/*', (route) => {
      const url = route.request().url();
      if (url.startsWith('data:') || url.startsWith('blob:') || new URL(url).origin === origin) return route.continue();
      offOrigin.push(url);
      return route.abort('blockedbyclient');
    });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    let lastStatus = '';
    const poll = setInterval(async () => {
      const s = await page.locator('#status').textContent().catch(() => '');
      if (s && s !== lastStatus) log(`  ${(lastStatus = s)}`);
    }, 2000);
    await page.goto(`${server.url}/demo/bench.html?${query}`);
    try {
      await page.waitForFunction(() => document.body.dataset.done, null, { timeout: timeoutMs, polling: 500 });
    } finally {
      clearInterval(poll);
    }
    const r = await page.evaluate(() => ({ results: window.benchResults ?? null, error: window.benchError ?? null }));
    if (!r.results) throw new Error(`bench page failed: ${r.error ?? errors.join('; ')}`);
    r.results.offOriginRequests = offOrigin;
    return r.results;
  } finally {
    await browser.close();
  }
}

// ---- Node (the CLI's engine) --------------------------------------------------------------
async function inNode(workload) {
  const lib = await import(pathToFileURL(join(root, 'dist', 'node', 'node', 'index.js')).href);
  const { createTokenizer } = await import(pathToFileURL(join(root, 'dist', 'node', 'model', 'tokenize.js')).href);
  const { dir } = lib.defaultModelDir();
  const t0 = performance.now();
  const engine = await lib.loadEngine({ modelDir: dir });
  const loadMs = performance.now() - t0;
  const m = engine.manifest;
  const tokJson = JSON.parse(readFileSync(join(dir, m.tokenizer.files[0]), 'utf8'));
  const cfgJson = m.tokenizer.files[1] ? JSON.parse(readFileSync(join(dir, m.tokenizer.files[1]), 'utf8')) : {};
  const tok = createTokenizer(m, tokJson, cfgJson);
  const texts = allMessages(workload).map((x) => x.text);
  const tokTimes = [];
  for (let rep = 0; rep < 3; rep++)
    for (const t of texts) {
      const s = performance.now();
      tok.encode(t);
      tokTimes.push(performance.now() - s);
    }
  const s = performance.now();
  await engine.assess([{ role: 'user', text: 'first message' }]);
  const firstInferenceMs = performance.now() - s;
  const runs = [];
  let outputs = null;
  let peakRss = process.memoryUsage().rss;
  for (let r = 0; r < RUNS; r++) {
    const w = await runWorkload((msgs) => engine.assess(msgs), workload, { tag: `node-${r}`, coldReps: argv.quick ? 1 : 3 });
    outputs ??= w.outputs;
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
    const { outputs: _o, ...stats } = w;
    runs.push(stats);
  }
  await engine.dispose();
  const M = (p) => median(runs.map((r) => p.split('.').reduce((o, k) => o?.[k], r)));
  const med = {
    loadMs,
    firstInferenceMs,
    incremental: { p50: M('incremental.p50'), p95: M('incremental.p95'), p99: M('incremental.p99') },
    cold: Object.fromEntries(LENGTHS.map((n) => [n, { p50: M(`cold.${n}.p50`), p95: M(`cold.${n}.p95`), p99: M(`cold.${n}.p99`) }])),
    cachedWindowP50: M('cachedWindow.p50'),
    messagesPerSecond: M('throughput.messagesPerSecond'),
    peakRssBytes: peakRss,
    tokenizeP50: summarize(tokTimes).p50,
  };
  return {
    modelVersion: `${m.name}@${m.version}`,
    runs,
    median: med,
    profile: {
      tokenizeMs: med.tokenizeP50,
      headsMs: med.cachedWindowP50,
      encodeMs: med.incremental.p50 != null ? Math.max(0, med.incremental.p50 - med.cachedWindowP50 - med.tokenizeP50) : null,
    },
    outputs,
  };
}

// ---- report -------------------------------------------------------------------------------
const f = (v, d = 1) => (v == null ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(d));
function table(rows, head) {
  const all = [head, ...rows];
  const w = head.map((_, i) => Math.max(...all.map((r) => String(r[i]).length)));
  const line = (r) => r.map((c, i) => (i === 0 ? String(c).padEnd(w[i]) : String(c).padStart(w[i]))).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...rows.map(line)].join('\n');
}

function verdicts(res) {
  const out = [];
  const check = (name, v, target, unit = 'ms') => {
    if (v == null) return out.push({ name, value: null, target, met: null });
    out.push({ name, value: v, target, met: v <= target, by: v - target, unit });
  };
  for (const b of res.chromium?.backends?.filter((x) => x.available && x.backend.name === 'wasm') ?? []) {
    check(`${b.label}: incremental p50`, b.median.incremental.p50, TARGETS.incrementalP50);
    check(`${b.label}: incremental p95`, b.median.incremental.p95, TARGETS.incrementalP95);
    check(`${b.label}: cold 16-message window p50`, b.median.cold[16].p50, TARGETS.cold16);
    check(`${b.label}: worker start + model from cache`, b.median.warmStartMs, TARGETS.warmStartMs);
    const c = res.chromium.comparison.find((x) => x.key === b.key);
    if (c) out.push({ name: `${b.label}: speed-up vs TF.js USE-lite per message`, value: c.ratio, target: TARGETS.speedup, met: c.ratio >= TARGETS.speedup, by: c.ratio - TARGETS.speedup, unit: '×' });
  }
  return out;
}

async function main() {
  const workloadAll = makeWorkload();
  const workload = argv.quick ? LENGTHS.map((n) => workloadAll.find((c) => c.messages.length === n)) : workloadAll;
  const started = new Date();
  const res = {
    tool: 'npm run bench',
    started: started.toISOString(),
    runs: RUNS,
    quick: argv.quick,
    machine: { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGB: +(os.totalmem() / 2 ** 30).toFixed(1), platform: `${os.platform()} ${os.release()}`, node: process.version, loadavg: os.loadavg() },
    workload: describeWorkload(workload),
    targets: TARGETS,
  };
  if (!argv['no-baseline']) await buildBaseline({ quiet: true });
  const { startServer } = await import(pathToFileURL(join(root, 'scripts', 'serve.mjs')).href);
  const server = await startServer({ isolated: true });
  try {
    log(`Chromium (WASM threads + single thread${argv['no-baseline'] ? '' : ' + TF.js USE-lite'}), ${RUNS} runs…`);
    const q = new URLSearchParams({ auto: '1', backends: 'wasm-threads,wasm-1', runs: String(RUNS), baseline: argv['no-baseline'] ? '0' : '1', ...(argv.quick ? { quick: '1' } : {}) });
    res.chromium = await inChromium(server, q.toString(), ['--enable-blink-features=ForceEagerMeasureMemory'], 45 * 60_000);
    if (!argv['no-webgpu']) {
      log('Chromium WebGPU on SwiftShader (output parity only; its timings are not meaningful)…');
      const qg = new URLSearchParams({ auto: '1', backends: 'webgpu,wasm-1', runs: '1', baseline: '0', quick: '1' });
      try {
        const g = await inChromium(server, qg.toString(), WEBGPU_ARGS, 20 * 60_000);
        const gpu = g.backends.find((b) => b.key === 'webgpu');
        res.webgpu = { available: !!gpu?.available, reason: gpu?.reason ?? null, adapter: g.machine.webgpu, backend: gpu?.backend ?? null, parity: g.parity, note: 'SwiftShader (CPU) WebGPU: correctness only' };
      } catch (e) {
        res.webgpu = { available: false, reason: String(e?.message ?? e) };
      }
    }
  } finally {
    await server.close();
  }
  log(`Node (onnxruntime-node, the CLI's engine), ${RUNS} runs…`);
  res.node = await inNode(workload);
  const wasm1 = res.chromium.backends.find((b) => b.key === 'wasm-1' && b.available);
  if (wasm1) res.node.parityWithChromiumWasm = maxAbsDiff(res.node.outputs, wasm1.outputs);
  for (const b of res.chromium.backends) delete b.outputs;
  delete res.node.outputs;
  res.verdicts = verdicts(res);
  res.finished = new Date().toISOString();

  // ---- print ----
  const cb = res.chromium.backends.filter((b) => b.available);
  const bl = res.chromium.baseline?.available ? res.chromium.baseline : null;
  const head = ['median of runs, ms', ...cb.map((b) => `Chromium ${b.label}${b.backend.threads > 1 ? ` (${b.backend.threads})` : ''}`), 'Node (CLI)', ...(bl ? ['TF.js USE-lite'] : [])];
  const n = res.node.median;
  const rows = [
    ['download + cache (cold)', ...cb.map((b) => f(b.median.downloadMs)), '–', ...(bl ? ['–'] : [])],
    ['worker start', ...cb.map((b) => f(b.median.workerStartMs)), '–', ...(bl ? ['–'] : [])],
    ['session start', ...cb.map((b) => f(b.median.sessionStartMs)), '–', ...(bl ? ['–'] : [])],
    [`start from cache (≤ ${TARGETS.warmStartMs})`, ...cb.map((b) => f(b.median.warmStartMs)), f(n.loadMs), ...(bl ? [f(bl.startup.totalMs)] : [])],
    ['first inference', ...cb.map((b) => f(b.median.firstInferenceMs)), f(n.firstInferenceMs), ...(bl ? [f(bl.startup.firstInferenceMs)] : [])],
    [`new message p50 (≤ ${TARGETS.incrementalP50})`, ...cb.map((b) => f(b.median.incremental.p50)), f(n.incremental.p50), ...(bl ? [f(bl.median.perMessage.p50)] : [])],
    [`new message p95 (≤ ${TARGETS.incrementalP95})`, ...cb.map((b) => f(b.median.incremental.p95)), f(n.incremental.p95), ...(bl ? [f(bl.median.perMessage.p95)] : [])],
    ['new message p99', ...cb.map((b) => f(b.median.incremental.p99)), f(n.incremental.p99), ...(bl ? [f(bl.median.perMessage.p99)] : [])],
    [`cold 16-msg window p50 (≤ ${TARGETS.cold16})`, ...cb.map((b) => f(b.median.cold[16].p50)), f(n.cold[16].p50), ...(bl ? [f(bl.median.window16.p50)] : [])],
    ['cold 16-msg window p95', ...cb.map((b) => f(b.median.cold[16].p95)), f(n.cold[16].p95), ...(bl ? [f(bl.median.window16.p95)] : [])],
    ['cold 16-msg window p99', ...cb.map((b) => f(b.median.cold[16].p99)), f(n.cold[16].p99), ...(bl ? [f(bl.median.window16.p99)] : [])],
    ['cold 8 / 4 / 1-msg p50', ...cb.map((b) => `${f(b.median.cold[8].p50)} / ${f(b.median.cold[4].p50)} / ${f(b.median.cold[1].p50)}`), `${f(n.cold[8].p50)} / ${f(n.cold[4].p50)} / ${f(n.cold[1].p50)}`, ...(bl ? ['–'] : [])],
    ['cached window (heads+msg) p50', ...cb.map((b) => f(b.median.cachedWindowP50, 2)), f(n.cachedWindowP50, 2), ...(bl ? ['–'] : [])],
    ['worker round trip p50', ...cb.map((b) => f(b.median.roundTripP50, 2)), '–', ...(bl ? ['–'] : [])],
    ['throughput (messages/s)', ...cb.map((b) => f(b.median.messagesPerSecond, 0)), f(n.messagesPerSecond, 0), ...(bl ? [f(bl.median.messagesPerSecond, 0)] : [])],
    // "page" = the browser only exposed the page's JS heap (the worker is not in it).
    ['peak memory (MB)', ...cb.map((b) => (b.median.peakMemoryBytes ? f(b.median.peakMemoryBytes / 2 ** 20, 0) + (b.memorySource?.startsWith('performance.memory') ? ' page' : '') : '–')), f(n.peakRssBytes / 2 ** 20, 0) + ' rss', ...(bl ? ['–'] : [])],
  ];
  const m = res.machine;
  console.log(`\ncarelayer benchmark — ${res.chromium.backends.find((b) => b.available)?.modelVersion ?? res.node.modelVersion}, ${res.workload.conversations} conversations / ${res.workload.messages} messages, ${RUNS} runs`);
  console.log(`machine: ${m.cpus} × ${m.cpuModel}, ${m.memoryGB} GB, ${m.platform}; ${res.chromium.machine.browser ?? 'Chromium'}; node ${m.node}; load ${m.loadavg.map((x) => x.toFixed(2)).join(' ')}\n`);
  console.log(table(rows, head));
  console.log('');
  for (const c of res.chromium.comparison) console.log(`speed-up per message vs TF.js USE-lite (${bl.backend}, ${bl.threads} thread${bl.threads > 1 ? 's' : ''}): ${c.label} ${c.ratio.toFixed(1)}× (p50 ${f(c.carelayerP50)} vs ${f(c.baselineP50)} ms)`);
  for (const p of res.chromium.parity) console.log(`parity ${p.a} vs ${p.b}: max abs diff ${p.maxAbsDiff.toExponential(2)} (${p.agree ? 'agree' : 'DISAGREE'})`);
  if (res.node.parityWithChromiumWasm) console.log(`parity Node vs Chromium WASM: max abs diff ${res.node.parityWithChromiumWasm.maxAbsDiff.toExponential(2)}`);
  if (res.webgpu) {
    if (res.webgpu.available) for (const p of res.webgpu.parity) console.log(`parity ${p.a} (SwiftShader) vs ${p.b}: max abs diff ${p.maxAbsDiff.toExponential(2)} (${p.agree ? 'agree' : 'DISAGREE'})`);
    else console.log(`WebGPU: unavailable (${res.webgpu.reason})`);
  }
  for (const b of cb) {
    const p = b.profile;
    console.log(`where a new message goes (${b.label}, p50): messaging ${f(p.messagingMs, 2)} · heads ${f(p.headsMs, 2)} · tokenize + encode ${f(p.tokenizeAndEncodeMs, 2)} ms (in-worker total ${f(p.inWorkerMs, 2)})`);
  }
  const np = res.node.profile;
  console.log(`Node split (p50): tokenize ${f(np.tokenizeMs, 2)} · encode ${f(np.encodeMs, 2)} · heads ${f(np.headsMs, 2)} ms`);
  console.log('\ntargets (WASM in headless Chromium):');
  for (const v of res.verdicts) {
    if (v.met === null) console.log(`  ?    ${v.name}: not measured`);
    else if (v.unit === '×') console.log(`  ${v.met ? 'MET ' : 'MISS'} ${v.name}: ${v.value.toFixed(1)}× (target ≥ ${v.target}×${v.met ? '' : `, short by ${(-v.by).toFixed(1)}×`})`);
    else console.log(`  ${v.met ? 'MET ' : 'MISS'} ${v.name}: ${f(v.value)} ms (target ≤ ${v.target} ms${v.met ? '' : `, over by ${f(v.by)} ms`})`);
  }
  if (res.chromium.offOriginRequests.length) console.log(`\nWARNING: off-origin requests were blocked: ${res.chromium.offOriginRequests.join(', ')}`);

  const out = argv.out ? resolve(argv.out) : join(root, 'bench', 'results', `${started.toISOString().slice(0, 10)}.json`);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(res, null, 2) + '\n');
  console.log(`\nwrote ${out.startsWith(root) ? out.slice(root.length + 1) : out}`);
}

await main();
