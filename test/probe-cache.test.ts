/** The interpreter probe is cached by the CLI as shipped (the bundle), so a second run starts no Python. */
import assert from 'node:assert/strict';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { makeVenv, runCli, tempDir } from './helpers/env.js';
import { pythonsAtLeast } from './helpers/pythons.js';

const python = pythonsAtLeast(3, 8).pop();
const work = tempDir();
after(() => work.cleanup());

test('the bundled CLI writes the probe cache and reads it back', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  const env = makeVenv(python!.executable, path.join(work.dir, 'venv'));
  const cache = path.join(work.dir, 'cache');
  assert.equal(runCli(['list', '--python', env], { SIDEWHEEL_CACHE_DIR: cache }).status, 0);
  assert.equal(readdirSync(path.join(cache, 'probes')).length, 1, 'one cached probe');
  const [file] = readdirSync(path.join(cache, 'probes'));
  const written = statSync(path.join(cache, 'probes', file!)).mtimeMs;
  const second = runCli(['list', '--python', env], { SIDEWHEEL_CACHE_DIR: cache });
  assert.equal(second.status, 0, second.stderr);
  assert.equal(statSync(path.join(cache, 'probes', file!)).mtimeMs, written, 'a hit is not rewritten');
});
