/**
 * Progress bars on a terminal (cli-progress), on stderr so stdout stays parseable.
 * Nothing at all when stderr is not a terminal, on a terminal without cursor control
 * (TERM=dumb: Emacs shells, some CI logs), under CI, or with --quiet.
 */
import cliProgress from 'cli-progress';
import type { ProgressListener } from '../progress.js';

// Short work would only flicker: a bar appears for tasks of at least this many steps.
const MIN_STEPS = 20;

export function progressBar(quiet: boolean): { listener: ProgressListener | undefined; stop: () => void } {
  if (quiet || !process.stderr.isTTY || process.env.CI || process.env.TERM === 'dumb') return { listener: undefined, stop: () => undefined };
  const bar = new cliProgress.SingleBar(
    { stream: process.stderr, format: '{task} [{bar}] {value}/{total}', hideCursor: true, clearOnComplete: true },
    cliProgress.Presets.shades_classic,
  );
  let current: string | null = null;
  const stop = (): void => {
    if (current !== null) bar.stop();
    current = null;
  };
  const listener: ProgressListener = ({ task, done, total }) => {
    if (total < MIN_STEPS) return;
    if (task !== current) {
      stop();
      current = task;
      bar.start(total, done, { task });
    } else bar.update(done);
    if (done >= total) stop();
  };
  return { listener, stop };
}
