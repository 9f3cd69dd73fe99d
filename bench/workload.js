// The fixed benchmark workload, shared by the benchmark page (demo/bench.html), the
// command-line runner (bench/run.mjs, Chromium and Node) and the TF.js baseline.
// Deterministic: the same seed gives the same conversations on every machine.
//
// Conversations of 1, 4, 8 and 16 messages (alternating person / assistant, the person
// first); message lengths drawn from 5-120 words, mostly short, like real chat.

export const WORKLOAD_VERSION = 1;
export const LENGTHS = [1, 4, 8, 16];
export const PER_LENGTH = 6;
export const MIN_WORDS = 5;
export const MAX_WORDS = 120;

/** mulberry32: small, fast, seedable. */
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Sentences a person says to a companion app: everyday, stressed, low, and (rarely) in crisis.
const PERSON = [
  'Work was long today and I am still thinking about that meeting.',
  'I finally cleaned the kitchen, which felt like a small win.',
  'My sister called and we talked for almost an hour.',
  'I keep putting off the email to my landlord about the heating.',
  'Honestly I am tired in a way that sleep does not fix.',
  'The new job is fine but I do not really know anyone yet.',
  'I went for a walk by the river and it helped a little.',
  'Everyone at the party seemed to have somewhere better to be.',
  'I have not been eating much since the weekend.',
  'My exams start on Monday and I have barely started revising.',
  'Sometimes I wonder whether anyone would notice if I stopped replying.',
  'I cried in the car before going into the office again.',
  'My chest gets tight and my hands shake when I think about tomorrow.',
  'I stayed up until four scrolling because I did not want the day to end.',
  'It feels like I am letting everybody down at the same time.',
  'I had a drink to calm down and then another one.',
  'My friend says I should talk to someone but I do not know where to start.',
  'I do not see the point of trying any more.',
  'The dog needed a vet visit and the bill was more than my rent.',
  'I laughed at a video for the first time in days.',
  'Can you help me plan a quiet weekend?',
  'I think I messed up the presentation and my manager noticed.',
  'My mum is in hospital and nobody tells me anything.',
  'I keep replaying the argument we had last night.',
  'What would you do if you felt stuck like this?',
  'It is raining again and I have not left the flat.',
  'I started reading that book you mentioned and I like it.',
  'Part of me wants to disappear for a while.',
  'I feel like a burden to the people around me.',
  'Thanks, that actually makes sense.',
];

// Sentences an assistant says back: warm, practical, sometimes informative.
const ASSISTANT = [
  'That sounds like a lot to carry, and it makes sense that you feel worn out.',
  'Thank you for telling me about it.',
  'Would it help to break the email into two or three short sentences together?',
  'Small wins count, and cleaning the kitchen is a real one.',
  'It is common to feel out of place in a new job for the first few weeks.',
  'Walking outside is one of the simplest things that reliably lifts mood a little.',
  'How have you been sleeping over the last few nights?',
  'When you say you do not see the point, can you tell me more about what you mean?',
  'You do not have to have it all figured out tonight.',
  'If you ever feel unsafe, a crisis line can talk with you any time of day.',
  'It might help to write down the three things that worry you most and look at them one at a time.',
  'Eating something small and regular can make the rest of the day easier.',
  'I am here, and I am listening.',
  'A quiet weekend could include one thing that rests you and one thing that connects you with someone.',
  'Replaying an argument is tiring; it often means it mattered to you.',
  'Would you be open to telling your friend how heavy things have felt?',
  'Revising for a few focused hours each day usually works better than one long night.',
  'Feeling like a burden is painful, and it is not proof that you are one.',
  'Let us take it one step at a time.',
  'What usually helps you when your chest feels tight like that?',
];

function pick(r, xs) {
  return xs[Math.floor(r() * xs.length)];
}

/** Word count: 45% short (5-20), 35% medium (20-50), 20% long (50-120). */
function wordCount(r, role) {
  const u = r();
  const bias = role === 'assistant' ? 0.15 : 0;
  if (u < 0.45 - bias) return 5 + Math.floor(r() * 16);
  if (u < 0.8 - bias / 2) return 20 + Math.floor(r() * 31);
  return 50 + Math.floor(r() * 71);
}

function message(r, role) {
  const n = Math.max(MIN_WORDS, Math.min(MAX_WORDS, wordCount(r, role)));
  const pool = role === 'user' ? PERSON : ASSISTANT;
  const words = [];
  while (words.length < n) words.push(...pick(r, pool).split(' '));
  let text = words.slice(0, n).join(' ');
  if (!/[.?!]$/.test(text)) text += '.';
  return text;
}

/**
 * @param {number} [seed]
 * @returns {{ id: string, messages: { role: 'user'|'assistant', text: string }[] }[]}
 */
export function makeWorkload(seed = 20250401) {
  const r = rng(seed);
  const convs = [];
  for (const len of LENGTHS) {
    for (let k = 0; k < PER_LENGTH; k++) {
      const messages = [];
      for (let i = 0; i < len; i++) {
        const role = i % 2 === 0 ? 'user' : 'assistant';
        messages.push({ role, text: message(r, role) });
      }
      convs.push({ id: `c${len}-${k}`, messages });
    }
  }
  return convs;
}

/** Every message of the workload, in order (the baseline scores these one by one). */
export function allMessages(convs) {
  return convs.flatMap((c) => c.messages);
}

export function describeWorkload(convs) {
  const words = allMessages(convs).map((m) => m.text.split(/\s+/).length);
  const sorted = [...words].sort((a, b) => a - b);
  return {
    version: WORKLOAD_VERSION,
    conversations: convs.length,
    lengths: LENGTHS,
    perLength: PER_LENGTH,
    messages: words.length,
    words: { min: sorted[0], median: sorted[Math.floor(sorted.length / 2)], max: sorted[sorted.length - 1] },
  };
}

// ---- statistics --------------------------------------------------------------------

/** Nearest-rank percentile (no interpolation: every reported value was observed). */
export function percentile(xs, p) {
  if (!xs.length) return null;
  const s = [...xs].sort((a, b) => a - b);
  const i = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[i];
}

export function summarize(xs) {
  if (!xs.length) return { n: 0, p50: null, p95: null, p99: null, mean: null, min: null, max: null };
  const sum = xs.reduce((a, b) => a + b, 0);
  return {
    n: xs.length,
    p50: percentile(xs, 50),
    p95: percentile(xs, 95),
    p99: percentile(xs, 99),
    mean: sum / xs.length,
    min: Math.min(...xs),
    max: Math.max(...xs),
  };
}

export function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x));
  if (!v.length) return null;
  const s = [...v].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

// ---- the workload against any `assess(messages)` -----------------------------------

const now = () => performance.now();

/**
 * Runs the workload against `assess` (the library's `care.assess`, or the Node engine's).
 *  - incremental: each conversation grows one message at a time, as a chat app calls it;
 *    earlier messages keep their ids, so only the new one is encoded (cached embeddings).
 *  - cold: each whole conversation (its full window) with fresh ids: every message encoded.
 * `tag` makes ids unique per run so one run never reuses another's cache.
 */
export async function runWorkload(assess, convs, o = {}) {
  const tag = o.tag ?? `r${Math.random().toString(36).slice(2, 8)}`;
  const coldReps = o.coldReps ?? 3;
  const onStep = o.onStep ?? (() => undefined);
  const incremental = [];
  const engineIncremental = [];
  const outputs = {};
  let t0 = now();
  let total = 0;
  for (const c of convs) {
    const msgs = c.messages.map((m, i) => ({ ...m, id: `${tag}-i-${c.id}-${i}` }));
    for (let i = 0; i < msgs.length; i++) {
      const s = now();
      const a = await assess(msgs.slice(0, i + 1));
      const d = now() - s;
      incremental.push(d);
      if (typeof a.latencyMs === 'number') engineIncremental.push(a.latencyMs);
      total++;
    }
    onStep();
  }
  const incrementalWall = now() - t0;

  // The same windows again with every embedding cached: heads + messaging only.
  const cached = [];
  for (const c of convs) {
    const msgs = c.messages.map((m, i) => ({ ...m, id: `${tag}-i-${c.id}-${i}` }));
    const s = now();
    await assess(msgs);
    cached.push(now() - s);
  }

  const cold = {};
  for (const len of LENGTHS) cold[len] = [];
  for (let rep = 0; rep < coldReps; rep++) {
    for (const c of convs) {
      const msgs = c.messages.map((m, i) => ({ ...m, id: `${tag}-c${rep}-${c.id}-${i}` }));
      const s = now();
      const a = await assess(msgs);
      cold[c.messages.length].push(now() - s);
      if (rep === 0) outputs[c.id] = compact(a);
    }
    onStep();
  }
  return {
    incremental: summarize(incremental),
    incrementalEngine: summarize(engineIncremental),
    cachedWindow: summarize(cached),
    cold: Object.fromEntries(Object.entries(cold).map(([k, v]) => [k, summarize(v)])),
    throughput: { messagesPerSecond: (total / incrementalWall) * 1000, messages: total, wallMs: incrementalWall },
    outputs,
  };
}

/** The numbers two backends must agree on. */
export function compact(a) {
  return {
    risk: a.risk,
    crisis: Object.values(a.crisis),
    severity: a.severityProbs,
    replyHarm: a.reply ? a.reply.harm : null,
    reply: a.reply ? Object.values(a.reply.heads) : null,
    evidence: a.evidence.slice().sort((x, y) => x.index - y.index).map((e) => e.weight),
  };
}

/** Max absolute difference over every output of every conversation. */
export function maxAbsDiff(a, b) {
  let max = 0;
  let compared = 0;
  for (const id of Object.keys(a)) {
    const x = a[id];
    const y = b[id];
    if (!y) continue;
    const flat = (o) => [o.risk, ...o.crisis, ...o.severity, o.replyHarm ?? 0, ...(o.reply ?? []), ...o.evidence];
    const fx = flat(x);
    const fy = flat(y);
    for (let i = 0; i < Math.min(fx.length, fy.length); i++) {
      max = Math.max(max, Math.abs(fx[i] - fy[i]));
      compared++;
    }
  }
  return { maxAbsDiff: max, values: compared };
}
