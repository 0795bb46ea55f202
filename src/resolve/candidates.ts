/**
 * The wheels a resolution may choose from. A *source* is a list of wheel file names,
 * each with a way to read its METADATA (a directory here; a bundle gives its manifest
 * and buffers); describing it parses file names and ranks tags, and reads no wheel.
 * METADATA is read later, through the provider made here, only for the wheels the
 * resolver actually considers.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SidewheelError } from '../errors.js';
import { normalizeName, parseWheelFilename, type Tag, type WheelFilename } from '../names.js';
import { wheelRank } from '../tags.js';
import { Version } from '../versions.js';
import type { HeaderFields } from '../wheel/headers.js';
import type { ByteRange } from '../wheel/archive.js';
import { readWheelMetadata } from '../wheel/metadata-only.js';

export interface SourceEntry {
  readonly fileName: string;
  /** Where the wheel is on disk; null when it lives elsewhere (in a bundle). */
  readonly path: string | null;
  /** The wheel's METADATA; throws SidewheelError BAD_WHEEL when the wheel cannot be read. */
  readonly loadMetadata: () => Promise<HeaderFields>;
}

export interface CandidateSource {
  /** What to call the source in messages: a directory or a bundle. */
  readonly label: string;
  readonly entries: readonly SourceEntry[];
}

/** One wheel file the resolver may choose, described from its file name alone. */
export interface WheelCandidate {
  readonly fileName: string;
  readonly path: string | null;
  /** PEP 503-normalized. */
  readonly project: string;
  readonly version: Version;
  readonly build: WheelFilename['build'];
  readonly tags: readonly Tag[];
  /** Position of the wheel's best tag among the interpreter's (lower is better); null: none supported. */
  readonly rank: number | null;
  /** PEP 592: yanked on its index (used only when a `==` pin leaves nothing else). */
  readonly yanked?: boolean;
}

/** A version of a project that an index offers only as a source distribution. */
export interface SourceOnly {
  readonly version: Version;
  readonly fileName: string;
  readonly yanked: boolean;
}

/**
 * Candidates that arrive per project, the first time resolution asks about it (an
 * index answers one project page at a time).
 */
export interface LazyCandidates {
  /** The project's wheels (supported or not) and its sdists; `project` is normalized. */
  load(project: string): Promise<{ readonly wheels: readonly WheelCandidate[]; readonly sdists: readonly SourceOnly[] }>;
}

/** The METADATA fields resolution reads. */
export interface CandidateMetadata {
  readonly name: string;
  readonly version: string;
  readonly requiresPython: string | null;
  readonly requiresDist: readonly string[];
  readonly providesExtra: readonly string[];
}

/** Reads a candidate's metadata; sync or async, so tests and bundles can answer from memory. */
export type MetadataProvider = (candidate: WheelCandidate) => CandidateMetadata | Promise<CandidateMetadata>;

/** A `.whl` file that cannot be a candidate, and why. */
export interface SkippedFile {
  readonly fileName: string;
  readonly reason: string;
}

export interface Wheelhouse {
  readonly label: string;
  readonly candidates: readonly WheelCandidate[];
  readonly skipped: readonly SkippedFile[];
  /** Cached: each wheel's METADATA is read at most once. */
  readonly metadata: MetadataProvider;
}

/** The `*.whl` files directly in `dir` (not below it), in name order. */
export async function directorySource(dir: string): Promise<CandidateSource> {
  let names: string[];
  try {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    names = entries.filter((e) => e.name.endsWith('.whl') && !e.isDirectory()).map((e) => e.name);
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such directory' : (e as Error).message;
    throw new SidewheelError('MISSING_INPUT', `cannot read the wheelhouse ${dir} (${why})`);
  }
  const entries = names.sort().map((fileName): SourceEntry => {
    const file = path.join(dir, fileName);
    return { fileName, path: file, loadMetadata: async () => (await readWheelMetadata(file)).metadata };
  });
  return { label: dir, entries };
}

/** The wheels of a bundle, read in place: metadata from each member's byte range. */
export function bundleSource(label: string, wheels: Iterable<{ readonly fileName: string; readonly range: ByteRange }>): CandidateSource {
  const entries = [...wheels].map(({ fileName, range }): SourceEntry => ({
    fileName,
    path: null,
    loadMetadata: async () => (await readWheelMetadata(range, fileName)).metadata,
  }));
  return { label, entries };
}

/** Parse file names and rank tags against `supported` (supportedTags(info, {extraPlatforms})). */
export function describeWheelhouse(source: CandidateSource, supported: readonly Tag[]): Wheelhouse {
  const candidates: WheelCandidate[] = [];
  const skipped: SkippedFile[] = [];
  const loaders = new Map<string, () => Promise<HeaderFields>>();
  for (const entry of source.entries) {
    const described = describeWheelFile(entry.fileName, entry.path, supported);
    if ('reason' in described) skipped.push(described);
    else {
      candidates.push(described);
      loaders.set(entry.fileName, entry.loadMetadata);
    }
  }
  const cache = new Map<string, Promise<CandidateMetadata>>();
  const metadata: MetadataProvider = (candidate) => {
    let loaded = cache.get(candidate.fileName);
    if (!loaded) {
      const load = loaders.get(candidate.fileName);
      if (!load) throw new Error(`${candidate.fileName} is not a candidate of ${source.label}`);
      loaded = load().then(candidateMetadata);
      cache.set(candidate.fileName, loaded);
    }
    return loaded;
  };
  return { label: source.label, candidates, skipped, metadata };
}

/** A wheel file name as a candidate, or why it cannot be one. */
export function describeWheelFile(fileName: string, filePath: string | null, supported: readonly Tag[]): WheelCandidate | SkippedFile {
  let filename: WheelFilename;
  try {
    filename = parseWheelFilename(fileName);
  } catch (e) {
    // The error names the file itself; keep only the why.
    const message = (e as Error).message;
    const reason = message.startsWith(`${fileName}: `) ? message.slice(fileName.length + 2) : message;
    return { fileName, reason };
  }
  // File names escape `-` in versions as `_` (as pip reads them back).
  const version = Version.tryParse(filename.version.replace(/_/g, '-'));
  if (version === null) return { fileName, reason: `version ${JSON.stringify(filename.version)} is not PEP 440` };
  return {
    fileName,
    path: filePath,
    project: normalizeName(filename.name),
    version,
    build: filename.build,
    tags: filename.tags,
    rank: wheelRank(filename.tags, supported),
  };
}

/** The fields resolution needs, from a METADATA (a wheel's, or an installed distribution's). */
export function candidateMetadata(fields: HeaderFields): CandidateMetadata {
  return {
    name: fields.get('Name') ?? '',
    version: fields.get('Version') ?? '',
    requiresPython: fields.get('Requires-Python') ?? null,
    requiresDist: fields.getAll('Requires-Dist').map((r) => r.trim()),
    providesExtra: fields.getAll('Provides-Extra').map((e) => e.trim()),
  };
}
