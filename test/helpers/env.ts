/** Throw-away directories, venvs and CLI runs for end-to-end tests. */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
/** The bundled CLI that package.json's bin names: dist/sidewheel.mjs, beside the compiled tests. */
export const CLI = path.resolve(here, '..', '..', 'sidewheel.mjs');

/**
 * Where tests make their venvs: SIDEWHEEL_TEST_TMP, else `.tmp/` beside the checkout.
 * Not os.tmpdir(): on this kind of machine /tmp creates files 20-40x slower than the
 * rest of the same disk, and these tests create tens of thousands.
 */
export const TEST_TMP = process.env.SIDEWHEEL_TEST_TMP ?? path.resolve(here, '..', '..', '..', '.tmp');

export function tempDir(prefix = 'sidewheel-test-'): { dir: string; cleanup: () => void } {
  mkdirSync(TEST_TMP, { recursive: true });
  const dir = mkdtempSync(path.join(TEST_TMP, prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A venv without pip (fast); returns its interpreter, `<dir>/bin/python`. */
export function makeVenv(basePython: string, dir: string): string {
  execFileSync(basePython, ['-m', 'venv', '--without-pip', dir], { stdio: 'ignore' });
  return path.join(dir, 'bin', 'python');
}

export interface CliResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Run the built CLI with its own probe cache, so tests never touch the user's. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    env: { ...process.env, SIDEWHEEL_CACHE_DIR: testCacheDir(), ...env },
  });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

export function runPython(python: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): CliResult {
  const r = spawnSync(python, args, { encoding: 'utf8', env: { ...process.env, ...env } });
  return { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

let cacheDir: string | undefined;
function testCacheDir(): string {
  cacheDir ??= tempDir('sidewheel-cache-').dir;
  return cacheDir;
}

/** Every file under `root` with its sha256 and mode: a snapshot to compare trees byte for byte. */
export function snapshotTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const p = path.join(dir, name);
      const st = lstatSync(p);
      const rel = path.relative(root, p);
      if (st.isDirectory()) {
        out.set(rel + '/', 'dir');
        walk(p);
      } else if (st.isSymbolicLink()) out.set(rel, 'symlink');
      else out.set(rel, `${createHash('sha256').update(readFileSync(p)).digest('hex')} ${(st.mode & 0o777).toString(8)}`);
    }
  };
  walk(root);
  return out;
}
