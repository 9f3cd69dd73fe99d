/**
 * Every failure the library reports is a CareLayerError with a stable `code`.
 * Messages never contain user text: errors end up in logs and crash reports,
 * and conversation content must not leak there.
 */
export type CareLayerErrorCode =
  | 'invalid_input' // a message is not `{ role, text }` with a known role and a string text
  | 'empty_conversation' // assess() was given no messages
  | 'manifest_invalid' // manifest.json is missing fields or has the wrong contract version
  | 'model_mismatch' // a graph's inputs/outputs/shapes disagree with the manifest
  | 'integrity' // a downloaded file's sha256 differs from the manifest
  | 'load_failed' // a model or runtime file could not be fetched or read
  | 'cross_origin' // a model/runtime URL leaves the page's origin without opt-in
  | 'backend_failed' // no ONNX Runtime backend could run the model
  | 'inference_failed' // a session.run failed
  | 'worker_crashed' // the worker died twice while serving the same call
  | 'worker_unavailable' // the worker keeps crashing; restarts are exhausted
  | 'disposed' // the CareLayer (or session) was disposed
  | 'invalid_option'; // an option has an unusable value

export class CareLayerError extends Error {
  readonly code: CareLayerErrorCode;
  /** Non-sensitive structured detail (file names, counts, label names) — never message text. */
  readonly detail: Record<string, string | number | boolean> | undefined;

  constructor(code: CareLayerErrorCode, detail?: Record<string, string | number | boolean>) {
    super(detail ? `${code} ${JSON.stringify(detail)}` : code);
    this.name = 'CareLayerError';
    this.code = code;
    this.detail = detail;
  }
}

export function isCareLayerError(e: unknown): e is CareLayerError {
  return (
    e instanceof CareLayerError ||
    (typeof e === 'object' && e !== null && (e as { name?: unknown }).name === 'CareLayerError' && typeof (e as { code?: unknown }).code === 'string')
  );
}

/** Structured-clone-safe form, so errors survive the worker boundary with their code. */
export interface SerializedError {
  name: 'CareLayerError';
  code: CareLayerErrorCode;
  detail?: Record<string, string | number | boolean>;
}

export function toCareLayerError(e: unknown, fallback: CareLayerErrorCode): CareLayerError {
  if (e instanceof CareLayerError) return e;
  if (isCareLayerError(e)) return new CareLayerError(e.code, (e as CareLayerError).detail);
  // The original error text may quote model or user content: keep only its class name.
  const kind = e instanceof Error ? e.name : typeof e;
  return new CareLayerError(fallback, { cause: kind });
}
