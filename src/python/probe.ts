/**
 * Find and probe the target interpreter. A probe costs a Python start (tens of ms), so
 * its result is cached on disk, keyed by the interpreter's path and the mtimes of what
 * could change its answer (the binary it resolves to, and a venv's pyvenv.cfg).
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { loadExeca } from '../execa-lazy.js';
import writeFileAtomic from 'write-file-atomic';
import { SidewheelError } from '../errors.js';
import { cacheRoot } from '../paths.js';
import type { InterpreterInfo } from './interpreter.js';
import { markerEnvironmentFrom } from '../versions/marker-environment.js';
import { PROBE_SCRIPT } from './probe-script.js';

/**
 * The interpreter to act on, found as uv finds it: `--python` if given, else
 * `$VIRTUAL_ENV`'s interpreter, else a `.venv` in `cwd` or a parent, else `python3` on
 * PATH. `requested` is a path (relative to `cwd`; a directory means its `bin/python`),
 * a command on PATH, or a version request (`3.12`, `python3.12`, `3.12.1`: see
 * `parseVersionRequest`). Not resolved through symlinks.
 */
export async function locateInterpreter(
  requested: string | undefined,
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): Promise<string> {
  if (requested) return locateRequested(requested, env, cwd);
  if (env.VIRTUAL_ENV) {
    const inVenv = path.join(path.resolve(cwd, env.VIRTUAL_ENV), 'bin', 'python');
    if (await isExecutable(inVenv)) return inVenv;
  }
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    const inDotVenv = path.join(dir, '.venv', 'bin', 'python');
    if (await isExecutable(inDotVenv)) return inDotVenv;
    if (dir === path.dirname(dir)) break;
  }
  const onPath = await searchPath('python3', env);
  if (onPath) return onPath;
  throw new SidewheelError('PYTHON', 'no python3 on PATH, no $VIRTUAL_ENV and no .venv here or above', 'pass --python PATH or --python 3.X, or activate a virtual environment');
}

/** `3`, `3.12`, `3.12.1`, optionally after `python` or `cpython`: the version parts asked for, else null. */
export function parseVersionRequest(text: string): number[] | null {
  const m = /^(?:c?python)?(3(?:\.\d+){0,2})$/.exec(text);
  return m ? m[1]!.split('.').map(Number) : null;
}

/** Whether `version` is what a version request asked for (`3.12` accepts any 3.12.x). */
export function satisfiesVersionRequest(version: readonly number[], request: readonly number[]): boolean {
  return request.every((part, i) => version[i] === part);
}

async function locateRequested(requested: string, env: Record<string, string | undefined>, cwd: string): Promise<string> {
  const version = parseVersionRequest(requested);
  if (version) {
    const found = await findVersion(version, env);
    if (found) return found;
    throw new SidewheelError('PYTHON', `no Python ${version.join('.')} found (looked for python${version.slice(0, 2).join('.')} on PATH and in pyenv's versions)`, 'install it, or pass --python with the path to its python executable');
  }
  // A bare name is a command on PATH first, then a path (`--python .venv`, `--python venv`).
  const asPath = path.resolve(cwd, requested);
  let candidate = (requested.includes('/') ? null : await searchPath(requested, env)) ?? (await fs.stat(asPath).catch(() => null) ? asPath : null);
  if (candidate && (await isDirectory(candidate))) candidate = path.join(candidate, 'bin', 'python');
  if (candidate && (await isExecutable(candidate))) return candidate;
  throw new SidewheelError('PYTHON', `no Python interpreter at ${requested}`, 'pass --python with the path to a python executable, an environment\'s directory, or a version such as 3.12');
}

/**
 * A version request, looked up on PATH (`python3.12`; pyenv's shims skipped, as they fail
 * for versions not selected) and then among pyenv's versions, the highest that matches.
 */
async function findVersion(request: readonly number[], env: Record<string, string | undefined>): Promise<string | null> {
  const pyenv = await pyenvRoot(env);
  const shims = pyenv && path.join(pyenv, 'shims');
  const command = request.length === 1 ? 'python3' : `python${request.slice(0, 2).join('.')}`;
  // A patch release cannot be told from the command's name: only pyenv's directory names say it.
  const onPath = request.length < 3 ? await searchPath(command, env, shims) : null;
  if (onPath) return onPath;
  if (!pyenv) return null;
  const versionsDir = path.join(pyenv, 'versions');
  const matching = (await fs.readdir(versionsDir).catch(() => [] as string[]))
    .filter((name) => /^\d+(\.\d+)*$/.test(name) && satisfiesVersionRequest(name.split('.').map(Number), request))
    .sort((a, b) => compareParts(b.split('.').map(Number), a.split('.').map(Number)));
  for (const name of matching) {
    const candidate = path.join(versionsDir, name, 'bin', 'python3');
    if (await isExecutable(candidate)) return candidate;
  }
  return null;
}

function compareParts(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** `$PYENV_ROOT`, else what `pyenv root` says when pyenv is on PATH, else null. */
async function pyenvRoot(env: Record<string, string | undefined>): Promise<string | null> {
  if (env.PYENV_ROOT) return env.PYENV_ROOT;
  const pyenv = await searchPath('pyenv', env);
  if (!pyenv) return null;
  const execa = await loadExeca();
  const r = await execa(pyenv, ['root'], { reject: false, env: { ...env } as Record<string, string>, timeout: 10_000 });
  return r.exitCode === 0 && String(r.stdout).trim() ? String(r.stdout).trim() : null;
}

async function searchPath(command: string, env: Record<string, string | undefined>, skipDir: string | null = null): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir || (skipDir !== null && path.resolve(dir) === path.resolve(skipDir))) continue;
    const candidate = path.join(dir, command);
    if (await isExecutable(candidate)) return path.resolve(candidate);
  }
  return null;
}

async function isDirectory(file: string): Promise<boolean> {
  return (await fs.stat(file).catch(() => null))?.isDirectory() ?? false;
}

async function isExecutable(file: string): Promise<boolean> {
  try {
    await fs.access(file, fs.constants.X_OK);
    return (await fs.stat(file)).isFile();
  } catch {
    return false;
  }
}

interface CachedProbe {
  readonly key: string;
  readonly info: InterpreterInfo;
}

/** Probe `executable` (an absolute path), from the cache when nothing it depends on changed. */
export async function probeInterpreter(executable: string): Promise<InterpreterInfo> {
  const key = await cacheKey(executable);
  const file = path.join(cacheRoot(), 'probes', `${createHash('sha256').update(executable).digest('hex').slice(0, 32)}.json`);
  try {
    const cached = JSON.parse(await fs.readFile(file, 'utf8')) as CachedProbe;
    if (cached.key === key) return cached.info;
  } catch {
    // No cache, or an unreadable one: probe afresh.
  }
  const info = await runProbe(executable);
  try {
    await fs.mkdir(path.dirname(file), { recursive: true });
    await writeFileAtomic(file, JSON.stringify({ key, info } satisfies CachedProbe));
  } catch {
    // A read-only cache only costs speed.
  }
  return info;
}

const PROBE_SCRIPT_HASH = createHash('sha256').update(PROBE_SCRIPT).digest('hex').slice(0, 16);

async function cacheKey(executable: string): Promise<string> {
  const real = await fs.realpath(executable);
  const binary = await fs.stat(real);
  const cfg = await fs.stat(path.join(path.dirname(path.dirname(executable)), 'pyvenv.cfg')).catch(() => null);
  // The script is part of the key: a cache written by another version of it lacks or misreads fields.
  return JSON.stringify([PROBE_SCRIPT_HASH, executable, real, binary.mtimeMs, binary.size, cfg?.mtimeMs ?? null]);
}

async function runProbe(executable: string): Promise<InterpreterInfo> {
  const execa = await loadExeca();
  const result = await execa(executable, ['-I', '-c', PROBE_SCRIPT], { reject: false, timeout: 60_000 });
  if (result.exitCode === undefined) throw notAPython(executable, result.timedOut ? 'it did not answer within 60 s' : `it cannot be run (${result.originalMessage || result.shortMessage})`);
  if (result.exitCode !== 0) throw await probeFailure(executable, String(result.stderr).trim().split('\n').pop() || `exit ${result.exitCode}`);
  let raw: unknown;
  try {
    raw = JSON.parse(String(result.stdout));
  } catch {
    raw = null;
  }
  if (typeof raw !== 'object' || raw === null || !('version' in raw) || !('scheme' in raw)) {
    throw notAPython(executable, `its answer to the probe is not what a Python prints (${JSON.stringify(String(result.stdout).slice(0, 60))})`);
  }
  const probed = raw as Omit<InterpreterInfo, 'executable' | 'markers'> & { readonly markers: unknown };
  return { executable, ...probed, markers: markerEnvironmentFrom(probed.markers) };
}

/** Why the probe failed, in words: a Python too old for it (asked with `--version`, which every Python answers), or not a Python. */
async function probeFailure(executable: string, detail: string): Promise<SidewheelError> {
  const execa = await loadExeca();
  const answer = await execa(executable, ['--version'], { reject: false, timeout: 10_000 });
  const version = /^Python (\d+)\.(\d+)\.(\d+)/m.exec(`${String(answer.stdout)}\n${String(answer.stderr)}`);
  if (version && (Number(version[1]) < 3 || (Number(version[1]) === 3 && Number(version[2]) < 6))) {
    return new SidewheelError('PYTHON', `${executable}: Python ${version.slice(1).join('.')} is not supported (3.6+ for default installs, 3.8+ for side versions)`, 'pass --python with a newer interpreter, e.g. --python 3.12');
  }
  return version ? new SidewheelError('PYTHON', `${executable} could not be probed: ${detail}`, 'is it a working CPython 3.6+ or PyPy?') : notAPython(executable, detail);
}

function notAPython(executable: string, why: string): SidewheelError {
  return new SidewheelError('PYTHON', `${executable} is not a Python interpreter sidewheel can use: ${why}`, 'pass --python with the path to a python executable, or a version such as 3.12');
}
