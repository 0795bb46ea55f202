/**
 * The package as npm ships it: `npm pack` on a clean copy of the checkout (its tracked and
 * not-ignored files, no dist/) builds, and the tarball installs globally and runs.
 */
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import { makeVenv, runPython, tempDir } from './helpers/env.js';
import { pythonsAtLeast } from './helpers/pythons.js';
import { writeWheel } from './helpers/wheels.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const listed = spawnSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root, encoding: 'utf8' });
const hasNpm = spawnSync('npm', ['--version']).status === 0;
const python = pythonsAtLeast(3, 8).pop();
const work = tempDir('sidewheel-pack-');
after(() => work.cleanup());

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = {}): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(r.status, 0, `${command} ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

const skip = listed.status !== 0 ? 'not a git checkout' : !hasNpm ? 'no npm' : !python ? 'no CPython >= 3.8' : false;

describe('npm pack, then npm install -g of the tarball', { skip }, () => {
  const clone = path.join(work.dir, 'clone');
  const prefix = path.join(work.dir, 'prefix');
  const installed = path.join(prefix, 'lib', 'node_modules', 'sidewheel');
  const bin = path.join(prefix, 'bin', 'sidewheel');

  test('a clean copy packs (prepack builds) and installs globally, offline', () => {
    for (const file of listed.stdout.split('\0').filter(Boolean)) {
      if (!existsSync(path.join(root, file))) continue; // deleted in the working tree, not yet committed
      mkdirSync(path.dirname(path.join(clone, file)), { recursive: true });
      cpSync(path.join(root, file), path.join(clone, file));
    }
    assert.equal(existsSync(path.join(clone, 'dist')), false);
    // The dev dependencies (tsc, esbuild) as `npm ci` would have put them there.
    symlinkSync(path.join(root, 'node_modules'), path.join(clone, 'node_modules'));
    const packed = run('npm', ['pack', '--json', '--pack-destination', work.dir], clone);
    const [{ filename }] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string }>;
    // --offline: the dependencies ship inside the tarball (bundleDependencies), nothing is fetched.
    run('npm', ['install', '-g', '--prefix', prefix, '--offline', '--no-audit', '--no-fund', path.join(work.dir, filename)], work.dir);
    assert.ok(existsSync(bin), 'the bin is linked');
  });

  test('sidewheel --version from the global install', () => {
    const version = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string }).version;
    assert.equal(run(bin, ['--version'], work.dir).stdout, `${version}\n`);
  });

  test('an install into a throw-away venv through the global bin', async () => {
    const wheels = path.join(work.dir, 'wheels');
    mkdirSync(wheels);
    const wheel = await writeWheel(wheels, { name: 'packed', version: '1.0', files: { 'packed/__init__.py': 'V = "1.0"\n' } });
    const side = await writeWheel(wheels, { name: 'packed', version: '0.5', files: { 'packed/__init__.py': 'V = "0.5"\n' } });
    const venv = makeVenv(python!.executable, path.join(work.dir, 'venv'));
    const env = { SIDEWHEEL_CACHE_DIR: path.join(work.dir, 'cache') };
    assert.match(run(bin, ['install', '--python', venv, wheel], work.dir, env).stdout, /installed packed 1\.0/);
    run(bin, ['install', '--side', '--python', venv, side], work.dir, env);
    // The runtime came from the package's python-shim/: a side version activates.
    const r = runPython(venv, ['-c', 'import sidewheel; sidewheel.require("packed<1"); import packed; print(packed.V)']);
    assert.equal(r.stdout, '0.5\n', r.stderr);
  });

  test("the library's types compile in a strict consumer that has not added @types/node", () => {
    const consumer = path.join(work.dir, 'consumer');
    mkdirSync(path.join(consumer, 'node_modules'), { recursive: true });
    symlinkSync(installed, path.join(consumer, 'node_modules', 'sidewheel'));
    writeFileSync(
      path.join(consumer, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', types: [], typeRoots: [], noEmit: true, skipLibCheck: false },
        files: ['consumer.ts'],
      }),
    );
    writeFileSync(
      path.join(consumer, 'consumer.ts'),
      [
        "import { locateInterpreter, openWheel, parseRequirement, SidewheelError, type InterpreterInfo, type Wheel } from 'sidewheel';",
        'export async function describe(file: string): Promise<string> {',
        '  const python: InterpreterInfo | null = null;',
        '  const wheel: Wheel = await openWheel(file);',
        '  return `${wheel.name} ${parseRequirement("a>=1").name} ${await locateInterpreter(undefined)} ${python} ${SidewheelError.name}`;',
        '}',
      ].join('\n') + '\n',
    );
    run(process.execPath, [path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', consumer], consumer);
  });

  test('what ships: the LICENSE npm says, and source maps whose sources ship too', () => {
    const pkg = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as { license: string };
    assert.equal(pkg.license, 'MIT');
    assert.match(readFileSync(path.join(installed, 'LICENSE'), 'utf8'), /^MIT License\n/);
    // Our own maps (the bundled dependencies' are theirs).
    const maps = filesUnder(installed).filter((f) => f.endsWith('.map') && !path.relative(installed, f).startsWith('node_modules'));
    assert.ok(maps.length > 0, 'dist/src ships its source maps');
    for (const map of maps) {
      const { sources } = JSON.parse(readFileSync(map, 'utf8')) as { sources: string[] };
      for (const source of sources) assert.ok(existsSync(path.resolve(path.dirname(map), source)), `${path.relative(installed, map)} names ${source}, not shipped`);
    }
    assert.deepEqual(filesUnder(installed).filter((f) => /^(dist[/\\]test|.*__pycache__)/.test(path.relative(installed, f))), []);
  });
});
