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

/** `--python` if given, else `$VIRTUAL_ENV`'s interpreter, else `python3` on PATH. Not resolved through symlinks. */
export async function locateInterpreter(
  requested: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  if (requested) {
    const candidate = requested.includes('/') ? path.resolve(requested) : await searchPath(requested, env);
    if (candidate && (await isExecutable(candidate))) return candidate;
    throw new SidewheelError('PYTHON', `no Python interpreter at ${requested}`, 'pass --python with the path to a python executable');
  }
  if (env.VIRTUAL_ENV) {
    const inVenv = path.join(env.VIRTUAL_ENV, 'bin', 'python');
    if (await isExecutable(inVenv)) return inVenv;
  }
  const onPath = await searchPath('python3', env);
  if (onPath) return onPath;
  throw new SidewheelError('PYTHON', 'no python3 on PATH and no $VIRTUAL_ENV', 'pass --python PATH, or activate a virtual environment');
}

async function searchPath(command: string, env: NodeJS.ProcessEnv): Promise<string | null> {
  for (const dir of (env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, command);
    if (await isExecutable(candidate)) return path.resolve(candidate);
  }
  return null;
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
  if (result.exitCode !== 0) {
    const detail = String(result.stderr).trim().split('\n').pop() ?? `exit ${result.exitCode}`;
    throw new SidewheelError('PYTHON', `${executable} could not be probed: ${detail}`, 'is it a working CPython 3.6+?');
  }
  const raw = JSON.parse(String(result.stdout)) as Omit<InterpreterInfo, 'executable' | 'markers'> & { readonly markers: unknown };
  return { executable, ...raw, markers: markerEnvironmentFrom(raw.markers) };
}
