/**
 * A default install leaves exactly what pip leaves: for every interpreter found, the
 * same wheels are installed by `pip install --no-deps` into one venv and by sidewheel
 * into an identical one (same path, made afresh), and the trees are compared byte for
 * byte, installer-naming metadata aside. Then the scripts run, pip can show and
 * uninstall what sidewheel installed, and nothing is left behind.
 */
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { compareVersions } from '../src/versions.js';
import { parseWheelFilename } from '../src/names.js';
import { makeVenv, runCli, runPython, snapshotTree, tempDir } from './helpers/env.js';
import { pythonsAtLeast, realWheels } from './helpers/pythons.js';
import { distInfoName, wheelEntries, writeWheel, type WheelSpec } from './helpers/wheels.js';

/** The newest wheel of each project, among the real ones found. */
function newestPerProject(): Map<string, string> {
  const newest = new Map<string, { version: string; file: string }>();
  for (const [name, file] of realWheels()) {
    const parsed = parseWheelFilename(name);
    const current = newest.get(parsed.name);
    if (!current || compareVersions(parsed.version, current.version) > 0) newest.set(parsed.name, { version: parsed.version, file });
  }
  return new Map([...newest].map(([k, v]) => [k, v.file]));
}

const wheelsByProject = newestPerProject();
const pipWheel = wheelsByProject.get('pip');
const pythons = pythonsAtLeast(3, 8);
const work = tempDir();
after(() => work.cleanup());

/** A wheel that exercises every part of the scheme: .data keys, scripts, gui scripts, modes. */
const richWheel = writeWheel(work.dir, {
  name: 'Rich.Project',
  version: '2.0.post1',
  files: {
    'rich_project/__init__.py': 'def main():\n    print("rich main")\n',
    'rich_project/sub/data.txt': 'payload\n',
    'rich_project/empty.txt': '',
    'rich_project/tool.sh': '#!/bin/sh\necho tool\n',
    'Rich_Project-2.0.post1.data/scripts/rich-script': '#!python\nimport sys\nprint("script", sys.executable)\n',
    'Rich_Project-2.0.post1.data/scripts/plain.sh': '#!/bin/sh\necho plain\n',
    'Rich_Project-2.0.post1.data/headers/rich.h': '#define RICH 1\n',
    'Rich_Project-2.0.post1.data/data/share/rich/README': 'data file\n',
    'Rich_Project-2.0.post1.data/purelib/rich_extra.py': 'EXTRA = True\n',
  },
  modes: { 'rich_project/tool.sh': 0o100755, 'Rich_Project-2.0.post1.data/scripts/rich-script': 0o100755 },
  entryPoints: '[console_scripts]\nrich = rich_project:main\n\n[gui_scripts]\nrich-gui = rich_project:main\n',
});

/** Drop the lines that legitimately differ: the installer's name and its RECORD row. */
function comparable(tree: Map<string, string>, root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const [rel, value] of tree) {
    if (rel.endsWith('.dist-info/INSTALLER')) continue;
    if (rel.endsWith('.dist-info/RECORD')) {
      const rows = readFileSync(path.join(root, rel), 'utf8').split('\n').filter((l) => !/\.dist-info\/INSTALLER,/.test(l));
      out.set(rel, rows.join('\n'));
      continue;
    }
    out.set(rel, value);
  }
  return out;
}

describe('default install matches pip byte for byte', { skip: !pipWheel || pythons.length === 0 ? 'no pip wheel or no CPython >= 3.8' : false }, () => {
  for (const python of pythons) {
    test(`${python.implementation} ${python.label}`, async () => {
      const wheels = [...wheelsByProject.values(), await richWheel];
      const env = path.join(work.dir, `env-${python.version.join('')}`);
      const fresh = (): string => {
        rmSync(env, { recursive: true, force: true });
        return makeVenv(python.executable, env);
      };

      const names = [...wheelsByProject.keys(), 'Rich.Project'];
      const pipUninstall = (python: string): void => {
        const removed = runPython(python, [`${pipWheel}/pip`, 'uninstall', '-y', '-q', '--disable-pip-version-check', ...names]);
        assert.equal(removed.status, 0, removed.stderr);
      };

      let venvPython = fresh();
      const byPip = runPython(venvPython, [`${pipWheel}/pip`, 'install', '--no-deps', '--no-compile', '--disable-pip-version-check', '-q', ...wheels]);
      assert.equal(byPip.status, 0, byPip.stderr);
      const pipTree = comparable(snapshotTree(env), env);
      pipUninstall(venvPython);
      const afterPipUninstall = snapshotTree(env);

      venvPython = fresh();
      const ours = runCli(['install', '--python', venvPython, '--no-compile', ...wheels]);
      assert.equal(ours.status, 0, ours.stderr);
      const ourTree = comparable(snapshotTree(env), env);
      assert.deepEqual([...ourTree.keys()].sort(), [...pipTree.keys()].sort(), 'same files');
      for (const [rel, value] of pipTree) assert.equal(ourTree.get(rel), value, `same bytes and mode: ${rel}`);

      const installer = readFileSync(path.join(env, path.dirname([...ourTree.keys()].find((k) => k.endsWith('.dist-info/METADATA'))!), 'INSTALLER'), 'utf8');
      assert.equal(installer, 'sidewheel\n');

      const rich = runPython(path.join(env, 'bin', 'rich'), []);
      assert.equal(rich.stdout, 'rich main\n', rich.stderr);
      const script = runPython(path.join(env, 'bin', 'rich-script'), []);
      assert.equal(script.stdout.trim(), `script ${venvPython}`, script.stderr);
      const pipScript = runPython(path.join(env, 'bin', 'pip'), ['--version']);
      assert.match(pipScript.stdout, /^pip \d+/, pipScript.stderr);

      for (const project of ['setuptools', 'Rich.Project']) {
        const shown = runPython(venvPython, [`${pipWheel}/pip`, 'show', '-f', project]);
        assert.equal(shown.status, 0, shown.stderr);
        assert.match(shown.stdout, new RegExp(`^Name: ${project.replace('.', '\\.')}$`, 'm'));
        assert.match(shown.stdout, /^Files:$/m);
      }
      pipUninstall(venvPython);
      assert.deepEqual(snapshotTree(env), afterPipUninstall, 'pip uninstall leaves what it leaves after its own install');
    });
  }
});

/**
 * The quirks of pip's own test wheels (real setuptools 0.9.8 ships `.data/scripts/easy_install`
 * beside its `easy_install` entry point): setuptools-made wrappers of entry points in
 * `.data/scripts` (`EP`, `EP.exe`, `EP-script.py`, `EP.pya`, any case of the suffix) are
 * left out for pip's generated wrapper, other scripts kept; `RECORD.jws` is installed and
 * listed without a hash; an old Wheel-Version is not "newer".
 */
const QUIRKS: WheelSpec = {
  name: 'Quirk',
  version: '1.0',
  wheelVersion: '0.1',
  files: {
    'quirk/__init__.py': 'def main():\n    print("generated wrapper")\n',
    'Quirk-1.0.data/scripts/quirk': '#!python\nprint("shipped script")\n',
    'Quirk-1.0.data/scripts/quirk.exe': 'MZ not really\n',
    'Quirk-1.0.data/scripts/quirk-script.py': 'print("setuptools wrapper")\n',
    'Quirk-1.0.data/scripts/quirkw.EXE': 'MZ gui\n',
    'Quirk-1.0.data/scripts/quirkw.pya': 'print("gui")\n',
    'Quirk-1.0.data/scripts/Quirk.exe': 'MZ other case: kept\n',
    'Quirk-1.0.data/scripts/other.exe': 'MZ kept\n',
    'Quirk-1.0.data/scripts/tool-script.py': 'print("kept")\n',
  },
  modes: { 'Quirk-1.0.data/scripts/quirk': 0o100755 },
  entryPoints: '[console_scripts]\nquirk = quirk:main\n\n[gui_scripts]\nquirkw = quirk:main\n',
};

describe("pip's test-wheel quirks, against pip itself", { skip: !pipWheel || pythons.length === 0 ? 'no pip wheel or no CPython >= 3.8' : false }, () => {
  test(`${pipWheel ? path.basename(pipWheel) : 'pip'}: wrappers of entry points skipped, RECORD.jws kept, Wheel-Version 0.1 quietly`, async () => {
    const python = pythons[pythons.length - 1]!;
    const entries = wheelEntries(QUIRKS);
    entries.push({ name: `${distInfoName(QUIRKS)}/RECORD.jws`, data: Buffer.from('{"signatures": []}\n') });
    const wheel = await writeWheel(path.join(work.dir), QUIRKS, entries);
    const env = path.join(work.dir, 'quirks-env');
    const fresh = (): string => {
      rmSync(env, { recursive: true, force: true });
      return makeVenv(python.executable, env);
    };
    let venvPython = fresh();
    const byPip = runPython(venvPython, [`${pipWheel}/pip`, 'install', '--no-deps', '--no-compile', '--disable-pip-version-check', '-q', wheel]);
    assert.equal(byPip.status, 0, byPip.stderr);
    // pip's RECORD also keeps the wheel's own rows of the wrappers it skipped (`Quirk-1.0.data/scripts/quirk`,
    // a path that is not on disk); sidewheel's lists only what it installed.
    const pipTree = new Map([...comparable(snapshotTree(env), env)].map(([rel, v]) => [rel, rel.endsWith('.dist-info/RECORD') ? v.replace(/^Quirk-1\.0\.data\/.*\r?\n/gm, '') : v]));
    venvPython = fresh();
    const ours = runCli(['install', '--python', venvPython, '--no-compile', wheel]);
    assert.equal(ours.status, 0, ours.stderr);
    assert.equal(ours.stderr.replace(/^sidewheel: acted on .*\n/m, ''), '', 'no warning: Wheel-Version 0.1 is older than 1.0');
    const ourTree = comparable(snapshotTree(env), env);
    assert.deepEqual([...ourTree.keys()].sort(), [...pipTree.keys()].sort(), 'same files');
    for (const [rel, value] of pipTree) assert.equal(ourTree.get(rel), value, `same bytes and mode: ${rel}`);
    // What the comparison means here, spelled out.
    const scripts = [...ourTree.keys()].filter((k) => k.startsWith('bin/quirk') || k.startsWith('bin/Quirk') || k.startsWith('bin/other') || k.startsWith('bin/tool')).sort();
    assert.deepEqual(scripts, ['bin/Quirk.exe', 'bin/other.exe', 'bin/quirk', 'bin/quirkw', 'bin/tool-script.py']);
    assert.equal(runPython(path.join(env, 'bin', 'quirk'), []).stdout, 'generated wrapper\n');
    const record = [...ourTree].find(([k]) => k.endsWith('Quirk-1.0.dist-info/RECORD'))?.[1] ?? '';
    assert.match(record, /^Quirk-1\.0\.dist-info\/RECORD\.jws,,\r?$/m);
  });
});

describe('what pip 24.2 refuses, sidewheel refuses too, default or side', { skip: !pipWheel || pythons.length === 0 ? 'no pip wheel or no CPython >= 3.8' : false }, () => {
  const cases: Array<[string, WheelSpec, RegExp]> = [
    ['a version that is not PEP 440', { name: 'legacy', version: '2010i', files: { 'legacy.py': '' } }, /METADATA Version "2010i" is not a PEP 440 version/],
    ['an invalid Requires-Dist', { name: 'badreq', version: '1.0', files: { 'badreq.py': '' }, metadata: ['Requires-Dist: foo >= 1.0 ;; bar'] }, /invalid Requires-Dist: invalid requirement "foo >= 1\.0 ;; bar"/],
  ];
  for (const [what, spec, reason] of cases) {
    test(what, async () => {
      const python = pythons[pythons.length - 1]!;
      const wheel = await writeWheel(work.dir, spec);
      const env = path.join(work.dir, `refused-${spec.name}`);
      const venvPython = makeVenv(python.executable, env);
      const before = snapshotTree(env);
      const byPip = runPython(venvPython, [`${pipWheel}/pip`, 'install', '--no-deps', '--no-compile', '--disable-pip-version-check', '-q', wheel]);
      assert.notEqual(byPip.status, 0, 'pip refuses it');
      assert.deepEqual(snapshotTree(env), before);
      for (const side of [[], ['--side']]) {
        const ours = runCli(['install', ...side, '--python', venvPython, wheel]);
        assert.notEqual(ours.status, 0, `${side.join('')} ${ours.stdout}`);
        assert.notEqual(ours.status, 70, ours.stderr);
        assert.match(ours.stderr, reason);
        assert.equal(ours.stderr.trim().split('\n').length, 1, ours.stderr);
        assert.deepEqual(snapshotTree(env), before, 'nothing written');
      }
    });
  }
});

describe('sidewheel uninstall, upgrade and bytecode', { skip: pythons.length === 0 ? 'no CPython >= 3.8' : false }, () => {
  const python = pythons[pythons.length - 1]!;

  test('uninstall removes exactly what install wrote', async () => {
    const env = path.join(work.dir, 'uninstall-env');
    const venvPython = makeVenv(python.executable, env);
    const pristine = snapshotTree(env);
    const installed = runCli(['install', '--python', venvPython, await richWheel]);
    assert.equal(installed.status, 0, installed.stderr);
    const pyc = [...snapshotTree(env).keys()].filter((k) => k.endsWith('.pyc'));
    assert.ok(pyc.length >= 2, `bytecode compiled: ${pyc.join(', ')}`);
    const removed = runCli(['uninstall', '--python', venvPython, 'rich-project']);
    assert.equal(removed.status, 0, removed.stderr);
    assert.match(removed.stdout, /removed Rich\.Project 2\.0\.post1/);
    assert.deepEqual(snapshotTree(env), pristine);
    const again = runCli(['uninstall', '--python', venvPython, 'rich-project']);
    assert.notEqual(again.status, 0);
    assert.match(again.stderr, /^sidewheel: rich-project is not installed/);
  });

  test('bytecode matches what pip compiles', async () => {
    if (!pipWheel) return;
    const env = path.join(work.dir, 'compile-env');
    const wheels = [await richWheel];
    let venvPython = makeVenv(python.executable, env);
    assert.equal(runPython(venvPython, [`${pipWheel}/pip`, 'install', '--no-deps', '-q', '--disable-pip-version-check', ...wheels]).status, 0);
    const pipTree = snapshotTree(env);
    const pipPyc = new Map([...pipTree.keys()].filter((k) => k.endsWith('.pyc')).map((k) => [k, readFileSync(path.join(env, k)).subarray(16)]));
    rmSync(env, { recursive: true });
    venvPython = makeVenv(python.executable, env);
    assert.equal(runCli(['install', '--python', venvPython, ...wheels]).status, 0);
    const ourTree = snapshotTree(env);
    assert.deepEqual([...ourTree.keys()].sort(), [...pipTree.keys()].sort());
    for (const [k, code] of pipPyc) assert.ok(readFileSync(path.join(env, k)).subarray(16).equals(code), `same code object in ${k}`);
  });

  test('installing another version of a default replaces it, like pip upgrade', async () => {
    const env = path.join(work.dir, 'upgrade-env');
    const venvPython = makeVenv(python.executable, env);
    const v1 = await writeWheel(work.dir, { name: 'upme', version: '1.0', files: { 'upme/__init__.py': 'V = 1\n', 'upme/old_only.py': '' } });
    const v2 = await writeWheel(work.dir, { name: 'upme', version: '2.0', files: { 'upme/__init__.py': 'V = 2\n' } });
    assert.equal(runCli(['install', '--python', venvPython, v2]).status, 0);
    const direct = snapshotTree(env);
    rmSync(env, { recursive: true });
    makeVenv(python.executable, env);
    assert.equal(runCli(['install', '--python', venvPython, v1]).status, 0);
    const upgraded = runCli(['install', '--python', venvPython, v2]);
    assert.equal(upgraded.status, 0, upgraded.stderr);
    assert.match(upgraded.stdout, /installed upme 2\.0 \(replacing 1\.0\)/);
    const after = snapshotTree(env);
    const withoutPyc = (t: Map<string, string>): string[] => [...t.keys()].filter((k) => !k.includes('__pycache__')).sort();
    assert.deepEqual(withoutPyc(after), withoutPyc(direct));
    assert.equal(runPython(venvPython, ['-c', 'import upme; print(upme.V)']).stdout, '2\n');
  });
});
