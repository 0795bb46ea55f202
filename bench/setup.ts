/** What the install benches share: the wheel to install, target venvs, and emptying them between runs. */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseWheelFilename } from '../src/names.js';
import { compareVersions } from '../src/versions.js';
import { realWheels } from '../test/helpers/pythons.js';

export const CLI = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'sidewheel.mjs');

/** The real wheels of a project found on this machine (ensurepip bundles, CPython test data), newest first. */
export function wheelsOf(project: string): string[] {
  const found: Array<{ version: string; file: string }> = [];
  for (const [name, file] of realWheels()) {
    const parsed = parseWheelFilename(name);
    if (parsed.name === project) found.push({ version: parsed.version, file });
  }
  return found.sort((a, b) => compareVersions(b.version, a.version)).map((w) => w.file);
}

export function newestWheel(project: string): string | undefined {
  return wheelsOf(project)[0];
}

/** A real wheel of a few hundred files: setuptools, else pip. */
export function benchWheel(): string | undefined {
  return newestWheel('setuptools') ?? newestWheel('pip');
}

export function fileCount(wheel: string): number {
  return execFileSync('unzip', ['-Z1', wheel], { encoding: 'utf8' }).trim().split('\n').length;
}

/** A venv at `<work>/<name>`, made once: venv creation is not what is measured. Returns its python. */
export function makeTarget(work: string, basePython: string, name: string, withPip = false): string {
  const dir = path.join(work, name);
  execFileSync(basePython, ['-m', 'venv', ...(withPip ? [] : ['--without-pip']), dir], { stdio: 'ignore' });
  return path.join(dir, 'bin', 'python');
}

/** Undo an install of `wheel` into the venv of `python`, by deleting what it put in site-packages. */
export function remover(python: string, wheel: string): () => void {
  const site = execFileSync(python, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])'], { encoding: 'utf8' }).trim();
  const top = execFileSync('unzip', ['-Z1', wheel], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((entry) => entry.split('/')[0]!);
  const entries = [...new Set(top)];
  return () => {
    for (const entry of entries) rmSync(path.join(site, entry), { recursive: true, force: true });
  };
}

/** Warm the probe cache, as every run after a user's first has it. */
export function warmProbe(python: string): void {
  execFileSync(process.execPath, [CLI, 'list', '--python', python], { stdio: 'ignore' });
}
