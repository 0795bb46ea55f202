/**
 * `npm run bench`: sidewheel against the tools a user would otherwise reach for, in one
 * run, interleaved, medians and ratios. Absolute times on a shared machine mean little;
 * the ratios are the result.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { findPythons } from '../test/helpers/pythons.js';
import { cacheBench } from './cache-bench.js';
import { indexBench } from './index-bench.js';
import { installBench } from './install-bench.js';
import { runtimeBench } from './runtime-bench.js';
import { scaleBench } from './scale-bench.js';
import { CLI } from './setup.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 9);

// BENCH_DIR picks the filesystem. The default is beside the checkout, where a user's venvs
// would live: on this machine /tmp creates files 20-40x slower than the rest of the same
// disk, which would bury every tool's own cost under the filesystem's.
const benchRoot = process.env.BENCH_DIR ?? path.resolve(path.dirname(CLI), '..', '.bench');
mkdirSync(benchRoot, { recursive: true });
const work = mkdtempSync(path.join(benchRoot, 'run-'));
process.env.SIDEWHEEL_CACHE_DIR = path.join(work, 'cache');
try {
  // CPython: the anchors (pip, pypa/installer, compileall) are timed on the same interpreter.
  const python = findPythons().filter((p) => p.implementation === 'cpython' && p.version[0] === 3 && p.version[1] >= 8).pop();
  if (!python) throw new Error('no CPython >= 3.8 found');
  console.log(`sidewheel bench: ${ROUNDS} interleaved rounds, CPython ${python.label}, node ${process.version}, in ${benchRoot}`);
  if (process.env.BENCH_SCALE === '1') await scaleBench(work, python.executable);
  else {
    await installBench(work, python.executable, ROUNDS);
    cacheBench(work, python.executable, ROUNDS);
    await indexBench(work, python.executable, ROUNDS);
    await runtimeBench(work, python.executable, Number(process.env.BENCH_RUNTIME_ROUNDS ?? ROUNDS * 4));
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
