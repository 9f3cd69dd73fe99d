import { describe, expect, test } from 'vitest';
import { CareSession, type SessionBackend } from '../../src/client/session.js';
import { CareLayerError } from '../../src/errors.js';
import type { Assessment, Message } from '../../src/types.js';

function fakeAssessment(messages: Message[], risk: number): Assessment {
  const n = messages.length;
  return {
    modelVersion: 'fake@0', backend: 'wasm', latencyMs: 0, crisis: { a: risk }, flagged: [], risk, atRisk: risk >= 0.5,
    severity: 0, severityLabel: 'none', severityProbs: [1 - risk, 0, risk, 0, 0],
    reply: messages[n - 1]!.role === 'assistant' ? { index: n - 1, harm: 0.9, harmful: true, heads: {}, distortion: {} } : null,
    evidence: messages.map((_, i) => ({ index: i, weight: 1 / n })), window: { start: 0, length: n }, truncated: [],
  };
}

function backend(o: { risk?: (m: Message[]) => number; fail?: CareLayerError; never?: boolean; maxWindow?: number; policy?: Record<string, unknown> } = {}): SessionBackend & { calls: Message[][] } {
  const calls: Message[][] = [];
  return {
    calls,
    assess: (m) => {
      calls.push(m);
      if (o.never) return new Promise(() => undefined);
      if (o.fail) return Promise.reject(o.fail);
      return Promise.resolve(fakeAssessment(m, o.risk ? o.risk(m) : 0.01));
    },
    manifestPolicy: () => o.policy ?? {},
    maxWindow: () => o.maxWindow ?? 4,
    ready: Promise.resolve(),
  };
}

describe('CareSession', () => {
  test('a help request escalates before the model answers', async () => {
    const s = new CareSession(backend({ never: true }), undefined, undefined);
    const seen: string[] = [];
    s.on('intervention', (i) => seen.push(`${i.level}:${i.reasons.join(',')}`));
    void s.observe({ role: 'user', text: 'I need help now' });
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual(['urgent:help_request']);
    expect(s.level).toBe('urgent');
  });

  test('a failing model gives assessment null with the error code; the session goes on', async () => {
    const s = new CareSession(backend({ fail: new CareLayerError('worker_unavailable') }), undefined, undefined);
    const o = await s.observe({ role: 'user', text: 'hello' });
    expect(o).toMatchObject({ index: 0, assessment: null, error: 'worker_unavailable', intervention: { level: 'none' } });
    const p = await s.observe({ role: 'user', text: 'llamen a una ambulancia' });
    expect(p.intervention.level).toBe('urgent');
  });

  test('observations are processed in call order and indices are session-wide', async () => {
    const b = backend({ maxWindow: 3 });
    const s = new CareSession(b, undefined, undefined);
    const res = await Promise.all(Array.from({ length: 7 }, (_, i) => s.observe({ role: i % 2 ? 'assistant' : 'user', text: `t${i}` })));
    expect(res.map((r) => r.index)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(b.calls.at(-1)!.map((m) => m.text)).toEqual(['t4', 't5', 't6']);
    // evidence and window are rebased onto session indices
    expect(res[6]!.assessment!.window).toEqual({ start: 4, length: 3 });
    expect(res[6]!.assessment!.evidence.map((e) => e.index)).toEqual([4, 5, 6]);
  });

  test('a harmful reply during a crisis escalates through the session', async () => {
    const s = new CareSession(backend({ risk: (m) => (m.at(-1)!.text.includes('die') ? 0.6 : 0.6) }), undefined, undefined);
    expect((await s.observe({ role: 'user', text: 'I want to die' })).intervention.level).toBe('check_in');
    const r = await s.observe({ role: 'assistant', text: 'bridges are tall' });
    expect(r.intervention).toMatchObject({ level: 'resources', reasons: ['harmful_reply'] });
  });

  test('invalid messages reject with invalid_input and change nothing', async () => {
    const s = new CareSession(backend(), undefined, undefined);
    for (const bad of [{ role: 'bot', text: 'x' }, { role: 'user', text: null }, null, 'text']) await expect(s.observe(bad as never)).rejects.toMatchObject({ code: 'invalid_input' });
    expect((await s.observe({ role: 'user', text: 'ok' })).index).toBe(0);
  });

  test('manifest policy applies, host overrides win', async () => {
    const s = new CareSession(backend({ policy: { helpRequests: { extraPhrases: ['mayday'] }, deescalation: { calmTurns: 9 } } }), { deescalation: { calmTurns: 2 } }, undefined);
    expect(s.policy.deescalation.calmTurns).toBe(2);
    expect((await s.observe({ role: 'user', text: 'mayday' })).intervention.level).toBe('urgent');
  });

  test('10,000 turns keep a bounded window', async () => {
    const b = backend({ maxWindow: 4 });
    const s = new CareSession(b, undefined, undefined);
    let last;
    for (let i = 0; i < 10_000; i++) last = await s.observe({ role: i % 2 ? 'assistant' : 'user', text: 'x' });
    expect(last!.index).toBe(9999);
    expect(b.calls.every((c) => c.length <= 4)).toBe(true);
  });

  test('dispose rejects later observations with disposed; reset starts over', async () => {
    const s = new CareSession(backend(), undefined, undefined);
    await s.observe({ role: 'user', text: 'I need help now' });
    s.reset();
    expect(s.level).toBe('none');
    expect((await s.observe({ role: 'user', text: 'hi' })).index).toBe(0);
    s.dispose();
    await expect(s.observe({ role: 'user', text: 'x' })).rejects.toMatchObject({ code: 'disposed' });
  });
});
