import { parseArgs } from 'node:util';
import type { Readable, Writable } from 'node:stream';
import { isCareLayerError } from '../errors.js';
import { defaultModelDir, loadEngine } from '../node/index.js';
import { Policy } from '../policy/index.js';
import { Auditor, formatAudit } from './audit.js';
import { openOutput, readLines } from './jsonl.js';
import { emptySummary, scoreLines, type ErrorLine, type ScoreLine } from './score.js';

export interface CliIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
}

const USAGE = `usage:
  carelayer score <in.jsonl|-> [-o out.jsonl] [--model DIR] [--precision int8|fp32] [--batch N] [--strict] [--quiet]
  carelayer audit <in.jsonl|-> [--model DIR] [--top N] [--json] [--quiet]

score  one JSON line per input line: {"id","crisis":{...},"risk","severity","reply_harm","reply",...}
audit  rates per category and the flagged conversations; reads conversations or score lines
input  {"id": ..., "messages": [{"role": "user"|"assistant", "text": "..."}], "target"?: "user"|"reply"}
`;

/** CLI entry; returns the exit code (0 ok, 1 some lines unreadable with --strict, 2 usage or load error). */
export async function main(argv: string[], io: CliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        output: { type: 'string', short: 'o' },
        model: { type: 'string' },
        precision: { type: 'string', default: 'int8' },
        batch: { type: 'string', default: '64' },
        top: { type: 'string', default: '20' },
        json: { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
        quiet: { type: 'boolean', short: 'q', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch {
    io.stderr.write(USAGE);
    return 2;
  }
  const { values: v, positionals } = parsed;
  const [cmd, input] = positionals;
  if (v.help || !cmd) {
    (v.help ? io.stdout : io.stderr).write(USAGE);
    return v.help ? 0 : 2;
  }
  if ((cmd !== 'score' && cmd !== 'audit') || !input || (v.precision !== 'int8' && v.precision !== 'fp32')) {
    io.stderr.write(USAGE);
    return 2;
  }
  const batch = Math.max(1, Math.min(1024, Number.parseInt(v.batch, 10) || 64));
  const log = (s: string): void => {
    if (!v.quiet) io.stderr.write(`carelayer: ${s}\n`);
  };

  try {
    const def = defaultModelDir();
    if (!v.model && def.isFixture) log('models/carelayer-v1 not found: using the tiny test model (scores are meaningless)');
    const engine = await loadEngine({ modelDir: v.model ?? def.dir, precision: v.precision });
    const policy = new Policy(engine.manifest.policy);
    const summary = emptySummary();
    log(`model ${engine.manifest.name}@${engine.manifest.version} (${v.precision})`);
    const auditor = new Auditor(engine.manifest);
    // audit also accepts the output of `score`: those lines are counted, not re-scored.
    const lines = cmd === 'audit' ? passScoreLines(readLines(input, io.stdin), (l) => auditor.add(l)) : readLines(input, io.stdin);
    const results = scoreLines(engine, lines, { batch, policy, summary });
    let done = 0;
    const progress = (): void => {
      done++;
      if (done % 500 === 0) log(`${done} lines`);
    };
    if (cmd === 'score') {
      const out = openOutput(v.output, io.stdout);
      for await (const line of results) {
        await out.write(line);
        progress();
      }
      await out.close();
      const lv = Object.entries(summary.levels).map(([k, n]) => `${k} ${n}`).join(', ');
      log(`scored ${summary.scored}, unreadable ${summary.errors}; levels: ${lv}`);
    } else {
      let flaggedTotal = 0;
      for await (const line of results as AsyncIterable<ScoreLine | ErrorLine>) {
        auditor.add(line);
        progress();
      }
      const top = Math.max(0, Number.parseInt(v.top, 10) || 20);
      flaggedTotal = auditor.report(Number.MAX_SAFE_INTEGER).flagged.length;
      const report = auditor.report(top);
      io.stdout.write(v.json ? JSON.stringify({ ...report, flaggedTotal }, null, 2) + '\n' : formatAudit(report, flaggedTotal));
    }
    await engine.dispose();
    return v.strict && summary.errors > 0 ? 1 : 0;
  } catch (e) {
    if (isCareLayerError(e)) {
      io.stderr.write(`carelayer: error ${e.code}${e.detail ? ' ' + JSON.stringify(e.detail) : ''}\n`);
      return 2;
    }
    throw e;
  }
}

async function* passScoreLines(
  lines: AsyncIterable<{ line: string; n: number }>,
  onScore: (l: ScoreLine) => void,
): AsyncGenerator<{ line: string; n: number }> {
  for await (const l of lines) {
    if (l.line.includes('"crisis"') && !l.line.includes('"messages"')) {
      try {
        const o = JSON.parse(l.line) as Partial<ScoreLine>;
        if (o && typeof o.crisis === 'object' && typeof o.risk === 'number' && typeof o.severity === 'number' && typeof o.level === 'string') {
          onScore({ reply_harm: null, reply: null, distortion: null, id: null, ...o } as ScoreLine);
          continue;
        }
      } catch {
        /* fall through: scored (and reported) as an unreadable conversation line */
      }
    }
    yield l;
  }
}
