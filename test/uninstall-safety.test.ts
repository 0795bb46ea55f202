/**
 * Installed state is untrusted: an uninstall removes only what is its own. RECORD rows
 * are resolved with symbolic links followed before being judged inside the
 * environment; a row naming a directory removes no directory; a file another
 * distribution's RECORD lists stays; a side version replaced by a link is not followed;
 * and a `.dist-info` that is a link is removed as the link.
 */
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { makeVenv, runCli, runPython, snapshotTree, tempDir } from './helpers/env.js';
import { findPythons } from './helpers/pythons.js';
import { distInfoName, writeWheel, type WheelSpec } from './helpers/wheels.js';

const python = findPythons().find((p) => p.version[0] === 3 && p.version[1] >= 8);
const work = tempDir('sidewheel-uninstall-');
after(() => work.cleanup());

interface Env {
  readonly python: string;
  readonly site: string;
  readonly outside: string;
}

let counter = 0;
function freshEnv(): Env {
  const dir = path.join(work.dir, `case-${counter++}`);
  const py = makeVenv(python!.executable, path.join(dir, 'env'));
  const site = runPython(py, ['-c', 'import sysconfig; print(sysconfig.get_path("purelib"))']).stdout.trim();
  const outside = path.join(dir, 'outside');
  mkdirSync(outside);
  writeFileSync(path.join(outside, 'precious.txt'), 'keep me\n');
  return { python: py, site, outside };
}

async function install(env: Env, spec: WheelSpec, ...flags: string[]): Promise<void> {
  const wheel = await writeWheel(path.dirname(env.outside), spec);
  const r = runCli(['install', '--no-compile', '--no-cache', '-q', ...flags, '--python', env.python, wheel]);
  assert.equal(r.status, 0, r.stderr);
}

function addRecordRows(env: Env, spec: WheelSpec, ...rows: string[]): void {
  appendFileSync(path.join(env.site, distInfoName(spec), 'RECORD'), rows.map((r) => `${r}\n`).join(''));
}

const greet: WheelSpec = { name: 'greet', version: '1.0', files: { 'greet/__init__.py': 'X = 1\n' } };
const other: WheelSpec = { name: 'other', version: '1.0', files: { 'other/__init__.py': 'Y = 1\n', 'other/data.txt': 'data\n' } };

describe('uninstall removes only its own', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  test('a row reaching through a linked directory to outside the environment is refused; nothing removed', async () => {
    const env = freshEnv();
    await install(env, greet);
    symlinkSync(env.outside, path.join(env.site, 'linkdir'));
    addRecordRows(env, greet, 'linkdir/precious.txt,,');
    const before = snapshotTree(env.site);
    const r = runCli(['uninstall', '--python', env.python, 'greet']);
    assert.equal(r.status, 5, r.stderr);
    assert.match(r.stderr, /linkdir\/precious\.txt, which is outside the environment/);
    assert.equal(r.stderr.trim().split('\n').length, 2, r.stderr); // the line and its hint
    assert.equal(readFileSync(path.join(env.outside, 'precious.txt'), 'utf8'), 'keep me\n');
    assert.deepEqual(snapshotTree(env.site), before);
  });

  for (const row of ['../../../../outside/precious.txt', '/etc/hostname', '']) {
    test(`a row ${JSON.stringify(row)} is refused; nothing removed`, async () => {
      const env = freshEnv();
      await install(env, greet);
      addRecordRows(env, greet, `${row},,`);
      const before = snapshotTree(env.site);
      const r = runCli(['uninstall', '--python', env.python, 'greet']);
      assert.equal(r.status, 5, r.stderr);
      assert.deepEqual(snapshotTree(env.site), before);
    });
  }

  test("a row naming another distribution's directory removes no directory and none of its files", async () => {
    const env = freshEnv();
    await install(env, other);
    await install(env, greet);
    addRecordRows(env, greet, 'other,,', 'other/,,');
    const r = runCli(['uninstall', '--python', env.python, 'greet']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!existsSync(path.join(env.site, 'greet')));
    assert.ok(!existsSync(path.join(env.site, distInfoName(greet))));
    assert.equal(readFileSync(path.join(env.site, 'other', 'data.txt'), 'utf8'), 'data\n');
    assert.equal(runPython(env.python, ['-c', 'import other; print(other.Y)']).stdout, '1\n');
  });

  test("a file another installed distribution's RECORD lists too is kept", async () => {
    const env = freshEnv();
    await install(env, other);
    await install(env, greet);
    addRecordRows(env, greet, 'other/data.txt,,');
    const r = runCli(['uninstall', '--python', env.python, 'greet']);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(readFileSync(path.join(env.site, 'other', 'data.txt'), 'utf8'), 'data\n');
    // And once it is the only owner left, it goes.
    assert.equal(runCli(['uninstall', '--python', env.python, 'other']).status, 0);
    assert.ok(!existsSync(path.join(env.site, 'other')));
  });

  test('a row through a link that stays inside the environment removes the real file, not the link', async () => {
    const env = freshEnv();
    await install(env, greet);
    symlinkSync(path.join(env.site, 'greet'), path.join(env.site, 'alias'));
    addRecordRows(env, greet, 'alias/__init__.py,,');
    const r = runCli(['uninstall', '--python', env.python, 'greet']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!existsSync(path.join(env.site, 'greet')));
  });

  test('a .dist-info that is a link to elsewhere is removed as the link, never followed', async () => {
    const env = freshEnv();
    await install(env, greet);
    const distInfo = path.join(env.site, distInfoName(greet));
    const moved = path.join(env.outside, distInfoName(greet));
    renameSync(distInfo, moved);
    symlinkSync(moved, distInfo);
    const outsideBefore = snapshotTree(env.outside);
    const r = runCli(['uninstall', '--python', env.python, 'greet']);
    assert.equal(r.status, 0, r.stderr);
    assert.ok(!existsSync(distInfo));
    assert.deepEqual(snapshotTree(env.outside), outsideBefore);
  });

  test('a side version replaced by a link to elsewhere is not followed by uninstall or doctor --fix', async () => {
    const env = freshEnv();
    await install(env, greet, '--side');
    const location = path.join(env.site, 'greet-1.0-py3-none-any.whl');
    const moved = path.join(env.outside, 'elsewhere');
    renameSync(location, moved);
    symlinkSync(moved, location);
    const outsideBefore = snapshotTree(env.outside);
    const r = runCli(['uninstall', '--python', env.python, 'greet==1.0']);
    assert.equal(r.status, 5, r.stderr);
    const doctor = runCli(['doctor', '--fix', '--python', env.python]);
    assert.match(doctor.stdout, /greet-1\.0-py3-none-any\.whl is a symbolic link/);
    assert.equal(doctor.status, 5, doctor.stderr);
    assert.deepEqual(snapshotTree(env.outside), outsideBefore);
  });

  test('a pre-existing link at a side version location is refused, not written through', async () => {
    const env = freshEnv();
    symlinkSync(env.outside, path.join(env.site, 'greet-1.0-py3-none-any.whl'));
    const before = snapshotTree(env.site);
    const wheel = await writeWheel(path.dirname(env.outside), greet);
    const r = runCli(['install', '--side', '--no-cache', '--python', env.python, wheel]);
    assert.equal(r.status, 8, r.stderr);
    assert.match(r.stderr, /is a symbolic link; sidewheel does not write through it/);
    assert.deepEqual(readdirSync(env.outside), ['precious.txt']);
    assert.deepEqual(snapshotTree(env.site), before);
  });

  test('10,000 files in one directory: uninstall removes them all and every emptied directory', async () => {
    const env = freshEnv();
    const files: Record<string, string> = {};
    for (let i = 0; i < 10_000; i++) files[`many/m${i}.py`] = `X = ${i}\n`;
    const many: WheelSpec = { name: 'many', version: '1.0', files };
    const wheel = await writeWheel(path.dirname(env.outside), many);
    assert.equal(runCli(['install', '--no-cache', '-q', '--python', env.python, wheel]).status, 0);
    assert.ok(readdirSync(path.join(env.site, 'many', '__pycache__')).length >= 10_000);
    const r = runCli(['uninstall', '--python', env.python, 'many']);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(readdirSync(env.site).filter((n) => !n.startsWith('_')), []);
  });
});
