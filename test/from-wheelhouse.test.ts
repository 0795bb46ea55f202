/**
 * install --from: requirements resolved against a local wheelhouse or a bundle, with
 * dependencies, end to end through the CLI, and checked against pip's own choice.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { makeVenv, runCli, runPython, snapshotTree, tempDir } from './helpers/env.js';
import { ensurepipWheels, pythonsAtLeast } from './helpers/pythons.js';
import { writeWheel } from './helpers/wheels.js';

const python = pythonsAtLeast(3, 8).pop();
const work = tempDir();
after(() => work.cleanup());

/** The greedy trap: the newest app pins shared 1.0, which tool cannot live with. */
async function trapWheelhouse(): Promise<string> {
  const dir = path.join(work.dir, 'wheelhouse');
  mkdirSync(dir, { recursive: true });
  const mod = (name: string, version: string): Record<string, string> => ({ [`${name}/__init__.py`]: `V = "${version}"\n` });
  await Promise.all([
    writeWheel(dir, { name: 'app', version: '2.0', files: mod('app', '2.0'), metadata: ['Requires-Dist: shared==1.0'] }),
    writeWheel(dir, { name: 'app', version: '1.0', files: mod('app', '1.0'), metadata: ['Requires-Dist: shared==2.0'] }),
    writeWheel(dir, { name: 'tool', version: '1.0', files: mod('tool', '1.0'), metadata: ['Requires-Dist: shared>=2'] }),
    writeWheel(dir, { name: 'shared', version: '1.0', files: mod('shared', '1.0') }),
    writeWheel(dir, { name: 'shared', version: '2.0', files: mod('shared', '2.0') }),
  ]);
  return dir;
}

function pipChoice(venvPython: string, dir: string, requirements: readonly string[]): string[] | null {
  const pip = [...ensurepipWheels().entries()].filter(([n]) => n.startsWith('pip-2')).sort().pop()?.[1];
  if (!pip) return null;
  const r = runPython(venvPython, [`${pip}/pip`, 'install', '--no-index', '--find-links', dir, '--dry-run', '--report', '-', '-q', '--ignore-installed', '--disable-pip-version-check', ...requirements]);
  assert.equal(r.status, 0, `pip --dry-run --report: ${r.stderr}`);
  const report = JSON.parse(r.stdout) as { install: Array<{ metadata: { name: string; version: string } }> };
  return report.install.map((i) => `${i.metadata.name} ${i.metadata.version}`).sort();
}

describe('install --from', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  test('backtracks out of the greedy choice, as pip does, and installs the answer', async (t) => {
    const dir = await trapWheelhouse();
    const env = makeVenv(python!.executable, path.join(work.dir, 'trap'));
    const r = runCli(['install', '--from', dir, '--python', env, 'app', 'tool']);
    assert.equal(r.status, 0, r.stderr);
    const got = runPython(env, ['-c', 'import app, tool, shared; print(app.V, tool.V, shared.V)']).stdout.trim();
    assert.equal(got, '1.0 1.0 2.0');
    const pip = pipChoice(env, dir, ['app', 'tool']);
    if (pip) assert.deepEqual(pip, ['app 1.0', 'shared 2.0', 'tool 1.0'], 'pip chose the same');
    else t.diagnostic('no pip wheel found to compare with');
  });

  test('the same from a bundle, as side versions', async () => {
    const dir = await trapWheelhouse();
    const bundle = path.join(work.dir, 'trap.zip');
    assert.equal(runCli(['bundle', 'create', bundle, dir]).status, 0);
    const env = makeVenv(python!.executable, path.join(work.dir, 'trap-side'));
    const r = runCli(['install', '--side', '--from', bundle, '--python', env, 'app<2']);
    assert.equal(r.status, 0, r.stderr);
    const got = runPython(env, ['-c', '__requires__ = ["app<2"]\nimport app, shared; print(app.V, shared.V)']);
    assert.equal(got.stdout.trim(), '1.0 2.0', got.stderr);
  });

  test('keeps a satisfying default that is already installed, as pip does without --upgrade', async () => {
    const dir = await trapWheelhouse();
    const env = makeVenv(python!.executable, path.join(work.dir, 'keep'));
    assert.equal(runCli(['install', '--python', env, path.join(dir, 'shared-2.0-py3-none-any.whl')]).status, 0);
    const r = runCli(['install', '--from', dir, '--python', env, 'tool']);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /resolved shared 2\.0 .*already installed/);
    assert.match(r.stdout, /installed tool 1\.0/);
    assert.doesNotMatch(r.stdout, /installed shared/);
  });

  test('when nothing fits: one line naming the project, what was seen, nothing written', async () => {
    const dir = await trapWheelhouse();
    await writeWheel(dir, { name: 'shared', version: '3.0', tag: 'cp27-cp27mu-win_amd64', files: { 'shared/__init__.py': '' } });
    const env = makeVenv(python!.executable, path.join(work.dir, 'nothing'));
    const before = snapshotTree(path.dirname(path.dirname(env)));
    const r = runCli(['install', '--from', dir, '--python', env, 'shared>=3']);
    assert.equal(r.status, 6);
    assert.match(r.stderr, /^sidewheel: no wheel of shared satisfies shared>=3 \(requested\); versions seen: 1\.0, 2\.0; shared-3\.0-cp27-cp27mu-win_amd64\.whl refused: tags not supported$/m);
    assert.deepEqual(snapshotTree(path.dirname(path.dirname(env))), before);
  });
});
