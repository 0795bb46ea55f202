/**
 * Zip archives (wheels, bundles) read in place: the central directory is parsed once,
 * then each member's bytes are read positionally and inflated with bounded buffers, so
 * no archive, and no large member, is ever whole in memory. Small members take one
 * synchronous inflate (the common case, and the fastest); large ones stream. A member
 * that inflates beyond the size its header declares is refused before more than one
 * chunk past that size exists. Archives are untrusted: every structural problem becomes
 * a BAD_WHEEL error naming the archive, never a crash.
 */
import { createHash, type Hash } from 'node:crypto';
import { once } from 'node:events';
import fs from 'node:fs';
import path from 'node:path';
import * as zlib from 'node:zlib';
import { createInflateRaw, inflateRawSync } from 'node:zlib';
import { SidewheelError } from '../errors.js';
import { NODE_HASH_NAMES } from './record.js';

/** Bytes of a file: a whole wheel, or a wheel stored inside a bundle. */
export interface ByteRange {
  readonly file: string;
  readonly offset: number;
  readonly size: number;
}

/** A member as the central directory describes it. */
export interface ZipEntry {
  /** The name as stored, `/`-separated, decoded as zip readers do (UTF-8 when flagged, else CP437). */
  readonly name: string;
  readonly nameRaw: Buffer;
  /** Unix mode bits from the external attributes (0 when the zip was made elsewhere). */
  readonly mode: number;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  /** The uncompressed size the central directory declares. */
  readonly size: number;
  readonly localHeaderOffset: number;
}

/** A member's local header, as far as readers compare it with the central directory. */
export interface LocalHeader {
  readonly nameRaw: Buffer;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  /** Offset of the member's data, relative to the archive's start. */
  readonly dataStart: number;
}

/** A file member, validated and (for wheels) unpacked, as wheel validation sees it. */
export interface ArchiveEntry {
  readonly name: string;
  /** The bytes (read from where the member was unpacked, when it was). */
  readonly data: Buffer;
  readonly mode: number;
  /** The size, when known without reading `data`. */
  readonly size?: number;
  /** urlsafe-base64 digests computed while unpacking, by hashlib algorithm name. */
  readonly digests?: ReadonlyMap<string, string>;
  /** Where the member was unpacked. */
  readonly unpacked?: string;
  /** Nothing else uses the unpacked file: it may be moved. */
  readonly movable?: boolean;
}

export interface Archive {
  readonly file: string;
  /** File entries in archive order; directory entries are dropped. */
  readonly entries: readonly ArchiveEntry[];
}

const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;
const STORED = 0;
const DEFLATED = 8;
/** Members up to this size are read and inflated in one synchronous step. */
export const SMALL_MEMBER = 1 << 20;
const CHUNK = 1 << 20;
const LOCAL_EXTRA_GUESS = 64;
const EOCD_SIZE = 22;
const MAX_COMMENT = 0xffff;

export class ZipFile {
  private constructor(
    readonly label: string,
    private readonly fd: number,
    private readonly base: number,
    readonly size: number,
    /** Every member, directories included, in central-directory order. */
    readonly entries: readonly ZipEntry[],
  ) {}

  /** Open a zip (or a zip stored at `range` inside another file) and parse its central directory. */
  static open(source: string | ByteRange): ZipFile {
    const range = typeof source === 'string' ? null : source;
    const file = range ? range.file : (source as string);
    const label = path.basename(file);
    let fd: number;
    try {
      fd = fs.openSync(file, 'r');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
      throw new SidewheelError('BAD_WHEEL', `${file}: cannot read (${why})`);
    }
    try {
      const stat = fs.fstatSync(fd);
      if (stat.isDirectory()) throw new SidewheelError('BAD_WHEEL', `${file}: cannot read (it is a directory)`);
      const size = range ? range.size : stat.size;
      const base = range ? range.offset : 0;
      return new ZipFile(label, fd, base, size, readCentralDirectory(fd, base, size, label));
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  broken(why: string): SidewheelError {
    return brokenFor(this.label)(why);
  }

  private read(position: number, length: number): Buffer {
    const buffer = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = fs.readSync(this.fd, buffer, done, length - done, this.base + position + done);
      if (n === 0) throw this.broken('unexpected end of file');
      done += n;
    }
    return buffer;
  }

  localHeader(entry: ZipEntry): LocalHeader {
    return this.localHeaderIn(entry, 0).header;
  }

  /**
   * A member's local header, read together with up to `dataBytes` of what follows it
   * (one read for a small member: header, name, extra field and data).
   */
  private localHeaderIn(entry: ZipEntry, dataBytes: number): { header: LocalHeader; block: Buffer } {
    const at = entry.localHeaderOffset;
    if (at + 30 > this.size) throw this.broken(`entry ${entry.name}'s local header is beyond the end of the file`);
    // The local name and extra field are usually what the central directory says; read that much, and more if not.
    let block = this.read(at, Math.min(this.size - at, 30 + entry.nameRaw.length + LOCAL_EXTRA_GUESS + dataBytes));
    if (block.readUInt32LE(0) !== 0x04034b50) throw this.broken(`invalid local file header signature for ${entry.name}`);
    const nameLength = block.readUInt16LE(26);
    const dataOffset = 30 + nameLength + block.readUInt16LE(28);
    const dataStart = at + dataOffset;
    if (dataStart + entry.compressedSize > this.size) throw this.broken(`entry ${entry.name} is truncated (file data overflows file bounds)`);
    if (block.length < dataOffset + dataBytes) block = this.read(at, dataOffset + dataBytes);
    const header = {
      nameRaw: block.subarray(30, 30 + nameLength),
      flags: block.readUInt16LE(6),
      method: block.readUInt16LE(8),
      crc32: block.readUInt32LE(14),
      compressedSize: block.readUInt32LE(18),
      size: block.readUInt32LE(22),
      dataStart,
    };
    return { header, block: block.subarray(dataOffset, dataOffset + dataBytes) };
  }

  /** A small member's bytes, in one synchronous read and inflate. */
  readSmall(entry: ZipEntry): Buffer {
    checkMethod(this, entry);
    const raw = this.localHeaderIn(entry, entry.compressedSize).block;
    let data = raw;
    if (entry.method === DEFLATED) {
      try {
        // One byte of headroom, so output larger than declared is detected rather than truncated.
        data = inflateRawSync(raw, { maxOutputLength: entry.size + 1 });
      } catch (e) {
        throw this.broken(`entry ${entry.name} does not inflate: ${(e as Error).message}`);
      }
    }
    checkSize(this, entry, data.length);
    return data;
  }

  /** Any member's bytes, in chunks of bounded size, handed to `sink` in order. */
  async stream(entry: ZipEntry, sink: (chunk: Buffer) => void): Promise<void> {
    checkMethod(this, entry);
    const start = this.localHeader(entry).dataStart;
    const chunks = (function* (zip: ZipFile): Generator<Buffer> {
      for (let at = 0; at < entry.compressedSize; at += CHUNK) yield zip.read(start + at, Math.min(CHUNK, entry.compressedSize - at));
    })(this);
    let produced = 0;
    const take = (chunk: Buffer): void => {
      produced += chunk.length;
      if (produced > entry.size) throw this.broken(`entry ${entry.name} inflates beyond the ${entry.size} bytes its header says`);
      sink(chunk);
    };
    if (entry.method === STORED) {
      for (const chunk of chunks) take(chunk);
    } else {
      const inflate = createInflateRaw({ chunkSize: 256 * 1024 });
      const feeding = (async () => {
        for (const chunk of chunks) if (!inflate.write(chunk)) await once(inflate, 'drain');
        inflate.end();
      })();
      feeding.catch(() => inflate.destroy());
      try {
        for await (const chunk of inflate) take(chunk as Buffer);
        await feeding;
      } catch (e) {
        inflate.destroy();
        if (e instanceof SidewheelError) throw e;
        throw this.broken(`entry ${entry.name} does not inflate: ${(e as Error).message}`);
      }
    }
    checkSize(this, entry, produced);
  }
}

function brokenFor(label: string): (why: string) => SidewheelError {
  return (why) => new SidewheelError('BAD_WHEEL', `${label}: not a valid zip archive (${why})`, 'the file may be truncated or corrupted; download it again');
}

function checkMethod(zip: ZipFile, entry: ZipEntry): void {
  if (entry.method !== STORED && entry.method !== DEFLATED) throw zip.broken(`entry ${entry.name} uses unsupported compression method ${entry.method}`);
  if (entry.method === STORED && entry.compressedSize !== entry.size) throw zip.broken(`compressed/uncompressed size mismatch for stored file ${entry.name}`);
}

function checkSize(zip: ZipFile, entry: ZipEntry, actual: number): void {
  if (actual !== entry.size) throw zip.broken(`entry ${entry.name} is ${actual} bytes, its header says ${entry.size}`);
}

function readAt(fd: number, position: number, length: number): Buffer {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const n = fs.readSync(fd, buffer, done, length - done, position + done);
    if (n === 0) break;
    done += n;
  }
  return buffer.subarray(0, done);
}

function readCentralDirectory(fd: number, base: number, size: number, label: string): ZipEntry[] {
  const broken = brokenFor(label);
  const tailLength = Math.min(size, EOCD_SIZE + MAX_COMMENT);
  const tail = readAt(fd, base + size - tailLength, tailLength);
  let eocd = -1;
  for (let i = tail.length - EOCD_SIZE; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw broken('end of central directory record signature not found');
  const record = tail.subarray(eocd);
  const disk = record.readUInt16LE(4);
  if (disk !== 0) throw broken(`multi-disk zip files are not supported: found disk number: ${disk}`);
  if (record.readUInt16LE(20) !== record.length - EOCD_SIZE) throw broken(`invalid comment length. expected: ${record.length - EOCD_SIZE}. found: ${record.readUInt16LE(20)}`);
  let count = record.readUInt16LE(10);
  let cdOffset = record.readUInt32LE(16);
  let cdSize = record.readUInt32LE(12);
  if (count === 0xffff || cdOffset === 0xffffffff || cdSize === 0xffffffff) {
    const eocdAt = size - tailLength + eocd;
    const locator = readAt(fd, base + eocdAt - 20, 20);
    if (locator.length !== 20 || locator.readUInt32LE(0) !== 0x07064b50) throw broken('invalid zip64 end of central directory locator signature');
    const zip64At = readUInt64(locator, 8, broken);
    const zip64 = readAt(fd, base + zip64At, 56);
    if (zip64.length !== 56 || zip64.readUInt32LE(0) !== 0x06064b50) throw broken('invalid zip64 end of central directory record signature');
    count = readUInt64(zip64, 32, broken);
    cdSize = readUInt64(zip64, 40, broken);
    cdOffset = readUInt64(zip64, 48, broken);
  }
  if (cdOffset + cdSize > size) throw broken('central directory extends beyond the end of the file');
  const cd = readAt(fd, base + cdOffset, cdSize);
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let n = 0; n < count; n++) {
    if (at + 46 > cd.length || cd.readUInt32LE(at) !== 0x02014b50) throw broken(`invalid central directory file header signature at entry ${n}`);
    const flags = cd.readUInt16LE(at + 8);
    if (flags & 0x40) throw broken('strong encryption is not supported');
    const nameLength = cd.readUInt16LE(at + 28);
    const extraLength = cd.readUInt16LE(at + 30);
    const commentLength = cd.readUInt16LE(at + 32);
    const end = at + 46 + nameLength + extraLength + commentLength;
    if (end > cd.length) throw broken(`central directory entry ${n} is truncated`);
    const nameRaw = cd.subarray(at + 46, at + 46 + nameLength);
    const extra = cd.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength);
    let compressedSize = cd.readUInt32LE(at + 20);
    let uncompressed = cd.readUInt32LE(at + 24);
    let localHeaderOffset = cd.readUInt32LE(at + 42);
    let name = flags & 0x800 ? nameRaw.toString('utf8') : decodeCp437(nameRaw);
    for (let e = 0; e + 4 <= extra.length; ) {
      const id = extra.readUInt16LE(e);
      const length = extra.readUInt16LE(e + 2);
      const data = extra.subarray(e + 4, e + 4 + length);
      if (data.length !== length) throw broken('extra field length exceeds extra field buffer size');
      if (id === 0x0001) {
        let i = 0;
        const next = (): number => {
          if (i + 8 > data.length) throw broken('zip64 extended information extra field does not include the needed sizes');
          const v = readUInt64(data, i, broken);
          i += 8;
          return v;
        };
        if (uncompressed === 0xffffffff) uncompressed = next();
        if (compressedSize === 0xffffffff) compressedSize = next();
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = next();
      } else if (id === 0x7075 && data.length >= 6 && data[0] === 1 && data.readUInt32LE(1) === crc32(nameRaw)) {
        // Info-ZIP Unicode Path: the UTF-8 name, valid only while it matches the stored name's CRC.
        name = data.subarray(5).toString('utf8');
      }
      e += 4 + length;
    }
    checkName(label, name);
    entries.push({
      name,
      nameRaw,
      mode: (cd.readUInt32LE(at + 38) >>> 16) & 0xffff,
      flags,
      method: cd.readUInt16LE(at + 10),
      crc32: cd.readUInt32LE(at + 16),
      compressedSize,
      size: uncompressed,
      localHeaderOffset,
    });
    at = end;
  }
  return entries;
}

function readUInt64(buffer: Buffer, at: number, broken: (why: string) => SidewheelError): number {
  const value = buffer.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw broken('a zip64 size or offset is too large');
  return Number(value);
}

/** Names no zip reader here accepts, in the words the wheel checks use. */
function checkName(label: string, name: string): void {
  const why = name.includes('\\') ? 'contains a backslash' : /^[a-zA-Z]:/.test(name) || name.startsWith('/') ? 'is an absolute path' : name.split('/').includes('..') ? 'escapes with ".."' : null;
  if (why) throw new SidewheelError('BAD_WHEEL', `${label}: entry ${JSON.stringify(name)} ${why}`, 'a wheel may only write inside its install scheme');
}

const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

function decodeCp437(raw: Buffer): string {
  let out = '';
  for (const byte of raw) out += byte < 0x80 ? String.fromCharCode(byte) : CP437_HIGH[byte - 0x80];
  return out;
}

/** CRC-32 as zip uses it. zlib.crc32 exists from Node 20.15 (and 22.2); older Node 20 gets the table version. */
export const crc32: (data: Buffer, previous?: number) => number =
  typeof (zlib as { crc32?: unknown }).crc32 === 'function' ? (zlib as unknown as { crc32: (d: Buffer, p?: number) => number }).crc32 : tableCrc32;

function tableCrc32(data: Buffer, previous = 0): number {
  let c = ~previous;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ -1) >>> 0;
}

/**
 * The file members of a zip, checked for what no reader of wheels or bundles accepts:
 * symbolic links, encryption, and names that appear twice. Directory entries are dropped.
 */
export function fileEntries(zip: ZipFile): ZipEntry[] {
  const seen = new Set<string>();
  const files: ZipEntry[] = [];
  for (const entry of zip.entries) {
    if ((entry.mode & S_IFMT) === S_IFLNK) {
      throw new SidewheelError('BAD_WHEEL', `${zip.label}: entry ${entry.name} is a symbolic link`, 'wheels may not contain symlinks');
    }
    if (entry.name.endsWith('/') || (entry.mode & S_IFMT) === S_IFDIR) continue;
    if (seen.has(entry.name)) throw new SidewheelError('BAD_WHEEL', `${zip.label}: entry ${entry.name} appears twice in the archive`);
    seen.add(entry.name);
    if (entry.flags & 1) throw zip.broken(`entry ${entry.name} is encrypted`);
    files.push(entry);
  }
  return files;
}

/** Read a whole (small) zip's file members into memory: bundle manifests, tests, metadata look-ups. */
export function readArchive(source: string | ByteRange): Archive {
  const zip = ZipFile.open(source);
  try {
    const file = typeof source === 'string' ? source : source.file;
    return { file, entries: fileEntries(zip).map((e) => ({ name: e.name, data: zip.readSmall(e), mode: e.mode, size: e.size })) };
  } finally {
    zip.close();
  }
}

export interface UnpackOptions {
  /** Where members are written (null to only hash them): each at its own path below, or `flat`, by number. */
  readonly dest: string | null;
  /** Name files by their position rather than their path: no directories to make (nothing reads them by path). */
  readonly flat: boolean;
  /** Whether what is unpacked may be moved away by its user (it is nobody else's). */
  readonly movable: boolean;
  /** Hash algorithms besides sha256 wanted for a member (hashlib names). */
  readonly extraDigests: (name: string) => readonly string[];
  readonly modeOf: (entry: ZipEntry) => number;
}

/** Metadata files (directly inside a top-level `.dist-info`) are kept in memory: validation reads them. */
const KEPT = /^[^/]+\.dist-info\/[^/]+$/;

/** Hand a file range's bytes to `onChunk` in order, read sequentially in bounded chunks (the buffer is reused). */
export function forEachChunk(range: ByteRange, onChunk: (chunk: Buffer) => void): void {
  const fd = fs.openSync(range.file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(Math.min(CHUNK * 4, Math.max(range.size, 1)));
    for (let at = 0; at < range.size; ) {
      const n = fs.readSync(fd, buffer, 0, Math.min(buffer.length, range.size - at), range.offset + at);
      if (n === 0) throw new SidewheelError('IO', `${range.file} became shorter while it was read`);
      onChunk(buffer.subarray(0, n));
      at += n;
    }
  } finally {
    fs.closeSync(fd);
  }
}

/** The sha256 of a whole file or range. */
export function sha256Of(range: ByteRange): string {
  const hash = createHash('sha256');
  forEachChunk(range, (chunk) => hash.update(chunk));
  return hash.digest('hex');
}

/**
 * Write every file member below `dest` (or nowhere), hashing each in the same pass:
 * sha256 always, plus what `extraDigests` asks for. The caller has checked the names.
 * Nothing is held in memory beyond one small member or one chunk of a large one, except
 * the metadata files validation reads.
 */
export async function unpackArchive(zip: ZipFile, file: string, entries: readonly ZipEntry[], options: UnpackOptions): Promise<Archive> {
  const made = new Set<string>();
  const out: ArchiveEntry[] = [];
  for (const [i, entry] of entries.entries()) {
    const target = options.dest === null ? null : options.flat ? path.join(options.dest, String(i)) : path.join(options.dest, ...entry.name.split('/'));
    const hashes = new Map<string, Hash>([['sha256', createHash('sha256')]]);
    for (const algorithm of options.extraDigests(entry.name)) hashes.set(algorithm, createHash(NODE_HASH_NAMES[algorithm] ?? algorithm));
    const fd = target === null ? null : openTarget(zip, entry, target, options.modeOf(entry), made);
    let kept: Buffer | null = null;
    try {
      const write = (chunk: Buffer): void => {
        for (const h of hashes.values()) h.update(chunk);
        if (fd !== null) writeAll(zip, fd, target!, chunk);
      };
      if (entry.size <= SMALL_MEMBER && entry.compressedSize <= SMALL_MEMBER) {
        const data = zip.readSmall(entry);
        write(data);
        if (KEPT.test(entry.name)) kept = data;
      } else if (KEPT.test(entry.name)) {
        const chunks: Buffer[] = [];
        await zip.stream(entry, (chunk) => (write(chunk), chunks.push(chunk)));
        kept = Buffer.concat(chunks);
      } else await zip.stream(entry, write);
    } finally {
      if (fd !== null) fs.closeSync(fd);
    }
    const digests = new Map([...hashes].map(([algorithm, h]) => [algorithm, h.digest('base64url')]));
    out.push(unpackedEntry(zip, entry, target, digests, kept, options.movable));
  }
  return { file, entries: out };
}

function unpackedEntry(zip: ZipFile, entry: ZipEntry, target: string | null, digests: ReadonlyMap<string, string>, kept: Buffer | null, movable: boolean): ArchiveEntry {
  return {
    name: entry.name,
    mode: entry.mode,
    size: entry.size,
    digests,
    ...(target === null ? {} : { unpacked: target, movable }),
    get data(): Buffer {
      if (kept) return kept;
      if (target === null) throw new Error(`${zip.label}: ${entry.name} was only hashed, not kept`);
      return fs.readFileSync(target);
    },
  };
}

function openTarget(zip: ZipFile, entry: ZipEntry, target: string, mode: number, made: Set<string>): number {
  const dir = path.dirname(target);
  try {
    if (!made.has(dir)) {
      fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
    }
    const fd = fs.openSync(target, 'wx', mode);
    // The umask cannot add bits, but an explicit chmod can: executables get theirs.
    if (mode & 0o111) fs.fchmodSync(fd, mode);
    return fd;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (['EEXIST', 'ENOTDIR', 'EISDIR'].includes(code)) {
      throw new SidewheelError('BAD_WHEEL', `${zip.label}: entry ${entry.name} collides with another entry (a file and a directory, or two spellings of one name)`);
    }
    if (code === 'ENAMETOOLONG') throw new SidewheelError('BAD_WHEEL', `${zip.label}: entry ${entry.name} has a name too long for this filesystem`);
    throw new SidewheelError('IO', `cannot unpack ${zip.label} into ${dir}: ${(e as Error).message}`, code === 'ENOSPC' ? 'free some disk space' : undefined, { cause: e });
  }
}

function writeAll(zip: ZipFile, fd: number, target: string, chunk: Buffer): void {
  try {
    for (let done = 0; done < chunk.length; ) done += fs.writeSync(fd, chunk, done, chunk.length - done);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new SidewheelError('IO', `cannot unpack ${zip.label}: writing ${target}: ${(e as Error).message}`, code === 'ENOSPC' ? 'free some disk space' : undefined, { cause: e });
  }
}
