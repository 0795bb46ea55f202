/**
 * A shared cache of validated, unpacked wheels, keyed by the sha256 of the wheel file.
 * Each wheel is read, checked and inflated once; later installs of it, into any
 * environment, copy (or clone, or on request hard-link) its files from here.
 *
 * Entries are immutable: one is built in a temporary directory and renamed into place
 * whole, so a reader never sees a half-written entry, and two processes caching the
 * same wheel at once both succeed (the loser's copy is discarded).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileMode } from '../fs-modes.js';
import { parseWheelFilename } from '../names.js';
import { parseHeaders } from '../wheel/headers.js';
import { recordHash } from '../wheel/record.js';
import type { CachedCopy, Wheel, WheelFile } from '../wheel/wheel.js';

const LAYOUT_VERSION = 1;
const META = 'wheel.json';
const FILES = 'files';

/** What a cache entry records of the validated wheel: its plain fields, METADATA as text, and each file's hash. */
type EntryMeta = Pick<Wheel, 'name' | 'version' | 'distInfo' | 'dataDir' | 'wheelVersion' | 'rootIsPurelib' | 'entryPoints' | 'warnings'> & {
  readonly layout: number;
  readonly filename: string;
  readonly metadataText: string;
  readonly files: ReadonlyArray<{ readonly path: string; readonly hash: string; readonly size: number; readonly executable: boolean }>;
};

export class WheelCache {
  constructor(readonly root: string) {}

  private entryDir(sha256: string): string {
    return path.join(this.root, `v${LAYOUT_VERSION}`, sha256.slice(0, 2), sha256);
  }

  /**
   * The cached wheel for these exact bytes, or null. The file name must match the one
   * cached: it is part of what validation checked (tags, dist-info name).
   */
  lookup(filename: string, sha256: string, source: string, bytes: Buffer): Wheel | null {
    const dir = this.entryDir(sha256);
    let meta: EntryMeta;
    try {
      meta = JSON.parse(fs.readFileSync(path.join(dir, META), 'utf8')) as EntryMeta;
    } catch {
      return null;
    }
    if (meta.layout !== LAYOUT_VERSION || meta.filename !== filename) return null;
    return {
      source,
      filename: parseWheelFilename(filename),
      name: meta.name,
      version: meta.version,
      distInfo: meta.distInfo,
      dataDir: meta.dataDir,
      wheelVersion: meta.wheelVersion,
      rootIsPurelib: meta.rootIsPurelib,
      metadata: parseHeaders(meta.metadataText),
      entryPoints: meta.entryPoints,
      files: meta.files.map((f) => cachedFile(f.path, f.executable, { file: path.join(dir, FILES, ...f.path.split('/')), hash: f.hash, size: f.size })),
      bytes,
      sha256,
      warnings: meta.warnings,
    };
  }

  /** Add a validated wheel. A cache that cannot be written only costs speed, so failures are ignored. */
  store(wheel: Wheel): void {
    const dir = this.entryDir(wheel.sha256);
    const tmp = path.join(this.root, `v${LAYOUT_VERSION}`, `.tmp-${randomBytes(6).toString('hex')}`);
    try {
      for (const file of wheel.files) {
        const target = path.join(tmp, FILES, ...file.path.split('/'));
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, file.data, { mode: fileMode(file.executable) });
      }
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
        files: wheel.files.map((f) => ({ path: f.path, hash: recordHash(f.data), size: f.data.length, executable: f.executable })),
      };
      fs.writeFileSync(path.join(tmp, META), JSON.stringify(meta));
      fs.mkdirSync(path.dirname(dir), { recursive: true });
      try {
        fs.renameSync(tmp, dir);
      } catch (e) {
        // Another process cached the same wheel first: theirs is as good as ours.
        if (!['ENOTEMPTY', 'EEXIST'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
      }
    } catch {
      // Unwritable or full: install without the cache.
    }
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** A wheel file whose bytes are read from the cache only if something needs them (a shebang rewrite). */
function cachedFile(filePath: string, executable: boolean, cached: CachedCopy): WheelFile {
  let data: Buffer | undefined;
  return {
    path: filePath,
    executable,
    cached,
    get data(): Buffer {
      data ??= fs.readFileSync(cached.file);
      return data;
    },
  };
}
