/**
 * install against a real HTTP index on 127.0.0.1: both forms of the simple API, PEP 658
 * metadata, yanked files, Requires-Python, several indexes, find-links; the versions
 * chosen are compared with what the venv's pip (`pip install --dry-run --report`)
 * chooses on the same index, on fixed and on randomly generated indexes.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { makeVenv, runPython, snapshotTree, tempDir } from './helpers/env.js';
import { pipChoice, sidewheel, sidewheelChoice } from './helpers/index-parity.js';
import { servedSdist, servedWheel, startIndexServer, type ServedFile } from './helpers/index-server.js';
import { pythonsAtLeast } from './helpers/pythons.js';

const python = pythonsAtLeast(3, 8).pop();
const work = tempDir('sidewheel-index-');
after(() => work.cleanup());

const mod = (name: string, version: string): Record<string, string> => ({ [`${name.replace(/-/g, '_')}/__init__.py`]: `V = "${version}"\n` });
const wheel = (name: string, version: string, deps: readonly string[] = [], extra: Parameters<typeof servedWheel>[1] = {}): ServedFile =>
  servedWheel({ name, version, files: mod(name, version), metadata: deps.map((d) => `Requires-Dist: ${d}`) }, extra);

/** The greedy trap (app 2.0 pins shared 1.0, which tool refuses), a yanked release and a Requires-Python one. */
function fixedIndex(): ServedFile[] {
  return [
    wheel('app', '1.0', ['shared==2.0']),
    wheel('app', '2.0', ['shared==1.0']),
    wheel('tool', '1.0', ['shared>=2']),
    wheel('shared', '1.0'),
    wheel('shared', '2.0'),
    wheel('shared', '2.1', [], { yanked: 'broken' }),
    wheel('shared', '3.0', [], { requiresPython: '<3' }),
    wheel('Mixed.Case', '1.0', ['shared<3; python_version >= "3"']),
  ];
}

let venvCount = 0;
function venv(): string {
  return makeVenv(python!.executable, path.join(work.dir, `venv-${++venvCount}`));
}

describe('install from an index', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  for (const form of ['html', 'json'] as const) {
    test(`${form === 'html' ? 'PEP 503 HTML tree, wheels read after download' : 'PEP 691 JSON with PEP 658 .metadata'}: installs what pip chooses`, async () => {
      const server = await startIndexServer(fixedIndex(), { form, coreMetadata: form === 'json' });
      try {
        const env = venv();
        const args = ['--index-url', server.simpleUrl, 'app', 'tool', 'mixed.case'];
        const mine = await sidewheelChoice(env, args);
        assert.deepEqual(mine, ['Mixed.Case 1.0', 'app 1.0', 'shared 2.0', 'tool 1.0']);
        const pip = await pipChoice(env, args);
        if (pip) assert.deepEqual(mine, pip);
        const r = await sidewheel(['install', '--python', env, ...args]);
        assert.equal(r.status, 0, r.stderr);
        assert.equal(runPython(env, ['-c', 'import app, tool, shared; print(app.V, tool.V, shared.V)']).stdout.trim(), '1.0 1.0 2.0');
        if (form === 'json') {
          // Resolution read .metadata files; only the chosen wheels were downloaded.
          assert.ok(server.requests.includes('/files/app-2.0-py3-none-any.whl.metadata'));
          assert.ok(!server.requests.includes('/files/app-2.0-py3-none-any.whl'), 'app 2.0 was never downloaded');
        }
      } finally {
        await server.close();
      }
    });
  }

  test('a pinned yanked release is used when nothing else fits; a yanked one is never chosen otherwise', async () => {
    const server = await startIndexServer(fixedIndex());
    try {
      const env = venv();
      for (const req of ['shared==2.1', 'shared>=2']) {
        const args = ['--index-url', server.simpleUrl, req];
        const mine = await sidewheelChoice(env, args);
        assert.deepEqual(mine, [req === 'shared==2.1' ? 'shared 2.1' : 'shared 2.0']);
        const pip = await pipChoice(env, args);
        if (pip) assert.deepEqual(mine, pip);
      }
    } finally {
      await server.close();
    }
  });

  test('the first index that has a project is the only one used for it; find-links add to it', async () => {
    const privateIndex = await startIndexServer([wheel('internal', '1.0'), wheel('shared', '1.0')]);
    const publicIndex = await startIndexServer([wheel('internal', '99.0'), wheel('shared', '2.0'), wheel('other', '1.0', ['internal'])]);
    const links = path.join(work.dir, 'links');
    mkdirSync(links, { recursive: true });
    writeFileSync(path.join(links, 'other-1.5-py3-none-any.whl'), wheel('other', '1.5', ['internal']).bytes);
    try {
      const env = venv();
      const args = ['--index-url', publicIndex.simpleUrl, '--extra-index-url', privateIndex.simpleUrl, '--find-links', links];
      // pip would take internal 99.0 from the public index: that is dependency confusion.
      assert.deepEqual(await sidewheelChoice(env, [...args, 'other', 'shared']), ['internal 1.0', 'other 1.5', 'shared 1.0']);
      assert.ok(!publicIndex.requests.includes('/simple/internal/'), 'the public index was never asked about internal');
      // Disjoint projects: the same choice as pip, which merges every index.
      const disjoint = ['--index-url', publicIndex.simpleUrl, '--extra-index-url', privateIndex.simpleUrl, '--find-links', links, 'other'];
      const pip = await pipChoice(env, ['--index-url', publicIndex.simpleUrl, '--find-links', links, 'other']);
      if (pip) assert.deepEqual(await sidewheelChoice(env, ['--index-url', publicIndex.simpleUrl, '--find-links', links, 'other']), pip);
      assert.deepEqual(await sidewheelChoice(env, disjoint), ['internal 1.0', 'other 1.5']);
    } finally {
      await privateIndex.close();
      await publicIndex.close();
    }
  });

  test('a flat find-links page over HTTP with --no-index, as pip reads it', async () => {
    const server = await startIndexServer(fixedIndex());
    try {
      const env = venv();
      const args = ['--no-index', '--find-links', server.flatUrl, 'app', 'tool'];
      const mine = await sidewheelChoice(env, args);
      assert.deepEqual(mine, ['app 1.0', 'shared 2.0', 'tool 1.0']);
      const pip = await pipChoice(env, args);
      if (pip) assert.deepEqual(mine, pip);
    } finally {
      await server.close();
    }
  });

  test('a version that only has an sdist is refused with one line naming it, nothing written', async () => {
    const server = await startIndexServer([wheel('lib', '1.0'), servedSdist('lib', '2.0')]);
    try {
      const env = venv();
      const before = snapshotTree(path.dirname(path.dirname(env)));
      const r = await sidewheel(['install', '--python', env, '--index-url', server.simpleUrl, 'lib']);
      assert.equal(r.status, 6, r.stderr);
      assert.match(r.stderr, /^sidewheel: lib 2\.0 has no wheel for this interpreter, only the source distribution lib-2\.0\.tar\.gz; sidewheel installs wheels and does not build$/m);
      assert.deepEqual(snapshotTree(path.dirname(path.dirname(env))), before);
      assert.deepEqual(await sidewheelChoice(env, ['--index-url', server.simpleUrl, 'lib<2']), ['lib 1.0']);
    } finally {
      await server.close();
    }
  });

  test('pip verbs: already satisfied, --upgrade, --force-reinstall, --no-deps, --dry-run plans', async () => {
    const server = await startIndexServer(fixedIndex());
    try {
      const env = venv();
      const idx = ['--index-url', server.simpleUrl];
      assert.equal((await sidewheel(['install', '--python', env, ...idx, 'shared<2'])).status, 0);
      const again = await sidewheel(['install', '--python', env, ...idx, 'shared<2']);
      assert.equal(again.status, 0, again.stderr);
      assert.match(again.stdout, /resolved shared 1\.0 .*already installed/);
      assert.doesNotMatch(again.stdout, /^installed/m);

      const dry = await sidewheel(['install', '--python', env, ...idx, '--dry-run', 'tool']);
      assert.equal(dry.status, 0, dry.stderr);
      assert.match(dry.stdout, /would install shared 2\.0 from .* \(replacing 1\.0\)/);
      assert.match(dry.stdout, /would install tool 1\.0 from /);
      assert.equal(runPython(env, ['-c', 'import shared; print(shared.V)']).stdout.trim(), '1.0', 'the dry run changed nothing');

      const kept = JSON.parse((await sidewheel(['install', '--python', env, ...idx, '--dry-run', '--json', 'shared'])).stdout) as { plan: Array<{ action: string; version: string }> };
      assert.deepEqual(kept.plan.map((e) => [e.action, e.version]), [['already-satisfied', '1.0']]);
      const upgraded = JSON.parse((await sidewheel(['install', '--python', env, ...idx, '--dry-run', '--json', '-U', 'shared'])).stdout) as { plan: Array<{ action: string; version: string }> };
      assert.deepEqual(upgraded.plan.map((e) => [e.action, e.version]), [['replace', '2.0']]);
      const forced = JSON.parse((await sidewheel(['install', '--python', env, ...idx, '--dry-run', '--json', '--force-reinstall', 'shared<2'])).stdout) as { plan: Array<{ action: string; version: string }> };
      assert.deepEqual(forced.plan.map((e) => [e.action, e.version]), [['reinstall', '1.0']]);
      const noDeps = await sidewheelChoice(env, [...idx, '--no-deps', 'app']);
      assert.deepEqual(noDeps, ['app 2.0']);
      const pip = await pipChoice(env, [...idx, '--no-deps', 'app']);
      if (pip) assert.deepEqual(noDeps, pip);
    } finally {
      await server.close();
    }
  });

  test('--side from an index: side versions beside the default', async () => {
    const server = await startIndexServer(fixedIndex());
    try {
      const env = venv();
      assert.equal((await sidewheel(['install', '--python', env, '--index-url', server.simpleUrl, 'shared'])).status, 0);
      const r = await sidewheel(['install', '--side', '--python', env, '--index-url', server.simpleUrl, 'shared<2']);
      assert.equal(r.status, 0, r.stderr);
      const got = runPython(env, ['-c', '__requires__ = ["shared<2"]\nimport shared; print(shared.V)']);
      assert.equal(got.stdout.trim(), '1.0', got.stderr);
      assert.equal(runPython(env, ['-c', 'import shared; print(shared.V)']).stdout.trim(), '2.0');
    } finally {
      await server.close();
    }
  });
});

/** A random index: projects with versions, random dependencies on later projects, some yanked or for old Pythons. */
function randomIndex(seed: number): { files: ServedFile[]; roots: string[] } {
  // mulberry32: small, and its low bits are as random as its high ones.
  let state = seed >>> 0;
  const rand = (n: number): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) % 2 ** 24) % n;
  };
  const projects = Array.from({ length: 8 }, (_, i) => `p${i}`);
  const files: ServedFile[] = [];
  projects.forEach((p, i) => {
    const versions = Array.from({ length: 1 + rand(4) }, (_, v) => `${v + 1}.${rand(3)}`);
    for (const version of new Set(versions)) {
      const deps: string[] = [];
      for (let j = i + 1; j < projects.length; j++) {
        if (rand(4) !== 0) continue;
        const ops = ['>=2', '<2', '<3', '!=1.0', '>=1.1', ''];
        deps.push(`${projects[j]}${ops[rand(ops.length)]}`);
      }
      const options: { yanked?: string; requiresPython?: string } = {};
      if (rand(8) === 0) options.yanked = 'random';
      if (rand(8) === 0) options.requiresPython = '<3.0';
      files.push(wheel(p, version, deps, options));
    }
  });
  return { files, roots: [projects[0]!, projects[1]!] };
}

describe('random indexes: sidewheel and pip agree', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  const seed = Number(process.env.SIDEWHEEL_TEST_SEED ?? Date.now() % 100000);
  test(`seeds ${seed}..${seed + 5}`, async (t) => {
    const env = venv();
    let compared = 0;
    for (let s = seed; s < seed + 6; s++) {
      const { files, roots } = randomIndex(s);
      // Half the projects on an extra index: disjoint, so first-index and pip's merge agree.
      const extra = files.filter((f) => Number(f.project.slice(1)) % 2 === 1);
      const main = await startIndexServer(files.filter((f) => !extra.includes(f)), { form: s % 2 ? 'json' : 'html', coreMetadata: s % 2 === 1 });
      const second = await startIndexServer(extra, { form: 'negotiate' });
      try {
        const args = ['--index-url', main.simpleUrl, '--extra-index-url', second.simpleUrl, ...roots];
        const mine = await sidewheel(['install', '--python', env, '--dry-run', '--json', ...args]);
        const pip = await pipChoice(env, args).catch((e: Error) => e);
        if (pip instanceof Error) {
          // pip found no resolution: sidewheel must fail too.
          t.diagnostic(`seed ${s}: pip found no resolution: ${pip.message.split("\n").filter((l) => /ERROR/.test(l)).join(" ").slice(0, 300)}`);
          assert.equal(mine.status, 6, `seed ${s}: pip failed (${pip.message.split('\n').slice(-2).join(' ')}), sidewheel said ${mine.stdout}`);
          continue;
        }
        if (pip === null) return t.skip('no pip >= 22.2 here');
        assert.equal(mine.status, 0, `seed ${s}: ${mine.stderr}`);
        const chosen = (JSON.parse(mine.stdout) as { plan: Array<{ name: string; version: string }> }).plan.map((e) => `${e.name} ${e.version}`).sort();
        assert.deepEqual(chosen, pip, `seed ${s}`);
        compared++;
      } finally {
        await main.close();
        await second.close();
      }
    }
    t.diagnostic(`${compared} of 6 random indexes resolved by both, identically`);
    assert.ok(existsSync(env));
  });
});
