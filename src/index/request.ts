/**
 * An install (or bundle) request as people write it: requirements on the command line
 * and in requirements files, constraints, hashes, and where to look. Gathered here into
 * what resolution takes, and turned into a plan: for each project, install, replace,
 * reinstall, or leave the installed default as it is.
 */
import { SidewheelError } from '../errors.js';
import { findInstalled, type InstalledDistribution } from '../environment/installed.js';
import type { WheelInput } from '../sources/load.js';
import { normalizeName } from '../names.js';
import type { InterpreterInfo } from '../python/interpreter.js';
import type { IndexConfig } from './settings.js';
import { readRequirementsFiles } from '../requirements/parse.js';
import { describeResolved, type InstalledProject } from '../resolve/resolver.js';
import { Requirement, SpecifierSet } from '../versions.js';
import { chooseWheels, type ResolutionTarget } from './choose.js';
import type { DownloadListener } from './download.js';
import { indexSettings, type IndexFlags, type IndexSettings } from './settings.js';

export interface RequirementRequest {
  /** PEP 508 strings from the command line. */
  readonly requirements: readonly string[];
  /** -r files. */
  readonly requirementFiles: readonly string[];
  /** -c files. */
  readonly constraintFiles: readonly string[];
  readonly requireHashes: boolean;
  readonly index: IndexFlags;
  /** --from directories and bundles. */
  readonly from: readonly string[];
}

export interface Gathered {
  readonly requirements: readonly Requirement[];
  /** Constraints (-c); their markers are evaluated for the target. */
  readonly constraints: readonly Requirement[];
  /** --from directories and bundles. */
  readonly wheelhouses: readonly string[];
  /** Allowed sha256 digests by project, when hashes are checked. */
  readonly hashes: ReadonlyMap<string, ReadonlySet<string>> | null;
  /** Where to look; `noIndex` with no find-links means the --from wheelhouses alone. */
  readonly index: IndexSettings;
}

/** Requirements, constraints and index settings from the command line, the files, the environment and the config. */
export function gatherRequest(request: RequirementRequest, config: IndexConfig | null, env: NodeJS.ProcessEnv = process.env): Gathered {
  const files = readRequirementsFiles(request.requirementFiles, request.constraintFiles, env);
  const requirements: Requirement[] = request.requirements.map((text) => {
    try {
      return Requirement.parse(text);
    } catch (e) {
      throw new SidewheelError('BAD_REQUIREMENT', (e as Error).message, 'a requirement looks like "pkg>=1.0,<2"; a file of them goes after -r');
    }
  });
  requirements.push(...files.requirements.map((r) => r.requirement));
  if (requirements.length === 0) throw new SidewheelError('USAGE', 'no requirements given', 'name requirements, or a requirements file with -r FILE');

  for (const { requirement: c, where } of files.constraints) {
    if (c.extras.length || c.url !== null) throw new SidewheelError('BAD_REQUIREMENT', `${where}: a constraint names versions only, not extras or URLs (${c.toString()})`);
  }

  const requireHashes = request.requireHashes || files.requireHashes;
  let hashes: Map<string, Set<string>> | null = null;
  if (requireHashes) {
    hashes = new Map();
    for (const r of request.requirements) throw new SidewheelError('BAD_REQUIREMENT', `${r}: with --require-hashes every requirement needs a --hash, so it belongs in a requirements file`);
    for (const { requirement, hashes: digests, where } of files.requirements) {
      const pinned = requirement.specifier.specifiers.some((s) => s.operator === '===' || (s.operator === '==' && !s.version.endsWith('.*')));
      if (!pinned) throw new SidewheelError('BAD_REQUIREMENT', `${where}: ${requirement.toString()} must be pinned with == when hashes are checked`);
      if (digests.length === 0) throw new SidewheelError('BAD_REQUIREMENT', `${where}: ${requirement.toString()} has no --hash, and hashes are checked (--require-hashes, or a --hash elsewhere)`);
      const project = normalizeName(requirement.name);
      hashes.set(project, new Set([...(hashes.get(project) ?? []), ...digests]));
    }
  }

  // The command line first, then the files' own lines, then environment and config (indexSettings).
  const explicitIndex = request.index.indexUrl ?? files.indexUrl ?? undefined;
  const extra = [...(request.index.extraIndexUrl ?? []), ...files.extraIndexUrls];
  const findLinks = [...(request.index.findLinks ?? []), ...files.findLinks];
  // --from alone stays offline, as it always was; naming an index brings the indexes in.
  const offline = request.from.length > 0 && explicitIndex === undefined && extra.length === 0;
  const index = indexSettings(
    {
      indexUrl: explicitIndex,
      extraIndexUrl: extra.length ? extra : undefined,
      findLinks: findLinks.length ? findLinks : undefined,
      noIndex: request.index.noIndex || files.noIndex || offline,
    },
    config,
    env,
  );
  return { requirements, constraints: files.constraints.map((c) => c.requirement), wheelhouses: request.from, hashes, index };
}

export type PlanAction = 'install' | 'replace' | 'reinstall' | 'already-satisfied';

/** One line of the plan: what happens to one project. */
export interface PlanEntry {
  readonly name: string;
  readonly version: string;
  readonly action: PlanAction;
  /** The installed default's version that is replaced (or kept). */
  readonly installed: string | null;
  /** The wheel's file name and where it comes from; null when nothing is installed. */
  readonly fileName: string | null;
  readonly origin: string | null;
  /** How resolution came to it (`foo 1.0 (required by bar 2.0)`); absent for files named directly. */
  readonly resolved?: string;
}

export interface Planned {
  readonly entries: readonly PlanEntry[];
  /** The wheels to install, dependencies first. */
  readonly inputs: readonly WheelInput[];
}

export interface PlanOptions {
  readonly python: InterpreterInfo;
  readonly target: ResolutionTarget;
  /** Side installs leave defaults alone and do not look at them. */
  readonly side: boolean;
  readonly upgrade: boolean;
  readonly forceReinstall: boolean;
  readonly noDeps: boolean;
  readonly downloadDir: string;
  /** False for a dry run: resolve, download nothing. */
  readonly download: boolean;
  readonly onDownload?: DownloadListener;
  readonly env?: NodeJS.ProcessEnv;
}

/** Resolve and fetch; nothing is installed. */
export async function planInstall(gathered: Gathered, options: PlanOptions): Promise<Planned> {
  const installed = options.side ? [] : await findInstalled(options.python);
  const keep = options.side || options.forceReinstall ? [] : installed;
  const choice = await chooseWheels(gathered.requirements, {
    target: options.target,
    index: gathered.index.noIndex && gathered.index.findLinks.length === 0 ? null : gathered.index,
    wheelhouses: gathered.wheelhouses,
    downloadDir: options.downloadDir,
    installed: keep.map(installedProject),
    upgrade: options.upgrade,
    noDeps: options.noDeps,
    requiredHashes: gathered.hashes,
    constraints: constraintMap(gathered.constraints, options.target),
    download: options.download,
    ...(options.onDownload ? { onDownload: options.onDownload } : {}),
    ...(options.env ? { env: options.env } : {}),
  });
  const installedVersion = new Map(installed.map((d) => [normalizeName(d.name), d.version]));
  const chosen = new Map(choice.chosen.map((c) => [c.project.project, c]));
  const entries = choice.projects.map((p): PlanEntry => {
    const current = installedVersion.get(p.project) ?? null;
    const c = chosen.get(p.project);
    const resolved = describeResolved(p);
    if (!c) return { name: p.name, version: p.version, action: 'already-satisfied', installed: current, fileName: null, origin: null, resolved };
    const action: PlanAction = current === null ? 'install' : current === p.version ? 'reinstall' : 'replace';
    return { name: p.name, version: p.version, action, installed: current, fileName: c.project.wheel.fileName, origin: c.origin, resolved };
  });
  return { entries, inputs: choice.fetched.map((f) => f.input) };
}

/** An installed default as resolution sees it: pip follows its Requires-Dist too. */
export function installedProject(d: InstalledDistribution): InstalledProject {
  return { name: d.name, version: d.version, requiresDist: d.metadata.getAll('Requires-Dist'), providesExtra: d.metadata.getAll('Provides-Extra') };
}

/** Constraints by normalized project, with markers evaluated for the target. */
export function constraintMap(constraints: readonly Requirement[], target: ResolutionTarget): Map<string, SpecifierSet> {
  const map = new Map<string, SpecifierSet>();
  for (const c of constraints) {
    if (c.marker !== null && !c.marker.evaluate({ ...target.environment, extra: '' })) continue;
    const project = normalizeName(c.name);
    map.set(project, (map.get(project) ?? new SpecifierSet()).and(c.specifier));
  }
  return map;
}

/** One line for a plan entry, as --dry-run prints it. */
export function describePlanEntry(e: PlanEntry): string {
  const what = `${e.name} ${e.version}`;
  switch (e.action) {
    case 'already-satisfied':
      return `${what}: already satisfied, left as it is`;
    case 'replace':
      return `would install ${what} from ${e.origin} (replacing ${e.installed})`;
    case 'reinstall':
      return `would reinstall ${what} from ${e.origin}`;
    default:
      return `would install ${what} from ${e.origin}`;
  }
}
