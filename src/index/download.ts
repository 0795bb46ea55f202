/**
 * Wheels from an index, into the cache's download area: a few at a time, streamed to a
 * temporary file (never whole into memory), every hash the index gave checked before
 * the file is renamed to its place, so a download that fails or is interrupted leaves
 * nothing under a wheel's name. A wheel already downloaded (same sha256) is not fetched
 * again. Retries (connection errors, 5xx) start the file over.
 *
 * Layout: `<dir>/<sha256[0:2]>/<sha256>/<file name>`, and `.tmp-*` files being written.
 */
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { SidewheelError } from '../errors.js';
import { redactUrl } from './credentials.js';
import { networkError } from './finder.js';
import type { HttpClient } from './http.js';
import type { IndexFile } from './simple.js';

/** No wheel on any real index comes near this; a body that does is refused. */
export const MAX_WHEEL_BYTES = 4 * 1024 * 1024 * 1024;
const DEFAULT_CONCURRENCY = 4;

export interface DownloadEvent {
  readonly fileName: string;
  readonly received: number;
  /** From Content-Length or PEP 700 size; null when unknown. */
  readonly total: number | null;
  readonly done: boolean;
}

export type DownloadListener = (event: DownloadEvent) => void;

export interface Downloaded {
  readonly path: string;
  readonly sha256: string;
}

/** At most `limit` of the functions run at once. */
export function limiter(limit: number): <T>(run: () => Promise<T>) => Promise<T> {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async <T>(run: () => Promise<T>): Promise<T> => {
    if (active >= limit) await new Promise<void>((r) => waiting.push(r));
    active++;
    try {
      return await run();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

export class Downloader {
  private readonly inFlight = new Map<string, Promise<Downloaded>>();
  private readonly limit: <T>(run: () => Promise<T>) => Promise<T>;

  constructor(
    private readonly http: HttpClient,
    readonly dir: string,
    private readonly onEvent?: DownloadListener,
    concurrency = DEFAULT_CONCURRENCY,
  ) {
    this.limit = limiter(concurrency);
  }

  /** The wheel on disk, downloaded (once per run) unless already there. */
  fetch(file: IndexFile): Promise<Downloaded> {
    // The same URL locked with other hashes (or under another name) must be checked again.
    const key = `${file.url.toString()} ${file.filename} ${JSON.stringify(file.hashes)}`;
    let found = this.inFlight.get(key);
    if (!found) {
      found = this.cached(file).then((hit) => hit ?? this.limit(() => this.download(file)));
      this.inFlight.set(key, found);
    }
    return found;
  }

  private finalPath(sha256: string, fileName: string): string {
    return path.join(this.dir, sha256.slice(0, 2), sha256, fileName);
  }

  private async cached(file: IndexFile): Promise<Downloaded | null> {
    const sha256 = file.hashes.sha256;
    if (!sha256) return null;
    const target = this.finalPath(sha256, file.filename);
    try {
      await fs.access(target);
      return { path: target, sha256 };
    } catch {
      return null;
    }
  }

  private async download(file: IndexFile): Promise<Downloaded> {
    await fs.mkdir(this.dir, { recursive: true });
    const tmp = path.join(this.dir, `.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
    try {
      const sha256 = await this.http.withRetries(() => this.attempt(file, tmp));
      const target = this.finalPath(sha256, file.filename);
      await fs.mkdir(path.dirname(target), { recursive: true });
      await fs.rename(tmp, target);
      return { path: target, sha256 };
    } catch (e) {
      throw e instanceof SidewheelError ? e : networkError(file.url, e);
    } finally {
      await fs.rm(tmp, { force: true });
    }
  }

  /** One try: the body into `tmp`, counted and hashed on the way; returns the sha256. */
  private async attempt(file: IndexFile, tmp: string): Promise<string> {
    const response = await this.http.open(file.url, '*/*');
    const total = file.size ?? response.contentLength;
    const cap = file.size ?? MAX_WHEEL_BYTES;
    const hashers = new Map<string, Hash>([['sha256', createHash('sha256')]]);
    for (const algorithm of Object.keys(file.hashes)) if (!hashers.has(algorithm)) hashers.set(algorithm, createHashOrThrow(algorithm, file));
    let received = 0;
    const emit = (done: boolean): void => this.onEvent?.({ fileName: file.filename, received, total, done });
    emit(false);
    const meter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        if (received > cap) {
          callback(new SidewheelError('BAD_INDEX', `${file.filename}: ${redactUrl(file.url)} sent more than ${cap} bytes${file.size !== null ? ', the size the index gave' : ''}`));
          return;
        }
        for (const h of hashers.values()) h.update(chunk);
        emit(false);
        callback(null, chunk);
      },
    });
    // The file exists before the first byte arrives: a write stream that opened it lazily
    // could create it after a failed attempt had already removed it.
    const out = await fs.open(tmp, 'w');
    try {
      await pipeline(response.body, meter, out.createWriteStream());
    } catch (e) {
      // A failed attempt restarts from nothing.
      await fs.rm(tmp, { force: true });
      throw e;
    } finally {
      emit(true);
    }
    if (file.size !== null && received !== file.size) {
      throw new SidewheelError('BAD_INDEX', `${file.filename}: ${redactUrl(file.url)} sent ${received} bytes, and the index said ${file.size}`);
    }
    const digests = new Map([...hashers].map(([algorithm, h]) => [algorithm, h.digest('hex')]));
    for (const [algorithm, expected] of Object.entries(file.hashes)) {
      if (digests.get(algorithm) !== expected) {
        throw new SidewheelError('BAD_INDEX', `${file.filename}: ${algorithm} of the download is ${digests.get(algorithm)}, and the index says ${expected}`, 'the file on the index or on the way was altered or damaged; nothing was kept');
      }
    }
    return digests.get('sha256')!;
  }
}

function createHashOrThrow(algorithm: string, file: IndexFile): Hash {
  try {
    return createHash(algorithm);
  } catch {
    throw new SidewheelError('BAD_INDEX', `${file.filename}: the index gives a ${algorithm} hash, which sidewheel cannot check`);
  }
}
