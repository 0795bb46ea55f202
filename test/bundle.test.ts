/**
 * Bundles: creation (validated inputs, reproducible bytes, all or nothing), plain
 * unzip and Python's tomllib as independent readers, and openBundle refusing every
 * corruption with one precise line.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { Command } from 'commander';
import yauzl from 'yauzl';
import { createBundle, entryTimestamp } from '../src/bundle/create.js';
import { MANIFEST_NAME, parseManifest, renderManifest, tomlString } from '../src/bundle/manifest.js';
import { isBundle, openBundle, type Bundle, type BundleWheel } from '../src/bundle/read.js';
import { openWheel } from '../src/wheel/wheel.js';
import { registerBundle } from '../src/cli/bundle.js';
import { SidewheelError } from '../src/errors.js';
import { readArchive, type ByteRange } from '../src/wheel/archive.js';
import { runPython, tempDir } from './helpers/env.js';
import { pythonsAtLeast } from './helpers/pythons.js';
import { wheelEntries, writeWheel, type WheelSpec } from './helpers/wheels.js';
import { writeZip, type ZipEntry } from './helpers/zip.js';

const tmp = tempDir('sidewheel-bundle-');
after(() => tmp.cleanup());
let counter = 0;
function freshDir(): string {
  const dir = path.join(tmp.dir, String(++counter));
  mkdirSync(dir, { recursive: true });
  return dir;
}

// A Requires-Python as written, not normalized (spaces, clause order).
const AWKWARD_REQUIRES_PYTHON = '>=3.8, !=3.9.*,<4';
const SPECS: readonly WheelSpec[] = [
  { name: 'Alpha.Pkg', version: '1.0', files: { 'alpha/__init__.py': 'V = 1\n' }, metadata: [`Requires-Python: ${AWKWARD_REQUIRES_PYTHON}`] },
  { name: 'alpha-pkg', version: '2.0', files: { 'alpha/__init__.py': 'V = 2\n' }, metadata: ['Requires-Python: >=3.9'] },
  { name: 'beta', version: '0.1', tag: 'cp311-cp311-linux_x86_64', rootIsPurelib: false, files: { 'beta/__init__.py': 'B = 1\n' } },
  { name: 'gamma', version: '3.0', tag: 'py2.py3-none-any', files: { 'gamma.py': 'G = 3\n' } },
];

/** Two wheels as files in one directory, two more in a wheelhouse directory. */
async function fixtureWheels(): Promise<{ files: string[]; house: string; all: Map<string, Buffer> }> {
  const dir = freshDir();
  const house = path.join(dir, 'house');
  mkdirSync(house);
  const files = [await writeWheel(dir, SPECS[0]!), await writeWheel(dir, SPECS[1]!)];
  await writeWheel(house, SPECS[2]!);
  await writeWheel(house, SPECS[3]!);
  writeFileSync(path.join(house, 'README.txt'), 'not a wheel\n');
  mkdirSync(path.join(house, 'nested'));
  await writeWheel(path.join(house, 'nested'), { name: 'hidden', version: '1.0' }); // not recursive: left out
  const all = new Map<string, Buffer>();
  for (const f of [...files, ...readdirSync(house).filter((n) => n.endsWith('.whl')).map((n) => path.join(house, n))]) {
    all.set(path.basename(f), readFileSync(f));
  }
  return { files, house, all };
}

async function makeBundle(): Promise<{ bundle: string; all: Map<string, Buffer> }> {
  const { files, house, all } = await fixtureWheels();
  const bundle = path.join(freshDir(), 'wheelhouse.zip');
  await createBundle(bundle, [...files, house], { sourceDateEpoch: '' });
  return { bundle, all };
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

async function zipEntries(bytes: Buffer): Promise<ZipEntry[]> {
  const file = path.join(freshDir(), 'bundle.zip');
  writeFileSync(file, bytes);
  return readArchive(file).entries.map((e) => ({ name: e.name, data: e.data }));
}

/** A bundled wheel's bytes, read from where the bundle says they are. */
function rangeBytes(range: ByteRange): Buffer {
  return readFileSync(range.file).subarray(range.offset, range.offset + range.size);
}

async function refusal(file: string): Promise<SidewheelError> {
  try {
    await openBundle(file);
  } catch (e) {
    assert.ok(e instanceof SidewheelError, `not a SidewheelError: ${String(e)}`);
    assert.equal(e.code, 'BAD_BUNDLE');
    assert.ok(!e.message.includes('\n'), `more than one line: ${e.message}`);
    return e;
  }
  return assert.fail(`${file} was accepted`);
}

function hasUnzip(): boolean {
  return spawnSync('unzip', ['-v'], { stdio: 'ignore' }).status === 0;
}

const python311 = pythonsAtLeast(3, 11)[0];

const CREATE_MODULE = new URL('../src/bundle/create.js', import.meta.url).href;
function createInProcess(out: string, inputs: readonly string[], tz: string): void {
  const script = `const { createBundle } = await import(${JSON.stringify(CREATE_MODULE)}); await createBundle(...JSON.parse(process.argv[1]));`;
  const env: NodeJS.ProcessEnv = { ...process.env, TZ: tz };
  delete env.SOURCE_DATE_EPOCH;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify([out, inputs])], { encoding: 'utf8', env });
  assert.equal(r.status, 0, r.stderr);
}

describe('bundle create', () => {
  test('bundles wheel files and a directory\'s *.whl; openBundle returns every wheel verified', async () => {
    const { files, house, all } = await fixtureWheels();
    const out = path.join(freshDir(), 'wheelhouse.zip');
    const created = await createBundle(out, [...files, house]);
    assert.deepEqual(created.wheels.map((w) => w.fileName), [...all.keys()].sort());
    assert.equal(created.size, readFileSync(out).length);

    const bundle = await openBundle(out);
    assert.deepEqual(bundle.wheels.map((w) => w.fileName), [...all.keys()].sort());
    for (const w of bundle.wheels) {
      assert.ok(rangeBytes(w.range).equals(all.get(w.fileName)!), w.fileName);
      assert.equal(w.sha256, sha256(all.get(w.fileName)!));
    }
    const byName = new Map(bundle.wheels.map((w) => [w.fileName, w]));
    const alpha1 = byName.get('Alpha_Pkg-1.0-py3-none-any.whl')!;
    assert.equal(alpha1.name, 'alpha-pkg');
    assert.equal(alpha1.version, '1.0');
    assert.equal(alpha1.requiresPython, AWKWARD_REQUIRES_PYTHON);
    assert.equal(byName.get('beta-0.1-cp311-cp311-linux_x86_64.whl')!.requiresPython, null);
    assert.deepEqual(
      byName.get('gamma-3.0-py2.py3-none-any.whl')!.tags.map((t) => `${t.interpreter}-${t.abi}-${t.platform}`),
      ['py2-none-any', 'py3-none-any'],
    );
    assert.equal(bundle.requiresPython, null);
  });

  test('the same wheels in any order, with any file times, in any time zone, give the same bytes', async () => {
    const { files, house } = await fixtureWheels();
    const wheels = [...files, ...readdirSync(house).filter((n) => n.endsWith('.whl')).map((n) => path.join(house, n))];
    const dir = freshDir();
    // Each run in its own process, as on machines in different time zones (a process's zone is fixed at start).
    createInProcess(path.join(dir, 'a.zip'), wheels, 'Asia/Tokyo');
    for (const w of wheels) utimesSync(w, new Date(2001, 1, 1), new Date(2001, 1, 1));
    createInProcess(path.join(dir, 'b.zip'), [...wheels].reverse(), 'America/Los_Angeles');
    await createBundle(path.join(dir, 'c.zip'), [house, ...files], { sourceDateEpoch: '' });
    const a = readFileSync(path.join(dir, 'a.zip'));
    assert.ok(a.equals(readFileSync(path.join(dir, 'b.zip'))), 'argument order or time zone changed the bytes');
    assert.ok(a.equals(readFileSync(path.join(dir, 'c.zip'))), 'directory expansion changed the bytes');

    // Manifest first, wheels sorted, every entry STORED with a fixed time and mode and no extra field.
    const zip = await yauzl.fromBufferPromise(a, { lazyEntries: true });
    const seen: string[] = [];
    for await (const e of zip.eachEntry()) {
      seen.push(e.fileName);
      assert.equal(e.compressionMethod, 0, `${e.fileName} is compressed`);
      assert.equal(e.extraFieldLength, 0, `${e.fileName} has an extra field`);
      assert.equal(e.externalFileAttributes >>> 16, 0o100644);
      assert.deepEqual([e.lastModFileDate, e.lastModFileTime], [(0 << 9) | (1 << 5) | 1, 0]); // 1980-01-01 00:00:00
    }
    zip.close();
    assert.deepEqual(seen, [MANIFEST_NAME, ...seen.slice(1).sort()]);
  });

  test('SOURCE_DATE_EPOCH sets every entry\'s time (UTC, clamped to what zip can hold)', async () => {
    const { files } = await fixtureWheels();
    const out = path.join(freshDir(), 'dated.zip');
    const saved = process.env.SOURCE_DATE_EPOCH;
    process.env.SOURCE_DATE_EPOCH = '1700000000'; // 2023-11-14T22:13:20Z
    try {
      await createBundle(out, files);
    } finally {
      if (saved === undefined) delete process.env.SOURCE_DATE_EPOCH;
      else process.env.SOURCE_DATE_EPOCH = saved;
    }
    const zip = await yauzl.fromBufferPromise(readFileSync(out), { lazyEntries: true });
    for await (const e of zip.eachEntry()) {
      assert.deepEqual([e.lastModFileDate, e.lastModFileTime], [((2023 - 1980) << 9) | (11 << 5) | 14, (22 << 11) | (13 << 5) | 10]);
    }
    zip.close();
    const local = (d: Date): number[] => [d.getFullYear(), d.getMonth(), d.getDate(), d.getHours(), d.getMinutes(), d.getSeconds()];
    assert.deepEqual(local(entryTimestamp('0')), [1980, 0, 1, 0, 0, 0]);
    assert.deepEqual(local(entryTimestamp('99999999999')), [2107, 11, 31, 23, 59, 58]);
    assert.throws(() => entryTimestamp('yesterday'), /SOURCE_DATE_EPOCH="yesterday" is not a whole number of seconds/);
  });

  test('any unzip restores the wheelhouse byte for byte', async (t) => {
    const { bundle, all } = await makeBundle();
    const dest = freshDir();
    if (hasUnzip()) {
      const list = spawnSync('unzip', ['-Z1', bundle], { encoding: 'utf8' });
      assert.equal(list.status, 0, list.stderr);
      assert.deepEqual(list.stdout.trim().split('\n'), [MANIFEST_NAME, ...[...all.keys()].sort()]);
      const check = spawnSync('unzip', ['-tq', bundle], { encoding: 'utf8' });
      assert.equal(check.status, 0, check.stdout + check.stderr);
      const r = spawnSync('unzip', ['-q', bundle, '-d', dest], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    } else if (python311) {
      const r = runPython(python311.executable, ['-c', 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])', bundle, dest]);
      assert.equal(r.status, 0, r.stderr);
    } else {
      t.skip('neither unzip nor a Python is available');
      return;
    }
    for (const [name, bytes] of all) assert.ok(readFileSync(path.join(dest, name)).equals(bytes), `${name} differs after unzip`);
    assert.deepEqual(readdirSync(dest).sort(), [MANIFEST_NAME, ...all.keys()].sort());
  });

  test('the manifest is a pylock.toml Python\'s tomllib reads, and its sizes and hashes match the zip', async (t) => {
    if (!python311) {
      t.skip('no Python 3.11+ (tomllib) found');
      return;
    }
    const { bundle, all } = await makeBundle();
    const script = `
import hashlib, json, sys, tomllib, zipfile
z = zipfile.ZipFile(sys.argv[1])
lock = tomllib.loads(z.read("pylock.toml").decode("utf-8"))
out = {"lock": lock, "checked": []}
for pkg in lock["packages"]:
    for w in pkg["wheels"]:
        data = z.read(w["path"])
        assert len(data) == w["size"], w["name"]
        assert hashlib.sha256(data).hexdigest() == w["hashes"]["sha256"], w["name"]
        assert w["name"] == w["path"].rsplit("/", 1)[-1]
        out["checked"].append(w["name"])
print(json.dumps(out))
`;
    const r = runPython(python311.executable, ['-c', script, bundle]);
    assert.equal(r.status, 0, r.stderr);
    const { lock, checked } = JSON.parse(r.stdout) as { lock: Record<string, unknown>; checked: string[] };
    assert.deepEqual(checked.sort(), [...all.keys()].sort());
    assert.equal(lock['lock-version'], '1.0');
    assert.equal(lock['created-by'], 'sidewheel');
    const packages = lock['packages'] as Array<Record<string, unknown>>;
    assert.deepEqual(
      packages.map((p) => [p['name'], p['version'], p['requires-python'] ?? null]),
      [
        ['alpha-pkg', '1.0', AWKWARD_REQUIRES_PYTHON],
        ['alpha-pkg', '2.0', '>=3.9'],
        ['beta', '0.1', null],
        ['gamma', '3.0', null],
      ],
    );
  });

  test('packaging\'s own pylock reader accepts the manifest', async (t) => {
    const python = pythonsAtLeast(3, 11).find((p) => runPython(p.executable, ['-c', 'import packaging.pylock']).status === 0);
    if (!python) {
      t.skip('no Python 3.11+ with packaging.pylock (packaging 25+) found');
      return;
    }
    const { bundle, all } = await makeBundle();
    const script = `
import json, sys, tomllib, zipfile
from packaging.pylock import Pylock
z = zipfile.ZipFile(sys.argv[1])
lock = Pylock.from_dict(tomllib.loads(z.read("pylock.toml").decode("utf-8")))
print(json.dumps([[str(p.name), str(p.version), str(p.requires_python or ""), [[w.name, w.path, w.size, w.hashes["sha256"]] for w in p.wheels]] for p in lock.packages]))
`;
    const r = runPython(python.executable, ['-c', script, bundle]);
    assert.equal(r.status, 0, r.stderr);
    const packages = JSON.parse(r.stdout) as Array<[string, string, string, Array<[string, string, number, string]>]>;
    const wheels = packages.flatMap((p) => p[3]);
    assert.deepEqual(wheels.map((w) => w[0]).sort(), [...all.keys()].sort());
    for (const [name, p, size, hash] of wheels) {
      assert.equal(p, name);
      assert.equal(size, all.get(name)!.length);
      assert.equal(hash, sha256(all.get(name)!));
    }
  });

  test('a bad input wheel: one line naming it, and OUT neither created nor touched', async () => {
    const dir = freshDir();
    const good = await writeWheel(dir, SPECS[0]!);
    const entries = wheelEntries(SPECS[3]!).map((e) => (e.name === 'gamma.py' ? { ...e, data: Buffer.from('G = 4\n') } : e));
    const bad = await writeWheel(dir, SPECS[3]!, entries);
    const outDir = freshDir();
    const out = path.join(outDir, 'wheelhouse.zip');
    await assert.rejects(createBundle(out, [good, bad]), (e: SidewheelError) => {
      assert.equal(e.code, 'BAD_WHEEL');
      assert.equal(e.message, 'gamma-3.0-py2.py3-none-any.whl: gamma.py does not match its RECORD hash');
      return true;
    });
    assert.deepEqual(readdirSync(outDir), [], 'something was written');

    writeFileSync(out, 'the previous bundle');
    await assert.rejects(createBundle(out, [good, bad]), /does not match its RECORD hash/);
    assert.equal(readFileSync(out, 'utf8'), 'the previous bundle');
    assert.deepEqual(readdirSync(outDir), ['wheelhouse.zip'], 'a temporary file was left behind');
  });

  test('refuses a wheel whose Requires-Python is not a specifier (manifest readers would refuse the whole bundle)', async () => {
    const dir = freshDir();
    const bad = await writeWheel(dir, { name: 'odd', version: '1.0', metadata: ['Requires-Python: >=3.8, !="3.9"'] });
    const out = path.join(dir, 'odd.zip');
    await assert.rejects(createBundle(out, [bad]), (e: SidewheelError) => {
      assert.equal(e.code, 'BAD_WHEEL');
      assert.equal(e.message, 'odd-1.0-py3-none-any.whl: Requires-Python ">=3.8, !=\\"3.9\\"" is not a valid version specifier');
      return true;
    });
    assert.equal(existsSync(out), false);
  });

  test('refuses duplicate file names, a wheel-named OUT, nothing to bundle, missing inputs and unwritable OUT', async () => {
    const { files } = await fixtureWheels();
    const other = freshDir();
    const copy = await writeWheel(other, SPECS[0]!);
    const outDir = freshDir();
    const out = path.join(outDir, 'b.zip');
    const refused = async (p: Promise<unknown>, code: string, message: RegExp): Promise<void> => {
      await assert.rejects(p, (e: SidewheelError) => {
        assert.equal(e.code, code);
        assert.match(e.message, message);
        return true;
      });
    };
    await refused(createBundle(out, [files[0]!, copy]), 'USAGE', /^Alpha_Pkg-1\.0-py3-none-any\.whl is given twice \(.+ and .+\)$/);
    await refused(createBundle(out, [files[0]!, files[0]!]), 'USAGE', /is given twice/);
    await refused(createBundle(path.join(outDir, 'x-1.0-py3-none-any.whl'), files), 'USAGE', /may not be named like a wheel/);
    await refused(createBundle(out, [freshDir()]), 'USAGE', /^no wheels to bundle$/);
    await refused(createBundle(out, [path.join(other, 'missing.whl')]), 'BAD_WHEEL', /missing\.whl: cannot read \(no such file or directory\)/);
    await refused(createBundle(out, [...files, path.join(tmp.dir, 'nope')]), 'BAD_WHEEL', /nope: cannot read \(no such file or directory\)$/);
    await refused(createBundle(path.join(outDir, 'no', 'such', 'dir.zip'), files), 'IO', /cannot write the bundle \(its directory does not exist\)/);
    assert.deepEqual(readdirSync(outDir), []);
  });

  test('the CLI prints one line per wheel and a summary', async () => {
    const { files, house, all } = await fixtureWheels();
    const out = path.join(freshDir(), 'cli.zip');
    const program = new Command('sidewheel').exitOverride();
    registerBundle(program);
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => {
      lines.push(...chunk.split('\n').filter(Boolean));
      return true;
    }) as typeof process.stdout.write;
    try {
      await program.parseAsync(['node', 'sidewheel', 'bundle', 'create', out, ...files, house]);
    } finally {
      process.stdout.write = write;
    }
    const names = [...all.keys()].sort();
    assert.deepEqual(lines.slice(0, -1), names.map((n) => `added ${n} (${all.get(n)!.length} bytes)`));
    assert.equal(lines.at(-1), `wrote ${out}: ${names.length} wheels, ${readFileSync(out).length} bytes`);
  });
});

describe('openBundle', () => {
  interface Corruption {
    readonly title: string;
    readonly corrupt: (bytes: Buffer, all: Map<string, Buffer>) => Promise<Buffer>;
    readonly reason: RegExp;
  }
  const flipAt = (bytes: Buffer, offset: number): Buffer => {
    const out = Buffer.from(bytes);
    out[offset]! ^= 0x20;
    return out;
  };
  const rezipped = async (bytes: Buffer, edit: (entries: ZipEntry[]) => ZipEntry[]): Promise<Buffer> => writeZip(edit(await zipEntries(bytes)));
  const editManifest = (edit: (text: string) => string) => (bytes: Buffer): Promise<Buffer> =>
    rezipped(bytes, (entries) => entries.map((e) => (e.name === MANIFEST_NAME ? { ...e, data: Buffer.from(edit(e.data.toString('utf8'))) } : e)));
  const BETA = 'beta-0.1-cp311-cp311-linux_x86_64.whl';

  const cases: Corruption[] = [
    {
      title: 'a flipped byte inside a wheel',
      corrupt: async (bytes, all) => flipAt(bytes, bytes.indexOf(all.get(BETA)!) + 100),
      reason: /^wheelhouse\.zip: beta-0\.1-cp311-cp311-linux_x86_64\.whl does not match its sha256 in pylock\.toml$/,
    },
    {
      title: 'a flipped byte in the manifest (even in a comment)',
      corrupt: async (bytes) => flipAt(bytes, bytes.indexOf('# A sidewheel bundle') + 5),
      reason: /^wheelhouse\.zip: pylock\.toml is corrupted \(its CRC-32 does not match\)$/,
    },
    {
      title: 'a listed hash changed (the manifest rewritten consistently)',
      corrupt: editManifest((t) => t.replace(/(gamma[^\n]*sha256 = ")(.)/, (_m, head: string, digit: string) => head + (digit === '0' ? '1' : '0'))),
      reason: /^wheelhouse\.zip: gamma-3\.0-py2\.py3-none-any\.whl does not match its sha256 in pylock\.toml$/,
    },
    {
      title: 'a local header naming another file than the central directory does',
      corrupt: async (bytes) => flipAt(bytes, 30 + 2), // the first local header's name, "pylock.toml"
      reason: /^wheelhouse\.zip: entry pylock\.toml is corrupted \(its local header's file name differs from the central directory's\)$/,
    },
    { title: 'a truncated bundle', corrupt: async (bytes) => bytes.subarray(0, bytes.length - 30), reason: /^wheelhouse\.zip: not a valid zip archive \(/ },
    { title: 'a bundle cut in half', corrupt: async (bytes) => bytes.subarray(0, bytes.length >> 1), reason: /^wheelhouse\.zip: not a valid zip archive \(/ },
    { title: 'an empty file', corrupt: async () => Buffer.alloc(0), reason: /^wheelhouse\.zip: not a valid zip archive/ },
    {
      title: 'a listed wheel removed',
      corrupt: (bytes) => rezipped(bytes, (es) => es.filter((e) => e.name !== BETA)),
      reason: /^wheelhouse\.zip: pylock\.toml lists beta-0\.1-cp311-cp311-linux_x86_64\.whl, which is not in the bundle$/,
    },
    {
      title: 'an unlisted wheel added',
      corrupt: (bytes) => rezipped(bytes, (es) => [...es, { name: 'extra-1.0-py3-none-any.whl', data: Buffer.from('x') }]),
      reason: /^wheelhouse\.zip: extra-1\.0-py3-none-any\.whl is in the bundle but pylock\.toml does not list it$/,
    },
    {
      title: 'an unlisted other file added',
      corrupt: (bytes) => rezipped(bytes, (es) => [...es, { name: 'notes/readme.txt', data: Buffer.from('x') }]),
      reason: /^wheelhouse\.zip: unexpected entry "notes\/readme\.txt"; a bundle holds only pylock\.toml and wheels, at its root$/,
    },
    {
      title: 'a wheel replaced by another with the same name',
      corrupt: (bytes) => rezipped(bytes, (es) => es.map((e) => (e.name === BETA ? { ...e, data: Buffer.concat([e.data, Buffer.from('!')]) } : e))),
      reason: /^wheelhouse\.zip: beta-0\.1-cp311-cp311-linux_x86_64\.whl is \d+ bytes, pylock\.toml says \d+$/,
    },
    {
      title: 'no manifest',
      corrupt: (bytes) => rezipped(bytes, (es) => es.filter((e) => e.name !== MANIFEST_NAME)),
      reason: /^wheelhouse\.zip: no pylock\.toml at its root: not a bundle$/,
    },
    {
      title: 'a manifest that is not TOML',
      corrupt: editManifest((t) => t.replace('created-by = "sidewheel"', 'created-by = "sidewheel')),
      reason: /^wheelhouse\.zip: pylock\.toml does not parse as TOML \(line 5: control characters are not allowed in strings\)$/,
    },
    {
      title: 'a manifest that is not UTF-8',
      corrupt: (bytes) => rezipped(bytes, (es) => es.map((e) => (e.name === MANIFEST_NAME ? { ...e, data: Buffer.concat([e.data, Buffer.from([0xff])]) } : e))),
      reason: /^wheelhouse\.zip: pylock\.toml is not UTF-8 text$/,
    },
    {
      title: 'a manifest with a wrong size',
      corrupt: editManifest((t) => t.replace(/size = (\d+)/, (_m, n: string) => `size = ${Number(n) + 1}`)),
      reason: /^wheelhouse\.zip: Alpha_Pkg-1\.0-py3-none-any\.whl is \d+ bytes, pylock\.toml says \d+$/,
    },
    {
      title: 'a manifest listing a wheel twice',
      corrupt: editManifest((t) => t.replace(/(  \{ name = "gamma[^\n]*\n)/, '$1$1')),
      reason: /^wheelhouse\.zip: pylock\.toml lists gamma-3\.0-py2\.py3-none-any\.whl twice$/,
    },
    {
      title: 'a manifest listing a wheel under another project',
      corrupt: editManifest((t) => t.replace('name = "gamma"', 'name = "delta"')),
      reason: /^wheelhouse\.zip: pylock\.toml lists gamma-3\.0-py2\.py3-none-any\.whl under package delta$/,
    },
    {
      title: 'a manifest listing a wheel under another version',
      corrupt: editManifest((t) => t.replace('version = "3.0"', 'version = "3.1"')),
      reason: /^wheelhouse\.zip: pylock\.toml lists gamma-3\.0-py2\.py3-none-any\.whl under version 3\.1 of gamma$/,
    },
    {
      title: 'a manifest without a hash',
      corrupt: editManifest((t) => t.replace(/, hashes = \{ sha256 = "[0-9a-f]+" \}(?= \},\n\]\n*$)/, '')),
      reason: /^wheelhouse\.zip: pylock\.toml gives gamma-3\.0-py2\.py3-none-any\.whl no valid sha256 hash$/,
    },
    {
      title: 'a manifest whose size is a float',
      corrupt: editManifest((t) => t.replace(/size = (\d+)/, 'size = $1.0')),
      reason: /^wheelhouse\.zip: pylock\.toml gives Alpha_Pkg-1\.0-py3-none-any\.whl no valid size$/,
    },
    {
      title: 'a manifest path that leaves the bundle',
      corrupt: editManifest((t) => t.replace(/path = "gamma/, 'path = "../gamma')),
      reason: /^wheelhouse\.zip: pylock\.toml package gamma wheels\[0\] has path "\.\.\/gamma-3\.0-py2\.py3-none-any\.whl"; a bundle's wheels are files at its root$/,
    },
    {
      title: 'a lock-version this reader does not know',
      corrupt: editManifest((t) => t.replace('lock-version = "1.0"', 'lock-version = "2.0"')),
      reason: /^wheelhouse\.zip: pylock\.toml has lock-version 2\.0; only 1\.x is supported$/,
    },
    {
      title: 'a package with a marker',
      corrupt: editManifest((t) => t.replace('name = "gamma"', 'name = "gamma"\nmarker = "sys_platform == \'win32\'"')),
      reason: /^wheelhouse\.zip: pylock\.toml package gamma has a marker; bundles with markers are not supported$/,
    },
  ];

  for (const c of cases) {
    test(`refuses ${c.title}`, async () => {
      const { bundle, all } = await makeBundle();
      writeFileSync(bundle, await c.corrupt(readFileSync(bundle), all));
      const e = await refusal(bundle);
      assert.match(e.message, c.reason);
    });
  }

  test('refuses a file that is not there, or a directory', async () => {
    assert.match((await refusal(path.join(tmp.dir, 'nowhere.zip'))).message, /^nowhere\.zip: cannot read \(no such file\)$/);
    const dir = path.join(freshDir(), 'dir.zip');
    mkdirSync(dir);
    assert.match((await refusal(dir)).message, /^dir\.zip: cannot read \(it is a directory\)$/);
  });

  test('every single flipped byte is refused, or changes nothing that is returned', async () => {
    const dir = freshDir();
    const small = [await writeWheel(dir, { name: 'tiny', version: '1.0' }), await writeWheel(dir, { name: 'small', version: '2.0', files: { 's.py': 'S = 1\n' } })];
    const file = path.join(dir, 'small.zip');
    await createBundle(file, small, { sourceDateEpoch: '' });
    const original = readFileSync(file);
    const expected = (await openBundle(file)).wheels.map((w) => [w.fileName, w.sha256, w.requiresPython]);
    let refused = 0;
    for (let i = 0; i < original.length; i++) {
      writeFileSync(file, flipAt(original, i));
      try {
        const bundle = await openBundle(file);
        const got = bundle.wheels.map((w) => [w.fileName, sha256(rangeBytes(w.range)), w.requiresPython]);
        assert.deepEqual(got, expected, `a flip at offset ${i} changed what openBundle returned`);
      } catch (e) {
        if (e instanceof assert.AssertionError) throw e;
        assert.ok(e instanceof SidewheelError && e.code === 'BAD_BUNDLE', `offset ${i}: ${(e as Error).stack}`);
        assert.ok(e.message.startsWith('small.zip: ') && !e.message.includes('\n'), e.message);
        refused++;
      }
    }
    // Only bookkeeping no reader goes by (times, version fields, attributes, disk numbers) may go unnoticed.
    assert.ok(refused > original.length * 0.95, `only ${refused} of ${original.length} flips refused`);
  });

  test('accepts a pylock.toml written by another tool, zipped with its wheels', async () => {
    const dir = freshDir();
    const file = await writeWheel(dir, SPECS[3]!);
    const bytes = readFileSync(file);
    const name = path.basename(file);
    // tomli_w's layout: [[packages.wheels]] headers, "./" paths, datetimes, keys sidewheel does not write.
    const lock = `lock-version = '1.0'
created-by = 'other-tool'
environments = ["sys_platform == 'linux'"]
requires-python = ">=3.8"
extras = []
dependency-groups = []

[[packages]]
name = "Gamma"
version = "3.0.0"
index = "https://pypi.org/simple/"

[[packages.wheels]]
url = "https://example.invalid/${name}"
path = "./${name}"
upload-time = 2025-01-25T11:30:10.164985+00:00
size = ${bytes.length}

[packages.wheels.hashes]
sha256 = "${sha256(bytes).toUpperCase()}"
blake2b = "not checked"

[tool.other-tool]
command = ["lock"]
`;
    const bundle = path.join(dir, 'other.bundle');
    writeFileSync(bundle, writeZip([{ name, data: bytes }, { name: MANIFEST_NAME, data: Buffer.from(lock) }]));
    assert.equal(await isBundle(bundle), true);
    const opened = await openBundle(bundle);
    assert.equal(opened.requiresPython, '>=3.8');
    assert.deepEqual(
      opened.wheels.map((w) => [w.fileName, w.name, w.version]),
      [[name, 'gamma', '3.0.0']],
    );
  });

  test('refuses manifests that need more than the wheels inside', () => {
    const wheelName = 'gamma-3.0-py3-none-any.whl';
    const base = (extra: string, wheel = `{ path = "${wheelName}", size = 1, hashes = { sha256 = "${'0'.repeat(64)}" } }`): string =>
      `lock-version = "1.0"\ncreated-by = "x"\n[[packages]]\nname = "gamma"\n${extra}\nwheels = [${wheel}]\n`;
    assert.doesNotThrow(() => parseManifest(base('')));
    assert.throws(() => parseManifest(base('sdist = { path = "g.tar.gz", hashes = { sha256 = "0" } }')), /package gamma has a sdist; a bundle carries wheels only/);
    assert.throws(() => parseManifest(base('', `{ url = "https://x/${wheelName}", size = 1, hashes = { sha256 = "${'0'.repeat(64)}" } }`)), /has no path/);
    assert.throws(() => parseManifest(base('', `{ name = "other.whl", path = "${wheelName}", size = 1, hashes = { sha256 = "${'0'.repeat(64)}" } }`)), /is named other\.whl but its path is/);
    assert.throws(() => parseManifest(base('', `{ path = "gamma.zip", size = 1, hashes = { sha256 = "${'0'.repeat(64)}" } }`)), /lists gamma\.zip, which is not a wheel file name \(it does not end in \.whl\)/);
    assert.throws(() => parseManifest(base('requires-python = ">=3.8,=3"')), /package gamma: requires-python ">=3\.8,=3" is not a valid version specifier/);
    assert.throws(() => parseManifest('requires-python = "3"\n' + base('')), /the top level: requires-python "3" is not a valid version specifier/);
    assert.throws(() => parseManifest('lock-version = "1.0"\npackages = []\n'), /lists no packages/);
    assert.throws(() => parseManifest('created-by = "x"\n'), /has no lock-version/);
  });

  /** What the installer does with a bundled wheel: validate it in full from its bytes. */
  const openBundledWheel = (bundle: Bundle, wheel: BundleWheel): ReturnType<typeof openWheel> => openWheel(wheel.range, { dest: null, file: path.join(bundle.file, wheel.fileName) });

  test('a bundled wheel is validated in full when installed, beyond openBundle\'s check against the manifest', async () => {
    const { bundle } = await makeBundle();
    const opened = await openBundle(bundle);
    const wheel = await openBundledWheel(opened, opened.wheels[0]!);
    assert.equal(wheel.name, 'Alpha.Pkg');
    assert.equal(wheel.sha256, opened.wheels[0]!.sha256);
    assert.equal(wheel.source, path.join(bundle, opened.wheels[0]!.fileName));

    // A wheel whose RECORD is wrong, bundled by a tool that did not look inside it.
    const spec: WheelSpec = { name: 'liar', version: '1.0', files: { 'liar.py': 'x = 1\n' } };
    const entries = wheelEntries(spec).map((e) => (e.name === 'liar.py' ? { ...e, data: Buffer.from('x = 2\n') } : e));
    const bytes = writeZip(entries);
    const name = 'liar-1.0-py3-none-any.whl';
    const manifest = renderManifest([{ fileName: name, name: 'liar', version: '1.0', requiresPython: null, size: bytes.length, sha256: sha256(bytes) }]);
    const file = path.join(freshDir(), 'liar.zip');
    writeFileSync(file, writeZip([{ name: MANIFEST_NAME, data: Buffer.from(manifest) }, { name, data: bytes }]));
    const liar = await openBundle(file);
    await assert.rejects(openBundledWheel(liar, liar.wheels[0]!), /liar-1\.0-py3-none-any\.whl: liar\.py does not match its RECORD hash/);
  });
});

describe('isBundle', () => {
  test('a zip with pylock.toml at its root, whatever its name; never a wheel, never throws', async () => {
    const { bundle } = await makeBundle();
    const dir = freshDir();
    assert.equal(await isBundle(bundle), true);
    const renamed = path.join(dir, 'wheelhouse');
    writeFileSync(renamed, readFileSync(bundle));
    assert.equal(await isBundle(renamed), true, 'detection is by content');
    const wheel = await writeWheel(dir, SPECS[0]!);
    assert.equal(await isBundle(wheel), false);
    const zip = path.join(dir, 'plain.zip');
    writeFileSync(zip, writeZip([{ name: 'sub/pylock.toml', data: Buffer.from('') }, { name: 'a.txt', data: Buffer.from('a') }]));
    assert.equal(await isBundle(zip), false);
    const text = path.join(dir, 'requirements.txt');
    writeFileSync(text, 'pkg<2\n');
    assert.equal(await isBundle(text), false);
    assert.equal(await isBundle(path.join(dir, 'pkg<2')), false);
    assert.equal(await isBundle(dir), false);
    const truncated = path.join(dir, 'truncated.zip');
    writeFileSync(truncated, readFileSync(bundle).subarray(0, 100));
    assert.equal(await isBundle(truncated), false);
    assert.equal(existsSync(truncated), true);
  });
});

describe('the manifest writer', () => {
  test('tomlString round-trips every awkward string through Python\'s tomllib', (t) => {
    const python = pythonsAtLeast(3, 11).pop();
    if (!python) return t.skip('no Python >= 3.11 for tomllib');
    const strings = ['plain', 'quote " and backslash \\', 'tab\tnewline\nreturn\r', 'ctrl \u0001 \u001f del \u007f', 'unicode é 😀', ''];
    const doc = strings.map((s, i) => `s${i} = ${tomlString(s)}`).join('\n') + '\n';
    const r = spawnSync(python.executable, ['-c', 'import sys, tomllib, json; print(json.dumps(tomllib.loads(sys.stdin.read())))'], { input: doc, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), Object.fromEntries(strings.map((s, i) => [`s${i}`, s])));
  });

  test('hostile nesting in a manifest is refused, not a crash', () => {
    assert.throws(() => parseManifest(`a = ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`), /does not parse as TOML/);
  });
});
