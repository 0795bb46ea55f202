/**
 * `bundle create`: many wheels as one plain zip, the wheels stored byte for byte
 * (STORED, no recompression) beside a pylock.toml manifest, so any unzip restores the
 * wheelhouse and any PEP 751 reader can verify it.
 *
 * Reproducible: the same wheels, named in any order, give the same bytes — entries
 * sorted (manifest first, then wheels by file name), one fixed timestamp (1980-01-01,
 * or SOURCE_DATE_EPOCH), fixed modes, DOS timestamps only (no extra fields), no comment.
 *
 * All or nothing: every input is validated with openWheel before anything is written,
 * and the zip goes to a temporary file beside OUT that is renamed over it, so OUT is
 * either the new bundle or whatever it was before.
 */
import { randomBytes } from 'node:crypto';
import fsSync, { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { SidewheelError } from '../errors.js';
import { SpecifierSet } from '../versions.js';
import { openWheel, type Wheel } from '../wheel/wheel.js';
import type { ByteRange } from '../wheel/archive.js';
import { MANIFEST_NAME, renderManifest, type ManifestInput } from './manifest.js';
import { writeStoredZip } from './stored-zip.js';

export interface BundledWheel extends ManifestInput {
  /** Where the wheel was read from. */
  readonly source: string;
}

export interface CreatedBundle {
  readonly file: string;
  /** The bundle's size in bytes. */
  readonly size: number;
  /** Sorted by file name, as stored. */
  readonly wheels: readonly BundledWheel[];
  /** Wheel warnings (a newer Wheel-Version minor), one line each. */
  readonly warnings: readonly string[];
}

export interface CreateOptions {
  /** Seconds since the epoch for every entry's timestamp; default $SOURCE_DATE_EPOCH, else 1980-01-01. */
  readonly sourceDateEpoch?: string | undefined;
}

const FILE_MODE = 0o100644;

export async function createBundle(out: string, inputs: readonly string[], options: CreateOptions = {}): Promise<CreatedBundle> {
  if (out.endsWith('.whl')) {
    throw new SidewheelError('USAGE', `${out}: a bundle may not be named like a wheel`, 'name it e.g. wheelhouse.zip');
  }
  const mtime = entryTimestamp(options.sourceDateEpoch ?? process.env.SOURCE_DATE_EPOCH);
  const files = await expandInputs(inputs);
  checkUnique(files);
  if (files.length === 0) throw new SidewheelError('USAGE', 'no wheels to bundle', 'name wheel files, or directories that hold *.whl files');

  const wheels: Array<BundledWheel & { readonly range: ByteRange }> = [];
  const warnings: string[] = [];
  for (const file of files) {
    // Validated in full (every member inflated and hashed), nothing unpacked anywhere.
    const wheel = await openWheel(file, { dest: null });
    warnings.push(...wheel.warnings);
    wheels.push({
      fileName: wheel.filename.filename,
      source: file,
      name: wheel.name,
      version: wheel.version,
      requiresPython: requiresPythonOf(wheel),
      size: wheel.archive.size,
      sha256: wheel.sha256,
      range: wheel.archive,
    });
  }
  wheels.sort((a, b) => (a.fileName < b.fileName ? -1 : 1));

  const manifest = Buffer.from(renderManifest(wheels), 'utf8');
  const members = [{ name: MANIFEST_NAME, source: manifest }, ...wheels.map((w) => ({ name: w.fileName, source: w.range }))];
  const size = await writeAtomically(out, (fd) => writeStoredZip(fd, members, { mtime, mode: FILE_MODE }));
  return { file: out, size, wheels: wheels.map(({ range: _range, ...rest }) => rest), warnings };
}

/**
 * Requires-Python goes into the manifest, whose readers parse it as a specifier set
 * (packaging's pylock module refuses the whole file otherwise): a wheel whose
 * Requires-Python does not parse is refused here, as an installer would refuse it.
 */
function requiresPythonOf(wheel: Wheel): string | null {
  const value = wheel.metadata.get('Requires-Python')?.trim();
  if (!value) return null;
  try {
    new SpecifierSet(value);
  } catch (e) {
    if (!(e instanceof SidewheelError)) throw e;
    throw new SidewheelError('BAD_WHEEL', `${wheel.filename.filename}: Requires-Python ${JSON.stringify(value)} is not a valid version specifier`);
  }
  return value;
}

/** Files as given, and each directory's `*.whl` files (not recursive), in a stable order. */
async function expandInputs(inputs: readonly string[]): Promise<string[]> {
  const files: string[] = [];
  for (const input of inputs) {
    const stat = await statOrNull(input);
    if (!stat) throw new SidewheelError('BAD_WHEEL', `${input}: cannot read (no such file or directory)`);
    if (!stat.isDirectory()) {
      files.push(input);
      continue;
    }
    for (const name of (await fs.readdir(input)).sort()) {
      const file = path.join(input, name);
      if (name.endsWith('.whl') && (await statOrNull(file))?.isFile()) files.push(file);
    }
  }
  return files;
}

async function statOrNull(file: string): Promise<Stats | null> {
  try {
    return await fs.stat(file);
  } catch {
    return null;
  }
}

/** A bundle's entries are named by the wheels' file names, so two inputs may not share one. */
function checkUnique(files: readonly string[]): void {
  const seen = new Map<string, string>();
  for (const file of files) {
    const name = path.basename(file);
    const first = seen.get(name);
    if (first !== undefined) {
      throw new SidewheelError('USAGE', `${name} is given twice (${first} and ${file})`, 'a bundle holds each wheel file name once');
    }
    seen.set(name, file);
  }
}

const DOS_EPOCH_SECONDS = Date.UTC(1980, 0, 1) / 1000;
const DOS_LAST_SECONDS = Date.UTC(2107, 11, 31, 23, 59, 58) / 1000;

/**
 * The one timestamp every entry gets. yazl writes DOS times from a Date's *local*
 * fields, so the wanted UTC fields are put into a local Date: the bytes then do not
 * depend on the machine's time zone. DOS times cover 1980-2107 only; outside, clamp.
 */
export function entryTimestamp(sourceDateEpoch: string | undefined): Date {
  let seconds = DOS_EPOCH_SECONDS;
  if (sourceDateEpoch !== undefined && sourceDateEpoch !== '') {
    if (!/^\d+$/.test(sourceDateEpoch)) {
      throw new SidewheelError('USAGE', `SOURCE_DATE_EPOCH=${JSON.stringify(sourceDateEpoch)} is not a whole number of seconds`);
    }
    seconds = Math.min(Math.max(Number(sourceDateEpoch), DOS_EPOCH_SECONDS), DOS_LAST_SECONDS);
  }
  const utc = new Date(seconds * 1000);
  return new Date(utc.getUTCFullYear(), utc.getUTCMonth(), utc.getUTCDate(), utc.getUTCHours(), utc.getUTCMinutes(), utc.getUTCSeconds());
}

const WRITE_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'its directory does not exist',
  ENOTDIR: 'its directory does not exist',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ENOSPC: 'no space left on the device',
};

/** Write into a temporary file beside `out`, flush it to disk, rename it over `out`; returns the size. */
async function writeAtomically(out: string, write: (fd: number) => number): Promise<number> {
  const tmp = path.join(path.dirname(out), `.${path.basename(out)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let size: number;
  try {
    const fd = fsSync.openSync(tmp, 'wx');
    try {
      size = write(fd);
      fsSync.fsyncSync(fd);
    } finally {
      fsSync.closeSync(fd);
    }
    await fs.rename(tmp, out);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    const code = (e as NodeJS.ErrnoException).code ?? '';
    const why = WRITE_ERRORS[code] ?? (e as Error).message;
    throw new SidewheelError('IO', `${out}: cannot write the bundle (${why})`, undefined, { cause: e });
  }
  return size;
}
