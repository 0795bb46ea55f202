/**
 * The same real wheel installed into an environment from a cold cache (validated,
 * unpacked into the cache, then copied in), from a warm one (copied in), from a warm
 * one with hard links, and with no cache at all. Goal: warm at most 0.7x of cold.
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { interleave, report, type Contender } from './measure.js';
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
  report(`installs of ${path.basename(wheel)} (${fileCount(wheel)} files) by cache state, --no-compile`, interleave(contenders, rounds), 'cold cache');
}

