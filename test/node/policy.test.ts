import { describe, expect, test } from 'vitest';
import { CareLayerError } from '../../src/errors.js';
import { DEFAULT_POLICY, Policy, resolvePolicy, singleSignalLevel, slope, type Intervention, type Level, type PolicySignal } from '../../src/policy/index.js';

// Synthetic model outputs: the policy is a pure state machine over numbers.
const sev = (level: number): number[] => [0, 1, 2, 3, 4].map((i) => (i === level ? 0.9 : 0.025));
const calm: PolicySignal = { risk: 0.02, severityProbs: sev(0), replyHarm: null, distortionProbs: null };
const distress: PolicySignal = { risk: 0.35, severityProbs: sev(1), replyHarm: null, distortionProbs: null };
const ideation: PolicySignal = { risk: 0.6, severityProbs: sev(2), replyHarm: null, distortionProbs: null };
const crisis: PolicySignal = { risk: 0.9, severityProbs: sev(2), replyHarm: null, distortionProbs: null };
const plan: PolicySignal = { risk: 0.95, severityProbs: sev(3), replyHarm: null, distortionProbs: null };
const risk = (r: number): PolicySignal => ({ risk: r, severityProbs: sev(0), replyHarm: null, distortionProbs: null });
const reply = (harm: number, severeDistortion = 0): PolicySignal => ({
  risk: 0.5,
  severityProbs: sev(2),
  replyHarm: harm,
  distortionProbs: [[1 - severeDistortion, 0, 0, severeDistortion], [1, 0, 0, 0], [1, 0, 0, 0]],
});

type Turn = ['user' | 'assistant', PolicySignal | null, string?];
function run(turns: Turn[], p = new Policy()): Intervention[] {
  return turns.map(([role, signal, text]) => p.observe({ role, signal, text: text ?? '' }));
}
const levels = (xs: Intervention[]): Level[] => xs.map((x) => x.level);

describe('single signal', () => {
  test.each([
    [calm, 'none'],
    [distress, 'watch'],
    [ideation, 'check_in'],
    [crisis, 'resources'],
    [plan, 'urgent'],
  ] as const)('%j → %s', (s, want) => {
    expect(singleSignalLevel(s, DEFAULT_POLICY)).toBe(want);
    const [x] = run([['user', s]]);
    expect(x!.level).toBe(want);
    expect(x!.changed).toBe(want !== 'none');
    if (want !== 'none') expect(x!.reasons).toEqual(['strong_signal']);
  });

  test('a strong signal escalates at once, skipping rungs', () => {
    expect(levels(run([['user', calm], ['user', plan]]))).toEqual(['none', 'urgent']);
  });
});

describe('persistence', () => {
  test('distress on three consecutive turns becomes check_in', () => {
    const xs = run([['user', distress], ['assistant', null], ['user', distress], ['user', distress]]);
    expect(levels(xs)).toEqual(['watch', 'watch', 'watch', 'check_in']);
    expect(xs[3]!.reasons).toContain('persistence');
  });

  test('ideation persisting three turns becomes resources, and never urgent by persistence alone', () => {
    const xs = run(Array.from({ length: 8 }, (): Turn => ['user', ideation]));
    expect(levels(xs)).toEqual(['check_in', 'check_in', 'resources', 'resources', 'resources', 'resources', 'resources', 'resources']);
  });

  test('an interrupted run does not count as persistence', () => {
    expect(levels(run([['user', distress], ['user', calm], ['user', distress]])).at(-1)).toBe('watch');
  });
});

describe('rising trend', () => {
  test('risk climbing over four turns reaches resources before any single strong signal', () => {
    const xs = run([0.1, 0.25, 0.4, 0.55].map((r): Turn => ['user', risk(r)]));
    expect(singleSignalLevel(risk(0.55), DEFAULT_POLICY)).toBe('check_in');
    expect(xs.at(-1)!.level).toBe('resources');
    expect(xs.at(-1)!.reasons).toContain('rising_trend');
  });

  test('a flat moderate risk is not a trend', () => {
    const xs = run([0.5, 0.52, 0.5, 0.51].map((r): Turn => ['user', risk(r)]));
    expect(xs.at(-1)!.reasons).not.toContain('rising_trend');
  });

  test('slope is least squares', () => {
    expect(slope([0, 1, 2, 3])).toBeCloseTo(1);
    expect(slope([1, 1, 1])).toBe(0);
    expect(slope([5])).toBe(0);
  });
});

describe('de-escalation with hysteresis', () => {
  test('steps down one level after three calm user turns, never on assistant turns', () => {
    const xs = run([['user', crisis], ['user', calm], ['assistant', null], ['user', calm], ['assistant', null], ['user', calm]]);
    expect(levels(xs)).toEqual(['resources', 'resources', 'resources', 'resources', 'resources', 'check_in']);
    expect(xs.at(-1)!.reasons).toEqual(['sustained_calm']);
  });

  test('alternating signal and calm does not flap', () => {
    const turns: Turn[] = Array.from({ length: 20 }, (_, i): Turn => ['user', i % 2 ? calm : ideation]);
    const xs = run(turns);
    const changes = xs.filter((x) => x.changed).length;
    expect(changes).toBeLessThanOrEqual(1);
    expect(xs.at(-1)!.level).toBe('check_in');
  });

  test('full calm walks the ladder down one rung at a time', () => {
    const xs = run([['user', plan], ...Array.from({ length: 14 }, (): Turn => ['user', calm])]);
    const path = xs.filter((x) => x.changed).map((x) => x.level);
    expect(path).toEqual(['urgent', 'resources', 'check_in', 'watch', 'none']);
    // urgent holds for urgentCalmTurns (5)
    expect(xs.findIndex((x) => x.level === 'resources')).toBe(1 + DEFAULT_POLICY.deescalation.urgentCalmTurns - 1);
  });

  test('no assessment (model unavailable) neither escalates nor calms', () => {
    const xs = run([['user', crisis], ['user', null], ['user', null], ['user', null], ['user', null]]);
    expect(levels(xs).every((l) => l === 'resources')).toBe(true);
  });
});

describe('harmful reply during a crisis', () => {
  test('escalates when the person is in crisis', () => {
    const xs = run([['user', ideation], ['assistant', reply(0.9)]]);
    expect(levels(xs)).toEqual(['check_in', 'resources']);
    expect(xs[1]!.reasons).toEqual(['harmful_reply']);
  });

  test('severe distortion counts as harmful', () => {
    expect(run([['user', crisis], ['assistant', reply(0.1, 0.8)]]).at(-1)!.level).toBe('urgent');
  });

  test('does not escalate outside a crisis, nor for a good reply', () => {
    expect(run([['user', calm], ['assistant', reply(0.9)]]).at(-1)!.level).toBe('none');
    expect(run([['user', distress], ['assistant', reply(0.9)]]).at(-1)!.level).toBe('watch');
    expect(run([['user', ideation], ['assistant', reply(0.1)]]).at(-1)!.level).toBe('check_in');
  });
});

describe('explicit help requests', () => {
  test.each([
    'I need help now',
    'please, I NEED HELP RIGHT NOW!!',
    'call someone',
    'Necesito ayuda ahora',
    'necesito ayuda ya por favor',
    'ayúdenme',
    '今すぐ助けて',
    '誰か、助けて…',
    '我需要帮助',
    '救命！',
    '我需要幫助',
    "J'ai besoin d'aide maintenant",
    'ich brauche sofort Hilfe',
    'I need help now',
  ])('%j goes straight to urgent without the model', (text) => {
    const [x] = run([['user', null, text]]);
    expect(x!.level).toBe('urgent');
    expect(x!.reasons).toEqual(['help_request']);
  });

  test.each(['can you help me with my homework', 'I need help with my code now', 'help', 'helpful advice now', 'I called someone yesterday', '帮我写作业'])(
    '%j is not a help request',
    (text) => {
      expect(run([['user', calm, text]])[0]!.level).toBe('none');
    },
  );

  test('the assistant quoting a help phrase does not escalate', () => {
    expect(run([['assistant', null, 'If you need help now, call someone you trust.']])[0]!.level).toBe('none');
  });

  test('can be disabled or restricted by language, and extended', () => {
    expect(run([['user', null, 'I need help now']], new Policy({ helpRequests: { enabled: false } }))[0]!.level).toBe('none');
    expect(run([['user', null, '我需要帮助']], new Policy({ helpRequests: { languages: ['en'] } }))[0]!.level).toBe('none');
    expect(run([['user', null, 'mayday mayday']], new Policy({ helpRequests: { extraPhrases: ['mayday'] } }))[0]!.level).toBe('urgent');
  });
});

describe('configuration', () => {
  test('manifest policy then host overrides, deep-merged', () => {
    const cfg = resolvePolicy({ persistence: { turns: 5 } }, { deescalation: { calmTurns: 2 } });
    expect(cfg.persistence).toEqual({ turns: 5, max: 'resources' });
    expect(cfg.deescalation).toEqual({ calmTurns: 2, urgentCalmTurns: 5 });
    expect(cfg.rungs.watch).toEqual(DEFAULT_POLICY.rungs.watch);
  });

  test('unknown keys are ignored', () => {
    expect(resolvePolicy({ comment: 'x', rungs: { watch: { foo: 1 } } })).toEqual(DEFAULT_POLICY);
  });

  test.each([
    [{ persistence: { turns: 0 } }, 'persistence.turns'],
    [{ rungs: { watch: { risk: 1.5 } } }, 'rungs.watch.risk'],
    [{ trend: { level: 'panic' } }, 'trend.level'],
    [{ severityProb: -1 }, 'severityProb'],
    [{ helpRequests: { extraPhrases: [1] } }, 'helpRequests.extraPhrases'],
  ])('%j is invalid_option', (over, field) => {
    expect(() => new Policy(over)).toThrowError(CareLayerError);
    expect(() => new Policy(over)).toThrowError(expect.objectContaining({ code: 'invalid_option', detail: { field } }));
  });

  test('a stricter host policy changes the ladder', () => {
    const strict = new Policy({ rungs: { resources: { risk: 0.55 } } });
    expect(run([['user', ideation]], strict)[0]!.level).toBe('resources');
  });
});

describe('long sessions and reset', () => {
  test('10,000 turns keep bounded state and a defined level', () => {
    const p = new Policy();
    let last: Intervention | undefined;
    for (let i = 0; i < 10_000; i++) last = p.observe({ role: i % 2 ? 'assistant' : 'user', signal: i % 7 === 0 ? distress : calm, text: 'x' });
    expect(p.state.turn).toBe(5000);
    expect(p.state.recentRisks.length).toBeLessThanOrEqual(Math.max(DEFAULT_POLICY.persistence.turns, DEFAULT_POLICY.trend.turns));
    expect(['none', 'watch']).toContain(last!.level);
  });

  test('reset returns to none', () => {
    const p = new Policy();
    run([['user', plan]], p);
    expect(p.level).toBe('urgent');
    p.reset();
    expect(p.level).toBe('none');
    expect(p.state.turn).toBe(0);
  });
});
