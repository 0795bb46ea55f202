/**
 * The interpreters on this machine, found at run time: the one place tests look for
 * them. Nothing is hard-coded; absent ones are simply not listed, and tests skip what
 * they need but cannot find. Discovery is synchronous and cached; what only some tests
 * need (which `packaging` an interpreter can import) is asked lazily, per interpreter.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

export interface FoundPython {
  /** sys.executable: an absolute path to run. */
  readonly executable: string;
  /** The path the search first found it at, as a user would name it (PATH's python3 may be a pyenv shim). */
  readonly foundAt: string;
  /** sys.executable with links resolved: one interpreter reached by two paths is listed once. */
  readonly realExecutable: string;
  /** sys.implementation.name: `cpython`, `pypy`, ... */
  readonly implementation: string;
  /** platform.python_implementation(), the name to show: `CPython`, `PyPy`, ... */
  readonly implementationName: string;
  readonly version: readonly [number, number, number];
  /** A short label for test names, e.g. `3.11.7 (pyenv)`. */
  readonly label: string;
  /** The stdlib directory, for ensurepip's bundled wheels. */
  readonly stdlib: string;
}

let cached: FoundPython[] | undefined;

/** Every distinct Python 3 found, oldest first. */
export function findPythons(): FoundPython[] {
  if (cached) return cached;
  const seen = new Set<string>();
  const found: FoundPython[] = [];
  for (const [exe, origin] of candidates()) {
    const info = describe(exe);
    if (!info) continue;
    const realExecutable = realpathSync(info.executable);
    if (seen.has(realExecutable)) continue;
    seen.add(realExecutable);
    found.push({ ...info, foundAt: exe, realExecutable, label: `${info.version.join('.')} (${origin})` });
  }
  cached = found.sort((a, b) => compareTuples(a.version, b.version));
  return cached;
}

/** Interpreters at or above a minimum version. */
export function pythonsAtLeast(major: number, minor: number): FoundPython[] {
  return findPythons().filter((p) => isAtLeast(p, major, minor));
}

export function isAtLeast(python: FoundPython, major: number, minor: number): boolean {
  return compareTuples(python.version, [major, minor, 0]) >= 0;
}

/**
 * Where to look, in order; the first path to reach an interpreter names it. PATH's
 * python3 (the default a user gets), every pyenv version and the system python3 come
 * first; then any other python, python3, python3.N, pypy, pypy3 or pypy3.N on PATH.
 */
function candidates(): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const onPath = which('python3');
  if (onPath) out.push([onPath, 'PATH']);
  const pyenv = pyenvRoot();
  if (pyenv) {
    const versions = path.join(pyenv, 'versions');
    for (const v of existsSync(versions) ? readdirSync(versions).sort() : []) out.push([path.join(versions, v, 'bin', 'python3'), 'pyenv']);
  }
  out.push(['/usr/bin/python3', 'system']);
  // pyenv's shims are skipped: each costs a shell start and can only reach a version listed above.
  const shims = pyenv && path.join(pyenv, 'shims');
  for (const dir of pathDirs()) {
    if (dir === shims) continue;
    for (const name of listDir(dir).filter((n) => /^(python|pypy)(3(\.\d+)?)?$/.test(n)).sort()) out.push([path.join(dir, name), 'PATH']);
  }
  // Links to one file (python3 -> python3.11, /bin -> /usr/bin) would only probe it again.
  const files = new Set<string>();
  return out.filter(([exe]) => {
    if (!existsSync(exe)) return false;
    const file = realpathSync(exe);
    if (files.has(file)) return false;
    files.add(file);
    return true;
  });
}

// Python 2 has no sys.implementation: it fails here and is not listed, as no test wants it.
const DESCRIBE =
  'import json, platform, sys, sysconfig; print(json.dumps([sys.executable, sys.implementation.name, platform.python_implementation(), list(sys.version_info[:3]), sysconfig.get_path("stdlib")]))';

function describe(exe: string): Pick<FoundPython, 'executable' | 'implementation' | 'implementationName' | 'version' | 'stdlib'> | null {
  try {
    const out = execFileSync(exe, ['-I', '-c', DESCRIBE], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 20_000 });
    const [executable, implementation, implementationName, version, stdlib] = JSON.parse(out) as [string, string, string, [number, number, number], string];
    return { executable, implementation, implementationName, version, stdlib };
  } catch {
    return null; // not a Python, a pyenv shim for a version not selected, or one too old
  }
}

function pathDirs(): string[] {
  return (process.env.PATH ?? '').split(path.delimiter).filter((dir) => dir !== '');
}

function which(command: string): string | null {
  for (const dir of pathDirs()) {
    const candidate = path.join(dir, command);
    if (existsSync(candidate)) return candidate;
  }
  return null;
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return []; // PATH may name directories that do not exist
  }
}

/** `pyenv root`, or null without pyenv. */
export function pyenvRoot(): string | null {
  try {
    return execFileSync('pyenv', ['root'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || null;
  } catch {
    return process.env.PYENV_ROOT || null;
  }
}

function compareTuples(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/**
 * Dotted release numbers (`21.3`, `3.11.7`) in numeric order, a missing or non-numeric
 * part counting as 0. Enough for the packaging versions found here; not PEP 440.
 */
export function compareDotted(a: string, b: string): number {
  const numbers = (text: string): number[] => text.split('.').map((part) => Number.parseInt(part, 10) || 0);
  return compareTuples(numbers(a), numbers(b));
}

// ------------------------------------------------------------------ wheels they carry

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

// ------------------------------------------------------------------ the packaging each can import

export interface PackagingFound {
  readonly version: string;
  /** Its own install, or the copy vendored in the pip wheel its ensurepip bundles. */
  readonly source: 'installed' | 'vendored';
}

/**
 * Python that binds `P` to the packaging package `import packaging` gives, else to the
 * copy vendored in the newest pip wheel the interpreter's ensurepip bundles (None when
 * neither imports), with its markers and requirements modules loaded, and `SOURCE` to
 * "installed" or "vendored". Syntax every Python 3 parses: no f-strings, which 3.5 lacks.
 * Run it without -I: scripts that use this packaging run without it, so it must see their sys.path.
 */
export const PACKAGING_IMPORT = `
import glob, json, os, sys, sysconfig
P, SOURCE = None, None
try:
    import packaging, packaging.requirements, packaging.markers
    P, SOURCE = packaging, "installed"
except Exception:
    def key(path):
        v = os.path.basename(path).split("-")[1]
        return [int(x) if x.isdigit() else 0 for x in v.split(".")]
    wheels = sorted(glob.glob(os.path.join(sysconfig.get_path("stdlib"), "ensurepip", "_bundled", "pip-*.whl")), key=key)
    # Where ensurepip bundles none (Debian's PyPy), the newest pip wheel of another interpreter.
    wheels = wheels or [w for w in os.environ.get("SIDEWHEEL_TEST_PIP_WHEELS", "").split(os.pathsep) if w][:1]
    if wheels:
        sys.path.insert(0, wheels[-1])
        try:
            import pip._vendor.packaging as vendored
            import pip._vendor.packaging.requirements, pip._vendor.packaging.markers
            P, SOURCE = vendored, "vendored"
        except Exception:
            pass
`;

const PACKAGING_PROBE = `
print(json.dumps(P and {"version": P.__version__, "source": SOURCE}))
`;

/**
 * The environment for PACKAGING_IMPORT and test/python/tags/oracle.py: every pip wheel
 * ensurepip bundles anywhere on this machine, newest first, for interpreters whose own
 * ensurepip bundles none.
 */
export function packagingEnv(): NodeJS.ProcessEnv {
  const version = (name: string): string => name.split('-')[1] ?? '0';
  const pips = [...ensurepipWheels()].filter(([name]) => name.startsWith('pip-')).sort(([a], [b]) => compareDotted(version(b), version(a)));
  return { ...process.env, SIDEWHEEL_TEST_PIP_WHEELS: pips.map(([, file]) => file).join(path.delimiter) };
}

const run = promisify(execFile);

/** Runs `body` after PACKAGING_IMPORT in `python`; resolves to what it printed. */
export async function runWithPackaging(python: FoundPython, body: string): Promise<string> {
  const { stdout } = await run(python.executable, ['-c', PACKAGING_IMPORT + body], { timeout: 20_000, env: packagingEnv() });
  return stdout;
}

const packaging = new Map<string, Promise<PackagingFound | null>>();

/**
 * The packaging `python` imports, else the one its ensurepip's pip vendors; null when
 * neither imports. Asked once per interpreter, and only when a test wants it.
 */
export function packagingIn(python: FoundPython): Promise<PackagingFound | null> {
  let answer = packaging.get(python.realExecutable);
  if (!answer) {
    answer = runWithPackaging(python, PACKAGING_PROBE).then(
      (stdout) => JSON.parse(stdout) as PackagingFound | null,
      () => null,
    );
    packaging.set(python.realExecutable, answer);
  }
  return answer;
}
