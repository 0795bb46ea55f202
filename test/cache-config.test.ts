/**
 * The shared wheel cache and the config file, end to end through the CLI: environments
 * stay self-contained, the cache is never half-used, config mistakes name file and
 * line, and a distro-tagged wheel installs only when the config declares its platform.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { CLI, makeVenv, runCli, runPython, snapshotTree, tempDir } from './helpers/env.js';
import { pythonsAtLeast } from './helpers/pythons.js';
import { writeWheel } from './helpers/wheels.js';

const python = pythonsAtLeast(3, 8).pop();
const work = tempDir();
after(() => work.cleanup());

function sitePackages(venvPython: string): string {
  return runPython(venvPython, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']).stdout.trim();
}

function cacheEntries(cache: string): string[] {
  // One directory per layout version (`v2`); entries of this sidewheel's layout are in the newest.
  const layouts = existsSync(cache) ? readdirSync(cache).filter((d) => /^v\d+$/.test(d)).sort((a, b) => Number(b.slice(1)) - Number(a.slice(1))) : [];
  if (layouts.length === 0) return [];
  const root = path.join(cache, layouts[0]!);
  return readdirSync(root)
    .filter((d) => !d.startsWith('.'))
    .flatMap((d) => readdirSync(path.join(root, d)).map((e) => path.join(root, d, e)));
}

describe('the wheel cache', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  const wheelSpec = { name: 'cached', version: '1.0', files: { 'cached/__init__.py': 'VALUE = "original"\n', 'cached/data.txt': 'data\n' } };

  test('a wheel is unpacked once; every environment gets its own copies', async () => {
    const cache = path.join(work.dir, 'cache-copies');
    const wheel = await writeWheel(work.dir, wheelSpec);
    const envs = ['a', 'b'].map((n) => makeVenv(python!.executable, path.join(work.dir, `copies-${n}`)));
    for (const env of envs) assert.equal(runCli(['install', '--cache', cache, '--python', env, wheel]).status, 0);
    assert.equal(cacheEntries(cache).length, 1, 'one cache entry for one wheel');

    const [siteA, siteB] = envs.map(sitePackages) as [string, string];
    const cachedInit = path.join(cacheEntries(cache)[0]!, 'files', 'cached', '__init__.py');
    assert.notEqual(statSync(path.join(siteA, 'cached', '__init__.py')).ino, statSync(cachedInit).ino);
    writeFileSync(path.join(siteA, 'cached', '__init__.py'), 'VALUE = "edited"\n');
    assert.equal(readFileSync(path.join(siteB, 'cached', '__init__.py'), 'utf8'), 'VALUE = "original"\n', 'the other environment is untouched');
    assert.equal(readFileSync(cachedInit, 'utf8'), 'VALUE = "original"\n', 'the cache is untouched');

    rmSync(cache, { recursive: true });
    const r = runPython(envs[1]!, ['-c', 'import cached; print(cached.VALUE)']);
    assert.equal(r.stdout, 'original\n', 'deleting the cache breaks nothing');
  });

  test('--link-mode hardlink shares the cached files, when asked for', async () => {
    const cache = path.join(work.dir, 'cache-links');
    const wheel = await writeWheel(work.dir, { ...wheelSpec, name: 'linked' });
    const first = makeVenv(python!.executable, path.join(work.dir, 'links-cold'));
    assert.equal(runCli(['install', '--cache', cache, '--no-compile', '--python', first, wheel]).status, 0);
    const env = makeVenv(python!.executable, path.join(work.dir, 'links'));
    assert.equal(runCli(['install', '--cache', cache, '--link-mode', 'hardlink', '--no-compile', '--python', env, wheel]).status, 0);
    const cachedData = path.join(cacheEntries(cache)[0]!, 'files', 'cached', 'data.txt');
    assert.equal(statSync(path.join(sitePackages(env), 'cached', 'data.txt')).ino, statSync(cachedData).ino);
  });

  test('a half-written or damaged entry is never used', async () => {
    const cache = path.join(work.dir, 'cache-damaged');
    const wheel = await writeWheel(work.dir, { ...wheelSpec, name: 'damaged' });
    const first = makeVenv(python!.executable, path.join(work.dir, 'damaged-1'));
    assert.equal(runCli(['install', '--cache', cache, '--python', first, wheel]).status, 0);
    const [entry] = cacheEntries(cache);
    rmSync(path.join(entry!, 'wheel.json'));
    mkdirSync(path.join(path.dirname(path.dirname(entry!)), '.tmp-leftover', 'files'), { recursive: true });
    const second = makeVenv(python!.executable, path.join(work.dir, 'damaged-2'));
    const r = runCli(['install', '--cache', cache, '--python', second, wheel]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(runPython(second, ['-c', 'import cached; print(cached.VALUE)']).stdout, 'original\n');
  });

  test('concurrent installs sharing one cold cache both succeed', async () => {
    const cache = path.join(work.dir, 'cache-concurrent');
    const wheel = await writeWheel(work.dir, { ...wheelSpec, name: 'racer' });
    const envs = ['x', 'y', 'z'].map((n) => makeVenv(python!.executable, path.join(work.dir, `race-${n}`)));
    const codes = await Promise.all(
      envs.map(
        (env) =>
          new Promise<number>((resolve) => {
            const child = spawn(process.execPath, [CLI, 'install', '--cache', cache, '--python', env, wheel], { stdio: 'ignore', env: { ...process.env, SIDEWHEEL_CACHE_DIR: path.join(work.dir, 'probe-cache') } });
            child.on('exit', (code) => resolve(code ?? -1));
          }),
      ),
    );
    assert.deepEqual(codes, [0, 0, 0]);
    assert.equal(cacheEntries(cache).length, 1);
    for (const env of envs) assert.equal(runPython(env, ['-c', 'import cached; print(cached.VALUE)']).stdout, 'original\n');
  });

  test('concurrent installs into one environment serialize on its lock', async () => {
    const env = makeVenv(python!.executable, path.join(work.dir, 'one-env'));
    const wheels = await Promise.all(['p1', 'p2', 'p3'].map((name) => writeWheel(work.dir, { name, version: '1.0', files: { [`${name}/__init__.py`]: '' } })));
    const codes = await Promise.all(
      wheels.map(
        (wheel) =>
          new Promise<number>((resolve) => {
            const child = spawn(process.execPath, [CLI, 'install', '--no-cache', '--python', env, wheel], { stdio: 'ignore', env: { ...process.env, SIDEWHEEL_CACHE_DIR: path.join(work.dir, 'probe-cache') } });
            child.on('exit', (code) => resolve(code ?? -1));
          }),
      ),
    );
    assert.deepEqual(codes, [0, 0, 0]);
    const listed = JSON.parse(runCli(['list', '--json', '--python', env]).stdout) as Array<{ name: string }>;
    assert.deepEqual(listed.map((r) => r.name).sort(), ['p1', 'p2', 'p3']);
  });
});

describe('the config file', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  const machine = (): string => runPython(python!.executable, ['-c', 'import platform; print(platform.machine())']).stdout.trim();

  test('a wheel tagged for a distro platform is refused without config and accepted with it', async () => {
    const platform = `linux_${machine()}_debian_12`;
    const wheel = await writeWheel(work.dir, { name: 'distro', version: '1.0', tag: `py3-none-${platform}`, rootIsPurelib: false, files: { 'distro/__init__.py': '' } });
    const env = makeVenv(python!.executable, path.join(work.dir, 'distro'));
    const emptyConfig = path.join(work.dir, 'empty.ini');
    writeFileSync(emptyConfig, '# nothing\n');
    const refused = runCli(['install', '--config', emptyConfig, '--python', env, wheel]);
    assert.notEqual(refused.status, 0);
    assert.match(refused.stderr, new RegExp(`^sidewheel: distro-1\\.0-py3-none-${platform}\\.whl: .*not supported`));
    const config = path.join(work.dir, 'distro.ini');
    writeFileSync(config, `[tags]\nplatforms = ${platform} linux_${machine()}_debian\n`);
    const accepted = runCli(['install', '--config', config, '--python', env, wheel]);
    assert.equal(accepted.status, 0, accepted.stderr);
    const viaEnv = makeVenv(python!.executable, path.join(work.dir, 'distro-env'));
    assert.equal(runCli(['install', '--python', viaEnv, wheel], { SIDEWHEEL_CONFIG: config }).status, 0, 'SIDEWHEEL_CONFIG is read too');
  });

  const bad: Array<[string, string, RegExp]> = [
    ['unknown section', '[tags]\nplatforms = linux_x86_64\n[colour]\nx = 1\n', /bad\.ini:3: unknown section \[colour\]/],
    ['a line without =', '[tags]\nplatforms linux_x86_64\n', /bad\.ini:2: expected "key = value"/],
    ['unknown key', '[cache]\nsize = 3\n', /bad\.ini:2: unknown key size in \[cache\]/],
    ['a bad platform tag', '# platforms\n[tags]\nplatforms = linux-x86_64 no/slash\n', /bad\.ini:3: "no\/slash" is not a usable platform tag/],
    ['a bad link mode', '[cache]\nlink-mode = symlink\n', /bad\.ini:2: link-mode "symlink" is not one of clone, copy, hardlink/],
  ];
  for (const [title, text, reason] of bad) {
    test(`a config with ${title} is refused with file and line, nothing written`, async () => {
      const env = makeVenv(python!.executable, path.join(work.dir, `bad-${title.replace(/\W+/g, '-')}`));
      const config = path.join(work.dir, 'bad.ini');
      writeFileSync(config, text);
      const wheel = await writeWheel(work.dir, { name: 'innocent', version: '1.0', files: { 'innocent/__init__.py': '' } });
      const before = snapshotTree(path.dirname(path.dirname(env)));
      const r = runCli(['install', '--config', config, '--python', env, wheel]);
      assert.notEqual(r.status, 0);
      assert.match(r.stderr.split('\n')[0]!, reason);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.deepEqual(snapshotTree(path.dirname(path.dirname(env))), before);
    });
  }

  test('a named config that does not exist is an error', () => {
    const r = runCli(['install', '--config', path.join(work.dir, 'missing.ini'), 'x.whl']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /^sidewheel: cannot read config .*missing\.ini/);
  });
});
