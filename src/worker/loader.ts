import { CareLayerError } from '../errors.js';
import type { Manifest } from '../model/manifest.js';
import type { LoadProgress } from '../types.js';

const CACHE_NAME = 'carelayer-v1';

export interface Fetcher {
  manifest(): Promise<{ raw: unknown; fromCache: boolean }>;
  /** Bytes of a file listed in the manifest, verified against its sha256. */
  file(name: string): Promise<Uint8Array>;
  /** A runtime file keyed by a version string (ORT's wasm). */
  runtime(url: string, version: string): Promise<Uint8Array>;
}

function assertOrigin(url: URL, allowCrossOrigin: boolean): void {
  if (!allowCrossOrigin && url.origin !== self.location.origin) throw new CareLayerError('cross_origin', { origin: url.origin });
}

async function openCache(enabled: boolean): Promise<Cache | null> {
  if (!enabled || typeof caches === 'undefined') return null;
  try {
    return await caches.open(CACHE_NAME);
  } catch {
    return null; // opaque origins and some private modes refuse the Cache API
  }
}

async function sha256Hex(bytes: Uint8Array): Promise<string | null> {
  if (typeof crypto === 'undefined' || !crypto.subtle) return null; // insecure context: cannot verify
  const d = await crypto.subtle.digest('SHA-256', bytes as BufferSource);
  return Array.from(new Uint8Array(d), (b) => b.toString(16).padStart(2, '0')).join('');
}

async function readWithProgress(res: Response, total: number, report: (loaded: number) => void): Promise<Uint8Array> {
  const len = Number(res.headers.get('content-length')) || total;
  if (!res.body) return new Uint8Array(await res.arrayBuffer());
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.byteLength;
    report(Math.min(loaded, len || loaded));
  }
  const out = new Uint8Array(loaded);
  let off = 0;
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/**
 * Fetches model and runtime files from the page's origin, keyed in the Cache API
 * by content hash: a second visit reads every file from cache, and a new model
 * version (new sha256) misses the cache by construction.
 */
export function createFetcher(opts: {
  modelUrl: string;
  cache: boolean;
  allowCrossOrigin: boolean;
  onProgress: (p: LoadProgress) => void;
  manifest: () => Manifest;
}): Fetcher {
  const base = new URL(opts.modelUrl, self.location.href);
  assertOrigin(base, opts.allowCrossOrigin);
  const cacheP = openCache(opts.cache);

  async function get(url: URL, key: string, file: string, expectedBytes: number, sha: string | undefined): Promise<Uint8Array> {
    const cache = await cacheP;
    if (cache) {
      try {
        const hit = await cache.match(key);
        if (hit) {
          const bytes = new Uint8Array(await hit.arrayBuffer());
          opts.onProgress({ phase: 'cache', file, loaded: bytes.byteLength, total: bytes.byteLength, fromCache: true });
          return bytes;
        }
      } catch {
        /* a broken cache entry is refetched */
      }
    }
    let res: Response;
    try {
      res = await fetch(url, { credentials: 'same-origin' });
    } catch {
      throw new CareLayerError('load_failed', { file });
    }
    if (!res.ok) throw new CareLayerError('load_failed', { file, status: res.status });
    const bytes = await readWithProgress(res, expectedBytes, (loaded) =>
      opts.onProgress({ phase: 'download', file, loaded, total: expectedBytes || loaded, fromCache: false }),
    );
    if (sha) {
      const got = await sha256Hex(bytes);
      if (got !== null && got !== sha) throw new CareLayerError('integrity', { file });
    }
    if (cache) {
      try {
        await cache.put(key, new Response(bytes as BodyInit, { headers: { 'content-type': 'application/octet-stream' } }));
        // Drop entries of the same file with another hash: old model versions.
        for (const req of await cache.keys()) {
          const u = new URL(req.url);
          if (u.origin + u.pathname === url.origin + url.pathname && req.url !== new URL(key).href) await cache.delete(req);
        }
      } catch {
        /* quota exceeded: keep working uncached */
      }
    }
    return bytes;
  }

  return {
    async manifest() {
      const url = new URL('manifest.json', base);
      const cache = await cacheP;
      const key = new URL('manifest.json?carelayer=latest', base).href;
      opts.onProgress({ phase: 'manifest', file: 'manifest.json', loaded: 0, total: 1 });
      try {
        // Always revalidate: the manifest is the cache key of everything else.
        const res = await fetch(url, { cache: 'no-cache', credentials: 'same-origin' });
        if (!res.ok) throw new CareLayerError('load_failed', { file: 'manifest.json', status: res.status });
        const text = await res.text();
        if (cache) await cache.put(key, new Response(text, { headers: { 'content-type': 'application/json' } })).catch(() => undefined);
        opts.onProgress({ phase: 'manifest', file: 'manifest.json', loaded: 1, total: 1 });
        return { raw: parseJson(text, 'manifest.json'), fromCache: false };
      } catch (e) {
        // Offline: the last manifest seen still names cached files by hash.
        const hit = cache ? await cache.match(key).catch(() => undefined) : undefined;
        if (hit) return { raw: parseJson(await hit.text(), 'manifest.json'), fromCache: true };
        if (e instanceof CareLayerError) throw e;
        throw new CareLayerError('load_failed', { file: 'manifest.json' });
      }
    },
    async file(name) {
      const m = opts.manifest();
      const entry = m.files[name];
      if (!entry) throw new CareLayerError('manifest_invalid', { field: `files.${name}` });
      const url = new URL(name, base);
      assertOrigin(url, opts.allowCrossOrigin);
      return get(url, `${url.href}?sha256=${entry.sha256}`, name, entry.bytes, entry.sha256);
    },
    async runtime(href, version) {
      const url = new URL(href, self.location.href);
      assertOrigin(url, opts.allowCrossOrigin);
      const file = url.pathname.split('/').pop() ?? 'runtime';
      return get(url, `${url.href}?ort=${encodeURIComponent(version)}`, file, 0, undefined);
    },
  };
}

export function parseJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new CareLayerError('manifest_invalid', { file, field: 'json' });
  }
}
