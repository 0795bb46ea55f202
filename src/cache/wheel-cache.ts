/**
 * A shared cache of validated, unpacked wheels, keyed by the sha256 of the wheel file.
 * Each wheel is read, checked and inflated once; later installs of it, into any
 * environment, copy (or clone, or on request hard-link) its files from here.
 *
 * Entries are immutable: a wheel is unpacked straight into a temporary directory of the
 * cache while it is validated, and that directory is renamed into place whole, so a
 * reader never sees a half-written entry, and two processes caching the same wheel at
 * once both succeed (the loser's copy is discarded). An entry found damaged (a file
 * missing or of the wrong size, as a disk clean-up or a hand edit leaves it) is a miss,
 * and is replaced by the next store.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { parseWheelFilename } from '../names.js';
import { parseHeaders } from '../wheel/headers.js';
import type { CachedCopy, Wheel, WheelFile } from '../wheel/wheel.js';

// 2: files record `unlisted` (RECORD's signatures the wheel's RECORD does not list).
const LAYOUT_VERSION = 2;
const META = 'wheel.json';
const FILES = 'files';

/** What a cache entry records of the validated wheel: its plain fields, METADATA as text, and each file's hash. */
type EntryMeta = Pick<Wheel, 'name' | 'version' | 'distInfo' | 'dataDir' | 'wheelVersion' | 'rootIsPurelib' | 'entryPoints' | 'warnings'> & {
  readonly layout: number;
  readonly filename: string;
  readonly metadataText: string;
  readonly files: ReadonlyArray<{ readonly path: string; readonly hash: string; readonly size: number; readonly executable: boolean; readonly unlisted?: true }>;
};

/** A directory inside the cache that a wheel is unpacked into before it becomes an entry. */
export interface PendingEntry {
  /** Where the wheel's members go, each at its own path below. */
  readonly filesDir: string;
  readonly dir: string;
}

export class WheelCache {
  constructor(readonly root: string) {}

  private entryDir(sha256: string): string {
    return path.join(this.root, `v${LAYOUT_VERSION}`, sha256.slice(0, 2), sha256);
  }

  /**
   * The cached wheel for these exact bytes, or null. The file name must match the one
   * cached: it is part of what validation checked (tags, dist-info name).
   */
  lookup(filename: string, sha256: string, source: Pick<Wheel, 'source' | 'archive'>): Wheel | null {
    const entry = readEntry(this.entryDir(sha256));
    if (!entry || entry.meta.filename !== filename) return null;
    const { meta, files } = entry;
    return {
      source: source.source,
      filename: parseWheelFilename(filename),
      name: meta.name,
      version: meta.version,
      distInfo: meta.distInfo,
      dataDir: meta.dataDir,
      wheelVersion: meta.wheelVersion,
      rootIsPurelib: meta.rootIsPurelib,
      metadata: parseHeaders(meta.metadataText),
      entryPoints: meta.entryPoints,
      files,
      archive: source.archive,
      sha256,
      warnings: meta.warnings,
    };
  }

  /** A fresh directory to unpack a wheel into, or null when the cache cannot be written (it then only costs speed). */
  begin(): PendingEntry | null {
    const dir = path.join(this.root, `v${LAYOUT_VERSION}`, `.tmp-${randomBytes(6).toString('hex')}`);
    try {
      fs.mkdirSync(path.join(dir, FILES), { recursive: true });
    } catch {
      return null;
    }
    return { dir, filesDir: path.join(dir, FILES) };
  }

  /**
   * Make a wheel validated from `pending` an entry, and return it as read from the cache.
   * Whatever fails, the wheel as unpacked stays usable (null): the caller removes `pending`.
   */
  commit(pending: PendingEntry, wheel: Wheel): Wheel | null {
    const dir = this.entryDir(wheel.sha256);
    try {
      const metadataFile = wheel.files.find((f) => f.path === `${wheel.distInfo}/METADATA`);
      const meta: EntryMeta = {
        layout: LAYOUT_VERSION,
        filename: wheel.filename.filename,
        name: wheel.name,
        version: wheel.version,
        distInfo: wheel.distInfo,
        dataDir: wheel.dataDir,
        wheelVersion: wheel.wheelVersion,
        rootIsPurelib: wheel.rootIsPurelib,
        metadataText: metadataFile ? metadataFile.data.toString('utf8') : '',
        entryPoints: wheel.entryPoints,
        warnings: wheel.warnings,
        files: wheel.files.map((f) => ({ path: f.path, hash: f.cached!.hash, size: f.cached!.size, executable: f.executable, ...(f.unlisted ? { unlisted: true as const } : {}) })),
      };
      fs.writeFileSync(path.join(pending.dir, META), JSON.stringify(meta));
      fs.mkdirSync(path.dirname(dir), { recursive: true });
      replaceDamaged(dir);
      try {
        fs.renameSync(pending.dir, dir);
      } catch (e) {
        // Another process cached the same wheel first: theirs is as good as ours.
        if (!['ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
      }
    } catch {
      return null;
    }
    return this.lookup(wheel.filename.filename, wheel.sha256, wheel);
  }

  abandon(pending: PendingEntry): void {
    fs.rmSync(pending.dir, { recursive: true, force: true });
  }
}

/** An entry's record and files, or null when it is absent, of another layout, or damaged. */
function readEntry(dir: string): { meta: EntryMeta; files: WheelFile[] } | null {
  let meta: EntryMeta;
  try {
    meta = JSON.parse(fs.readFileSync(path.join(dir, META), 'utf8')) as EntryMeta;
  } catch {
    return null;
  }
  if (meta.layout !== LAYOUT_VERSION) return null;
  const files = meta.files.map((f) => cachedFile(f.path, f.executable, { file: path.join(dir, FILES, ...f.path.split('/')), hash: f.hash, size: f.size }, f.unlisted === true));
  return files.every((f) => intact(f.cached!)) ? { meta, files } : null;
}

/** Move a damaged entry out of the way (renamed first, so no reader sees it half-deleted). */
function replaceDamaged(dir: string): void {
  if (!fs.existsSync(dir) || readEntry(dir)) return;
  const aside = `${dir}.damaged-${randomBytes(6).toString('hex')}`;
  fs.renameSync(dir, aside);
  fs.rmSync(aside, { recursive: true, force: true });
}

function intact(copy: CachedCopy): boolean {
  try {
    return fs.statSync(copy.file).size === copy.size;
  } catch {
    return false;
  }
}

/** A wheel file whose bytes are read from the cache only if something needs them (a shebang rewrite). */
function cachedFile(filePath: string, executable: boolean, cached: CachedCopy, unlisted: boolean): WheelFile {
  let data: Buffer | undefined;
  return {
    path: filePath,
    executable,
    ...(unlisted ? { unlisted: true as const } : {}),
    cached,
    get data(): Buffer {
      data ??= fs.readFileSync(cached.file);
      return data;
    },
  };
}
