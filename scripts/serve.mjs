#!/usr/bin/env node
// Static server for `npm start` and the browser tests: loopback only, no dependencies.
//   /              demo/index.html when the demo exists, else the minimal start page
//   /carelayer/    dist/ (library, worker, ort/, model/)
//   /models/ /demo/ /test/ /bench/   the repository folders of the same name
// --isolated adds COOP/COEP (cross-origin isolation → WASM threads).
// Pages named *.csp.html get a strict Content-Security-Policy (no inline script, no eval, no blob workers).
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.jsonl': 'application/jsonl; charset=utf-8',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
  '.map': 'application/json',
  '.md': 'text/markdown; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export const STRICT_CSP =
  "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; connect-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

function route(pathname) {
  const p = decodeURIComponent(pathname);
  if (p === '/' || p === '/index.html') {
    const demo = join(ROOT, 'demo', 'index.html');
    return existsSync(demo) ? demo : join(ROOT, 'scripts', 'start-page', 'index.html');
  }
  const mounts = [
    ['/carelayer/', join(ROOT, 'dist')],
    ['/start/', join(ROOT, 'scripts', 'start-page')],
    ['/models/', join(ROOT, 'models')],
    ['/demo/', join(ROOT, 'demo')],
    ['/test/', join(ROOT, 'test')],
    ['/bench/', join(ROOT, 'bench')],
  ];
  for (const [prefix, dir] of mounts) {
    if (!p.startsWith(prefix)) continue;
    const file = normalize(join(dir, p.slice(prefix.length)));
    if (file !== dir && !file.startsWith(dir + sep)) return null; // no ../ escapes
    return file;
  }
  return null;
}

/** @param {{ port?: number, host?: string, isolated?: boolean, quiet?: boolean }} o */
export function startServer(o = {}) {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let file = route(url.pathname);
    if (file && existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    const headers = { 'Cache-Control': 'no-cache', 'X-Content-Type-Options': 'nosniff' };
    if (o.isolated) {
      headers['Cross-Origin-Opener-Policy'] = 'same-origin';
      headers['Cross-Origin-Embedder-Policy'] = 'require-corp';
      headers['Cross-Origin-Resource-Policy'] = 'same-origin';
    }
    if (!file || !existsSync(file)) {
      res.writeHead(404, { ...headers, 'Content-Type': 'text/plain' });
      res.end('not found');
      return;
    }
    if (file.endsWith('.csp.html')) headers['Content-Security-Policy'] = STRICT_CSP;
    const size = statSync(file).size;
    res.writeHead(200, { ...headers, 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Content-Length': String(size) });
    if (req.method === 'HEAD') return res.end();
    createReadStream(file).pipe(res);
  });
  return new Promise((resolveP, reject) => {
    server.once('error', reject);
    server.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => {
      const addr = server.address();
      const port = typeof addr === 'object' && addr ? addr.port : o.port;
      resolveP({ url: `http://${o.host ?? '127.0.0.1'}:${port}`, port, close: () => new Promise((r) => server.close(() => r(undefined))) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const port = Number(args[args.indexOf('--port') + 1]) || Number(process.env.PORT) || 8080;
  const isolated = !args.includes('--no-isolation');
  if (!existsSync(join(ROOT, 'dist', 'carelayer.js'))) console.warn('dist/ is missing: run `npm run build` first');
  const s = await startServer({ port, isolated });
  console.log(`carelayer demo: ${s.url}/  (cross-origin isolated: ${isolated}; Ctrl-C to stop)`);
}
