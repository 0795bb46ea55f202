/**
 * `install pylock.toml` (PEP 751): exactly the locked wheels for this interpreter
 * (markers, tags), hashes checked, refused with a reason when nothing fits; and
 * `bundle create -r` for another machine (its tags and markers), installed offline.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { makeVenv, runPython, snapshotTree, tempDir } from './helpers/env.js';
import { sidewheel } from './helpers/index-parity.js';
import { servedSdist, servedWheel, startIndexServer, type ServedFile } from './helpers/index-server.js';
import { pythonsAtLeast } from './helpers/pythons.js';

const python = pythonsAtLeast(3, 8).pop();
const work = tempDir('sidewheel-lock-');
after(() => work.cleanup());

const sha = (f: ServedFile): string => createHash('sha256').update(f.bytes).digest('hex');
const pure = (name: string, version: string, deps: readonly string[] = []): ServedFile =>
  servedWheel({ name, version, files: { [`${name}/__init__.py`]: `V = "${version}"\n` }, metadata: deps.map((d) => `Requires-Dist: ${d}`) });
const native = (name: string, version: string, tag: string): ServedFile =>
  servedWheel({ name, version, tag, rootIsPurelib: false, files: { [`${name}/__init__.py`]: `V = "${version} ${tag}"\n` } });

function lockEntry(f: ServedFile, source: string): string {
  return `{ name = "${f.fileName}", ${source}, size = ${f.bytes.length}, hashes = { sha256 = "${sha(f)}" } }`;
}

describe('install pylock.toml', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  test('the locked wheels that fit, from urls and paths, markers applied; then already satisfied', async () => {
    const app = pure('app', '1.0', ['shared']);
    const sharedAny = pure('shared', '2.0');
    const sharedWin = native('shared', '2.0', 'cp27-cp27m-win_amd64');
    const local = pure('local', '1.0');
    const server = await startIndexServer([app, sharedAny, sharedWin]);
    try {
      const dir = path.join(work.dir, 'lock1');
      mkdirSync(path.join(dir, 'wheels'), { recursive: true });
      writeFileSync(path.join(dir, 'wheels', local.fileName), local.bytes);
      const url = (f: ServedFile): string => `url = "${server.origin}/files/${f.fileName}"`;
      const lock = path.join(dir, 'pylock.toml');
      writeFileSync(lock, [
        'lock-version = "1.0"',
        'created-by = "test"',
        'requires-python = ">=3.8"',
        '[[packages]]', 'name = "app"', 'version = "1.0"', `wheels = [${lockEntry(app, url(app))}]`,
        '[[packages]]', 'name = "shared"', 'version = "2.0"', `wheels = [${lockEntry(sharedWin, url(sharedWin))}, ${lockEntry(sharedAny, url(sharedAny))}]`,
        '[[packages]]', 'name = "winonly"', 'version = "1.0"', 'marker = "sys_platform == \'win32\'"', 'sdist = { url = "https://example.invalid/winonly-1.0.tar.gz", hashes = { sha256 = "00" } }',
        '[[packages]]', 'name = "local"', 'version = "1.0"', `wheels = [${lockEntry(local, `path = "wheels/${local.fileName}"`)}]`,
        '',
      ].join('\n'));
      const env = makeVenv(python!.executable, path.join(work.dir, 'venv-lock1'));
      const dry = await sidewheel(['install', '--python', env, '--dry-run', '--json', lock]);
      assert.equal(dry.status, 0, dry.stderr);
      const plan = (JSON.parse(dry.stdout) as { plan: Array<{ name: string; action: string; fileName: string }> }).plan;
      assert.deepEqual(plan.map((e) => [e.name, e.action, e.fileName]).sort(), [
        ['app', 'install', app.fileName],
        ['local', 'install', local.fileName],
        ['shared', 'install', sharedAny.fileName],
      ]);
      const r = await sidewheel(['install', '--python', env, lock]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(runPython(env, ['-c', 'import app, shared, local; print(app.V, shared.V, local.V)']).stdout.trim(), '1.0 2.0 1.0');
      assert.equal(runPython(env, ['-c', 'import winonly']).status, 1);
      const again = await sidewheel(['install', '--python', env, lock]);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /app 1\.0 is already installed; nothing changed/);
      assert.doesNotMatch(again.stdout, /^installed/m);
    } finally {
      await server.close();
    }
  });

  test('refused with a reason, nothing written: only an sdist, no wheel for this platform, a wrong hash', async () => {
    const good = pure('good', '1.0');
    const win = native('winlib', '1.0', 'cp27-cp27m-win_amd64');
    const server = await startIndexServer([good, win, servedSdist('src', '1.0')]);
    try {
      const env = makeVenv(python!.executable, path.join(work.dir, 'venv-lock2'));
      const root = path.dirname(path.dirname(env));
      const before = snapshotTree(root);
      const dir = path.join(work.dir, 'lock2');
      mkdirSync(dir, { recursive: true });
      const url = (f: ServedFile): string => `url = "${server.origin}/files/${f.fileName}"`;
      const head = ['lock-version = "1.0"', 'created-by = "test"', '[[packages]]', 'name = "good"', `wheels = [${lockEntry(good, url(good))}]`];
      const cases: Array<[string, string[], RegExp]> = [
        ['sdist', ['[[packages]]', 'name = "src"', 'version = "1.0"', 'sdist = { url = "x", hashes = { sha256 = "00" } }'], /^sidewheel: pylock\.sdist\.toml: package src 1\.0: it has no wheel, only a sdist, and sidewheel does not build$/m],
        ['platform', ['[[packages]]', 'name = "winlib"', 'version = "1.0"', `wheels = [${lockEntry(win, url(win))}]`], /^sidewheel: pylock\.platform\.toml: package winlib 1\.0: none of its 1 wheels suits this interpreter \(tags\)$/m],
        ['hash', ['[[packages]]', 'name = "winlib"', `wheels = [{ name = "${good.fileName.replace('good', 'other')}", url = "${server.origin}/files/${good.fileName}", hashes = { sha256 = "${'0'.repeat(64)}" } }]`], /^sidewheel: other-1\.0-py3-none-any\.whl: sha256 of the download is [0-9a-f]{64}, and the index says 0{64}$/m],
      ];
      for (const [name, lines, pattern] of cases) {
        const lock = path.join(dir, `pylock.${name}.toml`);
        writeFileSync(lock, [...head, ...lines, ''].join('\n'));
        const r = await sidewheel(['install', '--python', env, lock]);
        assert.equal(r.status, 3, `${name}: ${r.stderr}`);
        assert.match(r.stderr, pattern);
        assert.deepEqual(snapshotTree(root), before, `${name}: nothing written`);
      }
    } finally {
      await server.close();
    }
  });
});

describe('bundle create -r for another machine', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  test('tags and markers of the target, not the host; the bundle installs offline on a matching machine', async () => {
    const [major, minor] = python!.version;
    const cp = `cp${major}${minor}`;
    const files = [
      pure('app', '1.0', ['fast', 'winhelper; sys_platform == "win32"', 'armhelper; platform_machine == "aarch64"', `oldpy; python_version < "${major}.${minor}"`]),
      native('fast', '1.0', `${cp}-${cp}-manylinux_2_17_x86_64`),
      native('fast', '1.0', `${cp}-${cp}-win_amd64`),
      native('fast', '1.0', `${cp}-${cp}-manylinux_2_31_x86_64`),
      pure('winhelper', '1.0'),
      pure('armhelper', '1.0'),
      pure('oldpy', '1.0'),
    ];
    const server = await startIndexServer(files);
    const reqs = path.join(work.dir, 'bundle-reqs.txt');
    writeFileSync(reqs, 'app\n');
    const linuxBundle = path.join(work.dir, 'linux.zip');
    const winBundle = path.join(work.dir, 'win.zip');
    try {
      const idx = ['--index-url', server.simpleUrl, '-r', reqs, '--python-version', `${major}.${minor}`];
      const linux = await sidewheel(['bundle', 'create', linuxBundle, ...idx, '--platform', 'manylinux_2_28_x86_64']);
      assert.equal(linux.status, 0, linux.stderr);
      assert.deepEqual([...linux.stdout.matchAll(/^added (\S+)/gm)].map((m) => m[1]).sort(), [files[0]!.fileName, files[1]!.fileName], 'manylinux_2_31 is too new for glibc 2.28; no Windows or ARM helpers');
      const win = await sidewheel(['bundle', 'create', winBundle, ...idx, '--platform', 'win_amd64', '--implementation', 'cp', '--abi', cp]);
      assert.equal(win.status, 0, win.stderr);
      assert.deepEqual([...win.stdout.matchAll(/^added (\S+)/gm)].map((m) => m[1]).sort(), [files[0]!.fileName, files[2]!.fileName, files[4]!.fileName].sort());
      const bad = await sidewheel(['bundle', 'create', winBundle, ...idx, '--platform', 'beos_ppc']);
      assert.equal(bad.status, 2);
      assert.match(bad.stderr, /^sidewheel: --platform beos_ppc: not a platform tag sidewheel knows$/m);
    } finally {
      await server.close();
    }
    // Offline now: the server is gone.
    const env = makeVenv(python!.executable, path.join(work.dir, 'venv-bundle'));
    const onLinuxX86 = process.platform === 'linux' && process.arch === 'x64';
    if (onLinuxX86) {
      const r = await sidewheel(['install', '--python', env, '--from', linuxBundle, 'app']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(runPython(env, ['-c', 'import app, fast; print(app.V, fast.V)']).stdout.trim(), `1.0 1.0 ${cp}-${cp}-manylinux_2_17_x86_64`);
    }
    const refused = await sidewheel(['install', '--python', env, '--from', winBundle, 'app', '--force-reinstall']);
    assert.equal(refused.status, 6, refused.stderr);
    assert.match(refused.stderr, /no wheel of fast satisfies fast \(required by app 1\.0\).*win_amd64\.whl refused: tags not supported/);
  });
});
