/**
 * When a change only adds or removes side versions, the installed runtime is already
 * the right one: only its index (and RECORD) is rewritten. Its sources and bytecode stay
 * as they are (no interpreter is started to recompile them), and the RECORD still lists
 * every file with its hash. A runtime that differs in any file is rendered in full.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { makeVenv, runCli, runPython, tempDir } from './helpers/env.js';
import { pythonsAtLeast } from './helpers/pythons.js';
import { writeWheel } from './helpers/wheels.js';

const python = pythonsAtLeast(3, 8).pop();

describe('side installs beside an unchanged runtime', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  const work = tempDir();
  after(() => work.cleanup());

  const recordRows = (site: string): Map<string, string> => {
    const distInfo = readdirSync(site).find((n) => /^sidewheel-.*\.dist-info$/.test(n))!;
    const rows = readFileSync(path.join(site, distInfo, 'RECORD'), 'utf8').trim().split('\r\n');
    return new Map(rows.map((r) => [r.split(',')[0]!, r.split(',')[1]!]));
  };
  const recordHash = (file: string): string => `sha256=${createHash('sha256').update(readFileSync(file)).digest('base64url')}`;
  const bytecode = (site: string): Map<string, number> => {
    const dir = path.join(site, 'sidewheel', '__pycache__');
    return new Map(readdirSync(dir).map((n) => [n, statSync(path.join(dir, n)).mtimeMs]));
  };

  /** A venv with the runtime and one side version (`first`), and a second wheel to add. */
  const withOneSide = async (label: string, first: string, second: string): Promise<{ env: string; site: string; two: string }> => {
    const env = makeVenv(python!.executable, path.join(work.dir, label));
    const site = runPython(env, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']).stdout.trim();
    const one = await writeWheel(work.dir, { name: first, version: '1.0', files: { [`${first}/__init__.py`]: '' } });
    const two = await writeWheel(work.dir, { name: second, version: '1.0', files: { [`${second}/__init__.py`]: '' } });
    assert.equal(runCli(['install', '--side', '--no-compile', '--python', env, one]).status, 0);
    return { env, site, two };
  };

  test('only the index and RECORD change; bytecode is kept and RECORD stays true', async () => {
    const { env, site, two } = await withOneSide('venv', 'first', 'second');
    const pycs = bytecode(site);
    assert.ok(pycs.size > 0, 'the runtime got bytecode');
    const before = recordRows(site);

    const r = runCli(['install', '--side', '--no-compile', '--python', env, two]);
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(bytecode(site), pycs, 'bytecode untouched: not recompiled');
    const after = recordRows(site);
    assert.deepEqual([...after.keys()].sort(), [...before.keys()].sort(), 'RECORD lists the same files');
    for (const [row, hash] of after) {
      if (hash === '') continue;
      assert.equal(hash, recordHash(path.join(site, row)), `${row} matches its RECORD hash`);
    }
    assert.notEqual(after.get('sidewheel/index.json'), before.get('sidewheel/index.json'), 'the index changed');
    assert.match(readFileSync(path.join(site, 'sidewheel', 'index.json'), 'utf8'), /"second"/);
    assert.equal(runPython(env, ['-c', '__requires__ = ["second==1.0"]\nimport second\nprint(second.__file__)']).status, 0);
  });

  test('a runtime file that differs is rendered again in full', async () => {
    const { env, site, two } = await withOneSide('venv-edited', 'third', 'fourth');
    const hook = path.join(site, 'sidewheel.pth');
    const original = readFileSync(hook);
    writeFileSync(hook, '# edited by hand\n');
    assert.equal(runCli(['install', '--side', '--no-compile', '--python', env, two]).status, 0);
    assert.deepEqual(readFileSync(hook), original, 'the runtime was rendered again');
  });
});
