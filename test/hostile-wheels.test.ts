/**
 * The hostile and broken wheel corpus: every case is refused by the CLI with one line
 * naming the wheel and the problem, a non-zero exit, and the environment untouched.
 */
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeVenv, runCli, snapshotTree, tempDir } from './helpers/env.js';
import { findPythons } from './helpers/pythons.js';
import { distInfoName, recordFor, wheelEntries, writeWheel, type WheelSpec } from './helpers/wheels.js';
import type { ZipEntry } from './helpers/zip.js';

const python = findPythons().find((p) => p.version[0] === 3 && p.version[1] >= 8);
const base: WheelSpec = {
  name: 'victim',
  version: '1.0',
  files: { 'victim/__init__.py': 'X = 1\n' },
  entryPoints: '[console_scripts]\nvictim = victim:main\n',
};
const distInfo = distInfoName(base);

/** Rebuild RECORD after an edit, so only the intended defect remains. */
function withRecord(entries: ZipEntry[]): ZipEntry[] {
  const rest = entries.filter((e) => e.name !== `${distInfo}/RECORD`);
  return [...rest, { name: `${distInfo}/RECORD`, data: recordFor(rest, `${distInfo}/RECORD`) }];
}

function replaced(name: string, data: string): ZipEntry[] {
  return wheelEntries(base).map((e) => (e.name === name ? { ...e, data: Buffer.from(data) } : e));
}

interface HostileCase {
  readonly title: string;
  /** Writes the wheel into dir and returns its path. */
  readonly make: (dir: string) => Promise<string>;
  readonly reason: RegExp;
}

const extra =
  (name: string, data = 'x') =>
  (dir: string): Promise<string> =>
    writeWheel(dir, base, withRecord([...wheelEntries(base), { name, data: Buffer.from(data) }]));

const cases: HostileCase[] = [
  { title: 'path escaping with ../', make: extra('../escaped.py'), reason: /"\.\.\/escaped\.py" escapes/ },
  { title: 'deep path escaping with ../', make: extra('victim/../../escaped.py'), reason: /escapes with "\.\."/ },
  { title: 'absolute path', make: extra('/tmp/absolute.py'), reason: /absolute path/ },
  { title: 'escape through .data', make: extra('victim-1.0.data/data/../../../escaped'), reason: /escapes with "\.\."/ },
  { title: 'backslash path', make: extra('victim\\..\\..\\evil.py'), reason: /contains a backslash/ },
  {
    title: 'hash mismatch',
    make: (dir) => writeWheel(dir, base, replaced('victim/__init__.py', 'X = 2\n')),
    reason: /victim\/__init__\.py does not match its RECORD hash/,
  },
  {
    title: 'size mismatch',
    make: (dir) => {
      const entries = wheelEntries(base);
      const record = entries.find((e) => e.name.endsWith('/RECORD'))!;
      const bad = record.data.toString().replace(/(victim\/__init__\.py,[^,]+,)\d+/, '$199');
      return writeWheel(dir, base, entries.map((e) => (e === record ? { ...e, data: Buffer.from(bad) } : e)));
    },
    reason: /is 6 bytes, RECORD says 99/,
  },
  {
    title: 'file missing from RECORD',
    make: (dir) => writeWheel(dir, base, [...wheelEntries(base), { name: 'victim/smuggled.py', data: Buffer.from('evil') }]),
    reason: /victim\/smuggled\.py is not listed in RECORD/,
  },
  {
    title: 'no RECORD',
    make: (dir) => writeWheel(dir, base, wheelEntries(base).filter((e) => !e.name.endsWith('/RECORD'))),
    reason: /no victim-1\.0\.dist-info\/RECORD/,
  },
  {
    title: 'md5 hash in RECORD',
    make: (dir) => {
      const entries = wheelEntries(base);
      const record = entries.find((e) => e.name.endsWith('/RECORD'))!;
      const bad = record.data.toString().replace(/victim\/__init__\.py,sha256=[^,]+/, 'victim/__init__.py,md5=AAAA');
      return writeWheel(dir, base, entries.map((e) => (e === record ? { ...e, data: Buffer.from(bad) } : e)));
    },
    reason: /no acceptable hash for victim\/__init__\.py/,
  },
  { title: 'Wheel-Version 2.0', make: (dir) => writeWheel(dir, { ...base, wheelVersion: '2.0' }), reason: /Wheel-Version 2\.0 is not supported/ },
  { title: 'a version that is not PEP 440', make: (dir) => writeWheel(dir, { ...base, version: '2010i' }), reason: /METADATA Version "2010i" is not a PEP 440 version/ },
  {
    title: 'an invalid Requires-Dist',
    make: (dir) => writeWheel(dir, { ...base, metadata: ['Requires-Dist: ok>=1', 'Requires-Dist: foo~=1.2.3po\u017ft1'] }),
    reason: /invalid Requires-Dist: invalid requirement "foo~=1\.2\.3po\u017ft1"/,
  },
  {
    title: 'no .dist-info',
    make: (dir) => writeWheel(dir, base, wheelEntries(base).filter((e) => !e.name.startsWith(distInfo))),
    reason: /no \.dist-info directory/,
  },
  {
    title: 'two .dist-info directories',
    make: (dir) => {
      const other = wheelEntries({ ...base, name: 'other' }).filter((e) => e.name.startsWith('other-1.0.dist-info/METADATA'));
      return writeWheel(dir, base, withRecord([...wheelEntries(base), ...other]));
    },
    reason: /2 \.dist-info directories/,
  },
  {
    title: '.dist-info not matching the file name',
    make: (dir) => writeWheel(dir, { ...base, name: 'other' }, undefined, 'victim-1.0-py3-none-any.whl'),
    reason: /other-1\.0\.dist-info does not match the file name/,
  },
  {
    title: 'METADATA version not matching the file name',
    make: (dir) => writeWheel(dir, base, withRecord(replaced(`${distInfo}/METADATA`, 'Metadata-Version: 2.1\nName: victim\nVersion: 2.0\n\n'))),
    reason: /METADATA says victim 2\.0, the file name says victim 1\.0/,
  },
  { title: 'unknown .data key', make: extra('victim-1.0.data/elsewhere/file'), reason: /unknown \.data key "elsewhere"/ },
  {
    title: 'symlink entry',
    make: (dir) => writeWheel(dir, base, withRecord([...wheelEntries(base), { name: 'victim/link', data: Buffer.from('/etc/passwd'), mode: 0o120777 }])),
    reason: /victim\/link is a symbolic link/,
  },
  {
    title: 'duplicate entry',
    make: (dir) => {
      const entries = wheelEntries(base);
      return writeWheel(dir, base, [...entries, entries[0]!]);
    },
    reason: /appears twice/,
  },
  {
    title: 'entry-point script name escaping the scripts directory',
    make: (dir) => writeWheel(dir, { ...base, entryPoints: '[console_scripts]\n../../evil = victim:main\n' }),
    reason: /script name "\.\.\/\.\.\/evil" would escape the scripts directory/,
  },
  {
    title: 'not a zip at all',
    make: async (dir) => {
      const file = path.join(dir, 'victim-1.0-py3-none-any.whl');
      writeFileSync(file, 'this is not a zip file, just text pretending to be one\n');
      return file;
    },
    reason: /not a valid zip archive/,
  },
  {
    title: 'truncated zip',
    make: async (dir) => {
      const file = await writeWheel(dir, base);
      truncateSync(file, Math.floor(readFileSync(file).length / 2));
      return file;
    },
    reason: /not a valid zip archive/,
  },
  {
    title: 'tags this interpreter does not support',
    make: (dir) => writeWheel(dir, { ...base, tag: 'cp27-cp27mu-win_amd64' }),
    reason: /cp27-cp27mu-win_amd64 is not supported/,
  },
  {
    title: 'a file name that is not a wheel name',
    make: (dir) => writeWheel(dir, base, undefined, 'victim-1.0.whl'),
    reason: /not a wheel file name/,
  },
];

describe('hostile and broken wheels are refused with nothing written', { skip: python ? false : 'no CPython >= 3.8 found' }, () => {
  let work: ReturnType<typeof tempDir>;
  let venvPython: string;
  let venvDir: string;

  before(() => {
    work = tempDir();
    venvDir = path.join(work.dir, 'venv');
    venvPython = makeVenv(python!.executable, venvDir);
  });
  after(() => work.cleanup());

  for (const c of cases) {
    test(c.title, async () => {
      const wheel = await c.make(work.dir);
      const before = snapshotTree(venvDir);
      const r = runCli(['install', '--python', venvPython, wheel]);
      assert.notEqual(r.status, 0, `exit status for ${c.title}`);
      const lines = r.stderr.trimEnd().split('\n');
      assert.match(lines[0]!, /^sidewheel: /);
      assert.ok(lines[0]!.includes(path.basename(wheel)) || /not a wheel file name/.test(lines[0]!), `names the wheel: ${lines[0]}`);
      assert.match(lines[0]!, c.reason);
      assert.ok(lines.length <= 2 && (lines.length === 1 || lines[1]!.startsWith('hint: ')), `one line and a hint, got:\n${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.deepEqual(snapshotTree(venvDir), before, 'environment unchanged');
    });
  }

  test('a newer Wheel-Version minor installs with a warning', async () => {
    const wheel = await writeWheel(work.dir, { ...base, name: 'newer', wheelVersion: '1.9' });
    const r = runCli(['install', '--python', venvPython, '--no-compile', wheel]);
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /Wheel-Version 1\.9 is newer than 1\.0; installing anyway/);
  });

  test('an older Wheel-Version (0.9) installs quietly: (major, minor) compared as pip does', async () => {
    const wheel = await writeWheel(work.dir, { ...base, name: 'older', wheelVersion: '0.9' });
    const r = runCli(['install', '--python', venvPython, '--no-compile', wheel]);
    assert.equal(r.status, 0, r.stderr);
    // Nothing but the line naming the environment acted on: no warning.
    assert.equal(r.stderr.replace(/^sidewheel: acted on .*\n/m, ''), '');
  });
});
