/** PEP 668: an externally managed interpreter (outside a venv) is refused, quoting its message. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, test } from 'node:test';
import { probeInterpreter } from '../src/python/probe.js';
import { runCli, snapshotTree, tempDir } from './helpers/env.js';
import { findPythons } from './helpers/pythons.js';
import { writeWheel } from './helpers/wheels.js';

const work = tempDir();
after(() => work.cleanup());
process.env.SIDEWHEEL_CACHE_DIR ??= work.dir;

const managed = (
  await Promise.all(
    findPythons().map(async (p) => {
      const info = await probeInterpreter(p.executable).catch(() => null);
      return info?.externallyManaged ? info : null;
    }),
  )
).find((info) => info !== null);

test('an externally managed interpreter is refused, nothing written', { skip: managed ? false : 'no externally managed interpreter on this machine' }, async () => {
  const wheel = await writeWheel(work.dir, { name: 'system', version: '1.0', files: { 'system/__init__.py': '' } });
  const purelib = managed!.scheme.purelib;
  const before = existsSync(purelib) ? snapshotTree(purelib) : null;
  const r = runCli(['install', '--python', managed!.executable, wheel]);
  assert.equal(r.status, 4);
  assert.match(r.stderr, /^sidewheel: .* is externally managed: /);
  assert.ok(r.stderr.includes(managed!.externallyManaged!.split('\n')[0]!.trim()), 'quotes the EXTERNALLY-MANAGED message');
  assert.match(r.stderr, /^hint: .*--break-system-packages/m);
  assert.deepEqual(existsSync(purelib) ? snapshotTree(purelib) : null, before);
});
