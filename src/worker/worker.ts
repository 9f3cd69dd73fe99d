/// <reference lib="webworker" />
import * as Comlink from 'comlink';
import { CareLayerError, toCareLayerError, type SerializedError } from '../errors.js';
import { EngineHost } from './engine-host.js';
import type { DebugAction, WorkerApi, WorkerInit } from './protocol.js';

const host = new EngineHost();
let debugEnabled = false;

/** comlink drops custom Error fields; a plain object keeps the code across the boundary. */
function serialize(e: unknown, fallback: CareLayerError['code']): SerializedError {
  const c = toCareLayerError(e, fallback);
  return { name: 'CareLayerError', code: c.code, ...(c.detail ? { detail: c.detail } : {}) };
}

async function guard<T>(fn: () => Promise<T> | T, fallback: CareLayerError['code']): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw serialize(e, fallback);
  }
}

const api: WorkerApi = {
  init: (opts: WorkerInit, onProgress) =>
    guard(() => {
      debugEnabled = opts.debug;
      return host.init(opts, (p) => void onProgress?.(p));
    }, 'load_failed'),
  assess: (messages) => guard(() => host.assess(messages), 'inference_failed'),
  stats: () => guard(() => host.stats(), 'disposed'),
  ping: async () => true,
  dispose: () => guard(() => host.dispose(), 'disposed'),
  debug: async (action: DebugAction) => {
    if (!debugEnabled) throw serialize(new CareLayerError('invalid_option', { field: 'debug' }), 'invalid_option');
    if (action === 'crash')
      setTimeout(() => {
        throw new Error('carelayer simulated crash');
      }, 0);
    else if (action === 'exit') setTimeout(() => self.close(), 0);
    else if (action === 'lose-device') host.loseDevice();
    else if (action === 'hang') setTimeout(() => {
      for (;;) {
        /* blocks the worker until the host's watchdog terminates it */
      }
    }, 0);
  },
};

Comlink.expose(api);
