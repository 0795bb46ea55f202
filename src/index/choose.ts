/**
 * Requirements in, wheels to install out: resolve against the indexes, find-links and
 * `--from` wheelhouses together (pip's resolver, src/resolve), then fetch what was
 * chosen (downloads in parallel, into the cache) and check it against any hashes the
 * requirements demand. Nothing is installed here; the caller installs `fetched`.
 */
import { SidewheelError } from '../errors.js';
import { normalizeName, type Tag } from '../names.js';
import { pythonVersionText, type InterpreterInfo } from '../python/interpreter.js';
import type { WheelCandidate } from '../resolve/candidates.js';
import { resolveWheelhouse, type InstalledProject, type ResolvedProject } from '../resolve/resolver.js';
import type { MarkerEnvironment, Requirement, SpecifierSet } from '../versions.js';
import { Downloader, type DownloadListener } from './download.js';
import { PackageFinder } from './finder.js';
import { HttpClient, httpSettingsFromEnv } from './http.js';
import type { IndexSettings } from './settings.js';
import { openWheelhouse, WheelSources, type FetchedWheel } from './sources.js';

/** The interpreter resolution is for: the one at hand, or a target described on the command line. */
export interface ResolutionTarget {
  readonly environment: MarkerEnvironment;
  /** `3.12.1`: what Requires-Python is checked against. */
  readonly pythonVersion: string;
  readonly supported: readonly Tag[];
}

/** A probed interpreter as a resolution target; `supported` is its tag list (with the config's extra platforms). */
export function interpreterTarget(python: InterpreterInfo, supported: readonly Tag[]): ResolutionTarget {
  return { environment: python.markers, pythonVersion: pythonVersionText(python), supported };
}

export interface ChooseOptions {
  readonly target: ResolutionTarget;
  /** Indexes and find-links; null to use only the wheelhouses. */
  readonly index: IndexSettings | null;
  /** `--from` directories and bundles. */
  readonly wheelhouses: readonly string[];
  /** Where downloads go: the cache's download area. */
  readonly downloadDir: string;
  /** Installed defaults that may stay (pip without --upgrade); empty for side installs, --force-reinstall and bundles. */
  readonly installed: readonly InstalledProject[];
  /** pip's --upgrade: the requested projects' installed defaults are not preferred. */
  readonly upgrade: boolean;
  readonly noDeps: boolean;
  /** --require-hashes: allowed sha256 digests by normalized project name; null when not checking. */
  readonly requiredHashes: ReadonlyMap<string, ReadonlySet<string>> | null;
  /** Constraints (-c) by normalized project name. */
  readonly constraints?: ReadonlyMap<string, SpecifierSet>;
  readonly onDownload?: DownloadListener;
  readonly env?: NodeJS.ProcessEnv;
  /** Fetch the chosen wheels (default); a dry run only resolves. */
  readonly download?: boolean;
}

export interface Choice {
  /** Every project of the resolution, dependencies first; `wheel` null when the installed default stays. */
  readonly projects: readonly ResolvedProject[];
  /** The wheels to install, dependencies first, with where each comes from (an index, a directory, a bundle). */
  readonly chosen: readonly { readonly project: ResolvedProject & { readonly wheel: WheelCandidate }; readonly origin: string }[];
  /** The same wheels fetched, in the same order; empty when not downloading. */
  readonly fetched: readonly FetchedWheel[];
}

export async function chooseWheels(requirements: readonly Requirement[], options: ChooseOptions): Promise<Choice> {
  const http = new HttpClient(httpSettingsFromEnv(options.env));
  const finder = options.index ? new PackageFinder(options.index, http) : null;
  const sources = new WheelSources({
    finder,
    http,
    downloader: new Downloader(http, options.downloadDir, options.onDownload),
    wheelhouses: await Promise.all(options.wheelhouses.map(openWheelhouse)),
    supported: options.target.supported,
    pythonVersion: options.target.pythonVersion,
  });
  const resolution = await resolveWheelhouse(requirements, sources.input(), {
    environment: options.target.environment,
    pythonVersion: options.target.pythonVersion,
    installed: options.installed,
    noDeps: options.noDeps,
    ...(options.constraints ? { constraints: options.constraints } : {}),
    ...(options.upgrade ? { upgrade: new Set(requirements.map((r) => normalizeName(r.name))) } : {}),
  });
  if (options.requiredHashes) checkHashesPresent(resolution.projects, options.requiredHashes);
  const chosen = resolution.wheels.map((project) => ({ project, origin: sources.originOf(project.wheel.fileName) }));
  const fetched = options.download === false ? [] : await sources.fetch(resolution.wheels.map((p) => p.wheel));
  if (options.requiredHashes) fetched.forEach((f, i) => checkHash(chosen[i]!.project, f.sha256, options.requiredHashes!));
  return { projects: resolution.projects, chosen, fetched };
}

/** pip's hash-checking mode: every project to install needs hashes, before anything is downloaded. */
function checkHashesPresent(projects: readonly ResolvedProject[], required: ReadonlyMap<string, ReadonlySet<string>>): void {
  const missing = projects.filter((p) => p.wheel !== null && !required.has(p.project)).map((p) => `${p.name}==${p.version}`);
  if (missing.length) {
    throw new SidewheelError('BAD_REQUIREMENT', `hashes are required (--require-hashes, or a --hash on some requirement), and none are given for ${missing.join(', ')}`, 'add each of them, pinned with == and with --hash=sha256:..., to the requirements file');
  }
}

function checkHash(project: ResolvedProject, sha256: string, required: ReadonlyMap<string, ReadonlySet<string>>): void {
  if (!required.get(project.project)?.has(sha256)) {
    throw new SidewheelError('BAD_WHEEL', `${project.wheel?.fileName ?? project.name}: its sha256 ${sha256} is not one of the hashes the requirements allow`, 'the file changed since the hashes were written, or the requirement pins another file');
  }
}
