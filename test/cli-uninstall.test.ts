/**
 * `uninstall` says exactly what it removed and what it could not, never guesses between
 * a default and a side version of the same version, and keeps the runtime while side
 * versions need it.
 */
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { makeVenv, runCli, runPython, tempDir } from './helpers/env.js';
import { pythonsAtLeast } from './helpers/pythons.js';
import { writeWheel } from './helpers/wheels.js';

const python = pythonsAtLeast(3, 8).pop();
const work = tempDir('sidewheel-uninstall-');
after(() => work.cleanup());

async function wheel(name: string, version: string): Promise<string> {
  return writeWheel(work.dir, { name, version, files: { [`${name}/__init__.py`]: `V = ${JSON.stringify(version)}\n` } });
}

/** What `list` shows, the runtime (`sidewheel`, there with side versions) included only when asked. */
function installed(venv: string, withRuntime = false): string[] {
  const r = runCli(['list', '--json', '--python', venv]);
  const rows = JSON.parse(r.stdout) as Array<{ name: string; version: string; default: boolean }>;
  return rows.filter((row) => withRuntime || row.name !== 'sidewheel').map((row) => `${row.name}${row.name === 'sidewheel' ? '' : ` ${row.version}`}${row.default ? '' : ' (side)'}`);
}

describe('uninstall', { skip: !python ? 'no CPython >= 3.8' : false }, () => {
  test('several names, some not installed: the others are removed, the missing named, exit 5', async () => {
    const venv = makeVenv(python!.executable, path.join(work.dir, 'some'));
    assert.equal(runCli(['install', '-q', '--python', venv, await wheel('keep', '1.0'), await wheel('drop', '1.0')]).status, 0);
    const r = runCli(['uninstall', '--python', venv, 'drop', 'ghost', 'keep==9.9']);
    assert.equal(r.status, 5, r.stderr);
    assert.match(r.stdout, /^removed drop 1\.0 \(\d+ files\)\n$/);
    assert.match(r.stderr, /^sidewheel: acted on .*\nsidewheel: not removed, as not installed: ghost, keep==9\.9\nhint: sidewheel list shows what is installed\n$/);
    assert.deepEqual(installed(venv), ['keep 1.0']);
  });

  test('nothing named is installed: the reason, nothing changed', async () => {
    const venv = makeVenv(python!.executable, path.join(work.dir, 'none'));
    assert.equal(runCli(['install', '-q', '--side', '--python', venv, await wheel('only', '1.0')]).status, 0);
    const r = runCli(['uninstall', '--python', venv, 'only']);
    assert.equal(r.status, 5);
    assert.match(r.stderr, /^sidewheel: only is not installed \(installed: 1\.0 \(side\)\)\nhint: name a side version: only==1\.0\n$/);
    assert.deepEqual(installed(venv), ['only 1.0 (side)']);
  });

  test('a version that is both the default and a side version: refused until --side or --default says which', async () => {
    const venv = makeVenv(python!.executable, path.join(work.dir, 'both'));
    const both = await wheel('both', '1.0');
    assert.equal(runCli(['install', '-q', '--side', '--python', venv, both]).status, 0);
    assert.equal(runCli(['install', '-q', '--python', venv, both]).status, 0);
    assert.deepEqual(installed(venv), ['both 1.0', 'both 1.0 (side)']);

    const ambiguous = runCli(['uninstall', '--python', venv, 'both==1.0']);
    assert.equal(ambiguous.status, 2);
    assert.equal(ambiguous.stderr, 'sidewheel: both==1.0 is installed both as the default and as a side version\nhint: say which: --default both==1.0 or --side both==1.0\n');
    assert.deepEqual(installed(venv), ['both 1.0', 'both 1.0 (side)']);

    const side = runCli(['uninstall', '--side', '--python', venv, 'both==1.0']);
    assert.match(side.stdout, /^removed both 1\.0 \(side version\)/, side.stderr);
    assert.deepEqual(installed(venv), ['both 1.0']);
    assert.equal(runCli(['uninstall', '--side', '--python', venv, 'both==1.0']).status, 5, 'no side version left to remove');
    const dflt = runCli(['uninstall', '--default', '--python', venv, 'both==1.0']);
    assert.match(dflt.stdout, /^removed both 1\.0 \(\d+ files\)/, dflt.stderr);
    assert.deepEqual(installed(venv), []);
  });

  test('--side needs a version; --side and --default exclude each other', () => {
    assert.match(runCli(['uninstall', '--side', 'pkg']).stderr, /^sidewheel: --side needs NAME==VERSION, not pkg\n/);
    assert.equal(runCli(['uninstall', '--side', '--default', 'pkg==1']).status, 2);
  });

  test('the runtime stays while side versions need it, unless --force', async () => {
    const venv = makeVenv(python!.executable, path.join(work.dir, 'runtime'));
    assert.equal(runCli(['install', '-q', '--side', '--python', venv, await wheel('lib', '1.0')]).status, 0);
    assert.deepEqual(installed(venv, true), ['lib 1.0 (side)', 'sidewheel']);
    const refused = runCli(['uninstall', '--python', venv, 'sidewheel']);
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /^sidewheel: sidewheel is the runtime that activates the 1 side version here \(lib 1\.0\); without it they could no longer be activated\nhint: uninstall those side versions first, or pass --force\n$/);
    assert.equal(runPython(venv, ['-c', 'import sidewheel; sidewheel.require("lib==1.0"); import lib; print(lib.V)']).stdout, '1.0\n');
    // Removing the side versions in the same command is fine.
    const together = runCli(['uninstall', '--python', venv, 'sidewheel', 'lib==1.0']);
    assert.equal(together.status, 0, together.stderr);
    assert.deepEqual(installed(venv, true), []);

    assert.equal(runCli(['install', '-q', '--side', '--python', venv, await wheel('lib', '1.0')]).status, 0);
    const forced = runCli(['uninstall', '--force', '--python', venv, 'sidewheel']);
    assert.equal(forced.status, 0, forced.stderr);
    assert.deepEqual(installed(venv, true), ['lib 1.0 (side)']);
  });
});
