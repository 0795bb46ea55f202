/**
 * A zip of STORED members written straight to a file descriptor: each member is copied
 * in bounded chunks with its CRC-32 computed natively in the same pass, and its local
 * header written in place once the CRC is known. The layout is yazl's for buffers with
 * DOS timestamps (UTF-8 names, no extra fields, zip64 only where sizes need it).
 */
import fs from 'node:fs';
import { crc32, forEachChunk, type ByteRange } from '../wheel/archive.js';

export interface StoredMember {
  readonly name: string;
  readonly source: Buffer | ByteRange;
}

export interface StoredZipOptions {
  /** A local-time Date whose fields are the wanted DOS time (see entryTimestamp). */
  readonly mtime: Date;
  /** Unix mode including the file type bits. */
  readonly mode: number;
}

const UTF8_NAMES = 0x0800;
const VERSION_MADE_BY = (3 << 8) | 63;
const NEEDED = 20;
const NEEDED_ZIP64 = 45;
const MAX32 = 0xffffffff;

/** Write the members and the central directory to `fd` from its start; returns the size written. */
export function writeStoredZip(fd: number, members: readonly StoredMember[], options: StoredZipOptions): number {
  const { date, time } = dosDateTime(options.mtime);
  const central: Buffer[] = [];
  let offset = 0;
  const write = (buffer: Buffer, at: number): void => {
    for (let done = 0; done < buffer.length; ) done += fs.writeSync(fd, buffer, done, buffer.length - done, at + done);
  };
  for (const member of members) {
    const name = Buffer.from(member.name, 'utf8');
    const size = Buffer.isBuffer(member.source) ? member.source.length : member.source.size;
    const zip64 = size >= MAX32;
    const headerAt = offset;
    const headerLength = 30 + name.length + (zip64 ? 20 : 0);
    const crc = copyData(member.source, (chunk, at) => write(chunk, headerAt + headerLength + at));
    const local = Buffer.alloc(headerLength);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(zip64 ? NEEDED_ZIP64 : NEEDED, 4);
    local.writeUInt16LE(UTF8_NAMES, 6);
    local.writeUInt16LE(time, 10);
    local.writeUInt16LE(date, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(zip64 ? MAX32 : size, 18);
    local.writeUInt32LE(zip64 ? MAX32 : size, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(zip64 ? 20 : 0, 28);
    name.copy(local, 30);
    if (zip64) {
      local.writeUInt16LE(0x0001, 30 + name.length);
      local.writeUInt16LE(16, 32 + name.length);
      local.writeBigUInt64LE(BigInt(size), 34 + name.length);
      local.writeBigUInt64LE(BigInt(size), 42 + name.length);
    }
    write(local, headerAt);
    offset += headerLength + size;
    central.push(centralHeader(name, size, crc, headerAt, date, time, options.mode));
  }
  const cdOffset = offset;
  for (const header of central) {
    write(header, offset);
    offset += header.length;
  }
  const cdSize = offset - cdOffset;
  const zip64 = members.length >= 0xffff || cdOffset >= MAX32 || cdSize >= MAX32;
  if (zip64) {
    const record = Buffer.alloc(56 + 20);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(VERSION_MADE_BY, 12);
    record.writeUInt16LE(NEEDED_ZIP64, 14);
    record.writeBigUInt64LE(BigInt(members.length), 24);
    record.writeBigUInt64LE(BigInt(members.length), 32);
    record.writeBigUInt64LE(BigInt(cdSize), 40);
    record.writeBigUInt64LE(BigInt(cdOffset), 48);
    record.writeUInt32LE(0x07064b50, 56);
    record.writeBigUInt64LE(BigInt(offset), 64);
    record.writeUInt32LE(1, 72);
    write(record, offset);
    offset += record.length;
  }
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(zip64 ? 0xffff : members.length, 8);
  end.writeUInt16LE(zip64 ? 0xffff : members.length, 10);
  end.writeUInt32LE(zip64 ? MAX32 : cdSize, 12);
  end.writeUInt32LE(zip64 ? MAX32 : cdOffset, 16);
  write(end, offset);
  return offset + end.length;
}

function centralHeader(name: Buffer, size: number, crc: number, headerAt: number, date: number, time: number, mode: number): Buffer {
  const zip64 = size >= MAX32 || headerAt >= MAX32;
  const extra = zip64 ? 28 : 0;
  const header = Buffer.alloc(46 + name.length + extra);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(VERSION_MADE_BY, 4);
  header.writeUInt16LE(zip64 ? NEEDED_ZIP64 : NEEDED, 6);
  header.writeUInt16LE(UTF8_NAMES, 8);
  header.writeUInt16LE(time, 12);
  header.writeUInt16LE(date, 14);
  header.writeUInt32LE(crc, 16);
  header.writeUInt32LE(zip64 ? MAX32 : size, 20);
  header.writeUInt32LE(zip64 ? MAX32 : size, 24);
  header.writeUInt16LE(name.length, 28);
  header.writeUInt16LE(extra, 30);
  header.writeUInt32LE((mode << 16) >>> 0, 38);
  header.writeUInt32LE(zip64 ? MAX32 : headerAt, 42);
  name.copy(header, 46);
  if (zip64) {
    const at = 46 + name.length;
    header.writeUInt16LE(0x0001, at);
    header.writeUInt16LE(24, at + 2);
    header.writeBigUInt64LE(BigInt(size), at + 4);
    header.writeBigUInt64LE(BigInt(size), at + 12);
    header.writeBigUInt64LE(BigInt(headerAt), at + 20);
  }
  return header;
}

/** Hand the source's bytes to `put` in bounded chunks; returns their CRC-32. */
function copyData(source: Buffer | ByteRange, put: (chunk: Buffer, at: number) => void): number {
  if (Buffer.isBuffer(source)) {
    put(source, 0);
    return crc32(source);
  }
  let crc = 0;
  let at = 0;
  forEachChunk(source, (chunk) => {
    crc = crc32(chunk, crc);
    put(chunk, at);
    at += chunk.length;
  });
  return crc;
}

/** DOS date and time from a Date's local fields, clamped to 1980-2107 (as yazl does). */
function dosDateTime(d: Date): { date: number; time: number } {
  const min = new Date(1980, 0, 1);
  const max = new Date(2107, 11, 31, 23, 59, 58);
  const t = d < min ? min : d > max ? max : d;
  return {
    date: (t.getDate() & 0x1f) | (((t.getMonth() + 1) & 0xf) << 5) | (((t.getFullYear() - 1980) & 0x7f) << 9),
    time: Math.floor(t.getSeconds() / 2) | ((t.getMinutes() & 0x3f) << 5) | ((t.getHours() & 0x1f) << 11),
  };
}
