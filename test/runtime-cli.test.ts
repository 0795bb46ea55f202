/**
 * `sidewheel list` is the runtime's `python -m sidewheel list` (one implementation of
 * "what is installed", issue 7): both commands on the layouts that made them disagree,
 * with and without a runtime in the environment, on Python 3.6/3.7 targets (defaults
 * only), with an unreadable index; and `python -m sidewheel --version` (issue 9).
 */
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { makeVenv, runCli, runPython, tempDir } from './helpers/env.js';
import { findPythons, isAtLeast, pythonsAtLeast, type FoundPython } from './helpers/pythons.js';
import { writeWheel } from './helpers/wheels.js';

const work = tempDir('sidewheel-list-');
after(() => work.cleanup());

interface Row {
  readonly name: string;
  readonly version: string;
  readonly default: boolean;
  readonly path: string;
  readonly format: string;
}

function purelib(python: string): string {
  const r = runPython(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']);
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim();
}

/** The two `.dist-info` directories of the issue: one without METADATA, one with an upper-case suffix. */
function addOddDistInfos(site: string): void {
  mkdirSync(path.join(site, 'broken-1.0.dist-info'));
  mkdirSync(path.join(site, 'Zed-2.0.DIST-INFO'));
  writeFileSync(path.join(site, 'Zed-2.0.DIST-INFO', 'METADATA'), 'Metadata-Version: 2.1\nName: Zed\nVersion: 2.0\n\n');
}

function cliList(python: string, json: boolean): { status: number; stdout: string; stderr: string } {
  return runCli(['list', ...(json ? ['--json'] : []), '--python', python]);
}

function venv(base: FoundPython, name: string): string {
  return makeVenv(base.executable, path.join(work.dir, name));
}

const modern = pythonsAtLeast(3, 8);
const old = findPythons().filter((p) => p.implementation === 'cpython' && isAtLeast(p, 3, 6) && !isAtLeast(p, 3, 8));

describe('sidewheel list is the runtime list', { skip: modern.length === 0 ? 'needs a Python >= 3.8' : false }, () => {
  const base = modern[modern.length - 1]!;

  test('broken-1.0.dist-info and Zed-2.0.DIST-INFO, runtime installed: both commands print the same rows', async () => {
    const python = venv(base, 'with-runtime');
    const wheel = await writeWheel(work.dir, { name: 'greet', version: '1.0', files: { 'greet/__init__.py': '' } });
    const side = runCli(['install', '--side', '--no-compile', '--python', python, wheel]);
    assert.equal(side.status, 0, side.stderr);
    const site = purelib(python);
    addOddDistInfos(site);
    for (const json of [true, false]) {
      const cli = cliList(python, json);
      const runtime = runPython(python, ['-m', 'sidewheel', 'list', ...(json ? ['--json'] : [])]);
      assert.equal(cli.status, 0, cli.stderr);
      assert.equal(runtime.status, 0, runtime.stderr);
      assert.equal(cli.stdout, runtime.stdout, `list${json ? ' --json' : ''}`);
    }
    const rows = JSON.parse(cliList(python, true).stdout) as Row[];
    assert.deepEqual(
      rows.map((r) => [r.name, r.version, r.default, r.format, path.basename(r.path)]),
      [
        ['broken', '1.0', true, 'installed', 'broken-1.0.dist-info'],
        ['greet', '1.0', false, 'directory', 'greet-1.0-py3-none-any.whl'],
        ['sidewheel', rows.find((r) => r.name === 'sidewheel')!.version, true, 'installed', `sidewheel-${rows.find((r) => r.name === 'sidewheel')!.version}.dist-info`],
        ['Zed', '2.0', true, 'installed', 'Zed-2.0.DIST-INFO'],
      ],
    );
    assert.deepEqual(Object.keys(rows[0]!), ['name', 'version', 'default', 'path', 'format']);
  });

  test('no runtime in the environment: the shipped copy answers', () => {
    const python = venv(base, 'without-runtime');
    addOddDistInfos(purelib(python));
    const cli = cliList(python, true);
    assert.equal(cli.status, 0, cli.stderr);
    assert.deepEqual((JSON.parse(cli.stdout) as Row[]).map((r) => r.name), ['broken', 'Zed']);
    assert.equal(runPython(python, ['-c', 'import sidewheel']).status, 1, 'nothing was installed to answer');
  });

  test('an unreadable index: the defaults and the side directories are listed, and the reason is one stderr line', async () => {
    const python = venv(base, 'bad-index');
    const wheel = await writeWheel(work.dir, { name: 'hello', version: '1.0', files: { 'hello/__init__.py': '' } });
    assert.equal(runCli(['install', '--side', '--no-compile', '--python', python, wheel]).status, 0);
    writeFileSync(path.join(purelib(python), 'sidewheel', 'index.json'), '{"format": "sidewheel-index", "version": 1, "projects": {');
    const cli = cliList(python, true);
    assert.equal(cli.status, 0, cli.stderr);
    // The side version is still seen, from its directory, so that it can be uninstalled.
    assert.deepEqual((JSON.parse(cli.stdout) as Row[]).map((r) => [r.name, r.default, r.format]), [['hello', false, 'directory'], ['sidewheel', true, 'installed']]);
    assert.match(cli.stderr, /^sidewheel: warning: index .*index\.json is unreadable \(.*\n$/);
  });
});

describe('sidewheel list on Python 3.6 and 3.7 targets (defaults only)', { skip: old.length === 0 ? 'no CPython 3.6 or 3.7 found' : false }, () => {
  for (const base of old) {
    test(`CPython ${base.label}`, () => {
      const python = venv(base, `old-${base.version.join('')}`);
      addOddDistInfos(purelib(python));
      const site = purelib(python);
      mkdirSync(path.join(site, 'pre-1.0rc1.dist-info'));
      writeFileSync(path.join(site, 'pre-1.0rc1.dist-info', 'METADATA'), 'Name: Pre\nVersion: 1.0rc1\n\n');
      const cli = cliList(python, false);
      assert.equal(cli.status, 0, cli.stderr);
      assert.deepEqual(
        cli.stdout.split('\n').slice(1, -1).map((l) => l.split(/ +/).slice(0, 3)),
        [['broken', '1.0', 'yes'], ['Pre', '1.0rc1', 'yes'], ['Zed', '2.0', 'yes']],
      );
    });
  }
});

describe('python -m sidewheel --version', { skip: modern.length === 0 ? 'needs a Python >= 3.8' : false }, () => {
  test("prints the runtime's version, which is sidewheel's", () => {
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
    const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
    const shim = path.join(root, 'python-shim');
    for (const flag of ['--version', '-V']) {
      const r = runPython(modern[0]!.executable, ['-m', 'sidewheel', flag], { PYTHONPATH: shim, PYTHONDONTWRITEBYTECODE: '1' });
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`^sidewheel ${version.replace(/\./g, '\\.')} \\(runtime at ${shim.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/sidewheel, Python 3\\.\\d+\\)\\n$`));
    }
  });
});
