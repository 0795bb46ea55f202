/**
 * A wheel's METADATA without reading the rest of it: the zip's central directory and
 * one entry. Resolution looks at many wheels of a wheelhouse and installs few, so
 * inflating every file of every candidate (what openWheel does, rightly, before an
 * install) would waste most of the work. Nothing here validates the wheel beyond what
 * reading it needs; openWheel does that later, for the wheels actually chosen.
 */
import path from 'node:path';
import { SidewheelError } from '../errors.js';
import { parseWheelFilename, type WheelFilename } from '../names.js';
import { ZipFile, type ByteRange } from './archive.js';
import { parseHeaders, type HeaderFields } from './headers.js';

export interface WheelMetadata {
  readonly filename: WheelFilename;
  /** `<name>-<version>.dist-info` as found in the archive. */
  readonly distInfo: string;
  readonly metadata: HeaderFields;
}

// The declared size is the wheel's to choose; a METADATA this large is an attack or an
// accident, not metadata.
const MAX_METADATA_BYTES = 32 * 1024 * 1024;

/**
 * Reads only the central directory and `*.dist-info/METADATA`, of a wheel file or of a
 * wheel stored inside another file (`fileName` then names it). Throws BAD_FILENAME or BAD_WHEEL.
 */
export async function readWheelMetadata(source: string | ByteRange, fileName?: string): Promise<WheelMetadata> {
  const filename = parseWheelFilename(path.basename(fileName ?? (typeof source === 'string' ? source : source.file)));
  let zip: ZipFile;
  try {
    zip = ZipFile.open(source);
  } catch (e) {
    if (e instanceof SidewheelError && / cannot read \(no such file\)$/.test(e.message)) throw badWheel(filename.filename, 'cannot read it (no such file)');
    if (e instanceof SidewheelError) throw badWheel(filename.filename, e.message.slice(e.message.indexOf(': ') + 2));
    throw e;
  }
  try {
    const found = zip.entries.filter((e) => /^[^/]+\.dist-info\/METADATA$/.test(e.name));
    const entry = found[0];
    if (entry === undefined) throw badWheel(filename.filename, 'no .dist-info/METADATA in the archive');
    if (found.length > 1) {
      const dirs = found.map((e) => e.name.split('/')[0]).sort();
      throw badWheel(filename.filename, `${found.length} .dist-info directories (${dirs.join(', ')}); a wheel has exactly one`);
    }
    if (entry.size > MAX_METADATA_BYTES) throw badWheel(filename.filename, `${entry.name} says it is ${entry.size} bytes; refusing to inflate it`);
    if (entry.flags & 1) throw badWheel(filename.filename, `entry ${entry.name} is encrypted`);
    let text: string;
    try {
      text = zip.readSmall(entry).toString('utf8');
    } catch (e) {
      if (e instanceof SidewheelError) throw badWheel(filename.filename, e.message.slice(e.message.indexOf(': ') + 2));
      throw e;
    }
    return { filename, distInfo: entry.name.split('/')[0] ?? '', metadata: parseHeaders(text) };
  } finally {
    zip.close();
  }
}

function badWheel(label: string, why: string): SidewheelError {
  const hint = why.startsWith('not a valid zip') ? 'the file may be truncated or corrupted; download it again' : undefined;
  return new SidewheelError('BAD_WHEEL', `${label}: ${why}`, hint);
}
