/**
 * A wheel, opened and validated. Nothing downstream ever sees a wheel that failed a
 * check: the wheel spec says an installer must refuse files not listed in RECORD or
 * whose hash differs, and sidewheel also refuses everything else the README's "Safety" paragraph lists.
 */
import path from 'node:path';
import { SidewheelError } from '../errors.js';
import { normalizeName, parseWheelFilename, type WheelFilename } from '../names.js';
import { isValidVersion, parseRequirement, sameVersion } from '../versions.js';
import { fileEntries, sha256Of, unpackArchive, ZipFile, type Archive, type ArchiveEntry, type ByteRange, type ZipEntry } from './archive.js';
import { parseEntryPoints, type EntryPoint } from './entry-points.js';
import { parseHeaders, type HeaderFields } from './headers.js';
import { fileMode } from '../fs-modes.js';
import { parseRecord, recordDigest } from './record.js';

/** An identical copy of a file already on disk (a cache entry), with its RECORD hash and size. */
export interface CachedCopy {
  readonly file: string;
  readonly hash: string;
  readonly size: number;
  /** Where the bytes start in `file`, when they are a range of it (a wheel inside a bundle). */
  readonly offset?: number;
  /** Nothing else uses `file` (a wheel unpacked for this install alone): staging may move it. */
  readonly movable?: boolean;
}

export interface WheelFile {
  /** Path inside the wheel, `/`-separated. */
  readonly path: string;
  readonly data: Buffer;
  /** Any execute bit was set in the archive: installed files get +x, as pip does. */
  readonly executable: boolean;
  /** Where the same bytes already sit on disk, so installing can copy instead of writing. */
  readonly cached?: CachedCopy;
  /** Not in the wheel's RECORD (a RECORD signature): pip installs it and lists it without a hash. */
  readonly unlisted?: true;
}

export const DATA_KEYS = ['purelib', 'platlib', 'scripts', 'headers', 'data'] as const;
export type DataKey = (typeof DATA_KEYS)[number];

export interface Wheel {
  /** Where the wheel was read from. */
  readonly source: string;
  readonly filename: WheelFilename;
  /** Name and Version as METADATA states them. */
  readonly name: string;
  readonly version: string;
  /** `<name>-<version>.dist-info` as found in the archive. */
  readonly distInfo: string;
  /** `<name>-<version>.data`, which may be absent from the archive. */
  readonly dataDir: string;
  readonly wheelVersion: readonly [number, number];
  readonly rootIsPurelib: boolean;
  readonly metadata: HeaderFields;
  readonly entryPoints: readonly EntryPoint[];
  /** Every file except RECORD (its signatures included, as pip installs them); these are what gets installed. */
  readonly files: readonly WheelFile[];
  /** Where the archive's bytes are (a zipped side install copies them verbatim). */
  readonly archive: ByteRange;
  /** Hex sha256 of the whole archive. */
  readonly sha256: string;
  readonly warnings: readonly string[];
}

const SUPPORTED_WHEEL_MAJOR = 1;
const SUPPORTED_WHEEL_MINOR = 0;
const RECORD_SIGNATURES = ['RECORD.jws', 'RECORD.p7s'];
// The wheel spec asks for sha256 or stronger; md5 and sha1 rows are refused.
const ACCEPTED_HASHES = new Set(['sha256', 'sha384', 'sha512', 'sha3_256', 'sha3_384', 'sha3_512', 'blake2b', 'blake2s']);

/** Where a wheel's bytes are, and their sha256 when already known (a bundle verified them). */
export interface WheelOrigin {
  readonly range: ByteRange;
  readonly sha256: string;
}

export interface OpenOptions {
  /** Unpack every member below this directory while validating (null: only hash them). */
  readonly dest: string | null;
  /** Nothing else will use what is unpacked into `dest`: installing may move it. */
  readonly movable?: boolean;
  /** The whole archive's sha256, when the caller has it. */
  readonly sha256?: string;
  /** The file name the wheel goes by, when `source` is a range inside another file. */
  readonly file?: string;
}

/**
 * Open, unpack and validate a wheel in one pass over its members: each is inflated,
 * hashed and written with bounded memory. The result is usable only if this returns;
 * on a throw, whatever was unpacked below `dest` is the caller's to remove.
 */
export async function openWheel(source: string | ByteRange, options: OpenOptions = { dest: null }): Promise<Wheel> {
  const file = options.file ?? (typeof source === 'string' ? source : source.file);
  const filename = parseWheelFilename(path.basename(file));
  const zip = ZipFile.open(source);
  try {
    const range = typeof source === 'string' ? { file: source, offset: 0, size: zip.size } : source;
    const entries = fileEntries(zip);
    checkEntryNames(filename, entries);
    const algorithms = recordAlgorithms(zip, entries);
    const archive = await unpackArchive(zip, file, entries, {
      dest: options.dest,
      movable: options.movable === true,
      // What is unpacked only to be moved into place needs no directory tree.
      flat: options.movable === true,
      extraDigests: (name) => {
        const algorithm = algorithms.get(name);
        return algorithm && algorithm !== 'sha256' && ACCEPTED_HASHES.has(algorithm) ? [algorithm] : [];
      },
      modeOf: (entry) => fileMode(isExecutable(entry.mode)),
    });
    return validateWheel(filename, archive, { range, sha256: options.sha256 ?? sha256Of(range) });
  } finally {
    zip.close();
  }
}

/** Which hash each RECORD row names, read before the members so each is hashed once; validation reads RECORD again, strictly. */
function recordAlgorithms(zip: ZipFile, entries: readonly ZipEntry[]): Map<string, string> {
  const records = entries.filter((e) => /^[^/]+\.dist-info\/RECORD$/.test(e.name));
  const algorithms = new Map<string, string>();
  if (records.length !== 1 || records[0]!.size > RECORD_PREVIEW_LIMIT) return algorithms;
  for (const row of parseRecord(zip.readSmall(records[0]!).toString('utf8'))) algorithms.set(row.path, row.hash.slice(0, Math.max(row.hash.indexOf('='), 0)));
  return algorithms;
}

const RECORD_PREVIEW_LIMIT = 256 << 20;

function isExecutable(mode: number): boolean {
  return (mode & 0o111) !== 0 && (mode & 0o170000) !== 0o040000;
}

/** Names are checked before anything is unpacked: every one must stay inside the wheel's scheme. */
function checkEntryNames(filename: WheelFilename, entries: ReadonlyArray<{ readonly name: string }>): void {
  for (const entry of entries) {
    const why = unsafePathReason(entry.name);
    if (why) throw new SidewheelError('BAD_WHEEL', `${filename.filename}: entry ${JSON.stringify(entry.name)} ${why}`, 'a wheel may only write inside its install scheme');
  }
}

/** Every check that needs only the wheel itself (tags are checked against an interpreter elsewhere). */
export function validateWheel(filename: WheelFilename, archive: Archive, origin: WheelOrigin): Wheel {
  const refuse = (problem: string, hint?: string): never => {
    throw new SidewheelError('BAD_WHEEL', `${filename.filename}: ${problem}`, hint);
  };

  checkEntryNames(filename, archive.entries);

  const distInfos = new Set(
    archive.entries.map((e) => e.name.split('/')[0]!).filter((top) => top.endsWith('.dist-info') && archive.entries.some((e) => e.name.startsWith(top + '/'))),
  );
  if (distInfos.size === 0) refuse('no .dist-info directory');
  if (distInfos.size > 1) refuse(`${distInfos.size} .dist-info directories (${[...distInfos].sort().join(', ')}); a wheel has exactly one`);
  const distInfo = [...distInfos][0]!;
  const stem = distInfo.slice(0, -'.dist-info'.length);
  const dash = stem.lastIndexOf('-');
  const [infoName, infoVersion] = dash > 0 ? [stem.slice(0, dash), stem.slice(dash + 1)] : [stem, ''];
  if (normalizeName(infoName) !== normalizeName(filename.name) || !sameFileVersion(infoVersion, filename.version)) {
    refuse(`its ${distInfo} does not match the file name (${filename.name} ${filename.version})`);
  }

  const byName = new Map(archive.entries.map((e) => [e.name, e]));
  const text = (name: string): string => {
    const entry = byName.get(`${distInfo}/${name}`);
    if (!entry) return refuse(`no ${distInfo}/${name}`);
    return entry.data.toString('utf8');
  };

  const wheelFields = parseHeaders(text('WHEEL'));
  const warnings: string[] = [];
  const wheelVersion = parseWheelVersion(wheelFields.get('Wheel-Version'), refuse);
  if (wheelVersion[0] > SUPPORTED_WHEEL_MAJOR) {
    refuse(`Wheel-Version ${wheelVersion.join('.')} is not supported (only ${SUPPORTED_WHEEL_MAJOR}.x)`, 'upgrade sidewheel, or use a wheel built for Wheel-Version 1');
  }
  // pip compares (major, minor) as a tuple: 0.9 is older than 1.0, not newer.
  if (wheelVersion[0] === SUPPORTED_WHEEL_MAJOR && wheelVersion[1] > SUPPORTED_WHEEL_MINOR) {
    warnings.push(`${filename.filename}: Wheel-Version ${wheelVersion.join('.')} is newer than ${SUPPORTED_WHEEL_MAJOR}.${SUPPORTED_WHEEL_MINOR}; installing anyway`);
  }
  const purelibField = (wheelFields.get('Root-Is-Purelib') ?? '').toLowerCase();
  if (purelibField !== 'true' && purelibField !== 'false') refuse('WHEEL has no valid Root-Is-Purelib (true or false)');

  const metadata = parseHeaders(text('METADATA'));
  const name = metadata.get('Name');
  const version = metadata.get('Version');
  if (!name || !version) refuse('METADATA lacks Name or Version');
  // pip 24.1 and later refuse both (legacy versions, unparsable requirements), --no-deps or not.
  if (!isValidVersion(version!)) refuse(`METADATA Version ${JSON.stringify(version)} is not a PEP 440 version`);
  for (const line of metadata.getAll('Requires-Dist')) {
    try {
      parseRequirement(line);
    } catch (e) {
      if (e instanceof SidewheelError) refuse(`METADATA has an invalid Requires-Dist: ${e.message}`);
      throw e;
    }
  }
  if (normalizeName(name!) !== normalizeName(filename.name) || !sameFileVersion(version!, filename.version)) {
    refuse(`METADATA says ${name} ${version}, the file name says ${filename.name} ${filename.version}`);
  }

  const listed = checkRecord(archive, distInfo, byName, text('RECORD'), refuse);

  const dataDir = `${stem}.data`;
  for (const entry of archive.entries) {
    if (!entry.name.startsWith(dataDir + '/')) continue;
    const key = entry.name.split('/')[1]!;
    if (entry.name.split('/').length < 3 || !(DATA_KEYS as readonly string[]).includes(key)) {
      refuse(`entry ${entry.name} is under an unknown .data key ${JSON.stringify(key)}`, `known keys: ${DATA_KEYS.join(', ')}`);
    }
  }

  const entryPointsEntry = byName.get(`${distInfo}/entry_points.txt`);
  const parsed = parseEntryPoints(entryPointsEntry ? entryPointsEntry.data.toString('utf8') : '');
  if (parsed.problems.length > 0) refuse(`${distInfo}/entry_points.txt ${parsed.problems[0]}`);
  for (const ep of parsed.entries) {
    if (ep.group !== 'console_scripts' && ep.group !== 'gui_scripts') continue;
    if (!isPlainScriptName(ep.name)) refuse(`entry point script name ${JSON.stringify(ep.name)} would escape the scripts directory`);
    if (ep.attr === null) refuse(`script entry point ${ep.name} = ${ep.value} names no function to call (module:function)`);
  }

  const record = `${distInfo}/RECORD`;
  const signatures = new Set(RECORD_SIGNATURES.map((s) => `${distInfo}/${s}`));
  return {
    source: archive.file,
    filename,
    name: name!,
    version: version!,
    distInfo,
    dataDir,
    wheelVersion,
    rootIsPurelib: purelibField === 'true',
    metadata,
    entryPoints: parsed.entries,
    // RECORD's signatures are installed, as pip does; listed in the installed RECORD without a hash when the wheel's RECORD does not list them.
    files: archive.entries.filter((e) => e.name !== record).map((e) => wheelFile(e, signatures.has(e.name) && !listed.has(e.name))),
    archive: origin.range,
    sha256: origin.sha256,
    warnings,
  };
}

/** A validated member: where it was unpacked (read only if something needs the bytes), or its bytes. */
function wheelFile(entry: ArchiveEntry, unlisted: boolean): WheelFile {
  const executable = isExecutable(entry.mode);
  const flags = unlisted ? { unlisted: true as const } : {};
  const sha256 = entry.digests?.get('sha256');
  if (entry.unpacked === undefined || sha256 === undefined) {
    return {
      path: entry.name,
      executable,
      ...flags,
      get data(): Buffer {
        return entry.data;
      },
    };
  }
  const cached = { file: entry.unpacked, hash: `sha256=${sha256}`, size: sizeOf(entry), movable: entry.movable === true };
  return {
    path: entry.name,
    executable,
    ...flags,
    cached,
    get data(): Buffer {
      return entry.data;
    },
  };
}

function sizeOf(entry: ArchiveEntry): number {
  return entry.size ?? entry.data.length;
}

/** Why a path inside a wheel (or a RECORD row) is unsafe, or null when it is fine. */
export function unsafePathReason(p: string): string | null {
  if (p === '') return 'is empty';
  if (p.includes('\0')) return 'contains a NUL byte';
  if (p.includes('\\')) return 'contains a backslash';
  if (p.startsWith('/') || /^[A-Za-z]:/.test(p)) return 'is an absolute path';
  const segments = p.split('/');
  if (segments.includes('..')) return 'escapes with ".."';
  if (segments.some((s, i) => s === '' && i < segments.length - 1) || segments.includes('.')) return 'has an empty or "." path segment';
  return null;
}

function isPlainScriptName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/** File names escape `-` in versions as `_`; undo that before comparing. */
function sameFileVersion(a: string, b: string): boolean {
  return sameVersion(a.replace(/_/g, '-'), b.replace(/_/g, '-'));
}

function parseWheelVersion(value: string | undefined, refuse: (p: string) => never): readonly [number, number] {
  const m = /^(\d+)\.(\d+)$/.exec(value?.trim() ?? '');
  if (!m) return refuse(`WHEEL has no valid Wheel-Version (${JSON.stringify(value ?? null)})`);
  return [Number(m[1]), Number(m[2])];
}

function checkRecord(
  archive: Archive,
  distInfo: string,
  byName: ReadonlyMap<string, Archive['entries'][number]>,
  recordText: string,
  refuse: (problem: string, hint?: string) => never,
): ReadonlySet<string> {
  const exempt = new Set([`${distInfo}/RECORD`, ...RECORD_SIGNATURES.map((s) => `${distInfo}/${s}`)]);
  const listed = new Map<string, { hash: string; size: string }>();
  for (const row of parseRecord(recordText)) {
    const why = unsafePathReason(row.path);
    if (why) refuse(`RECORD row ${JSON.stringify(row.path)} ${why}`);
    if (listed.has(row.path)) refuse(`RECORD lists ${row.path} twice`);
    listed.set(row.path, row);
  }
  for (const entry of archive.entries) {
    if (exempt.has(entry.name)) continue;
    const row = listed.get(entry.name);
    if (!row) refuse(`${entry.name} is not listed in RECORD`, 'the wheel was modified after it was built, or built incorrectly');
    const eq = row!.hash.indexOf('=');
    const algorithm = eq > 0 ? row!.hash.slice(0, eq) : '';
    if (!ACCEPTED_HASHES.has(algorithm)) {
      refuse(`RECORD has no acceptable hash for ${entry.name} (${JSON.stringify(row!.hash)}; sha256 or stronger required)`);
    }
    if ((entry.digests?.get(algorithm) ?? recordDigest(entry.data, algorithm)) !== row!.hash.slice(eq + 1)) {
      refuse(`${entry.name} does not match its RECORD hash`, 'the wheel is corrupted or was tampered with');
    }
    if (row!.size !== '' && row!.size !== String(sizeOf(entry))) {
      refuse(`${entry.name} is ${sizeOf(entry)} bytes, RECORD says ${row!.size}`);
    }
  }
  for (const p of listed.keys()) {
    if (!byName.has(p) && !exempt.has(p)) refuse(`RECORD lists ${p}, which is not in the wheel`);
  }
  return new Set(listed.keys());
}
