/** Progress bars show on a terminal (a pseudo-terminal from `script`), never in a pipe or with --quiet. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { CLI, makeVenv, runCli, tempDir } from './helpers/env.js';
import { pythonsAtLeast } from './helpers/pythons.js';
import { writeWheel } from './helpers/wheels.js';

const python = pythonsAtLeast(3, 8).pop();
const hasScript = spawnSync('script', ['--version']).status === 0;
const work = tempDir();
after(() => work.cleanup());

const manyFiles = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`many/m${i}.py`, `X = ${i}\n`]));

function onTerminal(args: readonly string[]): string {
  const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  const env: NodeJS.ProcessEnv = { ...process.env, SIDEWHEEL_CACHE_DIR: path.join(work.dir, 'cache') };
  delete env.CI;
  const r = spawnSync('script', ['-qec', command, '/dev/null'], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stdout + r.stderr);
  return r.stdout;
}

describe('progress', { skip: !python ? 'no CPython >= 3.8' : !hasScript ? 'no script(1) for a pseudo-terminal' : false }, () => {
  test('a bar on a terminal, for work of many steps', async () => {
    const wheel = await writeWheel(work.dir, { name: 'many', version: '1.0', files: manyFiles });
    const env = makeVenv(python!.executable, path.join(work.dir, 'tty'));
    const out = onTerminal(['install', '--no-compile', '--python', env, wheel]);
    assert.match(out, /writing files \[.*\] \d+\/6\d/);
    assert.match(out, /installed many 1\.0/);
  });

  test('nothing but the result in a pipe', async () => {
    const wheel = await writeWheel(work.dir, { name: 'piped', version: '1.0', files: manyFiles });
    const env = makeVenv(python!.executable, path.join(work.dir, 'pipe'));
    const r = runCli(['install', '--no-compile', '--python', env, wheel]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^sidewheel: acted on virtual environment [^\n]*\n$/, 'only the line naming the environment');
    assert.equal(r.stdout, 'installed piped 1.0\n');
  });

  test('nothing at all with --quiet, even on a terminal', async () => {
    const wheel = await writeWheel(work.dir, { name: 'hushed', version: '1.0', files: manyFiles });
    const env = makeVenv(python!.executable, path.join(work.dir, 'quiet'));
    assert.equal(onTerminal(['install', '--quiet', '--no-compile', '--python', env, wheel]).trim(), '');
  });
});
