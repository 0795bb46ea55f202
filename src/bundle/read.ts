/**
 * Open a bundle and prove it intact before anything is returned: the zip is read
 * strictly (yauzl, as wheels are), the manifest's CRC-32 is checked (nothing else
 * covers its bytes), and every wheel's size and sha256 must match the manifest, with
 * every wheel in the zip listed and every listed wheel present. Any difference is one
 * BAD_BUNDLE line naming the bundle and what is wrong. The wheels themselves are then
 * validated like any other wheel by whoever installs them (src/sources/load.ts, read in place).
 *
 * Detection (isBundle): by content, not by extension. A bundle is a zip with
 * `pylock.toml` at its root; any name but `*.whl` will do (`wheelhouse.zip` is
 * natural, so file managers and unzip know it). An installer checks `.whl` first, so a
 * wheel is never taken for a bundle; isBundle reads only the zip's central directory,
 * not its data, so asking is cheap even for a large bundle. openBundle then applies the
 * strict rules (only wheels besides the manifest, all at the root) with precise errors,
 * rather than a zip that breaks one of them being silently "not a bundle".
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SidewheelError } from '../errors.js';
import type { Tag } from '../names.js';
import { crc32, fileEntries, sha256Of, ZipFile, type ByteRange, type LocalHeader, type ZipEntry } from '../wheel/archive.js';
import { MANIFEST_NAME, ManifestError, parseManifest, type Manifest } from './manifest.js';

export interface BundleWheel {
  readonly fileName: string;
  /** PEP 503-normalized project name, as the manifest lists it. */
  readonly name: string;
  /** The version the manifest lists it under (sidewheel always writes one). */
  readonly version: string | null;
  /** Where the wheel's bytes sit inside the bundle (stored, verified against the manifest's size and sha256). */
  readonly range: ByteRange;
  /** Lower-case hex sha256 of the wheel. */
  readonly sha256: string;
  readonly requiresPython: string | null;
  /** Expanded from the file name (pylock.toml has no tag field). */
  readonly tags: readonly Tag[];
}

export interface Bundle {
  readonly file: string;
  /** The lock file's top-level requires-python (sidewheel writes none; other tools may). */
  readonly requiresPython: string | null;
  /** Sorted by file name. */
  readonly wheels: readonly BundleWheel[];
}

export async function openBundle(file: string): Promise<Bundle> {
  const label = path.basename(file);
  const fail = (problem: string, hint?: string): SidewheelError => new SidewheelError('BAD_BUNDLE', `${label}: ${problem}`, hint);
  const zip = asBundleError(() => ZipFile.open(file), file);
  try {
    const entries = asBundleError(() => fileEntries(zip), file);
    const byName = new Map(entries.map((e) => [e.name, e]));

    const manifestEntry = byName.get(MANIFEST_NAME);
    if (!manifestEntry) throw fail(`no ${MANIFEST_NAME} at its root: not a bundle`, 'bundles are made by `sidewheel bundle create`');
    const locals = checkedLocalHeaders(zip, file, entries, fail);
    const manifest = readManifest(asBundleError(() => zip.readSmall(manifestEntry), file), manifestEntry, fail);

    const listed = new Set(manifest.wheels.map((w) => w.fileName));
    for (const entry of entries) {
      if (entry.name === MANIFEST_NAME || listed.has(entry.name)) continue;
      if (entry.name.includes('/') || !entry.name.endsWith('.whl')) {
        throw fail(`unexpected entry ${JSON.stringify(entry.name)}; a bundle holds only ${MANIFEST_NAME} and wheels, at its root`);
      }
      throw fail(`${entry.name} is in the bundle but ${MANIFEST_NAME} does not list it`);
    }

    const wheels: BundleWheel[] = [];
    for (const w of manifest.wheels) {
      const entry = byName.get(w.fileName);
      if (!entry) throw fail(`${MANIFEST_NAME} lists ${w.fileName}, which is not in the bundle`);
      if (entry.size !== w.size) throw fail(`${w.fileName} is ${entry.size} bytes, ${MANIFEST_NAME} says ${w.size}`);
      // Stored wheels (all of sidewheel's) are read in place; another tool's compressed ones are inflated to a file once.
      const range = entry.method === 0 ? { file, offset: locals.get(entry.name)!.dataStart, size: entry.size } : await asBundleErrorAsync(() => inflatedCopy(zip, entry), file);
      const sha256 = sha256Of(range);
      if (sha256 !== w.sha256) {
        throw fail(`${w.fileName} does not match its sha256 in ${MANIFEST_NAME}`, 'the bundle is corrupted or was tampered with');
      }
      wheels.push({ fileName: w.fileName, name: w.name, version: w.version, range, sha256, requiresPython: w.requiresPython, tags: w.tags });
    }
    return { file, requiresPython: manifest.requiresPython, wheels };
  } finally {
    zip.close();
  }
}

/** A compressed member inflated into a private temporary file, removed when the process exits. */
async function inflatedCopy(zip: ZipFile, entry: ZipEntry): Promise<ByteRange> {
  inflatedDir ??= makeInflatedDir();
  const target = path.join(inflatedDir, String(inflatedCount++));
  const fd = fs.openSync(target, 'wx', 0o600);
  try {
    await zip.stream(entry, (chunk) => {
      for (let done = 0; done < chunk.length; ) done += fs.writeSync(fd, chunk, done, chunk.length - done);
    });
  } finally {
    fs.closeSync(fd);
  }
  return { file: target, offset: 0, size: entry.size };
}

let inflatedDir: string | undefined;
let inflatedCount = 0;

function makeInflatedDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sidewheel-bundle-'));
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The strict zip reader's errors, reworded for a bundle. */
async function asBundleErrorAsync<T>(read: () => Promise<T>, file: string): Promise<T> {
  try {
    return await read();
  } catch (e) {
    throw rebadged(e, file);
  }
}

function asBundleError<T>(read: () => T, file: string): T {
  try {
    return read();
  } catch (e) {
    throw rebadged(e, file);
  }
}

function rebadged(e: unknown, file: string): unknown {
  if (!(e instanceof SidewheelError && e.code === 'BAD_WHEEL')) return e;
  const message = e.message.startsWith(`${file}: `) ? `${path.basename(file)}: ${e.message.slice(file.length + 2)}` : e.message;
  const hint = message.includes(': cannot read (') ? undefined : 'the bundle may be truncated or corrupted; copy it again';
  return new SidewheelError('BAD_BUNDLE', message, hint, { cause: e });
}

function readManifest(data: Buffer, entry: ZipEntry, fail: (problem: string, hint?: string) => SidewheelError): Manifest {
  // Nothing else covers the manifest's bytes: a flip in a comment would otherwise pass.
  if (entry.crc32 !== crc32(data)) throw fail(`${MANIFEST_NAME} is corrupted (its CRC-32 does not match)`, 'the bundle is corrupted; copy it again');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw fail(`${MANIFEST_NAME} is not UTF-8 text`);
  }
  try {
    return parseManifest(text);
  } catch (e) {
    if (e instanceof ManifestError) throw fail(`${MANIFEST_NAME} ${e.message}`);
    throw e;
  }
}

/**
 * Every local header, after checking that it agrees with its central entry. The
 * central directory is what this reader (like unzip) trusts; streaming unzippers read
 * the local headers, and Python's zipfile compares the names: a bundle must read the
 * same by either route. Times and "version needed" may differ; nothing reads the data by them.
 */
function checkedLocalHeaders(zip: ZipFile, file: string, entries: readonly ZipEntry[], fail: (problem: string, hint?: string) => SidewheelError): Map<string, LocalHeader> {
  const locals = new Map<string, LocalHeader>();
  for (const entry of entries) {
    const local = asBundleError(() => zip.localHeader(entry), file);
    const field = localHeaderMismatch(entry, local);
    if (field) throw fail(`entry ${entry.name} is corrupted (its local header's ${field} differs from the central directory's)`, 'the bundle is corrupted; copy it again');
    locals.set(entry.name, local);
  }
  return locals;
}

const ZIP64_MARKER = 0xffffffff;
const DATA_DESCRIPTOR_FLAG = 0x8;

function localHeaderMismatch(entry: ZipEntry, local: LocalHeader): string | null {
  if (!local.nameRaw.equals(entry.nameRaw)) return 'file name';
  if (local.method !== entry.method) return 'compression method';
  // With a data descriptor the local CRC and sizes are zero by design; zip64 puts them elsewhere.
  if (local.flags & DATA_DESCRIPTOR_FLAG) return null;
  if (local.crc32 !== entry.crc32) return 'CRC-32';
  if (local.compressedSize !== ZIP64_MARKER && local.compressedSize !== entry.compressedSize) return 'compressed size';
  if (local.size !== ZIP64_MARKER && local.size !== entry.size) return 'size';
  return null;
}

/**
 * Whether `file` is a bundle: a zip with pylock.toml at its root (see the top of this
 * file). Reads the central directory only; never throws (unreadable means "no").
 */
export async function isBundle(file: string): Promise<boolean> {
  if (file.endsWith('.whl')) return false;
  try {
    const zip = ZipFile.open(file);
    zip.close();
    return zip.entries.some((e) => e.name === MANIFEST_NAME);
  } catch {
    return false;
  }
}
