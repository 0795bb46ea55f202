/**
 * One probe per interpreter: the cached probe also carries the PEP 508 marker
 * environment, equal to packaging's default_environment() on every interpreter found
 * (CPython 3.6 up, PyPy), and resolving with it starts no further Python.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { probeInterpreter } from '../src/python/probe.js';
import { makeVenv, runCli, tempDir } from './helpers/env.js';
import { findPythons, packagingIn, pythonsAtLeast, runWithPackaging } from './helpers/pythons.js';
import { writeWheel } from './helpers/wheels.js';

const work = tempDir();
after(() => work.cleanup());

const DEFAULT_ENVIRONMENT = `
print(json.dumps(P.markers.default_environment()))
`;

describe("the probe's marker environment is packaging's default_environment()", () => {
  for (const python of findPythons()) {
    test(`${python.implementation} ${python.label}`, async (t) => {
      const found = await packagingIn(python);
      if (!found) return t.skip('no packaging here, installed or vendored');
      const stdout = await runWithPackaging(python, DEFAULT_ENVIRONMENT);
      const info = await probeInterpreter(python.executable);
      assert.deepEqual({ ...info.markers, extra: undefined }, { ...(JSON.parse(stdout) as object), extra: undefined }, `packaging ${found.version} (${found.source})`);
    });
  }
});

const python = pythonsAtLeast(3, 8).pop();

test('install --from starts no Python beyond the cached probe', { skip: python ? false : 'no CPython >= 3.8' }, async () => {
  const venv = path.dirname(path.dirname(makeVenv(python!.executable, path.join(work.dir, 'venv'))));
  const count = path.join(work.dir, 'starts');
  writeFileSync(count, '');
  // A python that counts its starts; in the venv's bin, so it is that venv's interpreter.
  const counted = path.join(venv, 'bin', 'counted-python');
  writeFileSync(counted, `#!/bin/sh\necho start >> '${count}'\nexec '${path.join(venv, 'bin', 'python')}' "$@"\n`);
  chmodSync(counted, 0o755);
  const house = path.join(work.dir, 'house');
  mkdirSync(house);
  await writeWheel(house, { name: 'app', version: '1.0', files: { 'app.py': '' }, metadata: ['Requires-Dist: lib; python_version >= "3"'] });
  await writeWheel(house, { name: 'lib', version: '1.0', files: { 'lib.py': '' } });
  const env = { SIDEWHEEL_CACHE_DIR: path.join(work.dir, 'cache') };
  const starts = (): number => readFileSync(count, 'utf8').split('\n').filter(Boolean).length;

  const r = runCli(['install', '-q', '--no-compile', '--from', house, '--python', counted, 'app'], env);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(starts(), 1, 'the probe, and nothing else: the markers came with it');
  assert.equal(runCli(['list', '--python', counted], env).stdout.match(/^(app|lib) /gm)?.length, 2, 'the marker held: lib came too');
});
