/** Where sidewheel keeps per-user state (probe cache, wheel cache), overridable for tests and CI. */
import envPaths from 'env-paths';

export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  return env.SIDEWHEEL_CACHE_DIR || envPaths('sidewheel', { suffix: '' }).cache;
}
