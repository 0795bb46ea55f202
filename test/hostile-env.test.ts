/**
 * The runtime cannot be clobbered, lost or wedged without doctor noticing and --fix
 * repairing it; a project merely named sidewheel is never touched; a signal during
 * staging rolls back with the signal's exit code; config sections that name
 * Object.prototype's members are clean errors.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { CLI, makeVenv, runCli, runPython, snapshotTree, tempDir } from './helpers/env.js';
import { findPythons } from './helpers/pythons.js';
import { writeWheel, type WheelSpec } from './helpers/wheels.js';

const python = findPythons().find((p) => p.version[0] === 3 && p.version[1] >= 8);
const work = tempDir('sidewheel-hostile-env-');
after(() => work.cleanup());

let n = 0;
function freshEnv(): { py: string; site: string; dir: string } {
  const dir = path.join(work.dir, `e${n++}`);
  const py = makeVenv(python!.executable, path.join(dir, 'env'));
  return { py, dir, site: runPython(py, ['-c', 'import sysconfig; print(sysconfig.get_path("purelib"))']).stdout.trim() };
}

const side: WheelSpec = { name: 'sv', version: '1.0', files: { 'sv/__init__.py': 'X = 1\n' } };

describe('the runtime', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  for (const [title, spec] of [
    ['a project named sidewheel', { name: 'sidewheel', version: '9.0', files: { 'mine/__init__.py': '' } }],
    ['a wheel shipping sidewheel/', { name: 'evil', version: '1.0', files: { 'sidewheel/__init__.py': '' } }],
    ['a wheel shipping sidewheel.pth', { name: 'evil', version: '1.0', files: { 'sidewheel.pth': 'import os\n' } }],
    ['a wheel shipping sidewheel.start', { name: 'evil', version: '1.0', files: { 'sidewheel.start': '' } }],
  ] as const) {
    test(`a default install of ${title} is refused with one line, nothing written`, async () => {
      const env = freshEnv();
      assert.equal(runCli(['install', '--side', '--no-cache', '-q', '--python', env.py, await writeWheel(env.dir, side)]).status, 0);
      const before = snapshotTree(env.site);
      const r = runCli(['install', '--no-cache', '--python', env.py, await writeWheel(env.dir, spec)]);
      assert.equal(r.status, 3, r.stderr);
      assert.match(r.stderr, /which is sidewheel's runtime/);
      assert.deepEqual(snapshotTree(env.site), before);
    });
  }

  test("doctor --fix never deletes a user's project named sidewheel (installed by another tool)", async () => {
    const env = freshEnv();
    const own = path.join(env.site, 'sidewheel-9.0.dist-info');
    mkdirSync(own);
    writeFileSync(path.join(own, 'METADATA'), 'Metadata-Version: 2.1\nName: sidewheel\nVersion: 9.0\n');
    writeFileSync(path.join(own, 'RECORD'), 'sidewheel-9.0.dist-info/METADATA,,\n');
    mkdirSync(path.join(env.site, 'sidewheel'));
    writeFileSync(path.join(env.site, 'sidewheel', '__init__.py'), 'MINE = 1\n');
    mkdirSync(path.join(env.site, 'sv-1.0-py3-none-any.whl', 'sv-1.0.dist-info'), { recursive: true });
    writeFileSync(path.join(env.site, 'sv-1.0-py3-none-any.whl', 'sv-1.0.dist-info', 'METADATA'), 'Metadata-Version: 2.1\nName: sv\nVersion: 1.0\n');
    const before = snapshotTree(env.site);
    const r = runCli(['doctor', '--fix', '--python', env.py]);
    assert.equal(r.status, 5, r.stderr);
    assert.match(r.stdout, /occupies the runtime's place/);
    assert.deepEqual(snapshotTree(env.site), before);
    assert.equal(runCli(['install', '--side', '--no-cache', '--python', env.py, await writeWheel(env.dir, { ...side, version: '2.0' })]).status, 5);
    assert.deepEqual(snapshotTree(env.site), before);
  });

  const damages: Array<[string, (site: string) => void, RegExp]> = [
    ['a missing runtime', (site) => ['sidewheel', 'sidewheel-0.1.0.dist-info', 'sidewheel.pth', 'sidewheel.start'].forEach((p) => rmSync(path.join(site, p), { recursive: true })), /the runtime is missing/],
    ['a missing runtime RECORD', (site) => rmSync(path.join(site, 'sidewheel-0.1.0.dist-info', 'RECORD')), /RECORD .* is missing/],
    ['a hostile runtime RECORD', (site) => writeFileSync(path.join(site, 'sidewheel-0.1.0.dist-info', 'RECORD'), '../../../../outside,,\n/etc/passwd,,\n'), /outside/],
    ['corrupt runtime bytecode', (site) => {
      const cache = path.join(site, 'sidewheel', '__pycache__');
      for (const name of readdirSync(cache)) writeFileSync(path.join(cache, name), 'garbage');
    }, /missing or damaged/],
  ];
  for (const [title, damage, reported] of damages) {
    test(`${title}: doctor reports it once, exits 5; --fix repairs it; side changes work again`, async () => {
      const env = freshEnv();
      assert.equal(runCli(['install', '--side', '--no-cache', '-q', '--python', env.py, await writeWheel(env.dir, side)]).status, 0);
      damage(env.site);
      const found = runCli(['doctor', '--json', '--python', env.py]);
      assert.equal(found.status, 5, found.stderr);
      const report = JSON.parse(found.stdout) as { problems: string[] };
      assert.equal(report.problems.length, 1, found.stdout);
      assert.match(report.problems[0]!, reported);
      const fixed = runCli(['doctor', '--fix', '--python', env.py]);
      assert.equal(fixed.status, 0, fixed.stdout + fixed.stderr);
      assert.equal(runCli(['doctor', '--python', env.py]).stdout, 'no problems found\n');
      const script = '__requires__ = ["sv==1.0"]\nimport sv\nprint(sv.X)\n';
      assert.equal(runPython(env.py, ['-c', script]).stdout, '1\n');
      assert.equal(runCli(['uninstall', '--python', env.py, 'sv==1.0']).status, 0);
    });
  }
});

describe('signals', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130]] as const) {
    test(`${signal} while staging stops promptly, rolls back, exits ${code}`, async () => {
      const env = freshEnv();
      const files: Record<string, string> = {};
      for (let i = 0; i < 20_000; i++) files[`big/m${i}.py`] = '';
      const wheel = await writeWheel(env.dir, { name: 'big', version: '1.0', files });
      const before = snapshotTree(env.site);
      const child = spawn(process.execPath, [CLI, 'install', '--no-cache', '-q', '--python', env.py, wheel], { stdio: 'ignore' });
      const exited = new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
      while (!readdirSync(env.site).some((f) => f.startsWith('.sidewheel-txn-'))) await new Promise((r) => setTimeout(r, 10));
      child.kill(signal);
      assert.equal(await exited, code);
      assert.deepEqual(snapshotTree(env.site), before);
    });
  }
});

test('a config section named __proto__ or constructor is a clean error', () => {
  for (const section of ['__proto__', 'constructor', 'toString']) {
    const file = path.join(work.dir, `${section}.ini`);
    writeFileSync(file, `[${section}]\nx = 1\n`);
    const r = runCli(['install', '--config', file, 'nothing.whl']);
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, new RegExp(`unknown section \\[${section}\\]`));
  }
});

/** A small tmpfs for the environment, when this runs as root and may mount (else the tests skip). */
function smallFilesystem(options: string): { dir: string; unmount: () => void } | null {
  if (process.getuid?.() !== 0) return null;
  const dir = path.join(work.dir, `fs${n++}`);
  mkdirSync(dir);
  if (spawnSync('mount', ['-t', 'tmpfs', '-o', options, 'tmpfs', dir]).status !== 0) return null;
  return { dir, unmount: () => spawnSync('umount', ['-l', dir]) };
}

describe('a full or read-only environment: one line, exit 8, nothing changed, the next run works', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  const cases: Array<[string, string, (spec: Record<string, string>) => void, ((dir: string) => void) | null]> = [
    ['disk full while staging', 'size=2m,nr_inodes=10000', (files) => void (files['big/blob.py'] = '#'.repeat(4 << 20)), null],
    ['inodes exhausted while staging', 'size=64m,nr_inodes=400', (files) => { for (let i = 0; i < 1000; i++) files[`big/m${i}.py`] = ''; }, null],
    ['a read-only site-packages', 'size=16m', (files) => void (files['big/__init__.py'] = ''), (dir) => spawnSync('mount', ['-o', 'remount,ro', dir])],
  ];
  for (const [title, options, fill, afterVenv] of cases) {
    test(title, async (t) => {
      const fs = smallFilesystem(options);
      if (!fs) return t.skip('needs root and tmpfs');
      try {
        const py = makeVenv(python!.executable, path.join(fs.dir, 'env'));
        const site = runPython(py, ['-c', 'import sysconfig; print(sysconfig.get_path("purelib"))']).stdout.trim();
        const files: Record<string, string> = {};
        fill(files);
        const wheel = await writeWheel(work.dir, { name: 'big', version: '1.0', files });
        afterVenv?.(fs.dir);
        const before = snapshotTree(site);
        const r = runCli(['install', '--no-cache', '--no-compile', '--python', py, wheel]);
        assert.equal(r.status, 8, r.stderr);
        assert.equal(r.stderr.trim().split('\n').length, 2, r.stderr);
        assert.deepEqual(snapshotTree(site), before);
        const small = await writeWheel(work.dir, { name: 'small', version: '1.0', files: { 'small.py': '' } });
        if (!afterVenv) assert.equal(runCli(['install', '--no-cache', '--no-compile', '--python', py, small]).status, 0);
      } finally {
        fs.unmount();
      }
    });
  }
});

describe('names and ownership', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  // Each is refused (exit 3, nothing written) or installed with a RECORD that round-trips, so uninstall leaves nothing.
  const names = ['a\\b.py', 'nul\u0000.py', 'a/../../b.py', 'caf\u00e9.py', 'cafe\u0301.py', 'Case.py', 'case.py', 'comma,name.py', 'quote"name.py', "apos'name.py", 'space name.py', 'tab\tname.py', 'semi;colon.py', 'lead/ing.py'];
  test(`${names.length} awkward names: refused or round-tripped, and uninstall leaves nothing`, async (t) => {
    const env = freshEnv();
    const empty = snapshotTree(env.site);
    const outcomes: string[] = [];
    for (const [i, name] of names.entries()) {
      const spec: WheelSpec = { name: `n${i}`, version: '1.0', files: { [`n${i}/${name}`]: 'X = 1\n', [`n${i}/__init__.py`]: '' } };
      const r = runCli(['install', '--no-cache', '--python', env.py, await writeWheel(env.dir, spec)]);
      if (r.status === 3) {
        assert.equal(r.stderr.trim().split('\n').length <= 2, true, r.stderr);
        assert.deepEqual(snapshotTree(env.site), empty);
        outcomes.push(`${JSON.stringify(name)} refused`);
        continue;
      }
      assert.equal(r.status, 0, r.stderr);
      const u = runCli(['uninstall', '--python', env.py, `n${i}`]);
      assert.equal(u.status, 0, u.stderr);
      assert.deepEqual(snapshotTree(env.site), empty, JSON.stringify(name));
      outcomes.push(`${JSON.stringify(name)} installed and removed`);
    }
    t.diagnostic(outcomes.join('; '));
  });

  test('a name holding a newline is refused in one line', async () => {
    const env = freshEnv();
    const spec: WheelSpec = { name: 'nl', version: '1.0', files: { 'nl/new\nline.py': '' } };
    const r = runCli(['install', '--no-cache', '--python', env.py, await writeWheel(env.dir, spec)]);
    assert.equal(r.status, 3, r.stderr);
    assert.ok(r.stderr.trim().split('\n').length <= 2, r.stderr);
  });

  test('twins in one wheel (case, Unicode normalization) install both and uninstall both', async () => {
    const env = freshEnv();
    const empty = snapshotTree(env.site);
    const spec: WheelSpec = { name: 'twins', version: '1.0', files: { 'twins/A.py': 'A = 1\n', 'twins/a.py': 'a = 1\n', 'twins/caf\u00e9.py': '', 'twins/cafe\u0301.py': '' } };
    const r = runCli(['install', '--no-cache', '--python', env.py, await writeWheel(env.dir, spec)]);
    if (r.status === 0) {
      assert.equal(runCli(['uninstall', '--python', env.py, 'twins']).status, 0);
      assert.deepEqual(snapshotTree(env.site), empty);
    } else assert.equal(r.status, 3, r.stderr);
  });

  test("a default wheel shipping another distribution's file overwrites it (as pip does); the file stays while any RECORD lists it", async () => {
    const env = freshEnv();
    const owner: WheelSpec = { name: 'owner', version: '1.0', files: { 'owner/__init__.py': '', 'owner/data.txt': 'mine\n' } };
    const intruder: WheelSpec = { name: 'intruder', version: '1.0', files: { 'owner/data.txt': 'theirs\n' } };
    assert.equal(runCli(['install', '--no-cache', '-q', '--python', env.py, await writeWheel(env.dir, owner)]).status, 0);
    assert.equal(runCli(['install', '--no-cache', '-q', '--python', env.py, await writeWheel(env.dir, intruder)]).status, 0);
    assert.equal(readFileSync(path.join(env.site, 'owner', 'data.txt'), 'utf8'), 'theirs\n');
    assert.equal(runCli(['uninstall', '--python', env.py, 'intruder']).status, 0);
    assert.ok(existsSync(path.join(env.site, 'owner', 'data.txt')));
    assert.equal(runCli(['uninstall', '--python', env.py, 'owner']).status, 0);
    assert.ok(!existsSync(path.join(env.site, 'owner')));
  });

  test('a .pth at the root of a side version is never processed', async () => {
    const env = freshEnv();
    const spec: WheelSpec = { name: 'pthy', version: '1.0', files: { 'pthy/__init__.py': 'X = 1\n', 'evil.pth': 'import sys; sys.stderr.write("PTH RAN\\n")\n' } };
    assert.equal(runCli(['install', '--side', '--no-cache', '-q', '--python', env.py, await writeWheel(env.dir, spec)]).status, 0);
    const plain = runPython(env.py, ['-c', 'pass']);
    assert.equal(plain.stderr, '');
    const active = runPython(env.py, ['-c', '__requires__ = ["pthy==1.0"]\nimport pthy\nprint(pthy.X)']);
    assert.equal(active.stdout, '1\n', active.stderr);
    assert.equal(active.stderr, '');
  });
});
