import * as transformers from '@huggingface/transformers';
import { CareLayerError } from '../errors.js';
import type { Manifest } from './manifest.js';
import { cleanText } from './text.js';

export interface Tokenized {
  ids: number[];
  /** Cut to the manifest's token budget (or clipped before tokenising). */
  truncated: boolean;
  /** No tokens after normalisation: encoded as `manifest.tokenizer.emptyId`. */
  empty: boolean;
}

export interface MessageTokenizer {
  encode(text: string): Tokenized;
}

type TokenizerCtor = new (json: unknown, config: unknown) => { encode(text: string, o: { add_special_tokens: boolean }): number[] };

/**
 * Builds the tokenizer the way `AutoTokenizer.from_pretrained` does (class picked from
 * `tokenizer_config.tokenizer_class`), but from bytes we already fetched, verified and
 * cached ourselves, so transformers.js never touches the network.
 */
export function createTokenizer(manifest: Manifest, tokenizerJson: unknown, tokenizerConfig: unknown): MessageTokenizer {
  const cfg = (tokenizerConfig ?? {}) as { tokenizer_class?: unknown };
  const className = typeof cfg.tokenizer_class === 'string' ? cfg.tokenizer_class.replace(/Fast$/, '') : 'PreTrainedTokenizer';
  const lib = transformers as unknown as Record<string, unknown>;
  const Ctor = (typeof lib[className] === 'function' ? lib[className] : transformers.PreTrainedTokenizer) as unknown as TokenizerCtor;
  let tok: InstanceType<TokenizerCtor>;
  try {
    tok = new Ctor(tokenizerJson, tokenizerConfig ?? {});
  } catch (e) {
    throw new CareLayerError('model_mismatch', { file: 'tokenizer.json', cause: e instanceof Error ? e.name : 'unknown' });
  }
  const { maxTokens, emptyId } = manifest.tokenizer;
  return {
    encode(text: string): Tokenized {
      const clean = cleanText(text, maxTokens);
      // Whitespace-only is the contract's empty message too: a SentencePiece tokenizer would
      // otherwise turn it into word-boundary pieces that mean nothing.
      if (clean.text.trim() === '') return { ids: [emptyId], truncated: false, empty: true };
      const all = tok.encode(clean.text, { add_special_tokens: false });
      const truncated = clean.clipped || all.length > maxTokens;
      const ids = all.length > maxTokens ? all.slice(0, maxTokens) : all;
      if (ids.length === 0) return { ids: [emptyId], truncated, empty: true };
      return { ids, truncated, empty: false };
    },
  };
}
