/**
 * The runtime's cost, part of `npm run bench`, each figure against a plain venv of the same
 * interpreter in the same run (one interleaved loop over every contender, medians):
 *
 * 1. interpreter start-up (`python -c pass`) with the runtime installed and 1,000 side
 *    versions present (200 projects x 5 versions), against a plain venv (goal: <= 1.08x);
 * 2. a script whose `__requires__` activates 10 side versions and imports them, against the
 *    same imports of the defaults without `__requires__`, in that same environment
 *    (goal: activation adds <= 5 ms);
 * 3. the anchor: `import pkg_resources` (setuptools installed as the default) against
 *    `python -c pass` in the plain venv.
 *
 * Interpreters run with the environment the user has (PYTHONDONTWRITEBYTECODE included):
 * the CLI compiles bytecode for what it installs, the runtime always. A fourth venv holds
 * the same 1,000 directories without the runtime, to tell the layout's cost from the
 * runtime's. Rounds: BENCH_RUNTIME_ROUNDS, else 4 x BENCH_ROUNDS (36 by default).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { wheelEntries, writeWheel } from '../test/helpers/wheels.js';
import { writeZip } from '../test/helpers/zip.js';
import { interleave, median, report, type Contender } from './measure.js';
import { CLI, wheelsOf } from './setup.js';


const PROJECTS = 200;
const SIDE_VERSIONS = ['1.0', '1.1', '2.0', '2.1', '3.0'];
const DEFAULT_VERSION = '4.0';
const REQUIRED = 10;
/** Wheels per `install --side` call: a few big calls, as a user installing a set would. */
const BATCH = 250;

const STARTUP_GOAL = 1.08;
const ACTIVATION_GOAL_MS = 5;

const project = (i: number): string => `swbench-p${String(i).padStart(3, '0')}`;
const module = (i: number): string => `swbench_p${String(i).padStart(3, '0')}`;

function venv(base: string, dir: string): string {
  execFileSync(base, ['-m', 'venv', '--without-pip', dir], { stdio: 'ignore' });
  return path.join(dir, 'bin', 'python');
}

function cli(...args: string[]): void {
  execFileSync(process.execPath, [CLI, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

function python(py: string, code: string): string {
  return execFileSync(py, ['-c', code], { encoding: 'utf8' }).trim();
}

async function generateWheels(dir: string): Promise<{ sides: string[]; defaults: string[] }> {
  mkdirSync(dir, { recursive: true });
  const sides: string[] = [];
  const defaults: string[] = [];
  const wheel = (i: number, version: string): Promise<string> =>
    writeWheel(dir, {
      name: project(i),
      version,
      files: {
        [`${module(i)}/__init__.py`]: `"""Generated for sidewheel's bench."""\nfrom .core import VERSION\n`,
        [`${module(i)}/core.py`]: `VERSION = ${JSON.stringify(version)}\n\ndef version():\n    return VERSION\n`,
      },
      metadata: ['Requires-Python: >=3.8', 'Summary: a generated project'],
    });
  for (let i = 0; i < PROJECTS; i++) for (const v of SIDE_VERSIONS) sides.push(await wheel(i, v));
  for (let i = 0; i < REQUIRED; i++) defaults.push(await wheel(i, DEFAULT_VERSION));
  return { sides, defaults };
}

/** Every requirement picks a side version the default (4.0) does not satisfy. */
function requirements(): string[] {
  const specs = ['<2', '==1.1', '~=2.0', '<3,>=2.1', '<=1.0', '>=2,<3', '!=3.0,<4', '==2.*', '<1.1', '>1,<2'];
  return Array.from({ length: REQUIRED }, (_, i) => `${project(i)}${specs[i % specs.length]}`);
}

export async function runtimeBench(work: string, base: string, rounds: number): Promise<void> {
  const root = path.join(work, 'runtime');
  const started = Date.now();
  const plain = venv(base, path.join(root, 'plain'));
  const sides = venv(base, path.join(root, 'sides'));
  const { sides: sideWheels, defaults } = await generateWheels(path.join(root, 'wheels'));
  for (let i = 0; i < sideWheels.length; i += BATCH) cli('install', '--side', '--python', sides, ...sideWheels.slice(i, i + BATCH));
  cli('install', '--python', sides, ...defaults);

  // The anchor: setuptools (with pkg_resources) as the default, installed by the CLI; the
  // newest whose pkg_resources imports on this interpreter.
  const anchor = venv(base, path.join(root, 'anchor'));
  let anchorWheel: string | undefined;
  for (const wheel of wheelsOf('setuptools')) {
    try {
      cli('install', '--python', anchor, wheel);
      python(anchor, 'import pkg_resources');
      anchorWheel = wheel;
      break;
    } catch {
      execFileSync(process.execPath, [CLI, 'uninstall', '--python', anchor, 'setuptools'], { stdio: 'ignore' });
    }
  }

  // Check the set-up before timing it: the side versions are there, the runtime's bytecode
  // exists, and __requires__ really activates side versions.
  const purelib = python(sides, 'import sysconfig; print(sysconfig.get_paths()["purelib"])');
  const sideDirs = readdirSync(purelib).filter((n) => n.endsWith('.whl')).length;
  const tag = python(sides, 'import sys; print(sys.implementation.cache_tag)');
  const runtimeDir = path.join(purelib, 'sidewheel');
  const sources = readdirSync(runtimeDir).filter((n) => n.endsWith('.py'));
  const missing = sources.filter((n) => !existsSync(path.join(runtimeDir, '__pycache__', `${n.slice(0, -3)}.${tag}.pyc`)));
  const indexBytes = statSync(path.join(runtimeDir, 'index.json')).size;

  // The same 1,000 directories in a venv without the runtime: what the layout itself costs
  // (site.py lists site-packages at start, twice in a venv, and the import system once more).
  const dirs = venv(base, path.join(root, 'dirs-only'));
  const dirsSite = python(dirs, 'import sysconfig; print(sysconfig.get_paths()["purelib"])');
  for (const name of readdirSync(purelib)) if (name.endsWith('.whl')) mkdirSync(path.join(dirsSite, name));
  const version = python(plain, 'import sys; print(sys.version.split()[0])');

  const scripts = path.join(root, 'scripts');
  mkdirSync(scripts);
  const imports = Array.from({ length: REQUIRED }, (_, i) => `import ${module(i)}`).join('\n');
  const reqs = requirements();
  const withRequires = path.join(scripts, 'with_requires.py');
  const withoutRequires = path.join(scripts, 'without_requires.py');
  writeFileSync(withRequires, `__requires__ = ${JSON.stringify(reqs)}\n\n${imports}\n`);
  writeFileSync(withoutRequires, `${imports}\n`);
  const versionsOf = (script: string): string[] =>
    JSON.parse(
      execFileSync(sides, ['-c', `exec(open(${JSON.stringify(script)}).read()); import json, sys; print(json.dumps([sys.modules[m].VERSION for m in ${JSON.stringify(Array.from({ length: REQUIRED }, (_, i) => module(i)))}]))`], {
        encoding: 'utf8',
      }),
    ) as string[];
  // exec() in -c runs in __main__, so __requires__ is honoured as in a script.
  const activated = versionsOf(withRequires);
  const plainVersions = versionsOf(withoutRequires);
  if (activated.some((v) => v === DEFAULT_VERSION) || plainVersions.some((v) => v !== DEFAULT_VERSION)) {
    throw new Error(`runtime bench set-up is wrong: __requires__ gave ${activated.join(' ')}, plain imports gave ${plainVersions.join(' ')}`);
  }

  const dontWrite = process.env.PYTHONDONTWRITEBYTECODE;
  console.log(
    `\nruntime: CPython ${version} (${base}); ${sideDirs} side versions (${PROJECTS} projects x ${SIDE_VERSIONS.length}) + ${REQUIRED} defaults installed by the CLI, ` +
      `index ${(indexBytes / 1024).toFixed(0)} KiB, set up in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  console.log(
    `  environment as the user has it: PYTHONDONTWRITEBYTECODE ${dontWrite ? `is set (${JSON.stringify(dontWrite)}): nothing writes bytecode at run time` : 'is not set'}; ` +
      `the runtime's bytecode ${missing.length ? `is MISSING for ${missing.join(', ')}` : `exists for all ${sources.length} modules (${tag})`}`,
  );
  console.log(`  __requires__: ${reqs.join(', ')} -> ${activated.join(' ')} (defaults ${DEFAULT_VERSION})`);

  const contenders: Contender[] = [
    { label: 'plain venv: python -c pass', command: () => [plain, '-c', 'pass'] },
    { label: '1000 side versions: python -c pass', command: () => [sides, '-c', 'pass'] },
    { label: '1000 dirs, no runtime: -c pass', command: () => [dirs, '-c', 'pass'] },
    { label: '10 imports, defaults', command: () => [sides, withoutRequires] },
    { label: '10 imports, __requires__ sides', command: () => [sides, withRequires] },
  ];
  if (anchorWheel) contenders.push({ label: 'import pkg_resources', command: () => [anchor, '-c', 'import pkg_resources'] });
  const times = interleave(contenders, rounds);
  const pick = (...labels: string[]): Map<string, number[]> => new Map(labels.map((l) => [l, times.get(l)!]));
  const m = (label: string): number => median(times.get(label)!);

  const [plainPass, sidesPass, dirsPass, importsDefault, importsRequires, anchorLabel] = contenders.map((c) => c.label);
  report(`runtime, interpreter start-up: ${rounds} interleaved rounds`, pick(plainPass!, sidesPass!, dirsPass!), plainPass!);
  const startup = m(sidesPass!) / m(plainPass!);
  console.log(`  start-up with the runtime: ${startup.toFixed(3)}x of plain (goal <= ${STARTUP_GOAL}x: ${startup <= STARTUP_GOAL ? 'met' : 'MISSED'}); ` +
      `of the ${(m(sidesPass!) - m(plainPass!)).toFixed(1)} ms, the 1,000 directories alone cost ${(m(dirsPass!) - m(plainPass!)).toFixed(1)} ms, the runtime ${(m(sidesPass!) - m(dirsPass!)).toFixed(1)} ms`);

  report(`runtime, __requires__ activating ${REQUIRED} side versions, then importing them: ${rounds} interleaved rounds`, pick(importsDefault!, importsRequires!), importsDefault!);
  const added = m(importsRequires!) - m(importsDefault!);
  console.log(`  activation adds ${added.toFixed(1)} ms (difference of medians; goal <= ${ACTIVATION_GOAL_MS} ms: ${added <= ACTIVATION_GOAL_MS ? 'met' : 'MISSED'})`);

  sideVersionsScale(root, base, sides, rounds);

  if (anchorWheel) {
    report(`anchor, ${path.basename(anchorWheel)} as the default: ${rounds} interleaved rounds`, pick(plainPass!, anchorLabel!), plainPass!);
    console.log(`  import pkg_resources costs ${(m(anchorLabel!) - m(plainPass!)).toFixed(1)} ms over python -c pass`);
  } else {
    console.log('\nanchor: skipped (no setuptools wheel whose pkg_resources imports on this interpreter)');
  }
}

/**
 * What 1,000 side versions cost the CLI: a side install of one more wheel there against
 * the same into an environment with none (goal <= 1.2x), and `sidewheel list` against
 * the runtime's own `python -m sidewheel list` (goal <= 1.5x).
 */
function sideVersionsScale(root: string, base: string, crowded: string, rounds: number): void {
  const empty = venv(base, path.join(root, 'side-empty'));
  cli('list', '--python', empty);
  const spec = { name: 'swbench-extra', version: '1.0', files: { 'swbench_extra/__init__.py': 'X = 1\n' } };
  const wheelDir = path.join(root, 'extra');
  mkdirSync(wheelDir, { recursive: true });
  const wheel = path.join(wheelDir, 'swbench_extra-1.0-py3-none-any.whl');
  writeFileSync(wheel, writeZip(wheelEntries(spec)));
  // Both environments hold the runtime before timing: only the side version comes and goes.
  for (const python of [empty, crowded]) cli('install', '--side', '--no-compile', '--python', python, wheel);
  const uninstall = (python: string) => (): void => cli('uninstall', '--python', python, 'swbench-extra==1.0');
  const install = (python: string): string[] => [process.execPath, CLI, 'install', '--side', '--no-compile', '--no-cache', '--python', python, wheel];
  const contenders: Contender[] = [
    { label: 'side install, 1000 side versions', prepare: uninstall(crowded), command: () => install(crowded) },
    { label: 'side install, no side versions', prepare: uninstall(empty), command: () => install(empty) },
  ];
  report('side install of one wheel, by side versions already present', interleave(contenders, Math.max(5, Math.floor(rounds / 4))), contenders[1]!.label);
  const list: Contender[] = [
    { label: 'sidewheel list (1000 side versions)', command: () => [process.execPath, CLI, 'list', '--python', crowded] },
    { label: 'python -m sidewheel list', command: () => [crowded, '-m', 'sidewheel', 'list'] },
  ];
  report('list with 1000 side versions', interleave(list, Math.max(5, Math.floor(rounds / 4))), list[1]!.label);
}
