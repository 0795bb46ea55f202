/**
 * The same real wheel installed into an environment from a cold cache (validated,
 * unpacked into the cache, then copied in), from a warm one (copied in), from a warm
 * one with hard links, and with no cache at all, against `cp -r` and `cp -al` of the
 * cached tree. Goals: warm copies at most 0.5x of cold, hard links at most 0.2x.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { interleave, median, report, type Contender } from './measure.js';
import { benchWheel, CLI, fileCount, makeTarget, remover, warmProbe } from './setup.js';

export function cacheBench(work: string, basePython: string, rounds: number): void {
  const wheel = benchWheel();
  if (!wheel) {
    console.log('\ncache: skipped (no setuptools or pip wheel found)');
    return;
  }
  const contender = (label: string, cache: string | null, extra: readonly string[], cold: boolean): Contender => {
    const python = makeTarget(work, basePython, `cache-${label.replace(/\W+/g, '-')}`);
    const clear = remover(python, wheel);
    warmProbe(python);
    const cacheArgs = cache ? ['--cache', cache] : ['--no-cache'];
    if (cache && !cold) {
      execFileSync(process.execPath, [CLI, 'install', '--no-compile', ...cacheArgs, '--python', python, wheel], { stdio: 'ignore' });
      clear();
    }
    return {
      label,
      prepare: () => {
        clear();
        if (cold && cache) rmSync(cache, { recursive: true, force: true });
      },
      command: () => [process.execPath, CLI, 'install', '--no-compile', ...cacheArgs, ...extra, '--python', python, wheel],
    };
  };
  const contenders = [
    contender('cold cache', path.join(work, 'cache-cold'), [], true),
    contender('warm cache, copies', path.join(work, 'cache-warm'), ['--link-mode', 'copy'], false),
    contender('warm cache, hardlinks', path.join(work, 'cache-links'), ['--link-mode', 'hardlink'], false),
    contender('no cache', null, [], false),
  ];
  // The floors: copying, and hard-linking, the unpacked tree the warm cache holds.
  const layouts = readdirSync(path.join(work, 'cache-warm')).filter((d) => /^v\d+$/.test(d)).sort((a, b) => Number(b.slice(1)) - Number(a.slice(1)));
  const warm = path.join(work, 'cache-warm', layouts[0]!);
  const entry = readdirSync(warm).filter((d) => !d.startsWith('.')).map((d) => path.join(warm, d, readdirSync(path.join(warm, d))[0]!))[0]!;
  const copy = path.join(work, 'cache-cp');
  for (const [label, flag] of [['cp -r (the cached tree)', '-r'], ['cp -al (the cached tree)', '-al']] as const) {
    contenders.push({ label, prepare: () => rmSync(copy, { recursive: true, force: true }), command: () => ['cp', flag, path.join(entry, 'files'), copy] });
  }
  const times = interleave(contenders, rounds);
  report(`installs of ${path.basename(wheel)} (${fileCount(wheel)} files) by cache state, --no-compile`, times, 'cold cache');
  const m = (label: string): number => median(times.get(label)!);
  console.log(`  warm/cold: copies ${(m('warm cache, copies') / m('cold cache')).toFixed(2)}x (goal <= 0.5x), hardlinks ${(m('warm cache, hardlinks') / m('cold cache')).toFixed(2)}x (goal <= 0.2x)`);
}

