import { CareLayer, createCareLayerWith, type CareLayerOptions } from './client/care-layer.js';

export { CareLayer, type CareLayerOptions, type CareLayerEvents } from './client/care-layer.js';
export { CareSession, type Observation, type SessionEvents } from './client/session.js';
export { CareLayerError, isCareLayerError, type CareLayerErrorCode } from './errors.js';
export * from './policy/index.js';
export type { Assessment, BackendInfo, BackendName, Evidence, LoadProgress, Message, ReplyJudgment, Role } from './types.js';
export type { BackendPreference, WorkerStats } from './worker/protocol.js';

// The worker, model and ORT runtime are deployed next to this file (dist/): resolve defaults from here.
const HERE = import.meta.url;

/**
 * Starts the on-device engine in a Web Worker and loads the model.
 * @example
 * const care = await createCareLayer({ onProgress: (p) => console.log(p.phase, p.file) });
 * const a = await care.assess([{ role: 'user', text: 'I can’t do this anymore' }]);
 */
export function createCareLayer(opts: CareLayerOptions = {}): Promise<CareLayer> {
  return createCareLayerWith(opts, { base: HERE });
}

/** Like createCareLayer but returns at once; `care.ready` settles when the model is loaded. */
export function openCareLayer(opts: CareLayerOptions = {}): CareLayer {
  return new CareLayer(opts, { base: HERE });
}
