/**
 * The Python runtime (python-shim/) on every Python >= 3.8 found on this machine (PyPy too):
 * for each, a throw-away venv runs the Python-side tests in test/python/runtime/
 * (`python -m unittest discover`). Those tests build their own venvs and fixture
 * wheels; here we only pass them the real wheels every interpreter's ensurepip
 * bundles, and report per-interpreter results.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurepipWheels, pythonsAtLeast } from './helpers/pythons.js';
import { makeVenv, tempDir } from './helpers/env.js';

/** The repository root: the nearest ancestor holding python-shim/ (this file runs from dist/test/). */
function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'python-shim', 'sidewheel'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error('python-shim/ not found above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
  return dir;
}

interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function run(file: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<RunResult> {
  return new Promise((resolve) => {
    execFile(file, args, { env, maxBuffer: 64 * 1024 * 1024, timeout: 30 * 60_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** `Ran 69 tests in 3.2s` and `OK (skipped=1)` / `FAILED (failures=2)` from unittest's summary. */
function summarize(stderr: string): string {
  const ran = /^Ran (\d+) tests? in ([\d.]+)s$/m.exec(stderr);
  const verdict = /^(OK|FAILED)(?: \((.*)\))?$/m.exec(stderr);
  if (!ran || !verdict) return 'no unittest summary';
  return `${ran[1]} tests in ${ran[2]}s: ${verdict[1]}${verdict[2] ? ` (${verdict[2]})` : ''}`;
}

const root = repoRoot();
const suite = path.join(root, 'test', 'python', 'runtime');
const pythons = pythonsAtLeast(3, 8);
// Real wheels from every interpreter found, old ones included: more versions to pair up.
const wheels = [...ensurepipWheels().values()];

describe('python runtime (python-shim/)', { concurrency: true }, () => {
  if (pythons.length === 0) {
    it('needs a Python >= 3.8', { skip: 'no Python >= 3.8 found' }, () => {});
    return;
  }
  for (const python of pythons) {
    const name = `${python.implementationName} ${python.label}`;
    it(name, { timeout: 35 * 60_000 }, async (t) => {
      const tmp = tempDir('sidewheel-runtime-');
      try {
        const venvPython = makeVenv(python.executable, path.join(tmp.dir, 'venv'));
        const env: NodeJS.ProcessEnv = {};
        for (const [k, v] of Object.entries(process.env)) {
          if (!k.startsWith('PYTHON') && k !== 'VIRTUAL_ENV' && k !== 'SIDEWHEEL_REQUIRES') env[k] = v;
        }
        env.PYTHONDONTWRITEBYTECODE = '1';
        env.SIDEWHEEL_TEST_WHEELS = wheels.join(path.delimiter);
        env.SIDEWHEEL_SHIM_DIR = path.join(root, 'python-shim');
        const r = await run(venvPython, ['-m', 'unittest', 'discover', '-v', '-s', suite, '-t', suite], env);
        const summary = summarize(r.stderr);
        t.diagnostic(`${name} ${python.executable}: ${summary}`);
        const skipped = r.stderr.split('\n').filter((l) => / \.\.\. skipped /.test(l));
        for (const line of skipped) t.diagnostic(line.trim());
        const failures = r.stderr.indexOf('\n======');
        assert.equal(r.code, 0, `unittest failed on ${name}: ${summary}\n${failures >= 0 ? r.stderr.slice(failures) : r.stderr}${r.stdout}`);
        assert.match(summary, /: OK/);
      } finally {
        tmp.cleanup();
      }
    });
  }
});
