import { createReadStream, createWriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { CareLayerError } from '../errors.js';

export async function* readLines(path: string, stdin: Readable): AsyncGenerator<{ line: string; n: number }> {
  let input: Readable;
  if (path === '-') input = stdin;
  else {
    input = createReadStream(path, { encoding: 'utf8' });
    // Surface a missing file as a typed error instead of an unhandled 'error' event.
    await new Promise<void>((res, rej) => {
      input.once('readable', () => res());
      input.once('end', () => res());
      input.once('error', () => rej(new CareLayerError('load_failed', { file: path })));
    });
  }
  const rl = createInterface({ input, crlfDelay: Infinity });
  let n = 0;
  for await (const line of rl) {
    n++;
    if (line.trim() === '') continue;
    yield { line, n };
  }
}

export function openOutput(path: string | undefined, stdout: Writable): { write(obj: unknown): Promise<void>; close(): Promise<void> } {
  const out = path && path !== '-' ? createWriteStream(path, { encoding: 'utf8' }) : stdout;
  return {
    write(obj: unknown): Promise<void> {
      const ok = out.write(JSON.stringify(obj) + '\n');
      return ok ? Promise.resolve() : new Promise((r) => out.once('drain', () => r()));
    },
    close(): Promise<void> {
      if (out === stdout) return Promise.resolve();
      return new Promise((r, j) => (out as ReturnType<typeof createWriteStream>).end((e?: Error | null) => (e ? j(new CareLayerError('load_failed', { file: String(path) })) : r())));
    },
  };
}
