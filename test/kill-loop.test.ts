/**
 * Killed at random moments (the Node process alone, as the OOM killer does, leaving a
 * bytecode compiler behind; or its whole process group), a change leaves every
 * `.dist-info` present matching its RECORD RIGHT AFTER the kill, before any recovery;
 * and after the next run the environment is exactly the old state or the new one.
 * SIDEWHEEL_KILLS sets the kills per kind of change (default 30).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { parseRecord, recordHash } from '../src/wheel/record.js';
import { CLI, makeVenv, runCli, runPython, snapshotTree, tempDir } from './helpers/env.js';
import { findPythons } from './helpers/pythons.js';
import { writeWheel, type WheelSpec } from './helpers/wheels.js';

const python = findPythons().find((p) => p.version[0] === 3 && p.version[1] >= 8);
const KILLS = Number(process.env.SIDEWHEEL_KILLS ?? 30);
const work = tempDir('sidewheel-kill-');
after(() => work.cleanup());

function pkg(version: string, extra: string): WheelSpec {
  const files: Record<string, string> = {};
  for (let i = 0; i < 40; i++) files[`kl/m${i}.py`] = `V = ${JSON.stringify(version)}\n`;
  files[`kl/${extra}/__init__.py`] = `E = 1\n`;
  files['kl/__init__.py'] = `__version__ = ${JSON.stringify(version)}\n`;
  return { name: 'kl', version, files };
}

/** Every `.dist-info` present (defaults and inside side versions) matches its RECORD: listed files exist with the listed hashes. */
function distInfosMatchRecords(site: string): string[] {
  const wrong: string[] = [];
  const check = (libDir: string): void => {
    for (const name of readdirSync(libDir)) {
      if (!name.endsWith('.dist-info')) continue;
      const dir = path.join(libDir, name);
      if (!existsSync(path.join(dir, 'RECORD'))) {
        wrong.push(`${dir} has no RECORD (${readdirSync(dir).join(', ') || 'empty'})`);
        continue;
      }
      for (const row of parseRecord(readFileSync(path.join(dir, 'RECORD'), 'utf8'))) {
        if (row.hash === '') continue;
        const file = path.resolve(libDir, row.path);
        if (!existsSync(file)) wrong.push(`${file} (listed by ${name}) is missing`);
        else if (recordHash(readFileSync(file)) !== row.hash) wrong.push(`${file} (listed by ${name}) differs`);
      }
    }
  };
  check(site);
  for (const name of readdirSync(site)) if (name.endsWith('.whl') && lstatSync(path.join(site, name)).isDirectory()) check(path.join(site, name));
  return wrong;
}

/** The environment's content, bytecode and RECORD bytes aside (they carry mtimes). */
function state(site: string): string {
  const out: string[] = [];
  for (const [rel, value] of snapshotTree(site)) out.push(`${rel} ${rel.endsWith('.pyc') || rel.endsWith('RECORD') ? '' : value}`);
  return out.join('\n');
}

interface Toggle {
  readonly title: string;
  /** Argument lists for the CLI: from state A to B, and from B back to A. */
  readonly forward: string[];
  readonly back: string[];
}

describe('random SIGKILLs', { skip: python ? false : 'no CPython >= 3.8', concurrency: false }, () => {
  const toggles = async (dir: string, py: string): Promise<Toggle[]> => {
    const v1 = await writeWheel(dir, pkg('1.0', 'a'));
    const v2 = await writeWheel(dir, pkg('2.0', 'b'));
    const s = await writeWheel(dir, pkg('0.5', 'c'));
    const other = await writeWheel(dir, { name: 'other', version: '1.0', files: { 'other/__init__.py': 'O = 1\n' } });
    const bundle = path.join(dir, 'bundle.zip');
    assert.equal(runCli(['bundle', 'create', bundle, v1, other]).status, 0);
    const at = ['--python', py];
    return [
      { title: 'default install (upgrade and downgrade)', forward: ['install', ...at, v2], back: ['install', ...at, v1] },
      { title: 'uninstall (and reinstall)', forward: ['uninstall', ...at, 'kl'], back: ['install', ...at, v1] },
      { title: 'side install (and side uninstall)', forward: ['install', '--side', ...at, s], back: ['uninstall', ...at, 'kl==0.5'] },
      { title: 'bundle install (and uninstall)', forward: ['install', ...at, bundle], back: ['uninstall', ...at, 'kl', 'other'] },
    ];
  };

  const dir = path.join(work.dir, 'w');
  let py = '';
  let site = '';
  let list: Toggle[] = [];
  test('setup', async () => {
    py = makeVenv(python!.executable, path.join(dir, 'env'));
    site = runPython(py, ['-c', 'import sysconfig; print(sysconfig.get_path("purelib"))']).stdout.trim();
    list = await toggles(dir, py);
    assert.equal(runCli(['install', '-q', '--python', py, path.join(dir, 'kl-1.0-py3-none-any.whl')]).status, 0);
  });

  for (let t = 0; t < 4; t++) {
    test(`${KILLS} kills: ${['default install', 'uninstall', 'side install', 'bundle install'][t]}`, async (ctx) => {
      const toggle = list[t]!;
      const env = { ...process.env, SIDEWHEEL_CACHE_DIR: path.join(dir, 'cache') };
      const run = (args: string[]): { status: number } => runCli(args, env);
      // States A and B, and how long a change takes unkilled (after a first round trip, which may leave the runtime behind and warms the probe cache).
      assert.equal(run(toggle.forward).status, 0);
      assert.equal(run(toggle.back).status, 0);
      const a = state(site);
      let started = performance.now();
      assert.equal(run(toggle.forward).status, 0);
      const duration = performance.now() - started;
      const b = state(site);
      assert.equal(run(toggle.back).status, 0);
      assert.equal(state(site), a);
      let atA = true;
      let midway = 0;
      for (let k = 0; k < KILLS; k++) {
        const args = atA ? toggle.forward : toggle.back;
        const group = k % 2 === 1;
        const child = spawn(process.execPath, [CLI, ...args], { env, detached: group, stdio: 'ignore' });
        const exited = new Promise((resolve) => child.on('exit', resolve));
        started = performance.now();
        // A third anywhere in the run, the rest near its end, where the commit is.
        await new Promise((r) => setTimeout(r, duration * (k % 3 === 0 ? Math.random() : 0.6 + 0.45 * Math.random())));
        try {
          process.kill(group ? -child.pid! : child.pid!, 'SIGKILL');
        } catch {
          // Already finished.
        }
        await exited;
        assert.deepEqual(distInfosMatchRecords(site), [], `right after kill ${k} (${group ? 'group' : 'node alone'}), before recovery`);
        // The next run recovers (doctor --fix takes the lock, so it recovers first).
        const next = runCli(['doctor', '--fix', '--python', py], env);
        assert.ok(next.status === 0 || next.status === 5, next.stderr);
        const now = state(site);
        assert.ok(now === a || now === b, `after kill ${k} and recovery the state is neither old nor new:\n${diff(now, atA ? a : b)}`);
        if ((now === b) === atA) midway++;
        atA = now === a;
        assert.deepEqual(distInfosMatchRecords(site), []);
        assert.deepEqual(readdirSync(site).filter((n) => n.startsWith('.sidewheel')), []);
      }
      if (!atA) assert.equal(run(toggle.back).status, 0);
      ctx.diagnostic(`${midway} of ${KILLS} kills landed after the change completed`);
    });
  }
});

function diff(now: string, expected: string): string {
  const n = new Set(now.split('\n'));
  const e = new Set(expected.split('\n'));
  return [...[...n].filter((l) => !e.has(l)).map((l) => `+ ${l}`), ...[...e].filter((l) => !n.has(l)).map((l) => `- ${l}`)].slice(0, 20).join('\n');
}
