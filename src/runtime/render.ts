/**
 * The runtime as installed into an environment: python-shim/ copied verbatim into
 * purelib (the `sidewheel` package, its `.pth` and PEP 829 `.start` hooks), the index,
 * and a `.dist-info` so pip lists the runtime and can remove it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InterpreterInfo } from '../python/interpreter.js';
import type { InstallPlan, PlannedFile } from '../plan/default-install.js';
import { parseRecord, recordHash, type RecordRow } from '../wheel/record.js';
import { INDEX_FILE, renderIndex } from './index-file.js';
import type { SideVersion } from './side-versions.js';

export const RUNTIME_NAME = 'sidewheel';
/** python-shim/ sits at the package root, found upwards from this file (compiled, or bundled into the CLI). */
const PACKAGE_ROOT = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));
export const SHIM_DIR = path.join(PACKAGE_ROOT, 'python-shim');

function findPackageRoot(start: string): string {
  for (let dir = start; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'python-shim')) && existsSync(path.join(dir, 'package.json'))) return dir;
    if (dir === path.dirname(dir)) throw new Error(`sidewheel's python-shim/ not found above ${start}`);
  }
}

/** sidewheel's own version, from its package.json: the runtime's and `sidewheel --version`'s. */
export function packageVersion(): string {
  const pkg = JSON.parse(readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function runtimePlan(python: InterpreterInfo, sides: readonly SideVersion[]): InstallPlan {
  const purelib = python.scheme.purelib;
  const version = packageVersion();
  const files: PlannedFile[] = [];
  const add = (target: string, data: Buffer | string): void => {
    files.push({ target, data: Buffer.from(data), executable: false });
  };
  const packageDir = path.join(SHIM_DIR, RUNTIME_NAME);
  for (const name of readdirSync(packageDir).sort()) {
    if (name.endsWith('.py')) add(path.join(purelib, RUNTIME_NAME, name), readFileSync(path.join(packageDir, name)));
  }
  for (const hook of [`${RUNTIME_NAME}.pth`, `${RUNTIME_NAME}.start`]) add(path.join(purelib, hook), readFileSync(path.join(SHIM_DIR, hook)));
  add(path.join(purelib, RUNTIME_NAME, INDEX_FILE), renderIndex(sides));
  const distInfoDir = path.join(purelib, `${RUNTIME_NAME}-${version}.dist-info`);
  add(
    path.join(distInfoDir, 'METADATA'),
    `Metadata-Version: 2.1\nName: ${RUNTIME_NAME}\nVersion: ${version}\nSummary: sidewheel runtime: activates side-by-side installed wheel versions from __requires__\nRequires-Python: >=3.8\n`,
  );
  add(path.join(distInfoDir, 'INSTALLER'), `${RUNTIME_NAME}\n`);
  return { label: `${RUNTIME_NAME} runtime ${version}`, libDir: purelib, distInfoDir, files };
}

/**
 * The runtime for a new set of side versions. When the installed runtime is already
 * this one, byte for byte, the plan is only its index (and RECORD, from `keptRows`):
 * its sources, and so its bytecode, stay, and no interpreter is started to recompile
 * them. Otherwise it is the whole runtime, and the caller removes the previous one.
 */
export async function runtimeChange(python: InterpreterInfo, sides: readonly SideVersion[], previousDistInfo: string | undefined): Promise<InstallPlan> {
  const plan = runtimePlan(python, sides);
  const kept = previousDistInfo ? await unchangedRows(plan, previousDistInfo) : null;
  return kept ? { ...plan, files: plan.files.filter((f) => path.basename(f.target) === INDEX_FILE), keptRows: kept } : plan;
}

/** The previous runtime's RECORD rows to keep (all but the index and RECORD), or null when anything differs from `plan`. */
async function unchangedRows(plan: InstallPlan, previousDistInfo: string): Promise<RecordRow[] | null> {
  if (plan.distInfoDir !== previousDistInfo) return null;
  const text = await readFile(path.join(previousDistInfo, 'RECORD'), 'utf8').catch(() => null);
  if (text === null) return null;
  const rows = new Map(parseRecord(text).map((r) => [r.path, r]));
  const relative = (target: string): string => path.relative(plan.libDir, target).split(path.sep).join('/');
  const indexPath = relative(path.join(plan.libDir, RUNTIME_NAME, INDEX_FILE));
  const recordPath = relative(path.join(plan.distInfoDir!, 'RECORD'));
  for (const file of plan.files) {
    if (!('data' in file) || relative(file.target) === indexPath) continue;
    if (rows.get(relative(file.target))?.hash !== recordHash(file.data)) return null;
    const actual = await readFile(file.target).catch(() => null);
    if (actual === null || !actual.equals(file.data)) return null;
  }
  const kept = [...rows.values()].filter((r) => r.path !== indexPath && r.path !== recordPath);
  // Only rows of the runtime's own files and their bytecode are carried over: a RECORD
  // row naming anything else (a hostile or hand-edited RECORD) means a full render.
  const own = new Set(plan.files.map((f) => relative(f.target)));
  const bytecode = `${RUNTIME_NAME}/__pycache__/`;
  if (kept.some((r) => !own.has(r.path) && !(r.path.startsWith(bytecode) && !r.path.slice(bytecode.length).includes('/') && r.path.endsWith('.pyc')))) return null;
  // The rest (the bytecode) must still be there as RECORD says, else a full render repairs
  // it; the runtime's own files were compared byte for byte above.
  for (const row of kept) {
    if (own.has(row.path)) continue;
    const actual = await readFile(path.join(plan.libDir, row.path)).catch(() => null);
    if (actual === null || row.hash === '' || recordHash(actual) !== row.hash) return null;
  }
  return kept;
}
