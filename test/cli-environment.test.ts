/**
 * Which environment a command acts on, found as uv finds it, named on stderr; and an
 * interpreter that cannot be used refused in words (exit 4), never a stack trace.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CLI, makeVenv, tempDir } from './helpers/env.js';
import { findPythons, pythonsAtLeast, pyenvRoot } from './helpers/pythons.js';
import { writeWheel } from './helpers/wheels.js';

const python = pythonsAtLeast(3, 8).pop();
const work = tempDir('sidewheel-environment-');
after(() => work.cleanup());

/** The CLI from `cwd`, with no $VIRTUAL_ENV unless given. */
function sidewheel(args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, VIRTUAL_ENV: '', SIDEWHEEL_CACHE_DIR: path.join(work.dir, 'cache'), ...env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

const usingLine = (stderr: string): string => /^sidewheel: using (.*)$/m.exec(stderr)?.[1] ?? `(no line naming the environment in ${JSON.stringify(stderr)})`;

describe('finding the environment', { skip: !python ? 'no CPython >= 3.8' : false }, () => {
  const proj = path.join(work.dir, 'proj');
  const nested = path.join(proj, 'sub', 'deeper');
  const other = path.join(work.dir, 'other');

  before(() => {
    mkdirSync(nested, { recursive: true });
    makeVenv(python!.executable, path.join(proj, '.venv'));
    makeVenv(python!.executable, other);
  });

  test('a .venv in a parent directory: proj/.venv, run from proj/sub/deeper', async () => {
    assert.equal(usingLine(sidewheel(['list', '-v'], nested).stderr), `virtual environment ${path.join(proj, '.venv')} (CPython ${python!.version.join('.')}, ${path.join(proj, '.venv', 'bin', 'python')})`);
    // And a change made from there lands there, and says so.
    const wheel = await writeWheel(work.dir, { name: 'nested', version: '1.0', files: { 'nested/__init__.py': '' } });
    const r = sidewheel(['install', wheel], nested);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, `sidewheel: acted on virtual environment ${path.join(proj, '.venv')} (CPython ${python!.version.join('.')}, ${path.join(proj, '.venv', 'bin', 'python')})\n`);
    const sitePackages = readdirSync(path.join(proj, '.venv', 'lib')).map((d) => path.join(proj, '.venv', 'lib', d, 'site-packages'));
    assert.ok(sitePackages.some((d) => existsSync(path.join(d, 'nested-1.0.dist-info'))));
  });

  test('-q says nothing but errors', async () => {
    const wheel = await writeWheel(work.dir, { name: 'hush', version: '1.0', files: { 'hush/__init__.py': '' } });
    assert.deepEqual(sidewheel(['install', '-q', wheel], nested), { status: 0, stdout: '', stderr: '' });
    assert.deepEqual(sidewheel(['uninstall', '-q', 'hush'], nested), { status: 0, stdout: '', stderr: '' });
  });

  test('$VIRTUAL_ENV comes before a .venv', () => {
    assert.match(usingLine(sidewheel(['list', '-v'], nested, { VIRTUAL_ENV: other }).stderr), new RegExp(`^virtual environment ${other} `));
  });

  test('--python comes first: relative, and an environment directory', () => {
    const relative = path.relative(nested, path.join(other, 'bin', 'python'));
    assert.match(usingLine(sidewheel(['list', '-v', '--python', relative], nested).stderr), new RegExp(`^virtual environment ${other} `));
    assert.match(usingLine(sidewheel(['list', '-v', '--python', path.relative(nested, other)], nested).stderr), new RegExp(`^virtual environment ${other} `));
  });

  test('no .venv anywhere up: python3 on PATH', () => {
    const line = usingLine(sidewheel(['list', '-v'], work.dir).stderr);
    assert.doesNotMatch(line, /\.venv/);
    assert.match(line, /^(virtual )?environment \S+ \(\S+ 3\.\d+\.\d+, /);
  });
});

describe('--python as a version request', () => {
  const cpythons = findPythons().filter((p) => p.implementation === 'cpython');

  for (const found of cpythons.filter((p, i, all) => all.findIndex((q) => q.version[1] === p.version[1]) === i)) {
    const request = `${found.version[0]}.${found.version[1]}`;
    test(`--python ${request} finds a ${request}.x`, () => {
      const r = sidewheel(['list', '-v', '--python', request], work.dir);
      assert.equal(r.status, 0, r.stderr);
      assert.match(usingLine(r.stderr), new RegExp(`\\(CPython ${request.replace('.', '\\.')}\\.\\d+, `));
    });
  }

  const root = pyenvRoot();
  const inPyenv = root ? cpythons.filter((p) => p.realExecutable.startsWith(path.join(root, 'versions') + path.sep)) : [];
  test("pyenv's versions, with no python3.X on PATH, and an exact patch release", { skip: inPyenv.length === 0 ? 'no pyenv versions' : false }, () => {
    const found = inPyenv[inPyenv.length - 1]!;
    const onlyNode = { PATH: path.dirname(process.execPath), PYENV_ROOT: root! };
    for (const request of [found.version.slice(0, 2).join('.'), found.version.join('.')]) {
      const r = sidewheel(['list', '-v', '--python', request], work.dir, onlyNode);
      assert.equal(r.status, 0, r.stderr);
      assert.match(usingLine(r.stderr), new RegExp(`\\(CPython ${found.version.join('\\.')}, ${root}/versions/`));
    }
  });

  test('a version nothing provides is refused in words', () => {
    const r = sidewheel(['list', '--python', '3.99'], work.dir);
    assert.equal(r.status, 4);
    assert.match(r.stderr, /^sidewheel: no Python 3\.99 found \(looked for python3\.99 on PATH and in pyenv's versions\)\n/);
  });
});

describe('an interpreter that cannot be used', () => {
  const root = pyenvRoot();
  const python2 = root && existsSync(path.join(root, 'versions')) ? readdirSync(path.join(root, 'versions')).find((v) => v.startsWith('2.')) : undefined;

  test('Python 2.7 is not supported, said so', { skip: python2 ? false : 'no Python 2 in pyenv' }, () => {
    const exe = path.join(root!, 'versions', python2!, 'bin', 'python');
    const r = sidewheel(['list', '--python', exe], work.dir);
    assert.equal(r.status, 4);
    assert.equal(r.stderr.split('\n')[0], `sidewheel: ${exe}: Python ${python2} is not supported (3.6+ for default installs, 3.8+ for side versions)`);
  });

  const fakes: Array<[string, string]> = [
    ['prints garbage', '#!/bin/sh\necho garbage\n'],
    ['prints JSON that is not a probe', '#!/bin/sh\necho \'{"a": 1}\'\n'],
    ['fails without a word', '#!/bin/sh\nexit 3\n'],
    ['is not a program at all', 'garbage\n'],
  ];
  for (const [what, content] of fakes) {
    test(`a --python that ${what}: exit 4, one line`, () => {
      const file = path.join(work.dir, `fake-${what.replace(/\W+/g, '-')}`);
      writeFileSync(file, content);
      chmodSync(file, 0o755);
      for (const command of [['list'], ['install', 'x-1.0-py3-none-any.whl'], ['resolve', 'x']]) {
        const r = sidewheel([...command, '--python', file], work.dir);
        assert.equal(r.status, 4, r.stderr);
        assert.match(r.stderr, new RegExp(`^sidewheel: ${file} is not a Python interpreter sidewheel can use: .+\\nhint: `));
      }
    });
  }
});
