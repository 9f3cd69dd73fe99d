import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { ROOT } from '../helpers/model.js';

const BUILT = existsSync(join(ROOT, 'dist', 'node', 'node', 'index.js'));
const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

describe('README', () => {
  test('names the two newcomer commands', () => {
    expect(readme).toContain('npm install && npm start');
    expect(readme).toContain('npm test');
  });

  // The example runs through the package's own exports (self-reference), as a user would import it.
  test.skipIf(!BUILT)('the Node example runs as written', () => {
    const m = /<!-- example:node -->\s*```js\n([\s\S]*?)```/.exec(readme);
    expect(m).not.toBeNull();
    const file = join(ROOT, 'readme-example.tmp.mjs');
    writeFileSync(file, m![1]!);
    try {
      const r = spawnSync(process.execPath, [file], { cwd: ROOT, encoding: 'utf8' });
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/^\d\.\d{3} \w+/);
      expect(r.stdout).toContain('urgent');
      expect(r.stdout).toContain('help_request');
    } finally {
      rmSync(file, { force: true });
    }
  });
});
