/**
 * Finds the Python interpreters on this machine for the PEP 440/508 differential
 * tests, and which `packaging` each could serve as an oracle: its own, or the copy
 * vendored in the pip wheel its ensurepip bundles. Nothing is hard-coded: PATH,
 * `pyenv root` and /usr/bin/python3 are searched at test time.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

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

export interface Python {
  /** What to run (a path that worked). */
  readonly command: string;
  /** sys.executable, resolved: two commands for one interpreter are one Python. */
  readonly executable: string;
  readonly implementation: string;
  readonly version: readonly [number, number, number];
  /** packaging's version, or null when neither it nor a vendored copy imports. */
  readonly packaging: string | null;
  readonly packagingSource: 'installed' | 'vendored' | null;
}

// Must parse on old interpreters too (2.7 is about), so no f-strings.
const PROBE = `
import glob, json, os, sys, sysconfig
info = {"executable": os.path.realpath(sys.executable), "implementation": sys.implementation.name,
        "version": list(sys.version_info[:3]), "packaging": None, "source": None}
try:
    import packaging, packaging.requirements, packaging.markers
    info["packaging"], info["source"] = packaging.__version__, "installed"
except Exception:
    def key(path):
        v = os.path.basename(path).split("-")[1]
        return [int(x) if x.isdigit() else 0 for x in v.split(".")]
    wheels = sorted(glob.glob(os.path.join(sysconfig.get_path("stdlib"), "ensurepip", "_bundled", "pip-*.whl")), key=key)
    if wheels:
        sys.path.insert(0, wheels[-1])
        try:
            import pip._vendor.packaging as vendored
            import pip._vendor.packaging.requirements
            info["packaging"], info["source"] = vendored.__version__, "vendored"
        except Exception:
            pass
print(json.dumps(info))
`;

function candidates(pyenvRoot: string | null): string[] {
  const out: string[] = [];
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    out.push(...names.filter((n) => /^python(3(\.\d+)?)?$/.test(n)).map((n) => join(dir, n)));
  }
  if (pyenvRoot) {
    const versions = join(pyenvRoot, 'versions');
    if (existsSync(versions)) {
      for (const v of readdirSync(versions)) out.push(join(versions, v, 'bin', 'python3'));
    }
  }
  out.push('/usr/bin/python3');
  return [...new Set(out.map((p) => resolve(p)))].filter((p) => existsSync(p));
}

async function pyenvRoot(): Promise<string | null> {
  try {
    const { stdout } = await run('pyenv', ['root'], { timeout: 10_000 });
    return stdout.trim() || null;
  } catch {
    return null;
  }
}

async function probe(command: string): Promise<Python | null> {
  try {
    const { stdout } = await run(command, ['-c', PROBE], { timeout: 20_000 });
    const info = JSON.parse(stdout) as {
      executable: string;
      implementation: string;
      version: [number, number, number];
      packaging: string | null;
      source: 'installed' | 'vendored' | null;
    };
    return {
      command,
      executable: info.executable,
      implementation: info.implementation,
      version: info.version,
      packaging: info.packaging,
      packagingSource: info.source,
    };
  } catch {
    return null; // not a Python, a pyenv shim for a version not selected, too old to run the probe
  }
}

let found: Promise<Python[]> | undefined;

/** Every distinct interpreter found, oldest first. */
export function findPythons(): Promise<Python[]> {
  found ??= (async () => {
    const probed = await Promise.all(candidates(await pyenvRoot()).map(probe));
    const byExecutable = new Map<string, Python>();
    for (const p of probed) if (p && !byExecutable.has(p.executable)) byExecutable.set(p.executable, p);
    return [...byExecutable.values()].sort((a, b) => compareTriples(a.version, b.version));
  })();
  return found;
}

function compareTriples(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < 3; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

function packagingVersion(p: Python): number[] {
  return (p.packaging ?? '0').split('.').map((x) => Number.parseInt(x, 10) || 0);
}

/** CPython 3.8 or newer: what the runtime supports. */
export function isSupportedCPython(p: Python): boolean {
  return p.implementation === 'cpython' && compareTriples(p.version, [3, 8, 0]) >= 0;
}

/**
 * The best oracle: an installed packaging (newest first) over a vendored copy
 * (newest first); null when no interpreter can import either.
 */
export async function findOracle(): Promise<Python | null> {
  const usable = (await findPythons()).filter((p) => p.packaging !== null && compareTriples(p.version, [3, 8, 0]) >= 0);
  usable.sort(
    (a, b) =>
      Number(b.packagingSource === 'installed') - Number(a.packagingSource === 'installed') ||
      compareTriples(packagingVersion(b), packagingVersion(a)),
  );
  return usable[0] ?? null;
}

/** `major.minor` of a packaging version string, for comparing rule sets. */
export function packagingSeries(version: string): string {
  return version.split('.').slice(0, 2).join('.');
}

export function label(p: Python): string {
  return `${p.implementation} ${p.version.join('.')} (${p.executable})`;
}

/** Runs the vector generator with `python`; resolves to the JSON text it printed. */
export async function generateVectors(
  python: Python,
  options: { seed: number; scale: number; only?: readonly string[] },
): Promise<string> {
  const args = [GENERATOR, '--seed', String(options.seed), '--scale', String(options.scale), '--out', '-'];
  if (options.only) args.push('--only', options.only.join(','));
  const { stdout } = await run(python.command, args, { maxBuffer: 256 * 1024 * 1024, timeout: 300_000 });
  return stdout;
}

export async function runPython(python: Python, args: readonly string[]): Promise<string> {
  const { stdout } = await run(python.command, [...args], { maxBuffer: 64 * 1024 * 1024, timeout: 300_000 });
  return stdout;
}
