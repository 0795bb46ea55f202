/**
 * src/tags.ts against packaging, three ways:
 * 1. every interpreter found on this machine (CPython, PyPy): our list from its probe vs `packaging.tags.sys_tags()`
 *    run inside it (the newest packaging that interpreter can reach);
 * 2. the same interpreters, and synthetic ones (musl, aarch64, 32-bit, free-threaded, PyPy,
 *    extra platforms), vs the newest packaging found anywhere, run with the facts patched in
 *    (test/python/tags/oracle.py `emulate`);
 * 3. hand-derived expectations from packaging's source, which run even with no Python at all.
 */
import assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { isSidewheelError } from '../src/errors.js';
import { parseWheelFilename, tagString, type Tag } from '../src/names.js';
import type { InterpreterInfo } from '../src/python/interpreter.js';
import { probeInterpreter } from '../src/python/probe.js';
import {
  cpythonAbis,
  describeUnsupported,
  genericAbi,
  macPlatforms,
  platformTags,
  supportedTags,
  wheelRank,
  type TagOptions,
} from '../src/tags.js';
import { syntheticInterpreter as interp } from './helpers/interpreter.js';
import { compareDotted, findPythons, packagingEnv } from './helpers/pythons.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// Compiled to dist/test/; the helper script stays in the source tree.
const ORACLE = path.resolve(here, '../../test/python/tags/oracle.py');

const cacheDir = await mkdtemp(path.join(os.tmpdir(), 'sidewheel-tags-'));
process.env.SIDEWHEEL_CACHE_DIR = cacheDir;
after(() => fs.rm(cacheDir, { recursive: true, force: true }));

// ------------------------------------------------------------------ helpers

interface PackagingFound {
  readonly version: string;
  readonly source: 'packaging' | 'pip' | 'ensurepip';
  readonly location: string;
}

interface SysTagsAnswer {
  readonly packaging: PackagingFound | null;
  readonly tags: string[] | null;
  readonly legacy?: { readonly pip: string; readonly tags: string[] } | null;
}

interface EmulateAnswer {
  readonly packaging: PackagingFound | null;
  readonly cases?: string[][];
  readonly mac?: string[][];
}

type EmulatedCase = InterpreterInfo & TagOptions & { readonly elfCheck?: boolean };

async function runOracle<T>(python: string, command: string, input?: unknown): Promise<T> {
  const result = await execa(python, ['-I', ORACLE, command], {
    env: packagingEnv(),
    input: input === undefined ? '' : JSON.stringify(input),
    timeout: 60_000,
  });
  return JSON.parse(String(result.stdout)) as T;
}

const strings = (tags: readonly Tag[]): string[] => tags.map(tagString);

/** deepEqual, but a mismatch names the first differing position instead of dumping a thousand lines. */
function assertSameList(actual: readonly string[], expected: readonly string[], what: string): void {
  const n = Math.max(actual.length, expected.length);
  for (let i = 0; i < n; i++) {
    if (actual[i] !== expected[i]) {
      assert.fail(
        `${what}: first difference at #${i}: ours ${actual[i] ?? '(end)'}, packaging ${expected[i] ?? '(end)'} ` +
          `(lengths ${actual.length} / ${expected.length}; context ${JSON.stringify(expected.slice(Math.max(0, i - 2), i + 3))})`,
      );
    }
  }
}

interface Probed {
  readonly executable: string;
  readonly info: InterpreterInfo;
  readonly label: string;
}

/**
 * Every interpreter found, probed by sidewheel's own probe at the path it was found at
 * (PATH's python3 may be a pyenv shim, as `--python` would get it).
 */
async function probeAll(): Promise<{ probed: Probed[]; failed: string[] }> {
  const probed: Probed[] = [];
  const failed: string[] = [];
  for (const { foundAt: executable } of findPythons()) {
    try {
      const info = await probeInterpreter(executable);
      probed.push({ executable, info, label: `${info.implementation} ${info.version.join('.')} (${executable})` });
    } catch (e) {
      failed.push(`${executable}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { probed, failed };
}

const { probed, failed } = await probeAll();

/** The interpreter whose own `packaging` is newest: it judges the emulated cases. */
async function findEmulator(): Promise<{ python: string; packaging: PackagingFound } | null> {
  let best: { python: string; packaging: PackagingFound } | null = null;
  for (const p of probed) {
    const answer = await runOracle<{ packaging: PackagingFound | null }>(p.executable, 'version').catch(() => null);
    const found = answer?.packaging;
    if (found && (!best || compareDotted(found.version, best.packaging.version) > 0)) best = { python: p.executable, packaging: found };
  }
  return best;
}

const emulator = await findEmulator();

/** Run every emulated case in one Python start. */
async function emulate(cases: readonly EmulatedCase[], mac: readonly { version: [number, number]; arch: string }[] = []): Promise<EmulateAnswer> {
  assert.ok(emulator);
  return runOracle<EmulateAnswer>(emulator.python, 'emulate', { cases, mac });
}

// ------------------------------------------------------------------ synthetic interpreters

/** The shared synthetic interpreter; the cases below change only what they name. */
const BASE = interp();

const SYNTHETIC: Readonly<Record<string, EmulatedCase>> = {
  'musl x86_64, CPython 3.12': interp({ version: [3, 12, 2], soabi: 'cpython-312-x86_64-linux-musl', libc: { kind: 'musl', major: 1, minor: 2 } }),
  'aarch64 glibc 2.17, CPython 3.8': interp({
    version: [3, 8, 10],
    soabi: 'cpython-38-aarch64-linux-gnu',
    platform: 'linux-aarch64',
    machine: 'aarch64',
    libc: { kind: 'glibc', major: 2, minor: 17 },
  }),
  'aarch64 glibc 2.39, CPython 3.12': interp({ version: [3, 12, 1], platform: 'linux-aarch64', machine: 'aarch64', libc: { kind: 'glibc', major: 2, minor: 39 } }),
  'musl aarch64, CPython 3.11': interp({ platform: 'linux-aarch64', machine: 'aarch64', libc: { kind: 'musl', major: 1, minor: 1 } }),
  '32-bit CPython 3.11 on x86_64 kernel': interp({ is32bit: true, soabi: 'cpython-311-i386-linux-gnu', libc: { kind: 'glibc', major: 2, minor: 17 } }),
  '32-bit ARM CPython 3.11 on aarch64 kernel': interp({
    is32bit: true,
    soabi: 'cpython-311-arm-linux-gnueabihf',
    platform: 'linux-aarch64',
    machine: 'aarch64',
    libc: { kind: 'glibc', major: 2, minor: 18 },
  }),
  'soft-float ARM CPython 3.11 on aarch64 kernel': {
    ...interp({ is32bit: true, soabi: 'cpython-311-arm-linux-gnueabi', platform: 'linux-aarch64', machine: 'aarch64', libc: { kind: 'glibc', major: 2, minor: 18 } }),
    elfCheck: false,
  },
  'armv7l CPython 3.10 (32-bit kernel), musl': interp({
    version: [3, 10, 1],
    is32bit: true,
    soabi: 'cpython-310-arm-linux-musleabihf',
    platform: 'linux-armv7l',
    machine: 'armv7l',
    libc: { kind: 'musl', major: 1, minor: 2 },
  }),
  'ppc64le glibc 2.28, CPython 3.9': interp({ version: [3, 9, 0], platform: 'linux-ppc64le', machine: 'ppc64le', libc: { kind: 'glibc', major: 2, minor: 28 } }),
  'armv6l (no manylinux), CPython 3.11': interp({ platform: 'linux-armv6l', machine: 'armv6l', is32bit: true, libc: { kind: 'glibc', major: 2, minor: 31 } }),
  'no libc found, CPython 3.11': interp({ libc: null }),
  'free-threaded CPython 3.13t': interp({
    version: [3, 13, 1],
    abiflags: 't',
    freeThreaded: true,
    soabi: 'cpython-313t-aarch64-linux-gnu',
    platform: 'linux-aarch64',
    machine: 'aarch64',
    libc: { kind: 'glibc', major: 2, minor: 17 },
  }),
  'free-threaded debug CPython 3.14td': interp({ version: [3, 14, 0], abiflags: 'td', freeThreaded: true, debug: true, soabi: 'cpython-314td-x86_64-linux-gnu' }),
  'debug CPython 3.12d': interp({ version: [3, 12, 0], abiflags: 'd', debug: true, soabi: 'cpython-312d-x86_64-linux-gnu' }),
  'debug CPython 3.7dm': interp({ version: [3, 7, 9], abiflags: 'dm', debug: true, soabi: 'cpython-37dm-x86_64-linux-gnu' }),
  'CPython 3.7m': interp({ version: [3, 7, 9], abiflags: 'm', soabi: 'cpython-37m-x86_64-linux-gnu' }),
  'glibc 3.1 (hypothetical)': interp({ libc: { kind: 'glibc', major: 3, minor: 1 } }),
  'extra platforms, CPython 3.11': {
    ...interp({}),
    extraPlatforms: ['linux_x86_64_debian_12', 'linux_x86_64_debian'],
  },
  'PyPy 3.10': interp({ implementation: 'pypy', version: [3, 10, 14], soabi: 'pypy310-pp73-x86_64-linux-gnu' }),
  'GraalPy 3.11': interp({ implementation: 'graalpy', version: [3, 11, 7], soabi: 'graalpy240-311-native-x86_64-linux' }),
  'Windows CPython 3.12': interp({ version: [3, 12, 3], platform: 'win-amd64', machine: 'AMD64', soabi: null, libc: null }),
  'Windows CPython 3.7': interp({ version: [3, 7, 9], platform: 'win32', machine: 'AMD64', is32bit: true, soabi: null, libc: null }),
  'macOS 14 arm64, CPython 3.12': { ...interp({ version: [3, 12, 1], platform: 'macosx-11.0-arm64', machine: 'arm64', libc: null }), macosVersion: [14, 0] },
  'macOS 10.15 x86_64, CPython 3.9': { ...interp({ version: [3, 9, 6], platform: 'macosx-10.9-x86_64', machine: 'x86_64', libc: null }), macosVersion: [10, 15] },
};

const synthetic = (name: string): EmulatedCase => {
  const c = SYNTHETIC[name];
  assert.ok(c, name);
  return c;
};

const tagsOf = (c: EmulatedCase): string[] => strings(supportedTags(c, c));

// ------------------------------------------------------------------ 1. real interpreters, real sys_tags()

describe('supportedTags = packaging.tags.sys_tags() inside every interpreter found (CPython, PyPy)', () => {
  if (probed.length === 0) test('no Python interpreter found', (t) => t.skip('no python3 on PATH, in pyenv or at /usr/bin'));
  for (const f of failed) test(`could not probe ${f}`, (t) => t.skip(f));

  for (const p of probed) {
    const answer = runOracle<SysTagsAnswer>(p.executable, 'sys-tags');
    const ours = strings(supportedTags(p.info));
    const where = (pk: PackagingFound | null): string => `packaging ${pk?.version} (${pk?.source}: ${pk?.location})`;

    test(p.label, async (t) => {
      const { packaging, tags, legacy } = await answer;
      if (tags === null) return t.skip(legacyDiagnostic(packaging, legacy ?? null, ours));
      const added = laterAdditions(ours, packaging?.version ?? '0', p.info);
      if (added.length > 0) {
        return t.skip(`packaging ${packaging?.version} predates ${added.map((a) => `${a.tag} (${a.why})`).join(', ')}; everything else is checked in the next test, the full list in the emulated one`);
      }
      assertSameList(ours, tags, p.label);
      t.diagnostic(`${ours.length}/${tags.length} tags identical, in order, to ${where(packaging)}`);
    });

    test(`${p.label}: every tag older packaging gives, in its order`, async (t) => {
      const { packaging, tags } = await answer;
      if (tags === null) return t.skip('no packaging.tags in this interpreter');
      const added = new Set(laterAdditions(ours, packaging?.version ?? '0', p.info).map((a) => a.tag));
      const comparable = ours.filter((x) => !added.has(x));
      assertSameList(comparable, tags, p.label);
      t.diagnostic(`${tags.length}/${tags.length} tags of ${where(packaging)} identical, in order; ours adds ${added.size}: ${[...added].join(', ') || 'nothing'}`);
    });
  }
});

/**
 * Tags packaging added to sys_tags() after `version`, and present in our list: an older
 * packaging (pip vendors one) legitimately lacks them. From packaging's changelog.
 */
function laterAdditions(ours: readonly string[], version: string, info: InterpreterInfo): { tag: string; why: string }[] {
  const known = [
    { since: '22.0', tag: `cp${info.version[0]}${info.version[1]}-none-any`, why: 'cpNNN-none-any, added in packaging 22.0, pypa/packaging#541' },
    { since: '21.3', tag: 'pp3-none-any', why: 'pp3-none-any, added in packaging 21.3, pypa/packaging#311' },
  ];
  return known.filter((k) => compareDotted(version, k.since) < 0 && ours.includes(k.tag));
}

/**
 * An interpreter whose only packaging predates `packaging.tags` (pip 18 vendors 18.0): pip then
 * computed tags itself, a list that knows only manylinux1 and orders pure tags differently.
 * Not a reference for today's order, so it is reported, not passed.
 */
function legacyDiagnostic(found: PackagingFound | null, old: SysTagsAnswer['legacy'], ours: readonly string[]): string {
  const pk = found ? `packaging ${found.version} (${found.source})` : 'no packaging at all';
  if (!old) return `${pk} has no packaging.tags and there is no pip pep425tags to compare with`;
  const legacy = old.tags;
  const oursSet = new Set(ours);
  const missing = legacy.filter((t) => !oursSet.has(t));
  const common = legacy.filter((t) => oursSet.has(t));
  const position = new Map(ours.map((t, i) => [t, i]));
  const sameOrder = common.every((t, i) => i === 0 || (position.get(common[i - 1]!) ?? 0) < (position.get(t) ?? 0));
  return (
    `only ${pk}, which predates packaging.tags; pip ${old.pip}'s own pep425tags gives ${legacy.length} tags vs our ${ours.length}: ` +
    `${common.length} shared, in the ${sameOrder ? 'same' : 'a different'} relative order; ` +
    `not in ours: ${missing.join(', ') || 'none'}; ours adds ${ours.length - common.length}, e.g. manylinux_2_x/2010/2014 (PEP 600/571/599 came after pip 18) and py3X-none-<platform>. ` +
    'See the emulated test for this interpreter against current packaging.'
  );
}

// ------------------------------------------------------------------ 2. emulated with the newest packaging

describe('supportedTags = newest packaging, fed each interpreter\'s facts (oracle.py emulate)', () => {
  if (!emulator) {
    test('no interpreter with a top-level packaging found', (t) => t.skip('install packaging into any python3 to run these'));
    return;
  }
  const realCases = probed.map((p) => p.info);
  const names = Object.keys(SYNTHETIC);
  const answer = emulate([...realCases, ...names.map(synthetic)]);

  probed.forEach((p, i) => {
    test(`${p.label}`, async (t) => {
      const expected = (await answer).cases?.[i];
      assert.ok(expected);
      const ours = strings(supportedTags(p.info));
      assertSameList(ours, expected, p.label);
      t.diagnostic(`${ours.length} tags identical to packaging ${emulator.packaging.version} run in ${emulator.python} with these facts`);
    });
  });
  names.forEach((name, i) => {
    test(`synthetic: ${name}`, async () => {
      const expected = (await answer).cases?.[realCases.length + i];
      assert.ok(expected);
      assertSameList(tagsOf(synthetic(name)), expected, name);
    });
  });

  test('macPlatforms = packaging.tags.mac_platforms(version, arch)', async () => {
    const requests: { version: [number, number]; arch: string }[] = [];
    for (const arch of ['x86_64', 'arm64', 'i386', 'ppc', 'ppc64', 'universal2'])
      for (const version of [[10, 0], [10, 3], [10, 4], [10, 5], [10, 6], [10, 9], [10, 15], [10, 16], [11, 0], [11, 3], [12, 0], [14, 2], [15, 0], [26, 0]] as [number, number][])
        requests.push({ version, arch });
    const { mac } = await emulate([], requests);
    requests.forEach((r, i) => assertSameList(macPlatforms(r.version, r.arch), mac?.[i] ?? [], `macOS ${r.version.join('.')} ${r.arch}`));
  });
});

// ------------------------------------------------------------------ 3. hand-derived from packaging's source

/** `cpXY-none-any` then pyXY..py30 `-none-any`: the tail of every CPython list (compatible_tags). */
const anyTail = (minor: number): string[] => [
  `cp3${minor}-none-any`,
  `py3${minor}-none-any`,
  'py3-none-any',
  ...Array.from({ length: minor }, (_, i) => `py3${minor - 1 - i}-none-any`),
];

describe('platform lists (hand-derived from packaging/_manylinux.py, _musllinux.py, tags.py)', () => {
  test('x86_64 glibc 2.36: manylinux 2_36 down to 2_5, aliases right after 2_17/2_12/2_5, linux_ last', () => {
    const p = platformTags(BASE);
    assert.equal(p.length, 32 + 3 + 1);
    assert.deepEqual(p.slice(0, 2), ['manylinux_2_36_x86_64', 'manylinux_2_35_x86_64']);
    assert.deepEqual(p.slice(19, 23), ['manylinux_2_17_x86_64', 'manylinux2014_x86_64', 'manylinux_2_16_x86_64', 'manylinux_2_15_x86_64']);
    assert.deepEqual(p.slice(-4), ['manylinux_2_6_x86_64', 'manylinux_2_5_x86_64', 'manylinux1_x86_64', 'linux_x86_64']);
    assert.equal(p.indexOf('manylinux2010_x86_64'), p.indexOf('manylinux_2_12_x86_64') + 1);
  });

  test('aarch64 stops at manylinux_2_17 (manylinux1/2010 never existed there)', () => {
    assert.deepEqual(platformTags(synthetic('aarch64 glibc 2.17, CPython 3.8')), ['manylinux_2_17_aarch64', 'manylinux2014_aarch64', 'linux_aarch64']);
    const p = platformTags(synthetic('aarch64 glibc 2.39, CPython 3.12'));
    assert.equal(p.length, 23 + 1 + 1);
    assert.deepEqual(p.slice(-3), ['manylinux_2_17_aarch64', 'manylinux2014_aarch64', 'linux_aarch64']);
  });

  test('musl: musllinux_1_<minor> down to 1_0, no manylinux, then linux_', () => {
    assert.deepEqual(platformTags(synthetic('musl x86_64, CPython 3.12')), [
      'musllinux_1_2_x86_64',
      'musllinux_1_1_x86_64',
      'musllinux_1_0_x86_64',
      'linux_x86_64',
    ]);
    assert.deepEqual(platformTags(synthetic('musl aarch64, CPython 3.11')), ['musllinux_1_1_aarch64', 'musllinux_1_0_aarch64', 'linux_aarch64']);
  });

  test('32-bit interpreter on an x86_64 kernel is i686, down to manylinux1', () => {
    assert.deepEqual(platformTags(synthetic('32-bit CPython 3.11 on x86_64 kernel')), [
      'manylinux_2_17_i686',
      'manylinux2014_i686',
      'manylinux_2_16_i686',
      'manylinux_2_15_i686',
      'manylinux_2_14_i686',
      'manylinux_2_13_i686',
      'manylinux_2_12_i686',
      'manylinux2010_i686',
      'manylinux_2_11_i686',
      'manylinux_2_10_i686',
      'manylinux_2_9_i686',
      'manylinux_2_8_i686',
      'manylinux_2_7_i686',
      'manylinux_2_6_i686',
      'manylinux_2_5_i686',
      'manylinux1_i686',
      'linux_i686',
    ]);
  });

  test('32-bit ARM on an aarch64 kernel is armv8l then armv7l, each kind listing both archs', () => {
    assert.deepEqual(platformTags(synthetic('32-bit ARM CPython 3.11 on aarch64 kernel')), [
      'manylinux_2_18_armv8l',
      'manylinux_2_17_armv8l',
      'manylinux2014_armv8l',
      'manylinux_2_18_armv7l',
      'manylinux_2_17_armv7l',
      'manylinux2014_armv7l',
      'linux_armv8l',
      'linux_armv7l',
    ]);
    // packaging's ELF check refuses soft-float ARM for manylinux; SOABI says gnueabi.
    assert.deepEqual(platformTags(synthetic('soft-float ARM CPython 3.11 on aarch64 kernel')), ['linux_armv8l', 'linux_armv7l']);
    // musllinux has no ELF check.
    assert.deepEqual(platformTags(synthetic('armv7l CPython 3.10 (32-bit kernel), musl')), [
      'musllinux_1_2_armv7l',
      'musllinux_1_1_armv7l',
      'musllinux_1_0_armv7l',
      'linux_armv7l',
    ]);
  });

  test('no manylinux for archs outside PEP 599/600, or without a known libc', () => {
    assert.deepEqual(platformTags(synthetic('armv6l (no manylinux), CPython 3.11')), ['linux_armv6l']);
    assert.deepEqual(platformTags(synthetic('no libc found, CPython 3.11')), ['linux_x86_64']);
  });

  test('a glibc 3.x would take every 2.x too, 2.50 down', () => {
    const p = platformTags(synthetic('glibc 3.1 (hypothetical)'));
    assert.deepEqual(p.slice(0, 4), ['manylinux_3_1_x86_64', 'manylinux_3_0_x86_64', 'manylinux_2_50_x86_64', 'manylinux_2_49_x86_64']);
  });

  test('Windows and others: sysconfig platform, normalized', () => {
    assert.deepEqual(platformTags(synthetic('Windows CPython 3.12')), ['win_amd64']);
    assert.deepEqual(platformTags(interp({ platform: 'freebsd-14.0-RELEASE-amd64', libc: null })), ['freebsd_14_0_RELEASE_amd64']);
  });

  test('macOS: exact list with the OS version, only the build platform without it', () => {
    const mac = synthetic('macOS 14 arm64, CPython 3.12');
    assert.deepEqual(platformTags(mac), ['macosx_11_0_arm64']);
    const p = platformTags(mac, mac);
    assert.deepEqual(p.slice(0, 8), [
      'macosx_14_0_arm64',
      'macosx_14_0_universal2',
      'macosx_13_0_arm64',
      'macosx_13_0_universal2',
      'macosx_12_0_arm64',
      'macosx_12_0_universal2',
      'macosx_11_0_arm64',
      'macosx_11_0_universal2',
    ]);
    assert.deepEqual(p.slice(8), Array.from({ length: 13 }, (_, i) => `macosx_10_${16 - i}_universal2`));
    assert.deepEqual(macPlatforms([10, 5], 'ppc64'), ['macosx_10_5_ppc64', 'macosx_10_5_fat64', 'macosx_10_5_universal', 'macosx_10_4_ppc64', 'macosx_10_4_fat64', 'macosx_10_4_universal']);
    // the ABI and the rest of the order are the same as anywhere else
    assert.equal(strings(supportedTags(mac, mac))[0], 'cp312-cp312-macosx_14_0_arm64');
  });
});

describe('ABIs (hand-derived from packaging.tags._cpython_abis / _generic_abi)', () => {
  test('release, debug, pre-3.8 pymalloc, free-threaded', () => {
    assert.deepEqual(cpythonAbis(BASE), ['cp311']);
    assert.deepEqual(cpythonAbis(synthetic('debug CPython 3.12d')), ['cp312d', 'cp312']);
    assert.deepEqual(cpythonAbis(synthetic('debug CPython 3.7dm')), ['cp37dm']);
    assert.deepEqual(cpythonAbis(synthetic('CPython 3.7m')), ['cp37m']);
    assert.deepEqual(cpythonAbis(synthetic('Windows CPython 3.7')), ['cp37m']);
    assert.deepEqual(cpythonAbis(synthetic('free-threaded CPython 3.13t')), ['cp313t']);
    assert.deepEqual(cpythonAbis(synthetic('free-threaded debug CPython 3.14td')), ['cp314td', 'cp314t']);
  });

  test('generic ABI from SOABI', () => {
    assert.deepEqual(genericAbi('pypy310-pp73-x86_64-linux-gnu'), ['pypy310_pp73']);
    assert.deepEqual(genericAbi('pypy310-pp73'), ['pypy310_pp73']);
    assert.deepEqual(genericAbi('graalpy240-311-native-x86_64-linux'), ['graalpy240_311_native']);
    assert.deepEqual(genericAbi('cpython-311-x86_64-linux-gnu'), ['cp311']);
    assert.deepEqual(genericAbi('cp311-win_amd64'), ['cp311']);
    assert.deepEqual(genericAbi(null), []);
  });
});

describe('full lists (hand-derived from packaging.tags.sys_tags)', () => {
  test('CPython 3.8 on aarch64 glibc 2.17, every tag in order', () => {
    const P = ['manylinux_2_17_aarch64', 'manylinux2014_aarch64', 'linux_aarch64'];
    const over = (prefix: string): string[] => P.map((p) => `${prefix}-${p}`);
    const expected = [
      ...over('cp38-cp38'),
      ...over('cp38-abi3'),
      ...over('cp38-none'),
      ...['cp37', 'cp36', 'cp35', 'cp34', 'cp33', 'cp32'].flatMap((i) => over(`${i}-abi3`)),
      ...['py38', 'py3', 'py37', 'py36', 'py35', 'py34', 'py33', 'py32', 'py31', 'py30'].flatMap((i) => over(`${i}-none`)),
      ...anyTail(8),
    ];
    assert.equal(expected.length, 68);
    assert.deepEqual(tagsOf(synthetic('aarch64 glibc 2.17, CPython 3.8')), expected);
  });

  test('free-threaded 3.13t: its own ABI, then abi3t (never abi3), none, older abi3t', () => {
    const tags = tagsOf(synthetic('free-threaded CPython 3.13t'));
    assert.deepEqual(tags.slice(0, 10), [
      'cp313-cp313t-manylinux_2_17_aarch64',
      'cp313-cp313t-manylinux2014_aarch64',
      'cp313-cp313t-linux_aarch64',
      'cp313-abi3t-manylinux_2_17_aarch64',
      'cp313-abi3t-manylinux2014_aarch64',
      'cp313-abi3t-linux_aarch64',
      'cp313-none-manylinux_2_17_aarch64',
      'cp313-none-manylinux2014_aarch64',
      'cp313-none-linux_aarch64',
      'cp312-abi3t-manylinux_2_17_aarch64',
    ]);
    assert.ok(!tags.some((t) => t.includes('-abi3-')));
    assert.ok(tags.includes('cp32-abi3t-linux_aarch64'));
    assert.deepEqual(tags.slice(-anyTail(13).length), anyTail(13));
  });

  test('debug 3.12d: the debug ABI, then the release ABI it can also load, before abi3', () => {
    const tags = tagsOf(synthetic('debug CPython 3.12d'));
    const n = platformTags(BASE).length;
    assert.equal(tags[0], 'cp312-cp312d-manylinux_2_36_x86_64');
    assert.equal(tags[n], 'cp312-cp312-manylinux_2_36_x86_64');
    assert.equal(tags[2 * n], 'cp312-abi3-manylinux_2_36_x86_64');
  });

  test('PyPy: generic tags with the SOABI ABI, then none, then pp3-none-any', () => {
    const tags = tagsOf(synthetic('PyPy 3.10'));
    const n = platformTags(BASE).length;
    assert.equal(tags[0], 'pp310-pypy310_pp73-manylinux_2_36_x86_64');
    assert.equal(tags[n], 'pp310-none-manylinux_2_36_x86_64');
    assert.equal(tags[2 * n], 'py310-none-manylinux_2_36_x86_64');
    assert.ok(!tags.some((t) => t.includes('abi3')));
    assert.deepEqual(tags.slice(-13), ['pp3-none-any', 'py310-none-any', 'py3-none-any', ...Array.from({ length: 10 }, (_, i) => `py3${9 - i}-none-any`)]);
    // GraalPy has no short name and no <interpreter>-none-any
    const graal = tagsOf(synthetic('GraalPy 3.11'));
    assert.equal(graal[0], 'graalpy311-graalpy240_311_native-manylinux_2_36_x86_64');
    assert.equal(graal.at(-13), 'py311-none-any');
  });

  test('Windows CPython 3.12: one platform', () => {
    const tags = tagsOf(synthetic('Windows CPython 3.12'));
    assert.deepEqual(tags.slice(0, 4), ['cp312-cp312-win_amd64', 'cp312-abi3-win_amd64', 'cp312-none-win_amd64', 'cp311-abi3-win_amd64']);
    assert.equal(tags.length, 3 + 10 + 14 + 1 + 14);
  });
});

describe('extra platforms', () => {
  const c = synthetic('extra platforms, CPython 3.11');
  const tags = tagsOf(c);
  const n = platformTags(BASE).length + 2;

  test('each interpreter/ABI pair gets them first, in config order, before manylinux and linux_', () => {
    assert.deepEqual(tags.slice(0, 3), ['cp311-cp311-linux_x86_64_debian_12', 'cp311-cp311-linux_x86_64_debian', 'cp311-cp311-manylinux_2_36_x86_64']);
    assert.equal(tags[n - 1], 'cp311-cp311-linux_x86_64');
    assert.deepEqual(tags.slice(n, n + 3), ['cp311-abi3-linux_x86_64_debian_12', 'cp311-abi3-linux_x86_64_debian', 'cp311-abi3-manylinux_2_36_x86_64']);
    // an exact cp311 build for plain manylinux still beats an abi3 one for the distro
    assert.ok(tags.indexOf('cp311-cp311-manylinux_2_17_x86_64') < tags.indexOf('cp311-abi3-linux_x86_64_debian_12'));
    assert.ok(tags.includes('py3-none-linux_x86_64_debian'));
    assert.deepEqual(tags.slice(-anyTail(11).length), anyTail(11));
  });

  test('normalized like packaging normalizes platforms; a repeat of a generated platform moves it up, once', () => {
    const t = strings(supportedTags(BASE, { extraPlatforms: ['Linux-x86_64-Debian.12', 'linux_x86_64'] }));
    assert.deepEqual(t.slice(0, 3), ['cp311-cp311-linux_x86_64_debian_12', 'cp311-cp311-linux_x86_64', 'cp311-cp311-manylinux_2_36_x86_64']);
    assert.equal(t.filter((x) => x === 'cp311-cp311-linux_x86_64').length, 1);
  });

  test('unusable names are a BAD_CONFIG error', () => {
    for (const bad of ['', 'linux/x86_64', 'any', 'linux_x86_64*']) {
      assert.throws(
        () => supportedTags(BASE, { extraPlatforms: [bad] }),
        (e: unknown) => isSidewheelError(e) && e.code === 'BAD_CONFIG',
        bad,
      );
    }
  });
});

// ------------------------------------------------------------------ ranking and refusals

describe('wheelRank', () => {
  const info = synthetic('aarch64 glibc 2.17, CPython 3.8');
  const supported = supportedTags(info);
  const rank = (filename: string): number | null => wheelRank(parseWheelFilename(filename).tags, supported);

  test('best position of any tag; compressed tag sets count their best member', () => {
    assert.equal(rank('x-1.0-cp38-cp38-manylinux_2_17_aarch64.manylinux2014_aarch64.whl'), 0);
    assert.equal(rank('x-1.0-cp38-cp38-manylinux2014_aarch64.whl'), 1);
    assert.equal(rank('x-1.0-cp36-abi3-manylinux2014_aarch64.whl'), supported.findIndex((t) => tagString(t) === 'cp36-abi3-manylinux2014_aarch64'));
    assert.equal(rank('x-1.0-py2.py3-none-any.whl'), supported.findIndex((t) => tagString(t) === 'py3-none-any'));
    // 57 groups of platform-specific tags first (see the full list test), then cp38-none-any, py38-none-any
    assert.equal(rank('x-1.0-py3-none-any.whl'), 59);
  });

  test('order between candidate wheels follows the list', () => {
    const files = ['x-1.0-py3-none-any.whl', 'x-1.0-cp37-abi3-linux_aarch64.whl', 'x-1.0-cp38-cp38-linux_aarch64.whl', 'x-1.0-py38-none-manylinux2014_aarch64.whl'];
    const sorted = [...files].sort((a, b) => (rank(a) ?? Infinity) - (rank(b) ?? Infinity));
    assert.deepEqual(sorted, [files[2], files[1], files[3], files[0]]);
  });

  test('null when no tag is supported', () => {
    assert.equal(rank('x-1.0-cp39-cp39-manylinux2014_aarch64.whl'), null);
    assert.equal(rank('x-1.0-cp38-cp38-manylinux_2_28_aarch64.whl'), null);
    assert.equal(rank('x-1.0-cp38-cp38-manylinux2014_x86_64.whl'), null);
    assert.equal(rank('x-1.0-cp38-cp38-win_amd64.whl'), null);
    assert.equal(wheelRank([], supported), null);
  });

  test('case-insensitive, as packaging lower-cases tags', () => {
    assert.equal(rank('x-1.0-CP38-CP38-MANYLINUX2014_AARCH64.whl'), 1);
  });

  test('works on any array, frozen or not; the first occurrence of a repeated tag wins', () => {
    const t = (s: string): Tag => {
      const [interpreter = '', abi = '', platform = ''] = s.split('-');
      return { interpreter, abi, platform };
    };
    const list = [t('py3-none-any'), t('cp38-none-any'), t('py3-none-any')];
    assert.equal(wheelRank([t('py3-none-any')], list), 0);
    assert.equal(wheelRank([t('cp38-none-any'), t('py3-none-any')], list), 0);
  });

  test('lookups stay cheap on a long list (index built once per list)', () => {
    const big = supportedTags(BASE);
    const wheel = parseWheelFilename('x-1.0-py30-none-any.whl').tags;
    const start = performance.now();
    for (let i = 0; i < 20_000; i++) wheelRank(wheel, big);
    // A scan of the ~900-tag list per call would build ~18M tag strings here; the cached Map needs 20k lookups.
    assert.ok(performance.now() - start < 1000);
    assert.equal(wheelRank(wheel, big), big.length - 1);
  });
});

describe('describeUnsupported', () => {
  test('one line: the wheel tags, the interpreter, the best supported tags of each kind', () => {
    const info = interp({});
    assert.equal(
      describeUnsupported(parseWheelFilename('x-1.0-cp312-cp312-manylinux_2_17_x86_64.whl').tags, info),
      'tag cp312-cp312-manylinux_2_17_x86_64 is not supported by CPython 3.11 on linux-x86_64 (glibc 2.36); ' +
        'supported are e.g. cp311-cp311-manylinux_2_36_x86_64, cp311-abi3-manylinux_2_36_x86_64, py3-none-any',
    );
  });

  test('several tags, free-threaded, 32-bit, musl', () => {
    const wheel = parseWheelFilename('x-1.0-cp313-cp313-manylinux_2_17_x86_64.manylinux2014_x86_64.musllinux_1_1_x86_64.win_amd64.whl').tags;
    const info = interp({ version: [3, 13, 0], freeThreaded: true, abiflags: 't', is32bit: true, libc: { kind: 'musl', major: 1, minor: 2 } });
    assert.equal(
      describeUnsupported(wheel, info),
      'tags cp313-cp313-manylinux_2_17_x86_64, cp313-cp313-manylinux2014_x86_64, cp313-cp313-musllinux_1_1_x86_64 and 1 more are not supported by ' +
        'CPython 3.13t on linux-x86_64 (32-bit, musl 1.2); supported are e.g. cp313-cp313t-musllinux_1_2_i686, cp313-abi3t-musllinux_1_2_i686, py3-none-any',
    );
  });
});
