/**
 * Read a zip (a wheel) fully into memory through yauzl, which validates the central
 * directory, entry names and sizes. Wheels are untrusted: every structural problem
 * becomes a BAD_WHEEL error naming the archive, never a crash.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { inflateRawSync } from 'node:zlib';
import yauzl from 'yauzl';
import { SidewheelError } from '../errors.js';

export interface ArchiveEntry {
  /** The entry's name as stored, `/`-separated. */
  readonly name: string;
  readonly data: Buffer;
  /** Unix mode bits from the external attributes (0 when the zip was made elsewhere). */
  readonly mode: number;
}

export interface Archive {
  readonly file: string;
  /** The whole archive, for hashing it (direct_url.json, bundles). */
  readonly bytes: Buffer;
  /** File entries in archive order; directory entries are dropped. */
  readonly entries: readonly ArchiveEntry[];
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const STORED = 0;
const DEFLATED = 8;

export async function readArchive(file: string): Promise<Archive> {
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new SidewheelError('BAD_WHEEL', `${file}: cannot read (${why})`);
  }
  return readArchiveBytes(file, bytes);
}

export async function readArchiveBytes(file: string, bytes: Buffer): Promise<Archive> {
  const label = path.basename(file);
  const broken = (why: string): SidewheelError =>
    new SidewheelError('BAD_WHEEL', `${label}: not a valid zip archive (${why})`, 'the file may be truncated or corrupted; download it again');
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.fromBufferPromise(bytes, { strictFileNames: true, validateEntrySizes: true });
  } catch (e) {
    throw broken((e as Error).message);
  }
  const entries: ArchiveEntry[] = [];
  const seen = new Set<string>();
  try {
    for await (const entry of zip.eachEntry()) {
      const mode = (entry.externalFileAttributes >>> 16) & 0xffff;
      if ((mode & S_IFMT) === S_IFLNK) {
        throw new SidewheelError('BAD_WHEEL', `${label}: entry ${entry.fileName} is a symbolic link`, 'wheels may not contain symlinks');
      }
      if (entry.fileName.endsWith('/') || (mode & S_IFMT) === S_IFDIR) continue;
      if (seen.has(entry.fileName)) {
        throw new SidewheelError('BAD_WHEEL', `${label}: entry ${entry.fileName} appears twice in the archive`);
      }
      seen.add(entry.fileName);
      if (entry.isEncrypted()) throw broken(`entry ${entry.fileName} is encrypted`);
      const header = await zip.readLocalFileHeaderPromise(entry, { minimal: true });
      const raw = bytes.subarray(header.fileDataStart, header.fileDataStart + entry.compressedSize);
      if (raw.length !== entry.compressedSize) throw broken(`entry ${entry.fileName} is truncated`);
      entries.push({ name: entry.fileName, data: decode(entry, raw, broken), mode });
    }
  } catch (e) {
    if (e instanceof SidewheelError) throw e;
    throw unsafeName(label, (e as Error).message) ?? broken((e as Error).message);
  } finally {
    zip.close();
  }
  return { file, bytes, entries };
}

// yauzl refuses unsafe names itself; say so in the same words as the wheel checks do.
const YAUZL_NAME_ERRORS: ReadonlyArray<readonly [RegExp, string]> = [
  [/^absolute path: (.*)$/s, 'is an absolute path'],
  [/^invalid relative path: (.*)$/s, 'escapes with ".."'],
  [/^invalid characters in fileName: (.*)$/s, 'contains a backslash'],
];

function unsafeName(label: string, message: string): SidewheelError | null {
  for (const [pattern, reason] of YAUZL_NAME_ERRORS) {
    const m = pattern.exec(message);
    if (m) return new SidewheelError('BAD_WHEEL', `${label}: entry ${JSON.stringify(m[1])} ${reason}`, 'a wheel may only write inside its install scheme');
  }
  return null;
}

function decode(entry: yauzl.Entry, raw: Buffer, broken: (why: string) => SidewheelError): Buffer {
  let data: Buffer;
  if (entry.compressionMethod === STORED) {
    data = raw;
  } else if (entry.compressionMethod === DEFLATED) {
    try {
      // One byte of headroom, so output larger than declared is detected rather than truncated.
      data = inflateRawSync(raw, { maxOutputLength: entry.uncompressedSize + 1 });
    } catch (e) {
      throw broken(`entry ${entry.fileName} does not inflate: ${(e as Error).message}`);
    }
  } else {
    throw broken(`entry ${entry.fileName} uses unsupported compression method ${entry.compressionMethod}`);
  }
  if (data.length !== entry.uncompressedSize) {
    throw broken(`entry ${entry.fileName} is ${data.length} bytes, its header says ${entry.uncompressedSize}`);
  }
  return data;
}
