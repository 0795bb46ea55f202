/**
 * The main job end to end, through the CLI, on real wheels and every Python >= 3.8
 * found (PyPy too): setuptools as the default, older setuptools and pip versions (from the other
 * interpreters' ensurepip bundles) alongside; scripts whose __requires__ pick each get
 * exactly that version from import and from importlib.metadata.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { parseWheelFilename } from '../src/names.js';
import { compareVersions } from '../src/versions.js';
import { makeVenv, runCli, runPython, snapshotTree, tempDir } from './helpers/env.js';
import { pythonsAtLeast, realWheels } from './helpers/pythons.js';
import { writeWheel } from './helpers/wheels.js';

interface RealWheel {
  readonly file: string;
  readonly project: string;
  readonly version: string;
}

const wheels: RealWheel[] = [...realWheels().entries()]
  .map(([name, file]) => ({ file, project: parseWheelFilename(name).name, version: parseWheelFilename(name).version }))
  .filter((w) => w.project === 'pip' || w.project === 'setuptools')
  .sort((a, b) => compareVersions(b.version, a.version));
const pythons = pythonsAtLeast(3, 8);
const work = tempDir();
after(() => work.cleanup());

/** A script that declares __requires__ and reports what it got, without importing anything first. */
function requiresScript(dir: string, name: string, requires: string, probe: string): string {
  const file = path.join(dir, `${name}.py`);
  writeFileSync(
    file,
    `__requires__ = ${JSON.stringify(requires)}\n` +
      'import importlib.metadata, importlib.util, json, sys\n' +
      `project = ${JSON.stringify(probe)}\n` +
      'spec = importlib.util.find_spec(project)\n' +
      'print(json.dumps({"metadata": importlib.metadata.version(project), "origin": spec.origin}))\n',
  );
  return file;
}

describe('real wheels side by side', { skip: wheels.length < 3 || pythons.length === 0 ? 'needs Python >= 3.8 and several ensurepip wheels' : false }, () => {
  for (const python of pythons) {
    test(`${python.implementationName} ${python.label}`, async () => {
      const env = path.join(work.dir, `env-${python.version.join('')}`);
      const venvPython = makeVenv(python.executable, env);
      const setuptools = wheels.filter((w) => w.project === 'setuptools');
      const pips = wheels.filter((w) => w.project === 'pip');
      const [defaultSetuptools, ...olderSetuptools] = setuptools;
      assert.ok(defaultSetuptools, 'a setuptools wheel');

      const installed = runCli(['install', '--python', venvPython, defaultSetuptools.file]);
      assert.equal(installed.status, 0, installed.stderr);
      const sides = [...olderSetuptools, ...pips].map((w) => w.file);
      // Bytecode is exercised elsewhere; here it would only triple the time.
      const side = runCli(['install', '--side', '--no-compile', '--python', venvPython, ...sides]);
      assert.equal(side.status, 0, side.stderr);

      const again = runCli(['install', '--side', '--python', venvPython, sides[0]!]);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /already installed .*nothing changed/);

      const listed = JSON.parse(runCli(['list', '--json', '--python', venvPython]).stdout) as Array<{ name: string; version: string; default: boolean; format: string }>;
      for (const w of wheels) {
        assert.ok(listed.some((r) => r.name === w.project && r.version === w.version), `list shows ${w.project} ${w.version}`);
      }
      assert.deepEqual(
        listed.filter((r) => r.default).map((r) => r.name).sort(),
        ['setuptools', 'sidewheel'],
      );

      for (const w of [...setuptools, ...pips]) {
        const script = requiresScript(work.dir, `want-${w.project}-${w.version}`, `${w.project}==${w.version}`, w.project);
        const r = runPython(venvPython, [script]);
        assert.equal(r.status, 0, `${w.project}==${w.version}: ${r.stderr}`);
        const got = JSON.parse(r.stdout) as { metadata: string; origin: string };
        assert.equal(got.metadata, w.version, `importlib.metadata for ${w.project}==${w.version}`);
        const fromSide = got.origin.includes(`/${path.basename(w.file)}/`);
        assert.equal(fromSide, w !== defaultSetuptools, `${w.project} ${w.version} imported from ${got.origin}`);
      }
      const pipVersion = runPython(venvPython, ['-c', '__requires__ = "pip==' + pips[0]!.version + '"\nimport pip; print(pip.__version__)']);
      assert.equal(pipVersion.stdout.trim(), pips[0]!.version, pipVersion.stderr);

      const plain = runPython(venvPython, ['-c', 'import importlib.metadata as m; print(m.version("setuptools"))']);
      assert.equal(plain.stdout.trim(), defaultSetuptools.version, 'without __requires__, the default');

      const impossible = runPython(venvPython, ['-c', '__requires__ = ["setuptools==0.1"]\nimport json']);
      assert.notEqual(impossible.status, 0);
      assert.match(impossible.stderr, /DistributionNotFound|VersionConflict|ResolutionError/);
      assert.match(impossible.stderr, /setuptools==0\.1/);
    });
  }
});

describe('side install rules', { skip: pythons.length === 0 ? 'no Python >= 3.8' : false }, () => {
  const python = pythons[pythons.length - 1]!;

  test('--zipped keeps the wheel as it is and imports through zipimport; uninstall NAME==VERSION removes it', async () => {
    const env = path.join(work.dir, 'zipped');
    const venvPython = makeVenv(python.executable, env);
    const v1 = await writeWheel(work.dir, { name: 'zippy', version: '1.0', files: { 'zippy/__init__.py': 'V = "1.0"\n' } });
    const v2 = await writeWheel(work.dir, { name: 'zippy', version: '2.0', files: { 'zippy/__init__.py': 'V = "2.0"\n' } });
    assert.equal(runCli(['install', '--python', venvPython, v2]).status, 0);
    const beforeSide = snapshotTree(env);
    const r = runCli(['install', '--side', '--zipped', '--python', venvPython, v1]);
    assert.equal(r.status, 0, r.stderr);
    const got = runPython(venvPython, ['-c', '__requires__ = "zippy<2"\nimport zippy; print(zippy.V, zippy.__file__)']);
    assert.match(got.stdout, /^1\.0 .*zippy-1\.0-py3-none-any\.whl\/zippy\/__init__\.py$/m, got.stderr);
    const listed = runCli(['list', '--json', '--python', venvPython]);
    assert.ok((JSON.parse(listed.stdout) as Array<{ format: string }>).some((row) => row.format === 'zip'));
    const removed = runCli(['uninstall', '--python', venvPython, 'zippy==1.0']);
    assert.equal(removed.status, 0, removed.stderr);
    const after = snapshotTree(env);
    const notRuntime = (t: Map<string, string>): string[] => [...t.keys()].filter((k) => !/sidewheel/.test(k)).sort();
    assert.deepEqual(notRuntime(after), notRuntime(beforeSide));
  });

  test('--zipped refuses a platlib wheel with a reason, writing nothing', async () => {
    const env = path.join(work.dir, 'zipped-platlib');
    const venvPython = makeVenv(python.executable, env);
    const wheel = await writeWheel(work.dir, { name: 'native', version: '1.0', rootIsPurelib: false, files: { 'native/__init__.py': '' } });
    const before = snapshotTree(env);
    const r = runCli(['install', '--side', '--zipped', '--python', venvPython, wheel]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /^sidewheel: native-1\.0-py3-none-any\.whl: --zipped takes pure wheels only/);
    assert.deepEqual(snapshotTree(env), before);
  });

  test('pip list shows the default only; importlib.metadata does not see inactive side versions', async () => {
    const env = path.join(work.dir, 'invisible');
    const venvPython = makeVenv(python.executable, env);
    const v1 = await writeWheel(work.dir, { name: 'ghost', version: '1.0', files: { 'ghost/__init__.py': '' } });
    const v2 = await writeWheel(work.dir, { name: 'ghost', version: '2.0', files: { 'ghost/__init__.py': '' } });
    assert.equal(runCli(['install', '--python', venvPython, v2]).status, 0);
    assert.equal(runCli(['install', '--side', '--python', venvPython, v1]).status, 0);
    const seen = runPython(venvPython, ['-c', 'import importlib.metadata as m; print(sorted(d.version for d in m.distributions() if d.metadata["Name"] == "ghost"))']);
    assert.equal(seen.stdout.trim(), "['2.0']");
    const pip = pipWheel();
    if (pip) {
      const listed = runPython(venvPython, [pip + '/pip', 'list', '--format=freeze', '--disable-pip-version-check']);
      assert.match(listed.stdout, /^ghost==2\.0$/m, listed.stderr);
      assert.doesNotMatch(listed.stdout, /ghost==1\.0/);
    }
  });
});

describe('pip changing the default behind sidewheel', { skip: pythons.length === 0 || !pipWheel() ? 'needs Python >= 3.8 and a pip wheel' : false }, () => {
  test('the runtime sees the default pip left, not the one sidewheel last saw', async () => {
    const python = pythons[pythons.length - 1]!;
    const env = path.join(work.dir, 'behind-back');
    const venvPython = makeVenv(python.executable, env);
    const versions = ['1.0', '2.0', '3.0'];
    const [v1, v2, v3] = await Promise.all(versions.map((version) => writeWheel(work.dir, { name: 'shifty', version, files: { 'shifty/__init__.py': `V = "${version}"\n` } })));
    assert.equal(runCli(['install', '--python', venvPython, v2!]).status, 0);
    assert.equal(runCli(['install', '--side', '--python', venvPython, v1!]).status, 0);
    const pip = (...args: string[]): void => {
      const r = runPython(venvPython, [`${pipWheel()}/pip`, ...args, '-q', '--disable-pip-version-check']);
      assert.equal(r.status, 0, r.stderr);
    };
    const want = (requires: string): string => runPython(venvPython, ['-c', `__requires__ = ${JSON.stringify(requires)}\nimport shifty; print(shifty.V)`]).stdout.trim();
    pip('install', '--no-deps', v3!);
    assert.equal(want('shifty>=3'), '3.0', 'the default pip installed');
    assert.equal(want('shifty<2'), '1.0', 'the side version still');
    pip('uninstall', '-y', 'shifty');
    assert.equal(want('shifty<2'), '1.0');
    const gone = runPython(venvPython, ['-c', '__requires__ = "shifty>=2"\nimport shifty']);
    assert.notEqual(gone.status, 0, 'no default any more, and no side version satisfies');
    assert.match(gone.stderr, /shifty>=2/);
  });
});

function pipWheel(): string | undefined {
  return wheels.find((w) => w.project === 'pip')?.file;
}
