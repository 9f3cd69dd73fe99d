// The benchmark page. Runs bench/workload.js on every backend the browser offers and,
// optionally, the TF.js USE-lite baseline on the same messages. `npm run bench` drives
// this same page headless (?auto=1) and reads window.benchResults.
import { createCareLayer } from '/carelayer/carelayer.mjs';
import { allMessages, describeWorkload, makeWorkload, maxAbsDiff, median, runWorkload, summarize, LENGTHS } from '/bench/workload.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const QUICK = params.get('quick') === '1';
const now = () => performance.now();

/** Issue 4's targets for WASM in headless Chromium on a 2-core machine. */
export const TARGETS = { incrementalP50: 10, incrementalP95: 25, cold16: 120, warmStartMs: 1500, speedup: 3 };
const PARITY_TOLERANCE = 0.02;
const CONFIGS = {
  webgpu: { label: 'WebGPU', backend: 'webgpu', threads: 0 },
  'wasm-threads': { label: 'WASM, threads', backend: 'wasm', threads: 0 },
  'wasm-1': { label: 'WASM, 1 thread', backend: 'wasm', threads: 1 },
};

const fullWorkload = makeWorkload();
// Quick mode (tests, impatient people): one conversation of each length.
// ?lengths=1,4 keeps only conversations of those lengths (the WebGPU-on-SwiftShader parity test).
const ONLY = params.get('lengths')?.split(',').map(Number).filter((n) => LENGTHS.includes(n));
const workload = (QUICK ? LENGTHS.map((n) => fullWorkload.find((c) => c.messages.length === n)) : fullWorkload)
  .filter((c) => !ONLY?.length || ONLY.includes(c.messages.length));
$('workload-desc').textContent = (() => {
  const d = describeWorkload(workload);
  return `Workload v${d.version}${QUICK ? ' (quick)' : ''}: ${d.conversations} conversations of ${d.lengths.join(', ')} messages, ${d.messages} messages, ${d.words.min}–${d.words.max} words (median ${d.words.median}).`;
})();

// ---- machine ---------------------------------------------------------------------------------
async function machine() {
  const nav = navigator;
  const m = {
    cores: nav.hardwareConcurrency ?? null,
    deviceMemoryGB: nav.deviceMemory ?? null,
    userAgent: nav.userAgent,
    browser: nav.userAgentData?.brands?.filter((b) => !/Not.?A.?Brand/i.test(b.brand)).map((b) => `${b.brand} ${b.version}`).join(', ') || null,
    platform: nav.userAgentData?.platform ?? nav.platform ?? null,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    webgpu: null,
  };
  if (nav.gpu) {
    try {
      const a = await nav.gpu.requestAdapter({ powerPreference: 'high-performance' });
      if (a) {
        const i = a.info ?? {};
        m.webgpu = { vendor: i.vendor ?? '', architecture: i.architecture ?? '', description: i.description || i.device || '' };
      }
    } catch {
      /* no adapter */
    }
  }
  return m;
}

function renderMachine(m) {
  const rows = [
    ['Cores', m.cores ?? 'not exposed'],
    ['Memory', m.deviceMemoryGB ? `≥ ${m.deviceMemoryGB} GB` : 'not exposed'],
    ['Browser', m.browser ?? m.userAgent],
    ['Platform', m.platform ?? '–'],
    ['GPU adapter', m.webgpu ? [m.webgpu.vendor, m.webgpu.architecture, m.webgpu.description].filter(Boolean).join(' · ') || 'present (no details)' : 'none (no WebGPU)'],
    ['Cross-origin isolated', m.crossOriginIsolated ? 'yes: WASM threads available' : 'no: WASM runs single-threaded'],
  ];
  const dl = $('machine');
  dl.innerHTML = '';
  for (const [k, v] of rows) {
    const dt = document.createElement('dt');
    dt.textContent = k;
    const dd = document.createElement('dd');
    dd.textContent = String(v);
    dl.append(dt, dd);
  }
}

// ---- measurements --------------------------------------------------------------------------
let memoryError = null;
async function memorySample() {
  if (globalThis.crossOriginIsolated && typeof performance.measureUserAgentSpecificMemory === 'function') {
    try {
      const r = await Promise.race([performance.measureUserAgentSpecificMemory(), new Promise((res) => setTimeout(() => res(null), 5000))]);
      if (r) return { bytes: r.bytes, source: 'measureUserAgentSpecificMemory (page + workers)' };
    } catch (e) {
      memoryError = String(e?.message ?? e);
    }
  }
  if (performance.memory) return { bytes: performance.memory.usedJSHeapSize, source: 'performance.memory (page JS heap only; the worker is not included)' };
  return null;
}

async function startLayer(cfg, clearCache) {
  if (clearCache && typeof caches !== 'undefined') await caches.delete('carelayer-v1');
  const marks = {};
  const downloaded = new Map();
  const cached = new Map();
  const t0 = now();
  const care = await createCareLayer({
    backend: cfg.backend,
    threads: cfg.threads,
    onProgress: (p) => {
      const t = now();
      marks.first ??= t;
      if (p.phase === 'session') marks.session ??= t;
      if (p.phase === 'ready') marks.ready ??= t;
      if (p.phase === 'download' && p.file) downloaded.set(p.file, Math.max(downloaded.get(p.file) ?? 0, p.loaded));
      if (p.phase === 'cache' && p.file) cached.set(p.file, p.total);
    },
  });
  const t1 = now();
  return {
    care,
    startup: {
      workerMs: (marks.first ?? t1) - t0,
      filesMs: (marks.session ?? t1) - (marks.first ?? t0),
      sessionMs: (marks.ready ?? t1) - (marks.session ?? t0),
      totalMs: t1 - t0,
      downloadedBytes: [...downloaded.values()].reduce((a, b) => a + b, 0),
      cachedBytes: [...cached.values()].reduce((a, b) => a + b, 0),
    },
  };
}

async function roundTrips(care, n = 20) {
  const xs = [];
  for (let i = 0; i < n; i++) {
    const s = now();
    await care.stats();
    xs.push(now() - s);
  }
  return summarize(xs);
}

function medianOf(runs, path) {
  return median(runs.map((r) => path.split('.').reduce((o, k) => (o == null ? undefined : o[k]), r)));
}

async function benchBackend(key, runs, tick) {
  const cfg = CONFIGS[key];
  const out = { key, label: cfg.label, available: true };
  if (cfg.backend === 'webgpu' && !navigator.gpu) return { ...out, available: false, reason: 'navigator.gpu is missing' };
  if (key === 'wasm-threads' && !globalThis.crossOriginIsolated) return { ...out, available: false, reason: 'needs cross-origin isolation (COOP/COEP)' };

  status(`${cfg.label}: cold start (empty cache)…`);
  const cold = await startLayer(cfg, true);
  const b = cold.care.backend;
  if (cfg.backend === 'webgpu' && b.name !== 'webgpu') {
    await cold.care.dispose();
    return { ...out, available: false, reason: `fell back to ${b.name}: ${b.fallbackReason ?? 'unknown'}` };
  }
  out.backend = b;
  out.modelVersion = cold.care.modelVersion;
  await cold.care.assess([{ role: 'user', text: 'warm-up' }]);
  await cold.care.dispose();
  out.coldStart = cold.startup;
  tick();

  const perRun = [];
  let outputs = null;
  let peak = null;
  for (let r = 0; r < runs; r++) {
    status(`${cfg.label}: run ${r + 1}/${runs}: start from cache…`);
    const warm = await startLayer(cfg, false);
    const care = warm.care;
    const s = now();
    await care.assess([{ role: 'user', text: `first message of run ${r} on ${key}` }]);
    const firstInferenceMs = now() - s;
    status(`${cfg.label}: run ${r + 1}/${runs}: workload…`);
    const w = await runWorkload((m) => care.assess(m), workload, { tag: `${key}-${r}-${Date.now()}`, coldReps: QUICK ? 1 : 3, onStep: tick });
    const rtt = await roundTrips(care);
    const mem = await memorySample();
    if (mem && (!peak || mem.bytes > peak.bytes)) peak = mem;
    outputs ??= w.outputs;
    const { outputs: _o, ...stats } = w;
    perRun.push({ warmStart: warm.startup, firstInferenceMs, ...stats, roundTrip: rtt, memoryBytes: mem?.bytes ?? null });
    await care.dispose();
  }
  const M = (p) => medianOf(perRun, p);
  out.runs = perRun;
  out.median = {
    downloadMs: out.coldStart.filesMs,
    workerStartMs: M('warmStart.workerMs'),
    filesFromCacheMs: M('warmStart.filesMs'),
    sessionStartMs: M('warmStart.sessionMs'),
    warmStartMs: M('warmStart.totalMs'),
    firstInferenceMs: M('firstInferenceMs'),
    incremental: { p50: M('incremental.p50'), p95: M('incremental.p95'), p99: M('incremental.p99') },
    incrementalInWorker: { p50: M('incrementalEngine.p50'), p95: M('incrementalEngine.p95') },
    cold: Object.fromEntries(LENGTHS.map((n) => [n, { p50: M(`cold.${n}.p50`), p95: M(`cold.${n}.p95`), p99: M(`cold.${n}.p99`) }])),
    cachedWindowP50: M('cachedWindow.p50'),
    roundTripP50: M('roundTrip.p50'),
    messagesPerSecond: M('throughput.messagesPerSecond'),
    peakMemoryBytes: peak?.bytes ?? null,
  };
  out.memorySource = peak?.source ?? 'not exposed by this browser';
  if (memoryError) out.memoryError = memoryError;
  // Where the time of one incremental message goes (medians; see docs/benchmark.md).
  const inc = out.median.incremental.p50;
  const cachedW = out.median.cachedWindowP50;
  const rtt = out.median.roundTripP50;
  out.profile = {
    messagingMs: rtt,
    headsMs: cachedW != null && rtt != null ? Math.max(0, cachedW - rtt) : null,
    tokenizeAndEncodeMs: inc != null && cachedW != null ? Math.max(0, inc - cachedW) : null,
    inWorkerMs: out.median.incrementalInWorker.p50,
  };
  out.outputs = outputs;
  return out;
}

async function benchBaseline(runs, tick) {
  status('TF.js USE-lite: loading TensorFlow.js, its WASM backend and the USE-lite weights…');
  // TF.js's Emscripten loader also asks for its .wasm by bare name, relative to this page
  // (a stray 404 beside the real, correctly prefixed fetch): send it to the same files.
  const wasmDir = new URL('/bench/.build/tfjs/', location.href).href;
  const pageFetch = globalThis.fetch;
  globalThis.fetch = (u, ...rest) =>
    pageFetch(typeof u === 'string' && /^tfjs-backend-wasm[\w-]*\.wasm$/.test(u) ? new URL(u, wasmDir).href : u, ...rest);
  let mod;
  try {
    mod = await import('/bench/.build/use-lite.js');
  } catch {
    globalThis.fetch = pageFetch;
    return { available: false, reason: 'baseline not built: run `node bench/build-baseline.mjs` (npm run bench does it)' };
  }
  const threads = globalThis.crossOriginIsolated ? navigator.hardwareConcurrency || 1 : 1;
  const bl = await mod.loadBaseline({ base: new URL('/bench/.build/', location.href).href, threads });
  tick();
  const texts = allMessages(workload).map((m) => m.text);
  const perRun = [];
  for (let r = 0; r < runs; r++) {
    status(`TF.js USE-lite: run ${r + 1}/${runs}…`);
    const per = [];
    const tok = [];
    for (const t of texts) {
      const x = await bl.score([t]);
      per.push(x.totalMs);
      tok.push(x.tokenizeMs);
    }
    const win16 = [];
    for (const c of workload.filter((c) => c.messages.length === 16)) {
      const x = await bl.score(c.messages.map((m) => m.text));
      win16.push(x.totalMs);
    }
    const wall = per.reduce((a, b) => a + b, 0);
    perRun.push({ perMessage: summarize(per), tokenize: summarize(tok), window16: summarize(win16), messagesPerSecond: (per.length / wall) * 1000 });
    tick();
  }
  const M = (p) => medianOf(perRun, p);
  const res = {
    available: true,
    name: bl.name,
    backend: bl.backend,
    threads: bl.threads,
    startup: bl.startup,
    runs: perRun,
    median: {
      perMessage: { p50: M('perMessage.p50'), p95: M('perMessage.p95'), p99: M('perMessage.p99') },
      tokenizeP50: M('tokenize.p50'),
      window16: { p50: M('window16.p50'), p95: M('window16.p95'), p99: M('window16.p99') },
      messagesPerSecond: M('messagesPerSecond'),
    },
  };
  bl.dispose();
  globalThis.fetch = pageFetch;
  return res;
}

// ---- rendering -------------------------------------------------------------------------------
function status(t) {
  $('status').textContent = t;
}
const ms = (v) => (v == null ? '–' : v >= 100 ? v.toFixed(0) : v.toFixed(1));
const mb = (v) => (v == null ? '–' : `${(v / 1048576).toFixed(0)} MB`);

function renderResults(r) {
  const cols = r.backends;
  const t = $('results');
  t.innerHTML = '<caption class="visually-hidden">Latency per backend, medians over runs</caption>';
  const thead = document.createElement('thead');
  const hr = document.createElement('tr');
  hr.innerHTML = '<th scope="col">Measure</th>';
  for (const c of cols) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = c.available ? `${c.label}${c.backend?.threads > 1 && c.backend.name === 'wasm' ? ` (${c.backend.threads})` : ''}` : c.label;
    hr.append(th);
  }
  if (r.baseline) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = 'TF.js USE-lite';
    hr.append(th);
  }
  thead.append(hr);
  t.append(thead);
  const tbody = document.createElement('tbody');
  const group = (name) => {
    const tr = document.createElement('tr');
    tr.className = 'group';
    tr.innerHTML = `<th scope="rowgroup" colspan="${cols.length + 1 + (r.baseline ? 1 : 0)}"></th>`;
    tr.firstChild.textContent = name;
    tbody.append(tr);
  };
  const row = (name, get, o = {}) => {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = name;
    tr.append(th);
    for (const c of cols) {
      const td = document.createElement('td');
      if (!c.available) {
        td.className = 'na';
        td.textContent = cols.indexOf(c) >= 0 && name === rowsFirst ? `unavailable: ${c.reason}` : '–';
      } else {
        const v = get(c);
        td.textContent = (o.fmt ?? ms)(v);
        if (o.target != null && v != null && c.backend?.name === 'wasm') td.className = v <= o.target ? 'pass' : 'miss';
      }
      tr.append(td);
    }
    if (r.baseline) {
      const td = document.createElement('td');
      const v = r.baseline.available && o.base ? o.base(r.baseline) : null;
      td.textContent = r.baseline.available ? (o.fmt ?? ms)(v) : name === rowsFirst ? `unavailable: ${r.baseline.reason}` : '–';
      if (v == null) td.classList.add('na');
      tr.append(td);
    }
    tbody.append(tr);
  };
  const rowsFirst = 'Download + cache (cold)';
  group('Start-up');
  row(rowsFirst, (c) => c.median.downloadMs);
  row('Worker start', (c) => c.median.workerStartMs);
  row('Model files from cache', (c) => c.median.filesFromCacheMs);
  row('Session start', (c) => c.median.sessionStartMs);
  row(`Start from cache, total (target ≤ ${TARGETS.warmStartMs})`, (c) => c.median.warmStartMs, { target: TARGETS.warmStartMs, base: (b) => b.startup.totalMs });
  row('First inference', (c) => c.median.firstInferenceMs, { base: (b) => b.startup.firstInferenceMs });
  group('Per new message (incremental; TF.js: one message)');
  row(`p50 (target ≤ ${TARGETS.incrementalP50})`, (c) => c.median.incremental.p50, { target: TARGETS.incrementalP50, base: (b) => b.median.perMessage.p50 });
  row(`p95 (target ≤ ${TARGETS.incrementalP95})`, (c) => c.median.incremental.p95, { target: TARGETS.incrementalP95, base: (b) => b.median.perMessage.p95 });
  row('p99', (c) => c.median.incremental.p99, { base: (b) => b.median.perMessage.p99 });
  row('p50 inside the worker', (c) => c.median.incrementalInWorker.p50);
  group('Per full window, cold cache (TF.js: 16 messages batched)');
  row(`16 messages p50 (target ≤ ${TARGETS.cold16})`, (c) => c.median.cold[16].p50, { target: TARGETS.cold16, base: (b) => b.median.window16.p50 });
  row('16 messages p95', (c) => c.median.cold[16].p95, { base: (b) => b.median.window16.p95 });
  row('16 messages p99', (c) => c.median.cold[16].p99, { base: (b) => b.median.window16.p99 });
  for (const n of [8, 4, 1]) row(`${n} message${n > 1 ? 's' : ''} p50`, (c) => c.median.cold[n].p50);
  group('Other');
  row('Cached window (heads + messaging) p50', (c) => c.median.cachedWindowP50);
  row('Worker round trip p50', (c) => c.median.roundTripP50);
  row('Throughput (messages/s)', (c) => c.median.messagesPerSecond, { fmt: (v) => (v == null ? '–' : v.toFixed(0)), base: (b) => b.median.messagesPerSecond });
  row('Peak memory sampled', (c) => c.median.peakMemoryBytes, { fmt: mb });
  t.append(tbody);

  const p = $('parity');
  if (r.parity.length) {
    const ok = r.parity.every((x) => x.agree);
    p.dataset.ok = String(ok);
    p.textContent = r.parity.map((x) => `${x.a} vs ${x.b}: max abs diff ${x.maxAbsDiff.toExponential(2)} over ${x.values} outputs — ${x.agree ? 'agree' : 'DISAGREE'} (tolerance ${PARITY_TOLERANCE})`).join('. ') + '.';
  } else {
    delete p.dataset.ok;
    p.textContent = 'Output agreement: needs WebGPU and WASM in the same run.';
  }
  const c = $('comparison');
  if (r.comparison.length) {
    const ok = r.comparison.every((x) => x.ratio >= TARGETS.speedup);
    c.dataset.ok = String(ok);
    c.textContent = r.comparison.map((x) => `${x.label}: ${x.ratio.toFixed(1)}× faster per message than TF.js USE-lite (p50 ${ms(x.carelayerP50)} vs ${ms(x.baselineP50)} ms)`).join('. ') + `. Target ≥ ${TARGETS.speedup}×.`;
  } else {
    delete c.dataset.ok;
    c.textContent = '';
  }
  $('memory-note').textContent = [...new Set(cols.filter((x) => x.available).map((x) => x.memorySource))].join('; ') || 'not measured';
}

// ---- run ---------------------------------------------------------------------------------------
let last = null;
async function run(o) {
  $('run').disabled = true;
  $('export').disabled = true;
  const started = new Date().toISOString();
  const keys = o.backends.filter((k) => CONFIGS[k]);
  const totalSteps = keys.length * (1 + o.runs * (workload.length + (QUICK ? 1 : 3))) + (o.baseline ? 1 + o.runs : 0);
  let done = 0;
  const tick = () => ($('progress').value = Math.min(1, ++done / totalSteps));
  const results = { tool: 'carelayer bench page', started, quick: QUICK, url: location.pathname, machine: await machine(), workload: describeWorkload(workload), targets: TARGETS, backends: [], baseline: null, parity: [], comparison: [] };
  for (const k of keys) {
    try {
      results.backends.push(await benchBackend(k, o.runs, tick));
    } catch (e) {
      results.backends.push({ key: k, label: CONFIGS[k].label, available: false, reason: `error: ${e?.code ?? e?.message ?? e}` });
    }
  }
  if (o.baseline) {
    try {
      results.baseline = await benchBaseline(o.runs, tick);
    } catch (e) {
      results.baseline = { available: false, reason: `error: ${e?.message ?? e}` };
    }
  }
  const avail = results.backends.filter((b) => b.available);
  const gpu = avail.find((b) => b.backend.name === 'webgpu');
  for (const w of avail.filter((b) => b.backend.name === 'wasm')) {
    if (gpu) results.parity.push({ a: gpu.label, b: w.label, ...maxAbsDiff(gpu.outputs, w.outputs) });
  }
  const wasm = avail.filter((b) => b.backend.name === 'wasm');
  if (wasm.length === 2) results.parity.push({ a: wasm[0].label, b: wasm[1].label, ...maxAbsDiff(wasm[0].outputs, wasm[1].outputs) });
  for (const x of results.parity) x.agree = x.maxAbsDiff <= PARITY_TOLERANCE;
  if (results.baseline?.available) {
    for (const b of avail) {
      const ratio = results.baseline.median.perMessage.p50 / b.median.incremental.p50;
      results.comparison.push({ key: b.key, label: b.label, carelayerP50: b.median.incremental.p50, baselineP50: results.baseline.median.perMessage.p50, ratio });
    }
  }
  results.finished = new Date().toISOString();
  last = results;
  renderResults(results);
  $('progress').value = 1;
  status(`Done in ${((Date.parse(results.finished) - Date.parse(started)) / 1000).toFixed(0)} s.`);
  $('run').disabled = false;
  $('export').disabled = false;
  window.benchResults = results;
  document.body.dataset.done = 'true';
  return results;
}

$('setup').addEventListener('submit', (e) => {
  e.preventDefault();
  const f = new FormData($('setup'));
  run({ backends: f.getAll('backend'), baseline: f.get('baseline') === '1', runs: Math.max(1, Math.min(9, Number(f.get('runs')) || 3)) }).catch((err) => {
    status(`Failed: ${err?.message ?? err}`);
    $('run').disabled = false;
  });
});
$('export').addEventListener('click', () => {
  if (!last) return;
  // A blob: URL made here and saved by the browser: the results never touch the network.
  const url = URL.createObjectURL(new Blob([JSON.stringify(last, null, 2)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `carelayer-bench-${last.started.slice(0, 10)}.json`;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
});

const m = await machine();
renderMachine(m);
if (!m.crossOriginIsolated) document.querySelector('input[value="wasm-threads"]').checked = false;
if (!m.webgpu) document.querySelector('input[value="webgpu"]').checked = false;
window.bench = { run, TARGETS };
if (params.get('auto') === '1') {
  const backends = (params.get('backends') ?? 'webgpu,wasm-threads,wasm-1').split(',');
  run({ backends, baseline: params.get('baseline') !== '0', runs: Math.max(1, Number(params.get('runs') ?? 3)) }).catch((err) => {
    window.benchError = String(err?.stack ?? err);
    document.body.dataset.done = 'error';
  });
}
