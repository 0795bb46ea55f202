/**
 * `npm run bench`: sidewheel against the tools a user would otherwise reach for, in one
 * run, interleaved, medians and ratios. Absolute times on a shared machine mean little;
 * the ratios are the result.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareVersions } from '../src/versions.js';
import { parseWheelFilename } from '../src/names.js';
import { findPythons, realWheels } from '../test/helpers/pythons.js';
import { interleave, report, type Contender } from './measure.js';
import { runtimeBench } from './runtime-bench.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);
const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'sidewheel.mjs');

function newestWheel(project: string): string | undefined {
  let best: { version: string; file: string } | undefined;
  for (const [name, file] of realWheels()) {
    const parsed = parseWheelFilename(name);
    if (parsed.name !== project) continue;
    if (!best || compareVersions(parsed.version, best.version) > 0) best = { version: parsed.version, file };
  }
  return best?.file;
}

function defaultInstallBench(work: string, python: string): void {
  const wheel = newestWheel('setuptools') ?? newestWheel('pip');
  if (!wheel) {
    console.log('default install: skipped (no setuptools or pip wheel found in any ensurepip bundle)');
    return;
  }
  const files = execFileSync('unzip', ['-Z1', wheel], { encoding: 'utf8' }).trim().split('\n').length;
  // Targets are made once and emptied between runs: venv creation is not what is measured.
  const target = (name: string, withPip: boolean): string => {
    const dir = path.join(work, name);
    execFileSync(python, ['-m', 'venv', ...(withPip ? [] : ['--without-pip']), dir], { stdio: 'ignore' });
    return dir;
  };
  const ours = target('sidewheel-target', false);
  const pips = target('pip-target', true);
  const unzipDir = path.join(work, 'unzip-target');
  const site = (venv: string): string =>
    execFileSync(path.join(venv, 'bin', 'python'), ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).trim();
  const wheelName = parseWheelFilename(path.basename(wheel));
  const removeProject = (venv: string): void => {
    const dir = site(venv);
    for (const entry of [wheelName.name, `${wheelName.name}-${wheelName.version}.dist-info`, 'pkg_resources', '_distutils_hack', 'distutils-precedence.pth']) {
      rmSync(path.join(dir, entry), { recursive: true, force: true });
    }
  };
  // Warm the probe cache once, as every run after a user's first has it.
  execFileSync(process.execPath, [CLI, 'list', '--python', path.join(ours, 'bin', 'python')], { stdio: 'ignore' });
  const contenders: Contender[] = [
    {
      label: 'sidewheel install --no-compile',
      prepare: () => removeProject(ours),
      command: () => [process.execPath, CLI, 'install', '--no-compile', '--python', path.join(ours, 'bin', 'python'), wheel],
    },
    {
      label: 'pip install --no-deps --no-compile',
      prepare: () => removeProject(pips),
      command: () => [path.join(pips, 'bin', 'python'), '-m', 'pip', 'install', '--no-deps', '--no-compile', '--disable-pip-version-check', '-q', wheel],
    },
    {
      label: 'unzip -q -o',
      prepare: () => rmSync(unzipDir, { recursive: true, force: true }),
      command: () => ['unzip', '-q', '-o', wheel, '-d', unzipDir],
    },
  ];
  const times = interleave(contenders, ROUNDS);
  report(`default install of ${path.basename(wheel)} (${files} files), process start included`, times, 'sidewheel install --no-compile');
}

// BENCH_DIR picks the filesystem. The default is beside the checkout, where a user's venvs
// would live: on this machine /tmp creates files 20-40x slower than the rest of the same
// disk, which would bury every tool's own cost under the filesystem's.
const benchRoot = process.env.BENCH_DIR ?? path.resolve(path.dirname(CLI), '..', '.bench');
mkdirSync(benchRoot, { recursive: true });
const work = mkdtempSync(path.join(benchRoot, 'run-'));
process.env.SIDEWHEEL_CACHE_DIR = path.join(work, 'cache');
try {
  const python = findPythons().filter((p) => p.version[0] === 3 && p.version[1] >= 8).pop();
  if (!python) throw new Error('no CPython >= 3.8 found');
  console.log(`sidewheel bench: ${ROUNDS} interleaved rounds, CPython ${python.label}, node ${process.version}, in ${benchRoot}`);
  defaultInstallBench(work, python.executable);
  await runtimeBench(work, python.executable, Number(process.env.BENCH_RUNTIME_ROUNDS ?? ROUNDS * 4));
} finally {
  rmSync(work, { recursive: true, force: true });
}
