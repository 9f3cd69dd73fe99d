// The companion-chat demo: drives createCareLayer/session from the library build served
// at /carelayer/, and renders what the safety layer sees. Labels come from the model's
// manifest (care.labels), levels from the library (LEVELS): nothing model-specific here.
import { createCareLayer, LEVELS } from '/carelayer/carelayer.mjs';
import { SCRIPTS } from '/demo/conversations.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const DELAY = Math.max(0, Number(params.get('delay') ?? 900));
const ORIGIN = location.origin;

const REASONS = {
  help_request: 'the person explicitly asked for urgent help',
  strong_signal: 'this turn alone is a strong enough signal',
  persistence: 'the signal persisted over several turns',
  rising_trend: 'risk has been rising turn after turn',
  harmful_reply: 'an assistant reply was judged harmful during a crisis',
  sustained_calm: 'several calm turns in a row',
};
const BANNERS = {
  check_in: {
    title: 'Checking in',
    text: 'It sounds like things are heavy right now. The assistant will gently ask how the person is doing.',
  },
  resources: {
    title: 'You don’t have to go through this alone',
    text: 'Talking to someone can help. Crisis lines are free, confidential and open day and night.',
    action: 'Show support options',
  },
  urgent: {
    title: 'Help is available right now',
    text: 'If you are in danger, call your local emergency number or a crisis line now. You can keep talking here while you reach out.',
    action: 'Show emergency numbers',
  },
};

const pretty = (s) => {
  const t = String(s).replace(/_/g, ' ');
  return t.charAt(0).toUpperCase() + t.slice(1);
};
const pct = (p) => `${Math.round(p * 100)}%`;
const rank = (l) => LEVELS.indexOf(l);

// ---- request log: every resource the page fetched, and every file the worker loaded ----
const requests = [];
let readyAt = null;
function logRequest(url, via) {
  const u = new URL(url, location.href);
  if (u.protocol === 'data:' || u.protocol === 'blob:') return;
  const same = u.origin === ORIGIN;
  requests.push({ url: u.href, via, same, afterReady: readyAt !== null });
  const li = document.createElement('li');
  li.className = same ? 'same' : 'off';
  li.textContent = `${same ? '✓' : '✗'} ${via.padEnd(6)} ${u.pathname}${u.search}`;
  li.title = u.href;
  $('requests').append(li);
  renderRequestSummary();
}
function renderRequestSummary() {
  const off = requests.filter((r) => !r.same).length;
  const after = requests.filter((r) => r.afterReady).length;
  $('requests-summary').textContent =
    `${requests.length} requests, ${off === 0 ? 'all to this origin' : `${off} to other origins`}` +
    (readyAt !== null ? ` · ${after} since the model loaded` : '');
  $('requests-summary').dataset.off = String(off);
}
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) logRequest(e.name, e.initiatorType === 'xmlhttprequest' ? 'xhr' : e.initiatorType || 'page');
}).observe({ type: 'resource', buffered: true });
logRequest(location.href, 'page');

// ---- chat state -------------------------------------------------------------------------
let care = null;
let session = null;
let labels = null;
let msgs = []; // { role, text, id, el, obs }
let risks = []; // { index, risk }
let nextId = 0;
let script = SCRIPTS[0];
let cursor = 0;
let playing = false;
let level = 'none';
let generation = 0; // bumps on reset so late results from an old conversation are dropped

function addMessage(role, text) {
  const id = `m${nextId++}`;
  const li = document.createElement('li');
  li.className = `msg ${role} pending`;
  li.id = id;
  li.tabIndex = -1;
  li.dataset.role = role;
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = role === 'user' ? 'Person' : 'Assistant';
  const body = document.createElement('span');
  body.className = 'text';
  body.textContent = text;
  li.append(who, body);
  $('messages').append(li);
  li.scrollIntoView({ block: 'nearest' });
  const m = { role, text, id, el: li, obs: null };
  msgs.push(m);
  return m;
}

async function send(role, text) {
  text = text.trim();
  if (!text) return;
  const gen = generation;
  const m = addMessage(role, text);
  let obs;
  try {
    obs = await session.observe({ role, text, id: m.id });
  } catch (e) {
    m.el.classList.remove('pending');
    $('engine-status').textContent = `Error: ${e?.code ?? e?.message ?? e}`;
    return;
  }
  if (gen !== generation) return;
  m.el.classList.remove('pending');
  m.obs = obs;
  render(obs, m);
}

// ---- rendering ---------------------------------------------------------------------------
function render(obs, m) {
  const a = obs.assessment;
  const iv = obs.intervention;
  if (a) {
    if (m.role === 'user') {
      risks.push({ index: obs.index, risk: a.risk });
      $('risk-now').textContent = pct(a.risk);
      $('severity-now').textContent = `severity: ${pretty(a.severityLabel)}`;
      renderTrend();
      renderCategories(a);
    }
    renderReply(a, m);
    renderEvidence(a);
    $('engine-latency').textContent = `${a.latencyMs.toFixed(1)} ms in the worker (${a.backend})`;
    document.body.dataset.scored = String(msgs.filter((x) => x.obs).length);
  }
  if (obs.error) $('engine-status').textContent = `Model unavailable (${obs.error}); the policy still runs`;
  setLevel(iv, m);
}

function setLevel(iv, m) {
  const prev = level;
  level = iv.level;
  const badge = $('level-badge');
  badge.dataset.level = level;
  badge.textContent = pretty(level);
  document.body.dataset.level = level;
  for (const li of $('ladder').children) {
    li.classList.toggle('reached', rank(li.dataset.level) <= rank(level));
    if (li.dataset.level === level) li.setAttribute('aria-current', 'step');
    else li.removeAttribute('aria-current');
  }
  if (iv.changed) {
    const why = iv.reasons.map((r) => REASONS[r] ?? pretty(r)).join('; ');
    const up = rank(level) > rank(prev);
    $('level-why').textContent = `${up ? 'Raised' : 'Lowered'} to ${pretty(level)} on turn ${iv.turn}: ${why}.`;
    $('level-live').textContent = `Intervention level ${up ? 'raised' : 'lowered'} to ${pretty(level)}: ${why}.`;
    const note = document.createElement('li');
    note.className = 'level-note';
    note.setAttribute('role', 'note');
    note.dataset.level = level;
    note.innerHTML = `<span class="level-badge" data-level="${level}">${up ? '↑' : '↓'} ${pretty(level)}</span> <span class="small muted"></span>`;
    note.querySelector('.muted').textContent = why;
    m.el.after(note);
  } else if (iv.signal && rank(iv.signal) > 0 && rank(iv.signal) < rank(level)) {
    $('level-why').textContent = `Holding at ${pretty(level)}: this turn alone suggests ${pretty(iv.signal)}; it steps down only after sustained calm.`;
  }
  renderBanner();
}

function renderBanner() {
  const el = $('intervention-banner');
  const b = BANNERS[level];
  if (!b || el.dataset.dismissed === level) {
    el.hidden = true;
    el.removeAttribute('data-level');
    el.removeAttribute('role');
    return;
  }
  if (el.dataset.level === level && !el.hidden) return;
  el.dataset.level = level;
  el.setAttribute('role', level === 'urgent' ? 'alert' : 'status');
  el.setAttribute('aria-live', level === 'urgent' ? 'assertive' : 'polite');
  el.innerHTML = '';
  const h = document.createElement('h3');
  h.textContent = b.title;
  const p = document.createElement('p');
  p.textContent = b.text;
  const actions = document.createElement('div');
  actions.className = 'iv-actions';
  if (b.action) {
    const go = document.createElement('button');
    go.type = 'button';
    go.className = 'btn';
    go.textContent = b.action;
    go.addEventListener('click', () => {
      p.textContent = 'In a real app this opens the local helplines the host configured (the demo links nowhere: nothing leaves the page).';
    });
    actions.append(go);
  }
  const dismiss = document.createElement('button');
  dismiss.type = 'button';
  dismiss.className = 'btn';
  dismiss.textContent = 'Dismiss';
  dismiss.addEventListener('click', () => {
    el.dataset.dismissed = level;
    renderBanner();
    $('composer-text').focus();
  });
  actions.append(dismiss);
  el.append(h, p, actions);
  el.hidden = false;
}

function renderTrend() {
  const svg = $('trend');
  const W = 300;
  const H = 90;
  const pad = { l: 26, r: 6, t: 6, b: 14 };
  const n = risks.length;
  const x = (i) => pad.l + (n <= 1 ? (W - pad.l - pad.r) / 2 : (i * (W - pad.l - pad.r)) / (n - 1));
  const y = (v) => pad.t + (1 - v) * (H - pad.t - pad.b);
  const parts = [];
  for (const v of [0, 0.5, 1]) parts.push(`<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(v)}" y2="${y(v)}" stroke="#d9e0e7"/><text x="2" y="${y(v) + 4}" font-size="9" fill="#4d5b6a">${v * 100}%</text>`);
  const rungs = session?.policy?.rungs ?? {};
  for (const [name, color] of [['check_in', '#8a4b00'], ['resources', '#a33a00']]) {
    const r = rungs[name]?.risk;
    if (typeof r === 'number') parts.push(`<line x1="${pad.l}" x2="${W - pad.r}" y1="${y(r)}" y2="${y(r)}" stroke="${color}" stroke-dasharray="4 3" opacity=".7"/>`);
  }
  if (n) {
    const pts = risks.map((r, i) => `${x(i).toFixed(1)},${y(r.risk).toFixed(1)}`).join(' ');
    parts.push(`<polyline points="${pts}" fill="none" stroke="#1f5f8b" stroke-width="2.5" stroke-linejoin="round"/>`);
    risks.forEach((r, i) => parts.push(`<circle cx="${x(i)}" cy="${y(r.risk)}" r="3.2" fill="#1f5f8b"/>`));
    parts.push(`<text x="${W - pad.r}" y="${H - 2}" font-size="9" text-anchor="end" fill="#4d5b6a">turn ${n}</text>`);
  }
  svg.innerHTML = parts.join('');
  $('trend-cap').textContent = n
    ? `Risk after each of the person’s turns: ${risks.map((r) => pct(r.risk)).join(', ')}`
    : 'Risk after each of the person’s turns';
}

function renderCategories(a) {
  const ul = $('categories');
  ul.innerHTML = '';
  const entries = labels.crisis.map((k) => [k, a.crisis[k] ?? 0]);
  for (const [k, p] of entries) {
    const li = document.createElement('li');
    if (a.flagged.includes(k)) li.className = 'flagged';
    li.innerHTML = '<span class="name"></span><span class="track" aria-hidden="true"><span class="fill"></span></span><span class="val"></span>';
    li.querySelector('.name').textContent = pretty(k);
    li.querySelector('.name').title = k;
    li.querySelector('.fill').style.width = pct(p);
    li.querySelector('.val').textContent = pct(p);
    li.setAttribute('aria-label', `${pretty(k)}: ${pct(p)}${a.flagged.includes(k) ? ', flagged' : ''}`);
    ul.append(li);
  }
}

function renderReply(a, m) {
  if (!a.reply) return;
  const r = a.reply;
  const box = $('reply');
  box.innerHTML = '';
  const head = document.createElement('p');
  head.innerHTML = '<span class="verdict"></span> <span class="small muted"></span>';
  head.querySelector('.verdict').className = `verdict ${r.harmful ? 'bad' : 'good'}`;
  head.querySelector('.verdict').textContent = r.harmful ? 'Harmful or inappropriate' : 'Appropriate';
  head.querySelector('.muted').textContent = `harm ${pct(r.harm)} · “${m.text.slice(0, 60)}${m.text.length > 60 ? '…' : ''}”`;
  const ul = document.createElement('ul');
  ul.className = 'bars';
  // Reply heads as probabilities; distortion dimensions as P(level >= 1), labelled with the likeliest level 0-3.
  const rows = [
    ...labels.reply.map((k) => [pretty(k), r.heads[k] ?? 0, k, null]),
    ...labels.distortion.map((k) => {
      const d = r.distortion[k];
      return [pretty(k), d ? 1 - d.probs[0] : 0, k, d ? d.level : 0];
    }),
  ];
  for (const [name, p, key, lvl] of rows) {
    const li = document.createElement('li');
    li.innerHTML = '<span class="name"></span><span class="track" aria-hidden="true"><span class="fill"></span></span><span class="val"></span>';
    li.querySelector('.name').textContent = name;
    li.querySelector('.name').title = key;
    li.querySelector('.fill').style.width = pct(p);
    li.querySelector('.val').textContent = lvl === null ? pct(p) : `L${lvl}`;
    li.setAttribute('aria-label', lvl === null ? `${name}: ${pct(p)}` : `${name}: level ${lvl} of 3`);
    ul.append(li);
  }
  box.append(head, ul);
  if (r.harmful) {
    const tag = document.createElement('span');
    tag.className = 'tag';
    tag.textContent = 'Harmful reply';
    m.el.append(tag);
  }
}

function renderEvidence(a) {
  for (const x of msgs) x.el.classList.remove('evidence');
  const ol = $('evidence');
  ol.innerHTML = '';
  const top = a.evidence.slice(0, 3);
  for (const e of top) {
    // Session indices count every observed message since the last reset: the same as msgs.
    const target = msgs[e.index];
    if (!target) continue;
    if (e.weight >= 0.2) target.el.classList.add('evidence');
    const li = document.createElement('li');
    const b = document.createElement('button');
    b.type = 'button';
    b.innerHTML = '<span class="w"></span> <span class="small muted"></span> <span class="t"></span>';
    b.querySelector('.w').textContent = pct(e.weight);
    b.querySelector('.muted').textContent = target.role === 'user' ? 'Person:' : 'Assistant:';
    b.querySelector('.t').textContent = `“${target.text.slice(0, 70)}${target.text.length > 70 ? '…' : ''}”`;
    b.setAttribute('aria-label', `${pct(e.weight)} of the attention: ${target.role === 'user' ? 'person' : 'assistant'} message “${target.text.slice(0, 70)}”. Show it in the conversation.`);
    b.addEventListener('click', () => {
      target.el.scrollIntoView({ block: 'center' });
      target.el.focus();
    });
    li.append(b);
    ol.append(li);
  }
}

function renderLadder() {
  const ol = $('ladder');
  ol.innerHTML = '';
  for (const l of LEVELS) {
    const li = document.createElement('li');
    li.dataset.level = l;
    li.textContent = pretty(l);
    if (l === 'none') li.classList.add('reached'), li.setAttribute('aria-current', 'step');
    ol.append(li);
  }
}

// ---- scripts -------------------------------------------------------------------------------
function selectScript(id) {
  script = SCRIPTS.find((s) => s.id === id) ?? SCRIPTS[0];
  $('script').value = script.id;
  $('script-summary').textContent = `${script.summary} ${script.expect}`;
  reset();
}

function reset() {
  generation++;
  playing = false;
  cursor = 0;
  msgs = [];
  risks = [];
  level = 'none';
  session?.reset();
  $('messages').innerHTML = '';
  $('categories').innerHTML = '';
  $('reply').innerHTML = '<p class="small muted">Judged when the assistant speaks.</p>';
  $('evidence').innerHTML = '<li class="small muted">Nothing scored yet.</li>';
  $('risk-now').textContent = '–';
  $('severity-now').textContent = '';
  $('level-why').textContent = 'No concerns so far.';
  const banner = $('intervention-banner');
  banner.hidden = true;
  delete banner.dataset.dismissed;
  delete banner.dataset.level;
  setLevel({ level: 'none', changed: false, reasons: [], signal: null, turn: 0 }, null);
  renderTrend();
  delete document.body.dataset.scored;
  document.body.dataset.playing = 'false';
  updateButtons();
}

function updateButtons() {
  const left = cursor < script.messages.length;
  $('play').disabled = !left;
  $('step').disabled = !left || playing;
  $('play').textContent = playing ? 'Pause' : cursor > 0 && left ? 'Resume' : 'Play';
  if (!left) document.body.dataset.playing = 'done';
}

async function step() {
  if (cursor >= script.messages.length) return;
  const m = script.messages[cursor++];
  updateButtons();
  await send(m.role, m.text);
  updateButtons();
}

async function play() {
  if (playing) {
    playing = false;
    updateButtons();
    return;
  }
  playing = true;
  document.body.dataset.playing = 'true';
  const gen = generation;
  updateButtons();
  while (playing && gen === generation && cursor < script.messages.length) {
    await step();
    if (DELAY) await new Promise((r) => setTimeout(r, DELAY));
  }
  if (gen !== generation) return;
  playing = false;
  document.body.dataset.playing = cursor >= script.messages.length ? 'done' : 'false';
  updateButtons();
}

// ---- start --------------------------------------------------------------------------------
async function start() {
  renderLadder();
  for (const s of SCRIPTS) {
    const o = document.createElement('option');
    o.value = s.id;
    o.textContent = s.title;
    $('script').append(o);
  }
  const pref = ['auto', 'webgpu', 'wasm'].includes(params.get('backend')) ? params.get('backend') : 'auto';
  $('backend-pref').value = pref;
  $('backend-pref').addEventListener('change', (e) => {
    const u = new URL(location.href);
    u.searchParams.set('backend', e.target.value);
    location.href = u.href;
  });
  $('script').addEventListener('change', (e) => selectScript(e.target.value));
  $('play').addEventListener('click', play);
  $('step').addEventListener('click', step);
  $('reset').addEventListener('click', reset);
  $('composer').addEventListener('submit', (e) => {
    e.preventDefault();
    const role = new FormData($('composer')).get('role');
    const t = $('composer-text');
    const text = t.value;
    t.value = '';
    send(role, text);
  });
  $('composer-text').addEventListener('keydown', (e) => {
    if (e.key === 'Enter' && !e.shiftKey) {
      e.preventDefault();
      $('composer').requestSubmit();
    }
  });

  const progressText = (p) => {
    if (p.phase === 'download') return `Downloading ${p.file} ${p.total ? Math.round((100 * p.loaded) / p.total) : 0}%`;
    if (p.phase === 'cache') return `Loaded ${p.file} from the browser cache`;
    if (p.phase === 'session') return 'Starting the inference session…';
    if (p.phase === 'runtime') return 'Loading the WASM runtime…';
    if (p.phase === 'manifest') return 'Reading the model manifest…';
    return 'Ready';
  };
  const seenFiles = new Set();
  const t0 = performance.now();
  try {
    care = await createCareLayer({
      backend: pref,
      onProgress: (p) => {
        $('engine-status').textContent = progressText(p);
        // The worker's own fetches are not in this page's resource timeline: log them here.
        const done = (p.phase === 'download' && p.loaded >= p.total) || p.phase === 'cache';
        if (done && p.file && !seenFiles.has(p.file)) {
          seenFiles.add(p.file);
          const base = p.file.endsWith('.wasm') ? '/carelayer/ort/' : '/carelayer/model/';
          logRequest(new URL(base + p.file, location.href).href, p.phase === 'cache' ? 'cache' : 'worker');
        }
      },
    });
  } catch (e) {
    $('engine-status').textContent = `Could not load the model (${e?.code ?? e}). The help-phrase policy still works.`;
    return;
  }
  readyAt = performance.now();
  labels = care.labels;
  session = care.session();
  const b = care.backend;
  $('engine-status').textContent = `Ready in ${((readyAt - t0) / 1000).toFixed(1)} s`;
  $('engine-backend').textContent =
    b.name === 'webgpu'
      ? `WebGPU${b.adapter?.description ? ` · ${b.adapter.description}` : b.adapter?.vendor ? ` · ${b.adapter.vendor}` : ''}`
      : `WASM · ${b.threads} thread${b.threads === 1 ? '' : 's'}${b.fallbackReason ? ` (WebGPU: ${pretty(b.fallbackReason)})` : ''}`;
  $('engine-model').textContent = care.modelVersion;
  care.on('backend', (nb) => ($('engine-backend').textContent = `${nb.name}${nb.fallbackReason ? ` (${pretty(nb.fallbackReason)})` : ''}`));
  renderRequestSummary();
  document.body.dataset.ready = 'true';
  selectScript(params.get('script') ?? SCRIPTS[0].id);
  if (params.get('autoplay') === '1') play();
}

window.demo = { get level() { return level; }, get requests() { return requests; }, send, play, step, reset, selectScript };
start();
