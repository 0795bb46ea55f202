/**
 * The files every source offers for a project: the indexes, and the find-links
 * locations (directories, or flat HTML pages listing many projects' files).
 *
 * Which index wins (a security matter, see "Indexes" in the README): the extra indexes
 * are asked first, in the order given, then the main index, and the FIRST index that
 * lists the project is the only one used for it (uv's default, "first-index"). pip
 * instead merges every index and takes the highest version anywhere, so a project name
 * that exists on a private extra index can be taken over by anyone who publishes a
 * higher version of that name on the public index (dependency confusion). With
 * first-index, a private index listed as an extra index always wins for the names it
 * has, and the public index is not even asked about them. Find-links locations are
 * chosen by the user and local in spirit, so their files are always added.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { SidewheelError } from '../errors.js';
import { normalizeName } from '../names.js';
import { redactUrl } from './credentials.js';
import { HttpFailure, type HttpClient } from './http.js';
import type { IndexSettings } from './settings.js';
import { ACCEPT, parseHtmlPage, parseProjectPage, type IndexFile } from './simple.js';

/** A page larger than this is refused: the largest real project pages are a few MB. */
export const MAX_PAGE_BYTES = 32 * 1024 * 1024;

/** A file and where it was listed (redacted, for messages). */
export interface LocatedFile extends IndexFile {
  readonly origin: string;
  /** The path on disk, for a file in a find-links directory. */
  readonly localPath: string | null;
}

export interface ProjectFiles {
  /** The index that had the project, or null when none did. */
  readonly index: string | null;
  readonly files: readonly LocatedFile[];
}

export class PackageFinder {
  private readonly projects = new Map<string, Promise<ProjectFiles>>();
  private flat: Promise<LocatedFile[]> | null = null;

  constructor(
    readonly settings: IndexSettings,
    private readonly http: HttpClient,
  ) {}

  /** Every file of `project` (PEP 503-normalized): the winning index's, then find-links'. Cached per project. */
  projectFiles(project: string): Promise<ProjectFiles> {
    let found = this.projects.get(project);
    if (!found) {
      found = this.find(project);
      this.projects.set(project, found);
    }
    return found;
  }

  /** The indexes in the order they are asked: extra indexes first, the main index last. */
  indexes(): string[] {
    return this.settings.noIndex ? [] : [...this.settings.extraIndexUrls, this.settings.indexUrl];
  }

  private async find(project: string): Promise<ProjectFiles> {
    const flat = (await this.flatFiles()).filter((f) => fileProject(f.filename, project));
    for (const index of this.indexes()) {
      const files = await this.indexPage(index, project);
      if (files.length) return { index: redactUrl(index), files: [...files, ...flat] };
    }
    return { index: null, files: flat };
  }

  private async indexPage(index: string, project: string): Promise<LocatedFile[]> {
    const pageUrl = new URL(`${project}/`, index);
    let page: { url: URL; contentType: string; bytes: Buffer };
    try {
      page = await this.http.fetch(pageUrl, ACCEPT, MAX_PAGE_BYTES);
    } catch (e) {
      // A 404 is how an index says it has no such project.
      if (e instanceof HttpFailure && e.status === 404) return [];
      throw networkError(pageUrl, e);
    }
    const origin = redactUrl(index);
    return parseProjectPage(page.bytes, page.contentType, page.url).map((f) => ({ ...f, origin, localPath: null }));
  }

  private flatFiles(): Promise<LocatedFile[]> {
    this.flat ??= Promise.all(this.settings.findLinks.map((location) => this.findLinks(location))).then((lists) => lists.flat());
    return this.flat;
  }

  private async findLinks(location: string): Promise<LocatedFile[]> {
    if (!/^https?:\/\//i.test(location)) return directoryFiles(location);
    const url = new URL(location);
    let page: { url: URL; contentType: string; bytes: Buffer };
    try {
      page = await this.http.fetch(url, 'text/html', MAX_PAGE_BYTES);
    } catch (e) {
      throw networkError(url, e);
    }
    const origin = redactUrl(location);
    return parseHtmlPage(page.bytes.toString('utf8'), page.url).map((f) => ({ ...f, origin, localPath: null }));
  }
}

/** A failure to reach `url`, as one line that never shows credentials. */
export function networkError(url: URL, e: unknown): SidewheelError {
  if (e instanceof SidewheelError) return e;
  const why = e instanceof HttpFailure ? e.message : String((e as Error)?.message ?? e);
  const hint = e instanceof HttpFailure && (e.status === 401 || e.status === 403) ? 'put the credentials in the index URL (https://user:token@host/simple/) or in ~/.netrc' : undefined;
  return new SidewheelError('NETWORK', `cannot get ${redactUrl(url)}: ${why}`, hint);
}

async function directoryFiles(dir: string): Promise<LocatedFile[]> {
  let names: string[];
  try {
    names = (await fs.readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message;
    throw new SidewheelError('USAGE', `--find-links ${dir}: cannot read it (${why})`);
  }
  return names.sort().map((filename) => {
    const localPath = path.join(dir, filename);
    return { filename, url: pathToFileURL(localPath), hashes: {}, requiresPython: null, yanked: null, coreMetadata: null, size: null, origin: dir, localPath };
  });
}

const SDIST_SUFFIXES = ['.tar.gz', '.zip', '.tar.bz2', '.tar.xz', '.tgz', '.tar'];

/** The distribution kind of a file name, or null for anything else (eggs, .exe, signatures). */
export function distributionKind(filename: string): 'wheel' | 'sdist' | null {
  if (filename.endsWith('.whl')) return 'wheel';
  return SDIST_SUFFIXES.some((s) => filename.toLowerCase().endsWith(s)) ? 'sdist' : null;
}

/** Whether a file name is a distribution of `project` (normalized), as pip reads names. */
export function fileProject(filename: string, project: string): boolean {
  const kind = distributionKind(filename);
  if (kind === 'wheel') return normalizeName(filename.split('-')[0] ?? '') === project;
  if (kind === 'sdist') return sdistVersion(filename, project) !== null;
  return false;
}

/** The version part of an sdist's file name when its name part is `project` (pip's _extract_version_from_fragment). */
export function sdistVersion(filename: string, project: string): string | null {
  const suffix = SDIST_SUFFIXES.find((s) => filename.toLowerCase().endsWith(s));
  if (!suffix) return null;
  const stem = filename.slice(0, filename.length - suffix.length);
  for (let i = stem.indexOf('-'); i > 0; i = stem.indexOf('-', i + 1)) {
    if (normalizeName(stem.slice(0, i)) === project) return stem.slice(i + 1) || null;
  }
  return null;
}
