/**
 * One set of candidates from everywhere wheels may come from: `--from` wheelhouses
 * (directories or bundles, known up front), then find-links locations and the winning
 * index (fetched per project, when resolution first asks). A file name offered twice
 * is taken from the first place that offers it, so a local copy is never downloaded.
 *
 * Metadata without downloading: a wheel whose index offers its METADATA on its own
 * (PEP 658/714) is resolved from that small file, checked against the hash the index
 * gave; any other index wheel is downloaded into the cache and read there, and the
 * download is reused if it is installed.
 */
import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { isBundle, openBundle, type BundleWheel } from '../bundle/read.js';
import { SidewheelError } from '../errors.js';
import type { WheelInput } from '../sources/load.js';
import { normalizeName, type Tag } from '../names.js';
import { bundleSource, candidateMetadata, describeWheelFile, directorySource, type CandidateMetadata, type CandidateSource, type LazyCandidates, type SkippedFile, type SourceEntry, type SourceOnly, type WheelCandidate } from '../resolve/candidates.js';
import { compareWheels } from '../resolve/provider.js';
import type { ResolutionInput } from '../resolve/resolver.js';
import { SpecifierSet, Version } from '../versions.js';
import { parseHeaders } from '../wheel/headers.js';
import { sha256Of } from '../wheel/archive.js';
import { readWheelMetadata } from '../wheel/metadata-only.js';
import { redactUrl } from './credentials.js';
import type { Downloader } from './download.js';
import { distributionKind, networkError, sdistVersion, type LocatedFile, type PackageFinder } from './finder.js';
import type { HttpClient } from './http.js';

/** A METADATA file larger than this is refused (real ones are a few kB). */
const MAX_METADATA_BYTES = 16 * 1024 * 1024;

/** A `--from` wheelhouse: its wheels, and where their bytes are when they live in a bundle. */
export interface LocalWheelhouse {
  readonly location: string;
  readonly source: CandidateSource;
  readonly memberOf: (fileName: string) => BundleWheel | undefined;
}

export async function openWheelhouse(location: string): Promise<LocalWheelhouse> {
  if (!(await isBundle(location))) {
    return { location, source: await directorySource(location), memberOf: () => undefined };
  }
  const bundle = await openBundle(location);
  const members = new Map(bundle.wheels.map((w) => [w.fileName, w]));
  return { location, source: bundleSource(path.basename(location), bundle.wheels), memberOf: (name) => members.get(name) };
}

export interface SourcesOptions {
  /** Indexes and find-links; null when only the wheelhouses count. */
  readonly finder: PackageFinder | null;
  readonly http: HttpClient;
  readonly downloader: Downloader;
  readonly wheelhouses: readonly LocalWheelhouse[];
  readonly supported: readonly Tag[];
  /** The target's Python version, which an index's Requires-Python is checked against. */
  readonly pythonVersion: string;
}

/** A chosen wheel, ready to install, with the sha256 of its bytes. */
export interface FetchedWheel {
  readonly input: WheelInput;
  readonly sha256: string;
}

type Origin = { readonly kind: 'local'; readonly wheelhouse: LocalWheelhouse; readonly entry: SourceEntry } | { readonly kind: 'remote'; readonly file: LocatedFile };

export class WheelSources {
  private readonly origins = new Map<string, Origin>();
  private readonly metadataCache = new Map<string, Promise<CandidateMetadata>>();
  private readonly skipped: SkippedFile[] = [];
  private readonly localCandidates: WheelCandidate[] = [];

  constructor(private readonly options: SourcesOptions) {
    for (const wheelhouse of options.wheelhouses) {
      for (const entry of wheelhouse.source.entries) {
        if (this.origins.has(entry.fileName)) continue;
        const described = describeWheelFile(entry.fileName, entry.path, options.supported);
        if ('reason' in described) this.skipped.push(described);
        else {
          this.localCandidates.push(described);
          this.origins.set(entry.fileName, { kind: 'local', wheelhouse, entry });
        }
      }
    }
  }

  /** What resolution chooses from. */
  input(): ResolutionInput {
    const lazy: LazyCandidates | undefined = this.options.finder ? { load: (project) => this.loadProject(project) } : undefined;
    return { candidates: this.localCandidates, metadata: (c) => this.metadata(c), skipped: this.skipped, ...(lazy ? { lazy } : {}) };
  }

  /** The chosen wheels, downloaded where needed (several at once), in the order given. */
  fetch(wheels: readonly WheelCandidate[]): Promise<FetchedWheel[]> {
    return Promise.all(wheels.map((w) => this.fetchOne(w)));
  }

  /** Where a chosen wheel comes from, for messages: a wheelhouse or an index (credentials removed). */
  originOf(fileName: string): string {
    const origin = this.origins.get(fileName);
    return origin === undefined ? 'unknown' : origin.kind === 'local' ? origin.wheelhouse.location : origin.file.origin;
  }

  private async fetchOne(wheel: WheelCandidate): Promise<FetchedWheel> {
    const origin = this.originFor(wheel);
    if (origin.kind === 'local') {
      const member = origin.wheelhouse.memberOf(wheel.fileName);
      const file = origin.entry.path ?? path.join(origin.wheelhouse.location, wheel.fileName);
      // A bundle member was verified against the bundle's manifest when it was opened.
      if (member) return { input: { file, range: member.range, sha256: member.sha256 }, sha256: member.sha256 };
      return { input: { file }, sha256: await fileSha256(file) };
    }
    const { file } = origin;
    if (file.localPath !== null) return { input: { file: file.localPath }, sha256: await fileSha256(file.localPath) };
    // Checked against the index's hash while it was streamed to disk; a wheel from an index gets no direct_url.json.
    const downloaded = await this.options.downloader.fetch(file);
    return { input: { file: downloaded.path, sha256: downloaded.sha256 }, sha256: downloaded.sha256 };
  }

  private originFor(wheel: WheelCandidate): Origin {
    const origin = this.origins.get(wheel.fileName);
    if (!origin) throw new Error(`${wheel.fileName} is not a candidate of these sources`);
    return origin;
  }

  private async loadProject(project: string): Promise<{ wheels: WheelCandidate[]; sdists: SourceOnly[] }> {
    const found = await this.options.finder!.projectFiles(project);
    const wheels: WheelCandidate[] = [];
    const sdists: SourceOnly[] = [];
    for (const file of found.files) {
      const kind = distributionKind(file.filename);
      if (kind === null || (kind === 'wheel' && this.origins.get(file.filename)?.kind === 'local')) continue;
      // pip leaves out files whose Requires-Python (from the index) excludes the interpreter.
      if (!this.fitsPython(file.requiresPython)) {
        this.skipped.push({ fileName: file.filename, reason: `requires Python ${file.requiresPython}` });
        continue;
      }
      if (kind === 'sdist') {
        const version = Version.tryParse(sdistVersion(file.filename, project) ?? '');
        if (version) sdists.push({ version, fileName: file.filename, yanked: file.yanked !== null });
        continue;
      }
      const described = describeWheelFile(file.filename, null, this.options.supported);
      if ('reason' in described) {
        this.skipped.push(described);
        continue;
      }
      if (described.project !== project) continue;
      if (!this.origins.has(file.filename)) this.origins.set(file.filename, { kind: 'remote', file });
      wheels.push({ ...described, yanked: file.yanked !== null });
    }
    this.prefetchBest(wheels);
    return { wheels, sdists };
  }

  /**
   * Start reading the metadata of the wheel resolution will most likely look at first
   * (newest, best tags, not yanked), when that costs a small .metadata file: its answer,
   * and the pages of its dependencies, are then on their way before they are asked for.
   */
  private prefetchBest(wheels: readonly WheelCandidate[]): void {
    const best = wheels.filter((w) => w.rank !== null && !w.yanked).sort(compareWheels)[0];
    const origin = best && this.origins.get(best.fileName);
    if (best && origin?.kind === 'remote' && origin.file.coreMetadata !== null) this.metadata(best).catch(() => undefined);
  }

  private fitsPython(requiresPython: string | null): boolean {
    if (requiresPython === null) return true;
    try {
      return new SpecifierSet(requiresPython).contains(this.options.pythonVersion, true);
    } catch {
      // An invalid Requires-Python is ignored, as pip ignores it.
      return true;
    }
  }

  private metadata(candidate: WheelCandidate): Promise<CandidateMetadata> {
    let loaded = this.metadataCache.get(candidate.fileName);
    if (!loaded) {
      loaded = this.readMetadata(candidate).then((m) => {
        this.prefetchDependencies(m);
        return m;
      });
      this.metadataCache.set(candidate.fileName, loaded);
    }
    return loaded;
  }

  private async readMetadata(candidate: WheelCandidate): Promise<CandidateMetadata> {
    const origin = this.originFor(candidate);
    if (origin.kind === 'local') return candidateMetadata(await origin.entry.loadMetadata());
    const { file } = origin;
    if (file.localPath !== null) return candidateMetadata((await readWheelMetadata(file.localPath)).metadata);
    if (file.coreMetadata !== null) return candidateMetadata(parseHeaders(await this.coreMetadata(file, file.coreMetadata)));
    const downloaded = await this.options.downloader.fetch(file);
    return candidateMetadata((await readWheelMetadata(downloaded.path)).metadata);
  }

  /** PEP 658: `<wheel URL>.metadata`, checked against every hash the index gave for it. */
  private async coreMetadata(file: LocatedFile, hashes: Readonly<Record<string, string>>): Promise<string> {
    const url = new URL(`${file.url.toString()}.metadata`);
    let bytes: Buffer;
    try {
      bytes = (await this.options.http.fetch(url, '*/*', MAX_METADATA_BYTES)).bytes;
    } catch (e) {
      throw networkError(url, e);
    }
    for (const [algorithm, expected] of Object.entries(hashes)) {
      let actual: string;
      try {
        actual = createHash(algorithm).update(bytes).digest('hex');
      } catch {
        continue;
      }
      if (actual !== expected) {
        throw new SidewheelError('BAD_INDEX', `${file.filename}: ${algorithm} of ${redactUrl(url)} is ${actual}, and the index says ${expected}`);
      }
    }
    return bytes.toString('utf8');
  }

  /** Ask for the pages of what this wheel depends on before the resolver does: the answers are then ready. */
  private prefetchDependencies(metadata: CandidateMetadata): void {
    const finder = this.options.finder;
    if (!finder) return;
    for (const line of metadata.requiresDist) {
      const name = /^\s*([A-Za-z0-9][A-Za-z0-9._-]*)/.exec(line)?.[1];
      // Failures surface when the resolver asks for the page itself.
      if (name) finder.projectFiles(normalizeName(name)).catch(() => undefined);
    }
  }
}

/** Hex sha256 of a file, streamed (a wheel may be larger than memory allows). */
async function fileSha256(file: string): Promise<string> {
  return sha256Of({ file, offset: 0, size: (await stat(file)).size });
}
