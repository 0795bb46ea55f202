/**
 * The interpreters on this machine, found at run time: python3 on PATH, every pyenv
 * version, and the system's /usr/bin/python3. Nothing is hard-coded; absent ones are
 * simply not listed, and tests skip what they need but cannot find.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';

export interface FoundPython {
  /** An absolute path to run. */
  readonly executable: string;
  readonly version: readonly [number, number, number];
  /** A short label for test names, e.g. `3.11.7 (pyenv)`. */
  readonly label: string;
  /** The stdlib directory, for ensurepip's bundled wheels. */
  readonly stdlib: string;
}

let cached: FoundPython[] | undefined;

export function findPythons(): FoundPython[] {
  if (cached) return cached;
  const candidates: Array<[string, string]> = [];
  const onPath = which('python3');
  if (onPath) candidates.push([onPath, 'PATH']);
  const pyenvRoot = pyenv();
  if (pyenvRoot) {
    const versions = path.join(pyenvRoot, 'versions');
    for (const v of existsSync(versions) ? readdirSync(versions).sort() : []) candidates.push([path.join(versions, v, 'bin', 'python3'), 'pyenv']);
  }
  candidates.push(['/usr/bin/python3', 'system']);
  const seen = new Set<string>();
  const found: FoundPython[] = [];
  for (const [exe, origin] of candidates) {
    if (!existsSync(exe)) continue;
    const info = describe(exe);
    if (!info) continue;
    const real = realpathSync(info.realExecutable);
    if (seen.has(real)) continue;
    seen.add(real);
    found.push({ executable: info.realExecutable, version: info.version, stdlib: info.stdlib, label: `${info.version.join('.')} (${origin})` });
  }
  cached = found.sort((a, b) => compareTuples(a.version, b.version));
  return cached;
}

/** Interpreters at or above a minimum version. */
export function pythonsAtLeast(major: number, minor: number): FoundPython[] {
  return findPythons().filter((p) => compareTuples(p.version, [major, minor, 0]) >= 0);
}

/** Wheels bundled with each interpreter's ensurepip, by file name (first one found wins). */
export function ensurepipWheels(): Map<string, string> {
  const wheels = new Map<string, string>();
  for (const p of findPythons()) {
    const dir = path.join(p.stdlib, 'ensurepip', '_bundled');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir)) if (f.endsWith('.whl') && !wheels.has(f)) wheels.set(f, path.join(dir, f));
  }
  return wheels;
}

function describe(exe: string): { realExecutable: string; version: [number, number, number]; stdlib: string } | null {
  try {
    const out = execFileSync(exe, ['-I', '-c', 'import sys, sysconfig, json; print(json.dumps([sys.executable, list(sys.version_info[:3]), sysconfig.get_path("stdlib")]))'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
      timeout: 20_000,
    });
    const [realExecutable, version, stdlib] = JSON.parse(out) as [string, [number, number, number], string];
    return { realExecutable, version, stdlib };
  } catch {
    return null;
  }
}

function which(command: string): string | null {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && existsSync(candidate)) return candidate;
  }
  return null;
}

function pyenv(): string | null {
  try {
    return execFileSync('pyenv', ['root'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return null;
  }
}

function compareTuples(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/**
 * Real wheels on this machine: every interpreter's ensurepip bundle and the wheels
 * CPython ships as test data (setuptools, wheel). Keyed by file name.
 */
export function realWheels(): Map<string, string> {
  const wheels = ensurepipWheels();
  for (const p of findPythons()) {
    for (const dir of [path.join(p.stdlib, 'test'), path.join(p.stdlib, 'test', 'wheeldata')]) {
      if (!existsSync(dir)) continue;
      for (const f of readdirSync(dir)) if (f.endsWith('.whl') && !wheels.has(f)) wheels.set(f, path.join(dir, f));
    }
  }
  return wheels;
}
