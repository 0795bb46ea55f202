/**
 * Offline installs from a bundle, end to end: the wheels that made it are gone, and the
 * bundle alone installs into fresh venvs as default and as side versions. A corrupted
 * bundle installs nothing.
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { makeVenv, runCli, runPython, snapshotTree, tempDir } from './helpers/env.js';
import { pythonsAtLeast } from './helpers/pythons.js';
import { writeWheel } from './helpers/wheels.js';

const python = pythonsAtLeast(3, 8).pop();
const work = tempDir();
after(() => work.cleanup());

async function makeBundle(name: string): Promise<string> {
  const dir = path.join(work.dir, `${name}-wheels`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  const wheels = await Promise.all([
    writeWheel(dir, { name: 'alpha', version: '1.0', files: { 'alpha/__init__.py': 'V = "1.0"\n' } }),
    writeWheel(dir, { name: 'alpha', version: '2.0', files: { 'alpha/__init__.py': 'V = "2.0"\n' } }),
    writeWheel(dir, { name: 'beta', version: '0.5', files: { 'beta.py': 'V = "0.5"\n' }, entryPoints: '[console_scripts]\nbeta = beta:main\n' }),
    writeWheel(dir, { name: 'gamma', version: '9.0', tag: 'cp27-cp27mu-win_amd64', files: { 'gamma.py': '' } }),
  ]);
  const bundle = path.join(work.dir, `${name}.zip`);
  const r = runCli(['bundle', 'create', bundle, ...wheels]);
  assert.equal(r.status, 0, r.stderr);
  rmSync(dir, { recursive: true });
  return bundle;
}

describe('installing from a bundle', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  test('as defaults: the best wheel of each project that suits the interpreter', async () => {
    const bundle = await makeBundle('defaults');
    const env = makeVenv(python!.executable, path.join(work.dir, 'defaults'));
    const r = runCli(['install', '--python', env, bundle]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'installed alpha 2.0\ninstalled beta 0.5\n');
    assert.equal(runPython(env, ['-c', 'import alpha, beta; print(alpha.V, beta.V)']).stdout, '2.0 0.5\n');
  });

  test('as side versions: every wheel that suits the interpreter', async () => {
    const bundle = await makeBundle('sides');
    const env = makeVenv(python!.executable, path.join(work.dir, 'sides'));
    const r = runCli(['install', '--side', '--python', env, bundle]);
    assert.equal(r.status, 0, r.stderr);
    const listed = JSON.parse(runCli(['list', '--json', '--python', env]).stdout) as Array<{ name: string; version: string; default: boolean }>;
    assert.deepEqual(
      listed.filter((row) => !row.default).map((row) => `${row.name} ${row.version}`),
      ['alpha 2.0', 'alpha 1.0', 'beta 0.5'],
    );
    assert.equal(runPython(env, ['-c', '__requires__ = ["alpha<2"]\nimport alpha; print(alpha.V)']).stdout, '1.0\n');
  });

  test('a corrupted bundle installs nothing', async () => {
    const bundle = await makeBundle('corrupt');
    const bytes = readFileSync(bundle);
    // One byte inside alpha 1.0's stored wheel, past its local header: the name's third
    // appearance, after the manifest's `name` and `path`.
    const name = Buffer.from('alpha-1.0-py3-none-any.whl');
    let header = -1;
    for (let n = 0; n < 3; n++) header = bytes.indexOf(name, header + 1);
    const at = header + name.length + 64;
    bytes[at] = bytes[at]! ^ 0x01;
    writeFileSync(bundle, bytes);
    for (const side of [false, true]) {
      const env = makeVenv(python!.executable, path.join(work.dir, `corrupt-${side}`));
      const root = path.dirname(path.dirname(env));
      const before = snapshotTree(root);
      const r = runCli(['install', ...(side ? ['--side'] : []), '--python', env, bundle]);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr, /^sidewheel: corrupt\.zip: .*alpha-1\.0-py3-none-any\.whl/);
      assert.deepEqual(snapshotTree(root), before);
    }
  });
});
