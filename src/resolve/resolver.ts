/**
 * Resolution from a local wheelhouse: which wheels `install --from` installs for some
 * requirements, chosen as pip would choose them (see provider.ts for how pip sees a
 * wheelhouse and resolvelib.ts for its search). Pure: wheels are described by the
 * caller, and METADATA comes through the injected provider, read only for the wheels
 * the search looks at.
 */
import { SidewheelError } from '../errors.js';
import { Requirement, type MarkerEnvironment, type SpecifierSet } from '../versions.js';
import type { LazyCandidates, MetadataProvider, SkippedFile, WheelCandidate } from './candidates.js';
import { describeAsker, describeNode, describeRequirement, explainConflict } from './explain.js';
import { PipProvider, REQUIRES_PYTHON, type BaseNode, type Info, type InstalledProject, type Node, type Req } from './provider.js';
import { resolve, ResolutionImpossible, ResolutionTooDeep, type Criterion, type Result } from './resolvelib.js';

export type { InstalledProject } from './provider.js';

/** pip allows 200,000 rounds; a wheelhouse has far fewer choices than an index. */
export const DEFAULT_MAX_ROUNDS = 100_000;

export interface ResolveOptions {
  /** The target interpreter's PEP 508 environment (InterpreterInfo.markers). */
  readonly environment: MarkerEnvironment;
  /** The target interpreter's version, `3.12.1` (InterpreterInfo.version joined): what Requires-Python is checked against. */
  readonly pythonVersion: string;
  /**
   * The environment's default versions. One that satisfies what is asked of it is kept
   * and not reinstalled (pip without --upgrade). Leave out for side installs.
   */
  readonly installed?: readonly InstalledProject[];
  /** Search rounds before giving up (each pins or undoes one project). */
  readonly maxRounds?: number;
  /** Projects whose installed default is not preferred (pip's --upgrade for what was asked for). */
  readonly upgrade?: ReadonlySet<string>;
  /** Follow no Requires-Dist (pip's --no-deps). */
  readonly noDeps?: boolean;
  /** Constraints (-c): allowed versions by normalized project name. */
  readonly constraints?: ReadonlyMap<string, SpecifierSet>;
}

/** What resolution chooses from: describeWheelhouse's result, or synthetic candidates in tests. */
export interface ResolutionInput {
  readonly candidates: readonly WheelCandidate[];
  readonly metadata: MetadataProvider;
  /** Files that could not be candidates; named in explanations (read when explaining, so a lazy source may add to it). */
  readonly skipped?: readonly SkippedFile[];
  /** Candidates fetched per project when first needed (an index). */
  readonly lazy?: LazyCandidates;
}

export interface RequiredBy {
  /** The requirement as written, without its marker: `foo[x]>=1.0`. */
  readonly requirement: string;
  /** `bar 1.0` (name and version of the dependent), or null when requested directly. */
  readonly by: string | null;
}

export interface ResolvedProject {
  /** PEP 503-normalized. */
  readonly project: string;
  /** As its METADATA spells it. */
  readonly name: string;
  readonly version: string;
  /** The wheel to install; null when the installed default already satisfies everything. */
  readonly wheel: WheelCandidate | null;
  /** Extras asked of it (normalized), whose dependencies are part of the resolution. */
  readonly extras: readonly string[];
  readonly requiredBy: readonly RequiredBy[];
}

export interface WheelhouseResolution {
  /** Every project in the resolution, dependencies before their dependents. */
  readonly projects: readonly ResolvedProject[];
  /** The ones with a wheel to install, in the same order. */
  readonly wheels: readonly (ResolvedProject & { readonly wheel: WheelCandidate })[];
}

/**
 * Choose wheels for `requirements` (PEP 508 strings or parsed). Throws SidewheelError
 * BAD_REQUIREMENT for a requirement that does not parse, RESOLUTION (one line naming
 * the project and the reason) when no choice of wheels works, and whatever the metadata
 * provider throws (BAD_WHEEL for an unreadable wheel).
 */
export async function resolveWheelhouse(
  requirements: readonly (string | Requirement)[],
  input: ResolutionInput,
  options: ResolveOptions,
): Promise<WheelhouseResolution> {
  const parsed = requirements.map((r) => (typeof r === 'string' ? Requirement.parse(r) : r));
  const provider = new PipProvider({
    candidates: input.candidates,
    metadata: input.metadata,
    environment: options.environment,
    pythonVersion: options.pythonVersion,
    installed: options.installed ?? [],
    ...(input.lazy ? { lazy: input.lazy } : {}),
    ...(options.upgrade ? { upgrade: options.upgrade } : {}),
    noDeps: options.noDeps ?? false,
    ...(options.constraints ? { constraints: options.constraints } : {}),
  });
  const maxRounds = options.maxRounds ?? DEFAULT_MAX_ROUNDS;
  let result: Result<Req, Node>;
  try {
    result = await resolve(provider, provider.rootRequirements(parsed), maxRounds);
  } catch (e) {
    if (e instanceof ResolutionImpossible) {
      const why = await explainConflict(e.causes as readonly Info[], provider, input.skipped ?? []);
      throw new SidewheelError('RESOLUTION', why, 'the wheelhouse needs wheels that fit these requirements and this interpreter');
    }
    if (e instanceof ResolutionTooDeep) {
      const last = e.causes.length ? `; last conflict: ${await explainConflict(e.causes as readonly Info[], provider, input.skipped ?? [])}` : '';
      throw new SidewheelError('RESOLUTION', `gave up after ${e.rounds} rounds of backtracking${last}`, 'pin some of the versions to narrow the search');
    }
    throw e;
  }
  const projects = describeResult(result);
  return { projects, wheels: projects.filter((p): p is ResolvedProject & { wheel: WheelCandidate } => p.wheel !== null) };
}

function baseNodes(result: Result<Req, Node>): Map<string, BaseNode> {
  const bases = new Map<string, BaseNode>();
  for (const node of result.mapping.values()) if (node.kind === 'wheel' || node.kind === 'installed') bases.set(node.project, node);
  return bases;
}

function projectOfKey(key: string): string | null {
  if (key === REQUIRES_PYTHON) return null;
  return key.replace(/\[.*$/, '');
}

/** The information that counts: from the caller, or from a candidate in the final pins. */
function liveInformation(result: Result<Req, Node>, criterion: Criterion<Req, Node>): Info[] {
  const pinned = new Set(result.mapping.values());
  return criterion.information.filter((i) => i.parent === null || pinned.has(i.parent));
}

function describeResult(result: Result<Req, Node>): ResolvedProject[] {
  const bases = baseNodes(result);
  const requiredBy = new Map<string, RequiredBy[]>();
  const extras = new Map<string, Set<string>>();
  const dependsOn = new Map<string, Set<string>>();
  for (const [key, criterion] of result.criteria) {
    const project = projectOfKey(key);
    if (project === null || !bases.has(project)) continue;
    for (const info of liveInformation(result, criterion)) {
      const r = info.requirement;
      if (info.parent !== null && info.parent.kind !== 'python' && info.parent.project !== project) {
        const deps = dependsOn.get(info.parent.project) ?? new Set<string>();
        dependsOn.set(info.parent.project, deps.add(project));
      }
      if (r.kind !== 'specifier') continue; // foo[x]'s tie to foo says nothing new
      const list = requiredBy.get(project) ?? [];
      const entry = { requirement: describeRequirement(r.source), by: info.parent === null ? null : describeNode(info.parent) };
      if (!list.some((e) => e.requirement === entry.requirement && e.by === entry.by)) list.push(entry);
      requiredBy.set(project, list);
    }
  }
  for (const node of result.mapping.values()) {
    if (node.kind === 'extras') extras.set(node.project, new Set([...(extras.get(node.project) ?? []), ...node.extras]));
  }
  return installOrder([...bases.keys()], dependsOn).map((project) => {
    const node = bases.get(project) as BaseNode;
    return {
      project,
      name: node.name,
      version: node.version.toString(),
      wheel: node.kind === 'wheel' ? node.wheel : null,
      extras: [...(extras.get(project) ?? [])].sort(),
      requiredBy: requiredBy.get(project) ?? [],
    };
  });
}

/** Dependencies first (depth-first, post-order); a cycle is broken where it is entered. */
function installOrder(projects: readonly string[], dependsOn: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  const order: string[] = [];
  const visited = new Set<string>();
  const visit = (p: string): void => {
    if (visited.has(p)) return;
    visited.add(p);
    for (const d of dependsOn.get(p) ?? []) if (projects.includes(d)) visit(d);
    order.push(p);
  };
  projects.forEach(visit);
  return order;
}

/** `foo 1.0 (required by bar 2.0; requested)`: one project of a resolution, for a log line. */
export function describeResolved(p: ResolvedProject): string {
  const extras = p.extras.length ? `[${p.extras.join(',')}]` : '';
  const why = p.requiredBy.map((r) => `${r.requirement} ${describeAsker(r.by)}`).join('; ');
  return `${p.name}${extras} ${p.version}${why ? ` (${why})` : ''}`;
}
