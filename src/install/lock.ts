/**
 * One sidewheel at a time per environment. proper-lockfile takes an mkdir-based lock
 * (atomic on every filesystem, NFS included), refreshes it while held and treats an
 * abandoned one as stale, so a killed run does not wedge the environment.
 */
import path from 'node:path';
import lockfile from 'proper-lockfile';
import { SidewheelError } from '../errors.js';

const LOCK_NAME = '.sidewheel.lock';

export async function withEnvironmentLock<T>(siteDir: string, work: () => Promise<T>): Promise<T> {
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(siteDir, {
      lockfilePath: path.join(siteDir, LOCK_NAME),
      realpath: false,
      stale: 20_000,
      update: 5_000,
      retries: { retries: 600, factor: 1, minTimeout: 100, maxTimeout: 100 },
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ELOCKED') {
      throw new SidewheelError('LOCKED', `another sidewheel has held ${siteDir} for over a minute`, `if none is running, remove ${path.join(siteDir, LOCK_NAME)}`);
    }
    throw new SidewheelError('IO', `cannot lock ${siteDir}: ${(e as Error).message}`, 'is the environment writable?', { cause: e });
  }
  try {
    return await work();
  } finally {
    await release().catch(() => undefined);
  }
}
