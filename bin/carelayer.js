#!/usr/bin/env node
// Thin launcher: the CLI is compiled to dist/node by `npm run build`.
import { main } from '../dist/node/cli/main.js';

// `carelayer score … | head` closes stdout early: that is a normal end, not a crash.
process.stdout.on('error', (e) => {
  if (e && e.code === 'EPIPE') process.exit(0);
  throw e;
});

main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`carelayer: internal error ${err && err.name ? err.name : 'unknown'}\n`);
    process.exitCode = 3;
  },
);
