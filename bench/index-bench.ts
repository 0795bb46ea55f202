/**
 * Resolve and install a closure of 30 generated wheels (~5,000 files) from a local
 * PEP 503 index (a static tree with hashes and PEP 658 .metadata files, served by
 * Python's http.server in its own process), cold and warm cache, sidewheel against pip
 * on the same index in the same run. Goal: 5x pip cold, 10x warm.
 *
 * `indexBench(work, python, rounds)` is meant for `npm run bench` (bench/bench.ts);
 * `node dist/bench/index-bench.js` runs it alone (BENCH_INDEX_ROUNDS, default 3).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { findPythons } from '../test/helpers/pythons.js';
import { servedWheel, serveStatic, writeStaticIndex } from '../test/helpers/index-server.js';
import type { WheelSpec } from '../test/helpers/wheels.js';
import { interleave, report, type Contender } from './measure.js';
import { CLI, makeTarget, warmProbe } from './setup.js';

const PROJECTS = 30;
const FILES_PER_WHEEL = 165;

/** The closure: bench-root needs every bench-lib-NN; every fifth lib also needs the next one. */
function specs(): WheelSpec[] {
  const libs = Array.from({ length: PROJECTS - 1 }, (_, i) => `bench-lib-${String(i + 1).padStart(2, '0')}`);
  const module = (name: string): Record<string, string> => {
    const pkg = name.replace(/-/g, '_');
    const files: Record<string, string> = {};
    for (let i = 0; i < FILES_PER_WHEEL; i++) files[`${pkg}/m${String(i).padStart(3, '0')}.py`] = `# ${name} module ${i}\nVALUE = ${i}\n\ndef f(x):\n    return x + VALUE\n`;
    return files;
  };
  return [
    { name: 'bench-root', version: '1.0', files: module('bench-root'), metadata: libs.map((l) => `Requires-Dist: ${l}>=1`) },
    ...libs.flatMap((name, i) => [
      { name, version: '1.0', files: module(name) },
      { name, version: '2.0', files: module(name), metadata: i % 5 === 0 && libs[i + 1] ? [`Requires-Dist: ${libs[i + 1]}<3`] : [] },
    ]),
  ];
}

/** Empties a venv of what the bench installs (everything named bench*), keeping pip. */
function emptier(python: string): () => void {
  const site = execFileSync(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).trim();
  return () => {
    for (const entry of readdirSync(site)) if (/^bench/.test(entry)) rmSync(path.join(site, entry), { recursive: true, force: true });
  };
}

export async function indexBench(work: string, basePython: string, rounds: number): Promise<void> {
  const root = path.join(work, 'index');
  writeStaticIndex(root, specs().map((spec) => servedWheel(spec)));
  const { simpleUrl: url, stop } = await serveStatic(basePython, root);
  try {
    const ours = makeTarget(work, basePython, 'index-sidewheel');
    const pips = makeTarget(work, basePython, 'index-pip', true);
    warmProbe(ours);
    const swCold = path.join(work, 'sw-cache-cold');
    const swWarm = path.join(work, 'sw-cache-warm');
    const pipWarm = path.join(work, 'pip-cache-warm');
    const sidewheel = (cache: string): readonly string[] => [process.execPath, CLI, 'install', '-q', '--python', ours, '--cache', cache, '--index-url', url, 'bench-root'];
    const pip = (cache: readonly string[]): readonly string[] => [pips, '-m', 'pip', 'install', '-q', '--disable-pip-version-check', ...cache, '--index-url', url, 'bench-root'];
    const emptyOurs = emptier(ours);
    const emptyPips = emptier(pips);
    // Fill the warm caches once.
    for (const c of [sidewheel(swWarm), pip(['--cache-dir', pipWarm])]) execFileSync(c[0]!, c.slice(1), { stdio: 'ignore' });
    const contenders: Contender[] = [
      { label: 'sidewheel install, cold cache', prepare: () => (emptyOurs(), rmSync(swCold, { recursive: true, force: true })), command: () => sidewheel(swCold) },
      { label: 'pip install, no cache', prepare: emptyPips, command: () => pip(['--no-cache-dir']) },
      { label: 'sidewheel install, warm cache', prepare: emptyOurs, command: () => sidewheel(swWarm) },
      { label: 'pip install, warm cache', prepare: emptyPips, command: () => pip(['--cache-dir', pipWarm]) },
    ];
    const times = interleave(contenders, rounds);
    const pick = (labels: readonly string[]): Map<string, number[]> => new Map(labels.map((l) => [l, times.get(l)!]));
    const what = `${PROJECTS} projects, ${PROJECTS} wheels installed (~${PROJECTS * (FILES_PER_WHEEL + 3)} files), resolved from a local PEP 503 index with .metadata`;
    report(`index install, cold: ${what}`, pick(['sidewheel install, cold cache', 'pip install, no cache']), 'sidewheel install, cold cache');
    report(`index install, warm: ${what}`, pick(['sidewheel install, warm cache', 'pip install, warm cache']), 'sidewheel install, warm cache');
  } finally {
    stop();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const benchRoot = process.env.BENCH_DIR ?? path.resolve(path.dirname(CLI), '..', '.bench');
  mkdirSync(benchRoot, { recursive: true });
  const work = mkdtempSync(path.join(benchRoot, 'index-'));
  process.env.SIDEWHEEL_CACHE_DIR = path.join(work, 'cache');
  try {
    const python = findPythons().filter((p) => p.version[0] === 3 && p.version[1] >= 8).pop();
    if (!python) throw new Error('no CPython >= 3.8 found');
    console.log(`index bench: CPython ${python.label}, node ${process.version}`);
    await indexBench(work, python.executable, Number(process.env.BENCH_INDEX_ROUNDS ?? 3));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
