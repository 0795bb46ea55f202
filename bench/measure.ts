/** Timing helpers for `npm run bench`: whole processes, interleaved repetitions, medians. */
import { spawnSync } from 'node:child_process';

export interface Contender {
  readonly label: string;
  /** Runs before each timed run (not timed): make a fresh target, and so on. */
  readonly prepare?: () => void;
  /** The timed command: argv[0] and its arguments. */
  readonly command: () => readonly string[];
  readonly env?: NodeJS.ProcessEnv;
}

export function timeOnce(c: Contender): number {
  c.prepare?.();
  const [file, ...args] = c.command();
  const start = process.hrtime.bigint();
  const r = spawnSync(file!, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, ...c.env } });
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.status !== 0) throw new Error(`${c.label} failed (exit ${r.status}): ${r.stderr?.toString().trim()}`);
  return ms;
}

/** Runs every contender once per round, `rounds` times, so machine noise hits all of them alike. */
export function interleave(contenders: readonly Contender[], rounds: number): Map<string, number[]> {
  const times = new Map<string, number[]>(contenders.map((c) => [c.label, []]));
  for (let round = 0; round < rounds; round++) for (const c of contenders) times.get(c.label)!.push(timeOnce(c));
  return times;
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function report(title: string, times: Map<string, number[]>, baseline: string): void {
  const base = median(times.get(baseline)!);
  console.log(`\n${title}`);
  for (const [label, values] of times) {
    const m = median(values);
    const ratio = label === baseline ? '1.00x (baseline)' : `${(m / base).toFixed(2)}x of ${baseline}`;
    console.log(`  ${label.padEnd(34)} median ${m.toFixed(1).padStart(8)} ms   ${ratio}   (n=${values.length})`);
  }
}

/** Peak resident memory of one run of a command, in MB, from GNU time; null when /usr/bin/time is missing. */
export function peakRssMb(c: Contender): number | null {
  c.prepare?.();
  const r = spawnSync('/usr/bin/time', ['-v', ...c.command()], { encoding: 'utf8', env: { ...process.env, ...c.env }, stdio: ['ignore', 'ignore', 'pipe'] });
  if (r.error) return null;
  if (r.status !== 0) throw new Error(`${c.label} failed (exit ${r.status}): ${r.stderr.trim().slice(-400)}`);
  const kb = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
  return kb === undefined ? null : Number(kb) / 1024;
}

/** Print each contender's peak RSS (one run each), beside `report`'s timings. */
export function reportPeakRss(contenders: readonly Contender[]): void {
  for (const c of contenders) {
    const mb = peakRssMb(c);
    console.log(`  ${c.label.padEnd(34)} peak RSS ${mb === null ? 'n/a (no /usr/bin/time)' : `${mb.toFixed(0).padStart(6)} MB`}`);
  }
}
