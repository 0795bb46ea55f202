/**
 * `npm run bench`: sidewheel against the tools a user would otherwise reach for, in one
 * run, interleaved, medians and ratios. Absolute times on a shared machine mean little;
 * the ratios are the result.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { findPythons } from '../test/helpers/pythons.js';
import { cacheBench } from './cache-bench.js';
import { interleave, report, type Contender } from './measure.js';
import { runtimeBench } from './runtime-bench.js';
import { benchWheel, CLI, fileCount, makeTarget, remover, warmProbe } from './setup.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);

/** A default install (no bytecode, no cache) against pip's and against plain unzip. */
function defaultInstallBench(work: string, basePython: string): void {
  const wheel = benchWheel();
  if (!wheel) {
    console.log('default install: skipped (no setuptools or pip wheel found in any ensurepip bundle)');
    return;
  }
  const ours = makeTarget(work, basePython, 'sidewheel-target');
  const pips = makeTarget(work, basePython, 'pip-target', true);
  const unzipDir = path.join(work, 'unzip-target');
  warmProbe(ours);
  const contenders: Contender[] = [
    {
      label: 'sidewheel install --no-compile',
      prepare: remover(ours, wheel),
      command: () => [process.execPath, CLI, 'install', '--no-compile', '--no-cache', '--python', ours, wheel],
    },
    {
      label: 'pip install --no-deps --no-compile',
      prepare: remover(pips, wheel),
      command: () => [pips, '-m', 'pip', 'install', '--no-deps', '--no-compile', '--disable-pip-version-check', '-q', wheel],
    },
    {
      // The floor for any Node CLI on this machine: starting node and doing nothing.
      label: 'node -e 0 (no work at all)',
      command: () => [process.execPath, '-e', '0'],
    },
    {
      label: 'unzip -q -o',
      prepare: () => rmSync(unzipDir, { recursive: true, force: true }),
      command: () => ['unzip', '-q', '-o', wheel, '-d', unzipDir],
    },
  ];
  report(`default install of ${path.basename(wheel)} (${fileCount(wheel)} files), process start included`, interleave(contenders, ROUNDS), 'sidewheel install --no-compile');
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
  cacheBench(work, python.executable, ROUNDS);
  await runtimeBench(work, python.executable, Number(process.env.BENCH_RUNTIME_ROUNDS ?? ROUNDS * 4));
} finally {
  rmSync(work, { recursive: true, force: true });
}
