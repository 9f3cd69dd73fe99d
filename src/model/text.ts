import { CareLayerError } from '../errors.js';
import type { Message, Role } from '../types.js';

/**
 * Characters kept per token of budget before tokenising. Tokenising a 1 MB
 * message only to keep its first `maxTokens` tokens wastes seconds; no
 * tokenizer we ship produces a token from more than a few dozen characters, so
 * clipping at 64 chars/token keeps the same first tokens.
 */
export const CHARS_PER_TOKEN_BUDGET = 64;

export interface CleanText {
  text: string;
  /** The text was clipped before tokenisation (it exceeds any token budget). */
  clipped: boolean;
}

function toWellFormed(s: string): string {
  const native = (s as { toWellFormed?: () => string }).toWellFormed;
  if (typeof native === 'function') return native.call(s);
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const n = s.charCodeAt(i + 1);
      if (n >= 0xdc00 && n <= 0xdfff) {
        out += s[i]! + s[i + 1]!;
        i++;
      } else out += '\ufffd';
    } else if (c >= 0xdc00 && c <= 0xdfff) out += '\ufffd';
    else out += s[i]!;
  }
  return out;
}

/** Lone surrogates would make the tokenizer and TextEncoder disagree; replace them with U+FFFD. */
export function cleanText(text: string, maxTokens: number): CleanText {
  const limit = maxTokens * CHARS_PER_TOKEN_BUDGET;
  let clipped = false;
  let t = text;
  if (t.length > limit) {
    // Don't split a surrogate pair at the cut.
    let cut = limit;
    const c = t.charCodeAt(cut - 1);
    if (c >= 0xd800 && c <= 0xdbff) cut--;
    t = t.slice(0, cut);
    clipped = true;
  }
  return { text: toWellFormed(t), clipped };
}

/** 64-bit FNV-1a (two 32-bit lanes) over UTF-16 code units: a cache key, not a security hash. */
export function textHash(s: string): string {
  let h1 = 0x811c9dc5;
  let h2 = 0xcbf29ce4;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x0100019d);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0') + ':' + s.length.toString(36);
}

const ROLES: ReadonlySet<string> = new Set<Role>(['user', 'assistant']);

/** Runtime check of untrusted input; the error says which message and field, never its content. */
export function validateMessages(messages: unknown): Message[] {
  if (!Array.isArray(messages)) throw new CareLayerError('invalid_input', { field: 'messages' });
  if (messages.length === 0) throw new CareLayerError('empty_conversation');
  messages.forEach((m, index) => validateMessage(m, index));
  return messages as Message[];
}

export function validateMessage(m: unknown, index = 0): Message {
  if (typeof m !== 'object' || m === null) throw new CareLayerError('invalid_input', { index, field: 'message' });
  const { role, text, id } = m as Record<string, unknown>;
  if (typeof role !== 'string' || !ROLES.has(role)) throw new CareLayerError('invalid_input', { index, field: 'role' });
  if (typeof text !== 'string') throw new CareLayerError('invalid_input', { index, field: 'text' });
  if (id !== undefined && id !== null && typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id)))
    throw new CareLayerError('invalid_input', { index, field: 'id' });
  return m as Message;
}
