/**
 * The PEP 440/508 differential tests' oracle: the interpreter whose `packaging` (its
 * own, or the copy vendored in the pip wheel its ensurepip bundles) judges sidewheel's
 * rules, and the scripts run with it. Interpreters come from ./pythons.ts.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compareDotted, isAtLeast, packagingEnv, packagingIn, pythonsAtLeast, type FoundPython } from './pythons.js';

const run = promisify(execFile);

/** The repository root: the nearest directory above this file holding package.json. */
export const ROOT = ((): string => {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
})();

export const VECTORS = join(ROOT, 'fixtures', 'pep-vectors.json');
export const GENERATOR = join(ROOT, 'test', 'python', 'gen_pep_vectors.py');
export const CHECKER = join(ROOT, 'test', 'python', 'check_pep.py');

/** An interpreter that can run the vector generator, and the packaging it would use. */
export interface Oracle extends FoundPython {
  readonly packaging: string;
  readonly packagingSource: 'installed' | 'vendored';
  /**
   * The packaging release whose rules its vectors hold, as the generator says (it
   * brings packaging 26.2 up to 26.3's rules): comparable with the fixture's `oracle.rules`.
   */
  readonly rules: string;
}

/** CPython 3.8 or newer, or PyPy: what the runtime supports. */
export function runsTheRuntime(p: FoundPython): boolean {
  return (p.implementation === 'cpython' || p.implementation === 'pypy') && isAtLeast(p, 3, 8);
}

/**
 * The best oracle among Pythons >= 3.8: an installed packaging (newest first) over a
 * vendored copy (newest first); null when no interpreter can import either.
 */
export async function findOracle(): Promise<Oracle | null> {
  const pythons = pythonsAtLeast(3, 8);
  const packagings = await Promise.all(pythons.map(packagingIn));
  const usable = pythons.flatMap((p, i) => {
    const found = packagings[i];
    return found ? [{ ...p, packaging: found.version, packagingSource: found.source }] : [];
  });
  usable.sort(
    (a, b) =>
      Number(b.packagingSource === 'installed') - Number(a.packagingSource === 'installed') ||
      compareDotted(b.packaging, a.packaging),
  );
  const best = usable[0];
  if (best === undefined) return null;
  const { stdout } = await run(best.executable, [GENERATOR, '--describe'], { timeout: 60_000, env: packagingEnv() });
  return { ...best, rules: (JSON.parse(stdout) as { rules: string }).rules };
}

export function label(p: FoundPython): string {
  return `${p.implementationName} ${p.version.join('.')} (${p.realExecutable})`;
}

/** Runs the vector generator with `python`; resolves to the JSON text it printed. */
export async function generateVectors(
  python: FoundPython,
  options: { seed: number; scale: number; only?: readonly string[] },
): Promise<string> {
  const args = [GENERATOR, '--seed', String(options.seed), '--scale', String(options.scale), '--out', '-'];
  if (options.only) args.push('--only', options.only.join(','));
  const { stdout } = await run(python.executable, args, { maxBuffer: 256 * 1024 * 1024, timeout: 300_000, env: packagingEnv() });
  return stdout;
}

export async function runPython(python: FoundPython, args: readonly string[]): Promise<string> {
  const { stdout } = await run(python.executable, [...args], { maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  return stdout;
}
