/**
 * Wheels are read member by member with bounded buffers: a member that inflates beyond
 * the size its headers declare is refused before more than that size exists, on the
 * one-step path for small members and on the streaming path for large ones, with
 * nothing written anywhere (environment, cache, scratch). Large members install byte for
 * byte. A damaged cache entry is detected and rebuilt. (Members beyond 2 GiB are the
 * bench's scale mode: too large for a test run.)
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { EXIT_CODES } from '../src/errors.js';
import { SMALL_MEMBER, ZipFile } from '../src/wheel/archive.js';
import { makeVenv, runCli, runPython, snapshotTree, tempDir } from './helpers/env.js';
import { pythonsAtLeast } from './helpers/pythons.js';
import { wheelEntries, wheelFileName, type WheelSpec } from './helpers/wheels.js';
import { writeZip } from './helpers/zip.js';

const python = pythonsAtLeast(3, 8).pop();

/** Bytes that deflate well but are not all one value. */
function payload(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i += 4096) b.writeUInt32LE(i >>> 12, i);
  return b;
}

/** A zip whose `name` member claims `declared` bytes in both its local and central headers. */
function lyingZip(spec: WheelSpec, name: string, declared: number): Buffer {
  const zip = writeZip(wheelEntries(spec));
  const needle = Buffer.from(name, 'utf8');
  const local = zip.indexOf(needle);
  const central = zip.indexOf(needle, local + needle.length);
  assert.ok(local >= 30 && central > local, 'found both headers');
  zip.writeUInt32LE(declared, local - 30 + 22);
  zip.writeUInt32LE(declared, central - 46 + 24);
  return zip;
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('bounded reading of wheel members', () => {
  const work = tempDir();
  after(() => work.cleanup());

  test('streaming stops at the declared size: the sink never sees more', async () => {
    const spec = { name: 'liar', version: '1.0', files: { 'liar/big.bin': payload(4 * SMALL_MEMBER) } };
    const file = path.join(work.dir, wheelFileName(spec));
    writeFileSync(file, lyingZip(spec, 'liar/big.bin', 2 * SMALL_MEMBER));
    const zip = ZipFile.open(file);
    try {
      const entry = zip.entries.find((e) => e.name === 'liar/big.bin')!;
      let seen = 0;
      await assert.rejects(
        zip.stream(entry, (chunk) => (seen += chunk.length)),
        /liar-1\.0-py3-none-any\.whl: not a valid zip archive \(entry liar\/big\.bin inflates beyond the 2097152 bytes its header says\)/,
      );
      assert.ok(seen <= 2 * SMALL_MEMBER, `the sink got ${seen} bytes`);
    } finally {
      zip.close();
    }
  });

  test('a small member is inflated with a limit of its declared size', () => {
    const spec = { name: 'liar', version: '1.0', files: { 'liar/small.bin': payload(64 * 1024) } };
    const file = path.join(work.dir, 'small-' + wheelFileName(spec));
    writeFileSync(file, lyingZip(spec, 'liar/small.bin', 1000));
    const zip = ZipFile.open(file);
    try {
      assert.throws(() => zip.readSmall(zip.entries.find((e) => e.name === 'liar/small.bin')!), /entry liar\/small\.bin does not inflate/);
    } finally {
      zip.close();
    }
  });
});

describe('installing members beyond their declared size, and large members', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  let work: ReturnType<typeof tempDir>;
  let venvDir: string;
  let venvPython: string;
  before(() => {
    work = tempDir();
    venvDir = path.join(work.dir, 'venv');
    venvPython = makeVenv(python!.executable, venvDir);
  });
  after(() => work.cleanup());

  const cacheFiles = (cache: string): string[] => (existsSync(cache) ? readdirSync(cache, { recursive: true }).map(String) : []);

  for (const [label, real, declared] of [
    ['small', 64 * 1024, 1000],
    ['streamed', 4 * SMALL_MEMBER, 2 * SMALL_MEMBER],
  ] as const) {
    for (const side of [false, true]) {
      test(`a ${label} member inflating beyond its declared size is refused, nothing written (${side ? 'side' : 'default'})`, () => {
        const spec = { name: `liar_${label}`, version: '1.0', files: { [`liar_${label}/m.bin`]: payload(real) } };
        const dir = path.join(work.dir, `${label}-${side}`);
        mkdirSync(dir, { recursive: true });
        const file = path.join(dir, wheelFileName(spec));
        writeFileSync(file, lyingZip(spec, `liar_${label}/m.bin`, declared));
        const cache = path.join(dir, 'cache');
        const beforeTree = snapshotTree(venvDir);
        for (const cacheArgs of [['--no-cache'], ['--cache', cache]]) {
          const r = runCli(['install', '--python', venvPython, '--no-compile', ...cacheArgs, ...(side ? ['--side'] : []), file]);
          assert.equal(r.status, EXIT_CODES.BAD_WHEEL, r.stderr);
          assert.ok(r.stderr.startsWith(`sidewheel: ${path.basename(file)}: not a valid zip archive (entry liar_${label}/m.bin `), r.stderr);
          assert.deepEqual(snapshotTree(venvDir), beforeTree, 'environment unchanged, no scratch left');
        }
        assert.deepEqual(cacheFiles(cache).filter((f) => !/^v\d+$/.test(f)), [], 'nothing left in the cache');
      });
    }
  }

  test('a large member installs byte for byte, default and side, with and without the cache', () => {
    const big = payload(3 * SMALL_MEMBER + 12345);
    const spec = { name: 'large', version: '1.0', files: { 'large/blob.bin': big, 'large/__init__.py': 'X = 1\n' } };
    const file = path.join(work.dir, wheelFileName(spec));
    writeFileSync(file, writeZip(wheelEntries(spec)));
    for (const cacheArgs of [['--no-cache'], ['--cache', path.join(work.dir, 'large-cache')]]) {
      for (const side of [false, true]) {
        const env = makeVenv(python!.executable, path.join(work.dir, `large-${cacheArgs.length}-${side}`));
        const envSite = runPython(env, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']).stdout.trim();
        const r = runCli(['install', '--python', env, '--no-compile', ...cacheArgs, ...(side ? ['--side'] : []), file]);
        assert.equal(r.status, 0, r.stderr);
        const root = side ? path.join(envSite, path.basename(file)) : envSite;
        assert.equal(sha256(readFileSync(path.join(root, 'large', 'blob.bin'))), sha256(big));
        const record = readFileSync(path.join(root, 'large-1.0.dist-info', 'RECORD'), 'utf8');
        assert.ok(record.includes(`large/blob.bin,sha256=${createHash('sha256').update(big).digest('base64url')},${big.length}\r\n`), record);
        assert.deepEqual(readdirSync(envSite).filter((n) => n.startsWith('.sidewheel-')), [], 'no scratch or staging left');
      }
    }
  });

  test('a cache entry missing a file is rebuilt, not used', () => {
    const spec = { name: 'damaged', version: '1.0', files: { 'damaged/__init__.py': 'X = 1\n', 'damaged/data.txt': 'data\n' } };
    const file = path.join(work.dir, wheelFileName(spec));
    writeFileSync(file, writeZip(wheelEntries(spec)));
    const cache = path.join(work.dir, 'damaged-cache');
    const first = makeVenv(python!.executable, path.join(work.dir, 'damaged-a'));
    assert.equal(runCli(['install', '--python', first, '--no-compile', '--cache', cache, file]).status, 0);
    const cached = cacheFiles(cache).find((f) => f.endsWith(path.join('files', 'damaged', 'data.txt')))!;
    rmSync(path.join(cache, cached));
    const second = makeVenv(python!.executable, path.join(work.dir, 'damaged-b'));
    const r = runCli(['install', '--python', second, '--no-compile', '--cache', cache, file]);
    assert.equal(r.status, 0, r.stderr);
    const secondSite = runPython(second, ['-c', 'import sysconfig; print(sysconfig.get_paths()["purelib"])']).stdout.trim();
    assert.equal(readFileSync(path.join(secondSite, 'damaged', 'data.txt'), 'utf8'), 'data\n');
    assert.ok(existsSync(path.join(cache, cached)), 'the entry was rebuilt');
    const third = makeVenv(python!.executable, path.join(work.dir, 'damaged-c'));
    assert.equal(runCli(['install', '--python', third, '--no-compile', '--cache', cache, '--link-mode', 'hardlink', file]).status, 0);
  });
});
