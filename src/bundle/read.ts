/**
 * Open a bundle and prove it intact before anything is returned: the zip is read
 * strictly (yauzl, as wheels are), the manifest's CRC-32 is checked (nothing else
 * covers its bytes), and every wheel's size and sha256 must match the manifest, with
 * every wheel in the zip listed and every listed wheel present. Any difference is one
 * BAD_BUNDLE line naming the bundle and what is wrong. The wheels themselves are then
 * validated like any other wheel by whoever installs them (install/load.ts, from the bytes).
 *
 * Detection (isBundle): by content, not by extension. A bundle is a zip with
 * `pylock.toml` at its root; any name but `*.whl` will do (`wheelhouse.zip` is
 * natural, so file managers and unzip know it). An installer checks `.whl` first, so a
 * wheel is never taken for a bundle; isBundle reads only the zip's central directory,
 * not its data, so asking is cheap even for a large bundle. openBundle then applies the
 * strict rules (only wheels besides the manifest, all at the root) with precise errors,
 * rather than a zip that breaks one of them being silently "not a bundle".
 */
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import yauzl from 'yauzl';
import { SidewheelError } from '../errors.js';
import type { Tag } from '../names.js';
import { readArchiveBytes, type Archive, type ArchiveEntry } from '../wheel/archive.js';
import { MANIFEST_NAME, ManifestError, parseManifest, type Manifest } from './manifest.js';

export interface BundleWheel {
  readonly fileName: string;
  /** PEP 503-normalized project name, as the manifest lists it. */
  readonly name: string;
  /** The version the manifest lists it under (sidewheel always writes one). */
  readonly version: string | null;
  /** The wheel file, verified against the manifest's size and sha256. */
  readonly bytes: Buffer;
  /** Lower-case hex sha256 of `bytes`. */
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
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw fail(`cannot read (${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message})`);
  }
  const archive = await readBundleArchive(file, bytes);
  const byName = new Map(archive.entries.map((e) => [e.name, e]));

  const manifestEntry = byName.get(MANIFEST_NAME);
  if (!manifestEntry) throw fail(`no ${MANIFEST_NAME} at its root: not a bundle`, 'bundles are made by `sidewheel bundle create`');
  const crcs = await checkedCrcs(bytes, fail);
  const manifest = readManifest(manifestEntry, crcs.get(MANIFEST_NAME), fail);

  const listed = new Set(manifest.wheels.map((w) => w.fileName));
  for (const entry of archive.entries) {
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
    if (entry.data.length !== w.size) throw fail(`${w.fileName} is ${entry.data.length} bytes, ${MANIFEST_NAME} says ${w.size}`);
    const sha256 = createHash('sha256').update(entry.data).digest('hex');
    if (sha256 !== w.sha256) {
      throw fail(`${w.fileName} does not match its sha256 in ${MANIFEST_NAME}`, 'the bundle is corrupted or was tampered with');
    }
    wheels.push({ fileName: w.fileName, name: w.name, version: w.version, bytes: entry.data, sha256, requiresPython: w.requiresPython, tags: w.tags });
  }
  return { file, requiresPython: manifest.requiresPython, wheels };
}

/** The zip's entries through the same strict reader wheels use, its errors reworded for a bundle. */
async function readBundleArchive(file: string, bytes: Buffer): Promise<Archive> {
  try {
    return await readArchiveBytes(file, bytes);
  } catch (e) {
    if (e instanceof SidewheelError && e.code === 'BAD_WHEEL') {
      throw new SidewheelError('BAD_BUNDLE', e.message, 'the bundle may be truncated or corrupted; copy it again', { cause: e });
    }
    throw e;
  }
}

function readManifest(entry: ArchiveEntry, crc: number | undefined, fail: (problem: string, hint?: string) => SidewheelError): Manifest {
  // Nothing else covers the manifest's bytes: a flip in a comment would otherwise pass.
  if (crc !== crc32(entry.data)) throw fail(`${MANIFEST_NAME} is corrupted (its CRC-32 does not match)`, 'the bundle is corrupted; copy it again');
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(entry.data);
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
 * The CRC-32s the central directory records (readArchiveBytes does not keep them), after
 * checking that every local header agrees with its central entry. readArchiveBytes, like
 * unzip, trusts the central directory; streaming unzippers read the local headers, and
 * Python's zipfile compares the names: a bundle must read the same by either route.
 * Times and "version needed" may differ; nothing reads the data by them.
 */
async function checkedCrcs(bytes: Buffer, fail: (problem: string, hint?: string) => SidewheelError): Promise<Map<string, number>> {
  const crcs = new Map<string, number>();
  const zip = await yauzl.fromBufferPromise(bytes, { lazyEntries: true });
  try {
    for await (const entry of zip.eachEntry()) {
      const local = await zip.readLocalFileHeaderPromise(entry);
      const field = localHeaderMismatch(entry, local);
      if (field) throw fail(`entry ${entry.fileName} is corrupted (its local header's ${field} differs from the central directory's)`, 'the bundle is corrupted; copy it again');
      crcs.set(entry.fileName, entry.crc32);
    }
  } finally {
    zip.close();
  }
  return crcs;
}

const ZIP64_MARKER = 0xffffffff;
const DATA_DESCRIPTOR_FLAG = 0x8;

function localHeaderMismatch(entry: yauzl.Entry, local: yauzl.LocalFileHeader): string | null {
  if (!local.fileName.equals(entry.fileNameRaw)) return 'file name';
  if (local.compressionMethod !== entry.compressionMethod) return 'compression method';
  // With a data descriptor the local CRC and sizes are zero by design; zip64 puts them elsewhere.
  if (local.generalPurposeBitFlag & DATA_DESCRIPTOR_FLAG) return null;
  if (local.crc32 !== entry.crc32) return 'CRC-32';
  if (local.compressedSize !== ZIP64_MARKER && local.compressedSize !== entry.compressedSize) return 'compressed size';
  if (local.uncompressedSize !== ZIP64_MARKER && local.uncompressedSize !== entry.uncompressedSize) return 'size';
  return null;
}

/**
 * Whether `file` is a bundle: a zip with pylock.toml at its root (see the top of this
 * file). Reads the central directory only; never throws (unreadable means "no").
 */
export async function isBundle(file: string): Promise<boolean> {
  if (file.endsWith('.whl')) return false;
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(file, { lazyEntries: true, autoClose: false });
  } catch {
    return false;
  }
  try {
    for await (const entry of zip.eachEntry()) if (entry.fileName === MANIFEST_NAME) return true;
    return false;
  } catch {
    return false;
  } finally {
    zip.close();
  }
}

// CRC-32 (the zip polynomial) in JS: zlib.crc32 needs Node 20.15+, and only the
// manifest, a few kilobytes, is checked this way; wheels have their sha256.
const CRC_TABLE = ((): Int32Array => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

function crc32(data: Buffer): number {
  let c = -1;
  for (const byte of data) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ -1) >>> 0;
}
