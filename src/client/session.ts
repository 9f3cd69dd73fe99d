import { CareLayerError, toCareLayerError, type CareLayerErrorCode } from '../errors.js';
import { validateMessage } from '../model/text.js';
import { helpPhrases, resolvePolicy, type PolicyConfig, type PolicyOverrides } from '../policy/config.js';
import type { Level } from '../policy/levels.js';
import { createHelpMatcher, type HelpMatcher } from '../policy/panic.js';
import { INITIAL_STATE, signalFromAssessment, step, type Intervention, type PolicyState } from '../policy/policy.js';
import type { Assessment, Message } from '../types.js';
import { Emitter } from './emitter.js';

export interface Observation {
  /** Index of this message in the session (0-based, counting every observed message). */
  index: number;
  /** Null when the model could not run (see `error`); the policy still advanced. */
  assessment: Assessment | null;
  intervention: Intervention;
  error?: CareLayerErrorCode;
}

export interface SessionEvents extends Record<string, unknown> {
  intervention: Intervention & { index: number };
  assessment: Observation;
}

/** What a session needs from the CareLayer. */
export interface SessionBackend {
  assess(messages: Message[]): Promise<Assessment>;
  /** The manifest's policy block once the model has loaded (undefined before). */
  manifestPolicy(): Record<string, unknown> | undefined;
  maxWindow(): number;
  /** Resolves when the model is loaded (rejects if loading failed). */
  ready: Promise<unknown>;
}

/**
 * One conversation: keeps the newest messages (bounded by the model window) and
 * the policy state; the policy runs here on the host, so help phrases escalate
 * even while the model is loading or after it has failed.
 */
export class CareSession {
  private readonly events = new Emitter<SessionEvents>();
  private history: Message[] = [];
  private count = 0;
  private state: PolicyState = INITIAL_STATE;
  private cfg: PolicyConfig;
  private help: HelpMatcher;
  private cfgFromManifest = false;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;

  constructor(
    private readonly backend: SessionBackend,
    private readonly overrides: PolicyOverrides | undefined,
    private readonly layerDefaults: PolicyOverrides | undefined,
  ) {
    this.cfg = resolvePolicy(layerDefaults, overrides);
    this.help = createHelpMatcher(helpPhrases(this.cfg));
    this.refreshConfig();
  }

  /** Calibrated manifest defaults apply as soon as the model has loaded. */
  private refreshConfig(): void {
    if (this.cfgFromManifest) return;
    const mp = this.backend.manifestPolicy();
    if (mp === undefined) return;
    this.cfg = resolvePolicy(mp, this.layerDefaults, this.overrides);
    this.help = createHelpMatcher(helpPhrases(this.cfg));
    this.cfgFromManifest = true;
  }

  get level(): Level {
    return this.state.level;
  }

  get policy(): PolicyConfig {
    return this.cfg;
  }

  on<K extends keyof SessionEvents>(type: K, cb: (e: SessionEvents[K]) => void): () => void {
    return this.events.on(type, cb);
  }

  off<K extends keyof SessionEvents>(type: K, cb: (e: SessionEvents[K]) => void): void {
    this.events.off(type, cb);
  }

  /** Adds a message to the conversation, scores the window and steps the ladder. Calls are processed in order. */
  observe(message: Message): Promise<Observation> {
    if (this.disposed) return Promise.reject(new CareLayerError('disposed'));
    let msg: Message;
    try {
      const m = validateMessage(message);
      msg = { role: m.role, text: m.text, ...(m.id !== undefined && m.id !== null ? { id: m.id } : {}) };
    } catch (e) {
      return Promise.reject(e);
    }
    const run = this.queue.then(() => this.observeNow(msg));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async observeNow(msg: Message): Promise<Observation> {
    if (this.disposed) throw new CareLayerError('disposed');
    this.refreshConfig();
    const index = this.count++;
    this.history.push(msg);
    const keep = Math.max(1, this.backend.maxWindow());
    if (this.history.length > keep) this.history.splice(0, this.history.length - keep);
    const window = this.history.slice();
    const offset = index + 1 - window.length;

    // Help requests are decided before (and without) the model.
    let early: Intervention | null = null;
    if (msg.role === 'user' && this.cfg.helpRequests.enabled && this.help.match(msg.text) !== null) {
      early = this.advance({ role: msg.role, text: msg.text, signal: null }, index);
    }
    let assessment: Assessment | null = null;
    let error: CareLayerErrorCode | undefined;
    try {
      assessment = rebase(await this.backend.assess(window), offset);
    } catch (e) {
      const c = toCareLayerError(e, 'inference_failed');
      if (c.code === 'disposed' && this.disposed) throw c;
      error = c.code;
    }
    if (this.disposed) throw new CareLayerError('disposed');
    this.refreshConfig();
    const intervention =
      early ?? this.advance({ role: msg.role, text: msg.text, signal: assessment ? signalFromAssessment(assessment) : null }, index);
    const obs: Observation = { index, assessment, intervention, ...(error ? { error } : {}) };
    this.events.emit('assessment', obs);
    return obs;
  }

  private advance(input: Parameters<typeof step>[1], index: number): Intervention {
    const r = step(this.state, input, this.cfg, this.help);
    this.state = r.state;
    if (r.intervention.changed) this.events.emit('intervention', { ...r.intervention, index });
    return r.intervention;
  }

  /** Forgets the conversation and returns to `none` (listeners stay). */
  reset(): void {
    this.history = [];
    this.count = 0;
    this.state = INITIAL_STATE;
  }

  dispose(): void {
    this.disposed = true;
    this.events.clear();
    this.history = [];
  }
}

/** Session-relative indices: the engine saw only the window. */
function rebase(a: Assessment, offset: number): Assessment {
  if (offset === 0) return a;
  return {
    ...a,
    window: { start: a.window.start + offset, length: a.window.length },
    evidence: a.evidence.map((e) => ({ index: e.index + offset, weight: e.weight })),
    truncated: a.truncated.map((i) => i + offset),
    reply: a.reply ? { ...a.reply, index: a.reply.index + offset } : null,
  };
}
