/**
 * The environment lock is never taken from a live process. Unit level: a holder that
 * lives keeps its lock however long it takes, a dead holder's lock (or one whose pid
 * now names another process) is taken over. End to end: a default install of 100,000
 * small files (30,000 unless SIDEWHEEL_STRESS_FILES says) and a second change started while it runs: the second waits, both land,
 * nothing is deleted from under the first.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { currentOwner, withEnvironmentLock, writeOwner } from '../src/environment/lock.js';
import { CLI, makeVenv, runPython, tempDir } from './helpers/env.js';
import { findPythons } from './helpers/pythons.js';
import { wheelEntries, wheelFileName, writeWheel, type WheelSpec } from './helpers/wheels.js';
import yazl from 'yazl';
import { createWriteStream } from 'node:fs';
import { finished } from 'node:stream/promises';

const work = tempDir('sidewheel-lock-');
after(() => work.cleanup());
const python = findPythons().find((p) => p.version[0] === 3 && p.version[1] >= 8);

function deadPid(): number {
  return Number(spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' }).stdout.trim());
}

function lockHeldBy(site: string, owner: ReturnType<typeof currentOwner>): void {
  const lock = path.join(site, '.sidewheel.lock');
  mkdirSync(lock, { recursive: true });
  writeOwner(lock, owner);
}

describe('the lock', () => {
  test("a dead holder's lock is taken over", async () => {
    const site = path.join(work.dir, 'dead');
    lockHeldBy(site, { ...currentOwner(), pid: deadPid() });
    assert.equal(await withEnvironmentLock(site, async () => 'ran'), 'ran');
    assert.ok(!existsSync(path.join(site, '.sidewheel.lock')));
  });

  test('a lock whose pid now names a process started at another time is taken over', async () => {
    const site = path.join(work.dir, 'reused');
    lockHeldBy(site, { ...currentOwner(), start: '1' });
    assert.equal(await withEnvironmentLock(site, async () => 'ran'), 'ran');
  });

  test("a live holder's lock is waited for, and never taken", async () => {
    const site = path.join(work.dir, 'live');
    lockHeldBy(site, { ...currentOwner(), since: 1 }); // This very process, and very old: still alive.
    await assert.rejects(withEnvironmentLock(site, async () => 'ran', { waitMs: 300 }), /has held .* for over/);
    assert.ok(existsSync(path.join(site, '.sidewheel.lock')));
  });

  test('changes in one process are serialised', async () => {
    const site = path.join(work.dir, 'serial');
    mkdirSync(site, { recursive: true });
    const order: string[] = [];
    const run = (name: string): Promise<void> =>
      withEnvironmentLock(site, async () => {
        order.push(`${name}+`);
        await new Promise((r) => setTimeout(r, 30));
        order.push(`${name}-`);
      });
    await Promise.all([run('a'), run('b'), run('c')]);
    for (let i = 0; i < order.length; i += 2) assert.equal(order[i]!.slice(0, 1), order[i + 1]!.slice(0, 1), order.join(' '));
  });
});

describe('a long install keeps its lock', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  // 100,000 files take ~5 minutes here (staging into one directory is superlinear on this
  // filesystem), so the suite runs 30,000 by default; SIDEWHEEL_STRESS_FILES=100000 runs the full case.
  const count = Number(process.env.SIDEWHEEL_STRESS_FILES ?? 30_000);
  test(`${count} files, and a second install started meanwhile: it waits, both land, nothing deleted from the first`, async () => {
    const dir = work.dir;
    const py = makeVenv(python!.executable, path.join(dir, 'env'));
    const site = runPython(py, ['-c', 'import sysconfig; print(sysconfig.get_path("purelib"))']).stdout.trim();
    const files: Record<string, string> = {};
    for (let i = 0; i < count; i++) files[`many/d${i % 10}/m${i}.py`] = '';
    const big = await writeZip64Wheel(dir, { name: 'many', version: '1.0', files });
    const small = await writeWheel(dir, { name: 'small', version: '1.0', files: { 'small.py': 'X = 1\n' } });
    const env = { ...process.env, SIDEWHEEL_CACHE_DIR: path.join(dir, 'cache') };
    const started = (args: string[]): { done: Promise<{ status: number | null; stderr: string; at: number }> } => {
      const child = spawn(process.execPath, [CLI, 'install', '--no-compile', '--no-cache', '-q', '--python', py, ...args], { env });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      return { done: new Promise((resolve) => child.on('close', (status) => resolve({ status, stderr, at: performance.now() }))) };
    };
    const first = started([big]);
    // Wait until the first is staging (its transaction exists), then start the second.
    while (!readdirSync(site).some((n) => n.startsWith('.sidewheel-txn-'))) await new Promise((r) => setTimeout(r, 20));
    const second = started([small]);
    const [a, b] = await Promise.all([first.done, second.done]);
    assert.equal(a.status, 0, a.stderr);
    assert.equal(b.status, 0, b.stderr);
    let landed = 0;
    for (let d = 0; d < 10; d++) landed += readdirSync(path.join(site, 'many', `d${d}`)).length;
    assert.equal(landed, count);
    assert.ok(existsSync(path.join(site, 'small.py')));
    assert.deepEqual(readdirSync(site).filter((n) => n.startsWith('.sidewheel')), []);
  });
});

/** More than 65,535 entries need zip64, which the test zip writer does not do: yazl does, stored (fast to write). */
async function writeZip64Wheel(dir: string, spec: WheelSpec): Promise<string> {
  const file = path.join(dir, wheelFileName(spec));
  const zip = new yazl.ZipFile();
  for (const entry of wheelEntries(spec)) zip.addBuffer(entry.data, entry.name, { compress: false, mtime: new Date(0) });
  zip.end();
  await finished(zip.outputStream.pipe(createWriteStream(file)));
  return file;
}

describe('16 concurrent changes on one environment', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  test('defaults, side versions and uninstalls at once: each lands, in some order, and the index lists every side version', async () => {
    const dir = path.join(work.dir, 'sixteen');
    mkdirSync(dir);
    const py = makeVenv(python!.executable, path.join(dir, 'env'));
    const site = runPython(py, ['-c', 'import sysconfig; print(sysconfig.get_path("purelib"))']).stdout.trim();
    const env = { ...process.env, SIDEWHEEL_CACHE_DIR: path.join(dir, 'cache') };
    const wheel = (name: string, version = '1.0'): Promise<string> => writeWheel(dir, { name, version, files: { [`${name}/__init__.py`]: `V = "${version}"\n` } });
    const olds = await Promise.all([0, 1, 2, 3].map((i) => wheel(`u${i}`)));
    assert.equal(spawnSync(process.execPath, [CLI, 'install', '-q', '--python', py, ...olds], { env }).status, 0);
    const commands: string[][] = [];
    for (let i = 0; i < 6; i++) commands.push(['install', '-q', '--python', py, await wheel(`d${i}`)]);
    for (let i = 0; i < 6; i++) commands.push(['install', '--side', '-q', '--python', py, await wheel('sv', `1.${i}`)]);
    for (let i = 0; i < 4; i++) commands.push(['uninstall', '--python', py, `u${i}`]);
    const results = await Promise.all(
      commands.map(
        (args) =>
          new Promise<{ status: number | null; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, [CLI, ...args], { env });
            let stderr = '';
            child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
            child.on('close', (status) => resolve({ status, stderr }));
          }),
      ),
    );
    for (const r of results) assert.equal(r.status, 0, r.stderr);
    const names = readdirSync(site);
    for (let i = 0; i < 6; i++) assert.ok(names.includes(`d${i}-1.0.dist-info`) && names.includes(`sv-1.${i}-py3-none-any.whl`), names.join(' '));
    for (let i = 0; i < 4; i++) assert.ok(!names.includes(`u${i}`) && !names.includes(`u${i}-1.0.dist-info`), names.join(' '));
    assert.deepEqual(names.filter((n) => n.startsWith('.sidewheel')), []);
    const listed = runPython(py, ['-m', 'sidewheel', 'list']).stdout;
    for (let i = 0; i < 6; i++) assert.match(listed, new RegExp(`sv\\s+1\\.${i}\\b`));
  });
});

/** The pip wheel the chosen interpreter bundles (one that surely runs on it). */
function ownPipWheel(): string | undefined {
  if (!python) return undefined;
  const dir = path.join(python.stdlib, 'ensurepip', '_bundled');
  const name = existsSync(dir) ? readdirSync(dir).find((f) => f.startsWith('pip-') && f.endsWith('.whl')) : undefined;
  return name && path.join(dir, name);
}

describe('pip and sidewheel at once', { skip: ownPipWheel() ? false : 'no CPython >= 3.8 bundling pip' }, () => {
  // pip takes no lock, so nothing serialises the two: what holds is that changes to
  // different projects both land, and sidewheel's own bookkeeping stays consistent.
  test('pip installs one project while sidewheel installs another: both land', async () => {
    const dir = path.join(work.dir, 'pip');
    mkdirSync(dir);
    const py = makeVenv(python!.executable, path.join(dir, 'env'));
    const pipWheel = ownPipWheel()!;
    const files: Record<string, string> = {};
    for (let i = 0; i < 2000; i++) files[`theirs/m${i}.py`] = '';
    const theirs = await writeWheel(dir, { name: 'theirs', version: '1.0', files: { ...files, 'theirs/__init__.py': 'T = 1\n' } });
    const ours = await writeWheel(dir, { name: 'ours', version: '1.0', files: { ...Object.fromEntries(Object.keys(files).map((f) => [f.replace('theirs', 'ours'), ''])), 'ours/__init__.py': 'O = 1\n' } });
    const run = (cmd: string, args: string[]): Promise<{ status: number | null; stderr: string }> =>
      new Promise((resolve) => {
        const child = spawn(cmd, args, { env: { ...process.env, SIDEWHEEL_CACHE_DIR: path.join(dir, 'cache') } });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        child.on('close', (status) => resolve({ status, stderr }));
      });
    const [p, s] = await Promise.all([
      run(py, [`${pipWheel}/pip`, 'install', '--no-deps', '-q', '--disable-pip-version-check', theirs]),
      run(process.execPath, [CLI, 'install', '-q', '--python', py, ours]),
    ]);
    assert.equal(p.status, 0, p.stderr);
    assert.equal(s.status, 0, s.stderr);
    assert.equal(runPython(py, ['-c', 'import ours, theirs; print(ours.O + theirs.T)']).stdout, '2\n');
    assert.equal(runPython(py, [`${pipWheel}/pip`, 'check', '--disable-pip-version-check']).status, 0);
  });
});
