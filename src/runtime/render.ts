/**
 * The runtime as installed into an environment: python-shim/ copied verbatim into
 * purelib (the `sidewheel` package, its `.pth` and PEP 829 `.start` hooks), the index,
 * and a `.dist-info` so pip lists the runtime and can remove it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { InterpreterInfo } from '../python/interpreter.js';
import type { InstallPlan, PlannedFile } from '../install/plan.js';
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
