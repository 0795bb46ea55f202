/**
 * The command-line options for indexes, requirements files and pip's verbs, shared by
 * `install`, `run` and `bundle create` so each spells them the same way, and the
 * per-download progress bars.
 */
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import type { DownloadListener } from './download.js';
import type { IndexFlags } from './settings.js';

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export interface IndexOptionFlags {
  indexUrl?: string;
  extraIndexUrl: string[];
  findLinks: string[];
  /** false with --no-index. */
  index: boolean;
}

export interface RequirementOptionFlags {
  requirement: string[];
  constraint: string[];
  requireHashes?: boolean;
}

export function addIndexOptions(command: Command): Command {
  return command
    .option('-i, --index-url <url>', 'the package index (simple API; default https://pypi.org/simple/, or SIDEWHEEL_INDEX_URL / PIP_INDEX_URL / [index] url)')
    .option('--extra-index-url <url>', 'another index, asked before the main one; the first index that has a project is the only one used for it (repeatable)', collect, [])
    .option('-f, --find-links <dir-or-url>', 'a directory of wheels, or a flat HTML page of links to them (repeatable)', collect, [])
    .option('--no-index', 'ask no index: only --find-links and --from');
}

export function addRequirementOptions(command: Command): Command {
  return command
    .option('-r, --requirement <file>', 'a requirements file, in pip\'s format (repeatable)', collect, [])
    .option('-c, --constraint <file>', 'a constraints file: versions allowed if a project is installed at all (repeatable)', collect, [])
    .option('--require-hashes', 'every wheel must match a --hash of its requirement (on by itself when any requirement has one)');
}

export function indexFlags(flags: IndexOptionFlags): IndexFlags {
  return {
    indexUrl: flags.indexUrl,
    extraIndexUrl: flags.extraIndexUrl.length ? flags.extraIndexUrl : undefined,
    findLinks: flags.findLinks.length ? flags.findLinks : undefined,
    noIndex: flags.index === false,
  };
}

/** One bar per download on a terminal (stderr), none otherwise; `stop` clears them. */
export function downloadBars(quiet: boolean): { listener: DownloadListener | undefined; stop: () => void } {
  if (quiet || !process.stderr.isTTY || process.env.CI) return { listener: undefined, stop: () => undefined };
  const multi = new cliProgress.MultiBar(
    { stream: process.stderr, format: '{file} [{bar}] {value}/{total} bytes', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, cliProgress.SingleBar>();
  const listener: DownloadListener = ({ fileName, received, total, done }) => {
    let bar = bars.get(fileName);
    if (!bar) {
      bar = multi.create(total ?? 0, 0, { file: fileName });
      bars.set(fileName, bar);
    }
    if (done) {
      multi.remove(bar);
      bars.delete(fileName);
    } else bar.update(received, { file: fileName });
  };
  return { listener, stop: () => multi.stop() };
}
