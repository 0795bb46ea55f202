/**
 * What pip 24.x gives resolvelib, for a `--find-links` wheelhouse: its candidates and
 * requirements (pip's resolution/resolvelib/{candidates,requirements,factory,provider}.py),
 * with the same identities, candidate order and pinning preference, so the search in
 * resolvelib.ts walks the same path and ends where pip's does. The parts of pip that
 * deal with indexes, sdists, URLs, hashes, yanking, constraints and `--upgrade` have no
 * counterpart in a local wheelhouse and are left out.
 *
 * How pip sees a wheelhouse, kept here on purpose:
 * - Identities: a project is its normalized name; `foo[x,y]` (normalized, sorted extras)
 *   is a separate node that depends on exactly its base `foo` candidate; Requires-Python
 *   is a node of its own with one candidate, the interpreter.
 * - Candidates: wheels with a supported tag whose version passes the requirements'
 *   combined SpecifierSet.filter, newest first, then best tag rank, then highest build
 *   tag; ONE wheel per version (the best-ranked): pip never falls back to another wheel
 *   of a version it has tried. An installed default that satisfies the specifiers comes
 *   first (pip without --upgrade).
 * - A wheel whose Requires-Python excludes the interpreter is not filtered out: pinning
 *   it fails, which pip counts as a conflict like any other.
 * - A wheel whose METADATA names another project or version is skipped; one whose
 *   Requires-Dist does not parse takes its version out of consideration.
 */
import { SidewheelError } from '../errors.js';
import { normalizeName } from '../names.js';
import { Marker, Requirement, SpecifierSet, Version, type MarkerEnvironment } from '../versions.js';
import type { CandidateMetadata, LazyCandidates, MetadataProvider, SourceOnly, WheelCandidate } from './candidates.js';
import type { Matches, PreferenceKey, Provider, RequirementInformation } from './resolvelib.js';

export const REQUIRES_PYTHON = '<Python from Requires-Python>';

/** What a candidate depends on, parsed once. */
export interface Dependencies {
  readonly requiresDist: readonly Requirement[];
  /** Normalized. */
  readonly providesExtra: ReadonlySet<string>;
  readonly requiresPython: SpecifierSet | null;
}

export interface WheelNode {
  readonly kind: 'wheel';
  readonly id: string;
  readonly project: string;
  /** As METADATA spells it. */
  readonly name: string;
  readonly version: Version;
  readonly wheel: WheelCandidate;
  readonly dependencies: Dependencies;
}

export interface InstalledNode {
  readonly kind: 'installed';
  readonly id: string;
  readonly project: string;
  readonly name: string;
  readonly version: Version;
  readonly dependencies: Dependencies;
}

export type BaseNode = WheelNode | InstalledNode;

export interface ExtrasNode {
  readonly kind: 'extras';
  readonly id: string;
  readonly project: string;
  readonly name: string;
  readonly version: Version;
  readonly base: BaseNode;
  /** Normalized, sorted. */
  readonly extras: readonly string[];
}

export interface PythonNode {
  readonly kind: 'python';
  readonly id: typeof REQUIRES_PYTHON;
  readonly version: string;
}

export type Node = BaseNode | ExtrasNode | PythonNode;

/** A PEP 508 requirement on `id` (pip's SpecifierRequirement, or its extras-less twin). */
export interface SpecifierReq {
  readonly kind: 'specifier';
  readonly id: string;
  readonly project: string;
  readonly extras: readonly string[];
  readonly specifier: SpecifierSet;
  /** The requirement as written, for messages. */
  readonly source: Requirement;
}

/** Exactly this candidate: how `foo[x] 1.0` ties itself to `foo 1.0`. */
export interface ExplicitReq {
  readonly kind: 'explicit';
  readonly id: string;
  readonly candidate: BaseNode;
}

export interface PythonReq {
  readonly kind: 'python';
  readonly id: typeof REQUIRES_PYTHON;
  readonly specifier: SpecifierSet;
}

/** A direct reference (`foo @ https://...`): a wheelhouse has nothing to offer it. */
export interface UnsatisfiableReq {
  readonly kind: 'unsatisfiable';
  readonly id: string;
  readonly project: string;
  readonly source: Requirement;
}

export type Req = SpecifierReq | ExplicitReq | PythonReq | UnsatisfiableReq;
export type Info = RequirementInformation<Req, Node>;

/** A default version already installed in the target environment. */
export interface InstalledProject {
  readonly name: string;
  readonly version: string;
  /** Its Requires-Dist and Provides-Extra, which pip follows for an installed candidate too. */
  readonly requiresDist?: readonly string[];
  readonly providesExtra?: readonly string[];
}

export interface ProviderInput {
  readonly candidates: readonly WheelCandidate[];
  readonly metadata: MetadataProvider;
  readonly environment: MarkerEnvironment;
  /** The interpreter's version, `3.12.1`, which Requires-Python is checked against. */
  readonly pythonVersion: string;
  readonly installed: readonly InstalledProject[];
  /** Candidates fetched per project when first asked for (an index), beside `candidates`. */
  readonly lazy?: LazyCandidates;
  /** Projects whose installed default is not preferred, only placed among the others by version (pip's --upgrade). */
  readonly upgrade?: ReadonlySet<string>;
  /** Follow no Requires-Dist (pip's --no-deps); Requires-Python still counts. */
  readonly noDeps?: boolean;
  /** pip's constraints (-c): versions a project may have if it is installed at all, by normalized name. */
  readonly constraints?: ReadonlyMap<string, SpecifierSet>;
}

class ArrayMatches<C> implements Matches<C> {
  constructor(private readonly items: readonly C[]) {}

  async at(index: number): Promise<C | undefined> {
    return this.items[index];
  }
}

/** Produces candidates only as far as someone looks, then remembers them. */
class LazyMatches<C> implements Matches<C> {
  private readonly seen: C[] = [];
  private done = false;

  constructor(private readonly source: AsyncIterator<C>) {}

  async at(index: number): Promise<C | undefined> {
    while (this.seen.length <= index && !this.done) {
      const next = await this.source.next();
      if (next.done) this.done = true;
      else this.seen.push(next.value);
    }
    return this.seen[index];
  }
}

function formatName(project: string, extras: readonly string[]): string {
  return extras.length ? `${project}[${extras.join(',')}]` : project;
}

function normalizedExtras(extras: Iterable<string>): string[] {
  return [...new Set([...extras].map(normalizeName))].sort();
}

/** `foo[x,y]` -> foo and [x, y]; null for a plain project (or Requires-Python). */
function splitIdentifier(id: string): { project: string; extras: string[] } | null {
  const m = /^([^[]+)\[(.*)\]$/.exec(id);
  return m ? { project: m[1] ?? '', extras: (m[2] ?? '').split(',') } : null;
}

/** pip's make_requirements_from_spec: a requirement with extras and a specifier is split in two. */
export function requirementsFrom(r: Requirement): Req[] {
  const project = normalizeName(r.name);
  if (r.url !== null) return [{ kind: 'unsatisfiable', id: project, project, source: r }];
  const extras = normalizedExtras(r.extras);
  const spec = (ex: readonly string[]): SpecifierReq => ({
    kind: 'specifier',
    id: formatName(project, ex),
    project,
    extras: ex,
    specifier: r.specifier,
    source: r,
  });
  return extras.length && r.specifier.size ? [spec([]), spec(extras)] : [spec(extras)];
}

/** Why a wheel's METADATA keeps it out, as pip would (MetadataInconsistent / MetadataInvalid). */
export type Made = { readonly node: WheelNode } | { readonly problem: string; readonly dropsVersion: boolean };

export class PipProvider implements Provider<Req, Node> {
  readonly python: PythonNode;
  private readonly byProject = new Map<string, WheelCandidate[]>();
  private readonly installed = new Map<string, InstalledNode>();
  private readonly wheelNodes = new Map<string, Promise<Made>>();
  private readonly extrasNodes = new Map<BaseNode, Map<string, ExtrasNode>>();
  private readonly dependencyCache = new Map<Node, readonly Req[]>();
  private readonly markerCache = new Map<string, boolean>();
  private readonly knownDepths = new Map<string, number>();
  private userRequested = new Map<string, number>();
  private readonly loaded = new Map<string, Promise<void>>();
  private readonly sdists = new Map<string, readonly SourceOnly[]>();

  constructor(private readonly input: ProviderInput) {
    this.python = { kind: 'python', id: REQUIRES_PYTHON, version: input.pythonVersion };
    for (const c of input.candidates) {
      const list = this.byProject.get(c.project) ?? [];
      list.push(c);
      this.byProject.set(c.project, list);
    }
    for (const project of input.installed) {
      const node = installedNode(project);
      if (node) this.installed.set(node.project, node);
    }
  }

  /** pip's collect_root_requirements: markers applied, extras-bearing ones last, request order kept. */
  rootRequirements(requirements: readonly Requirement[]): Req[] {
    const collected: Req[] = [];
    this.userRequested = new Map();
    requirements.forEach((r, i) => {
      if (r.marker !== null && !this.markerHolds(r.marker, '')) return;
      const reqs = requirementsFrom(r);
      const first = reqs[0];
      if (first && !this.userRequested.has(first.id)) this.userRequested.set(first.id, i);
      collected.push(...reqs);
    });
    const plain = (r: Req): boolean => r.kind !== 'specifier' || r.extras.length === 0;
    return [...collected.filter(plain), ...collected.filter((r) => !plain(r))];
  }

  identify(item: Req | Node): string {
    return item.id;
  }

  /** pip's get_preference (24.x), quirks included: see the comments. */
  getPreference(identifier: string, information: readonly Info[], backtrackCauses: readonly Info[]): PreferenceKey {
    const hasInformation = information.length > 0;
    const operators = information.flatMap(({ requirement: r }) => (r.kind === 'specifier' ? r.specifier.specifiers.map((s) => s.operator) : []));
    // pip computes "direct" as `candidate is not None` on a tuple from zip(), which is
    // never None: every name with information counts as direct.
    const direct = hasInformation;
    const pinned = operators.some((op) => op.startsWith('=='));
    const unfree = operators.length > 0;
    const requested = this.userRequested.get(identifier);
    let depth = Infinity;
    if (requested !== undefined) depth = 1;
    else if (hasInformation) {
      depth = Math.min(...information.map(({ parent }) => (parent === null ? 0 : (this.knownDepths.get(parent.id) ?? Infinity)))) + 1;
    }
    this.knownDepths.set(identifier, depth);
    const backtrackCause = backtrackCauses.some((c) => c.requirement.id === identifier || c.parent?.id === identifier);
    return [
      identifier !== REQUIRES_PYTHON,
      !direct,
      !pinned,
      !backtrackCause,
      depth,
      requested ?? Infinity,
      !unfree,
      identifier,
    ];
  }

  /** pip's factory.find_candidates. */
  findMatches(identifier: string, requirements: (id: string) => readonly Req[], incompatibilities: (id: string) => readonly Node[]): Matches<Node> {
    const explicit = new Set<Node>();
    const ireqs: SpecifierReq[] = [];
    const lookup = (r: Req): void => {
      if (r.kind === 'explicit') explicit.add(r.candidate);
      else if (r.kind === 'python' && this.pythonFits(r)) explicit.add(this.python);
      else if (r.kind === 'specifier') ireqs.push(r);
    };
    requirements(identifier).forEach(lookup);
    const split = splitIdentifier(identifier);
    if (split) {
      // foo[x] takes foo's own requirements too, and its explicit candidates with the extras.
      for (const r of requirements(split.project)) {
        if (r.kind === 'explicit') explicit.add(this.extrasNode(r.candidate, split.extras));
        else if (r.kind === 'specifier') ireqs.push(r);
      }
    }
    const incompatible = new Set(incompatibilities(identifier));
    if (explicit.size === 0) return this.foundCandidates(ireqs, incompatible);
    const own = requirements(identifier);
    return new ArrayMatches([...explicit].filter((c) => !incompatible.has(c) && own.every((r) => this.isSatisfiedBy(r, c))));
  }

  isSatisfiedBy(requirement: Req, candidate: Node): boolean {
    switch (requirement.kind) {
      case 'specifier':
        return candidate.kind !== 'python' && requirement.specifier.contains(candidate.version, true);
      case 'explicit':
        return candidate === requirement.candidate;
      case 'python':
        return this.pythonFits(requirement);
      case 'unsatisfiable':
        return false;
    }
  }

  getDependencies(candidate: Node): readonly Req[] {
    let deps = this.dependencyCache.get(candidate);
    if (!deps) {
      deps = this.computeDependencies(candidate);
      this.dependencyCache.set(candidate, deps);
    }
    return deps;
  }

  /** Fetches the project's lazy candidates once; after it, wheelsOf knows them. */
  private ensureProject(project: string): Promise<void> {
    const lazy = this.input.lazy;
    if (!lazy) return Promise.resolve();
    let done = this.loaded.get(project);
    if (!done) {
      done = lazy.load(project).then(({ wheels, sdists }) => {
        const known = new Set(this.wheelsOf(project).map((w) => w.fileName));
        this.byProject.set(project, [...this.wheelsOf(project), ...wheels.filter((w) => !known.has(w.fileName))]);
        this.sdists.set(project, sdists);
      });
      this.loaded.set(project, done);
    }
    return done;
  }

  /** The wheels of a project (every one, supported or not), in the source's order. */
  wheelsOf(project: string): readonly WheelCandidate[] {
    return this.byProject.get(project) ?? [];
  }

  installedOf(project: string): InstalledNode | undefined {
    return this.installed.get(project);
  }

  private pythonFits(r: PythonReq): boolean {
    return r.specifier.contains(this.python.version, true);
  }

  private markerHolds(marker: Marker, extra: string): boolean {
    const key = `${marker.structureKey}\0${extra}`;
    let value = this.markerCache.get(key);
    if (value === undefined) {
      value = marker.evaluate({ ...this.input.environment, extra });
      this.markerCache.set(key, value);
    }
    return value;
  }

  /** pip's match_markers: the marker holds for one of the extras, or for none when there are none. */
  private matchesMarkers(r: Requirement, extras: readonly string[]): boolean {
    if (r.marker === null) return true;
    const marker = r.marker;
    return (extras.length ? extras : ['']).some((e) => this.markerHolds(marker, e));
  }

  private computeDependencies(candidate: Node): readonly Req[] {
    if (candidate.kind === 'python') return [];
    if (candidate.kind === 'extras') {
      const base = candidate.base;
      // Extras the wheel does not declare are ignored, as pip does (with a warning).
      const valid = candidate.extras.filter((e) => base.dependencies.providesExtra.has(e));
      const deps: Req[] = [{ kind: 'explicit', id: base.id, candidate: base }];
      for (const r of base.dependencies.requiresDist) if (this.matchesMarkers(r, valid)) deps.push(...requirementsFrom(r));
      return deps;
    }
    const deps: Req[] = [];
    const requiresDist = this.input.noDeps ? [] : candidate.dependencies.requiresDist;
    for (const r of requiresDist) if (this.matchesMarkers(r, [])) deps.push(...requirementsFrom(r));
    // pip checks Requires-Python of wheels it downloads, not of what is installed.
    const requiresPython = candidate.kind === 'wheel' ? candidate.dependencies.requiresPython : null;
    if (requiresPython !== null && requiresPython.size) deps.push({ kind: 'python', id: REQUIRES_PYTHON, specifier: requiresPython });
    return deps;
  }

  private extrasNode(base: BaseNode, extras: readonly string[]): ExtrasNode {
    const normalized = normalizedExtras(extras);
    const key = normalized.join(',');
    const byExtras = this.extrasNodes.get(base) ?? new Map<string, ExtrasNode>();
    this.extrasNodes.set(base, byExtras);
    let node = byExtras.get(key);
    if (!node) {
      const id = formatName(base.project, normalized);
      node = { kind: 'extras', id, project: base.project, name: base.name, version: base.version, base, extras: normalized };
      byExtras.set(key, node);
    }
    return node;
  }

  /** pip's _iter_found_candidates with FoundCandidates' order, for `prefers_installed`. */
  private foundCandidates(ireqs: readonly SpecifierReq[], incompatible: ReadonlySet<Node>): Matches<Node> {
    const template = ireqs[0];
    if (!template) return new ArrayMatches<Node>([]);
    const project = template.project;
    const extras = normalizedExtras(ireqs.flatMap((r) => r.extras));
    const specifier = ireqs.reduce((s, r) => s.and(r.specifier), this.input.constraints?.get(project) ?? new SpecifierSet());
    const withExtras = (base: BaseNode): BaseNode | ExtrasNode => (extras.length ? this.extrasNode(base, extras) : base);
    const installedBase = this.installed.get(project);
    let installed: BaseNode | ExtrasNode | null = null;
    if (installedBase && specifier.contains(installedBase.version, true)) {
      installed = withExtras(installedBase);
      if (incompatible.has(installed)) installed = null;
    }
    return new LazyMatches(this.iterateFound(project, specifier, installed, withExtras, incompatible));
  }

  /**
   * FoundCandidates' iteration: the installed default first (or, with --upgrade, in its
   * place by version), then one wheel per version. A version that only an sdist offers
   * is where pip would build; sidewheel does not build, so it stops there with a reason.
   */
  private async *iterateFound(
    project: string,
    specifier: SpecifierSet,
    installed: BaseNode | ExtrasNode | null,
    withExtras: (base: BaseNode) => BaseNode | ExtrasNode,
    incompatible: ReadonlySet<Node>,
  ): AsyncGenerator<Node> {
    await this.ensureProject(project);
    const found: Version[] = [];
    const seen = (v: Version): boolean => found.some((f) => f.equals(v));
    const upgrading = this.input.upgrade?.has(project) ?? false;
    if (installed && !upgrading) {
      yield installed;
      found.push(installed.version);
    }
    for (const item of this.applicable(project, specifier)) {
      if (installed && !seen(installed.version) && installed.version.compare(item.version) >= 0) {
        yield installed;
        found.push(installed.version);
      }
      if (seen(item.version)) continue;
      if (!('rank' in item)) {
        throw new SidewheelError('RESOLUTION', `${project} ${item.version.toString()} has no wheel for this interpreter, only the source distribution ${item.fileName}; sidewheel installs wheels and does not build`, `build a wheel first (pip wheel, python -m build), or ask for a version with a wheel (${project}!=${item.version.toString()})`);
      }
      const wheel = item;
      const made = await this.loadWheel(wheel);
      if ('problem' in made) {
        if (made.dropsVersion) found.push(wheel.version);
        continue;
      }
      found.push(wheel.version);
      const node = withExtras(made.node);
      if (!incompatible.has(node)) yield node;
    }
    if (installed && !seen(installed.version)) yield installed;
  }

  /**
   * The finder's applicable candidates, best first: filter, then (version, tag rank,
   * build tag), wheels before an sdist of the same version. Yanked files (PEP 592) are
   * left out unless every applicable file is yanked and the specifier pins a version.
   */
  private applicable(project: string, specifier: SpecifierSet): Array<WheelCandidate | SourceOnly> {
    const supported = this.wheelsOf(project).filter((w) => w.rank !== null);
    const sdists = this.sdists.get(project) ?? [];
    const kept = new Set(specifier.filter([...supported, ...sdists].map((w) => w.version)));
    const items: Array<WheelCandidate | SourceOnly> = [...supported.filter((w) => kept.has(w.version)).sort(compareWheels), ...sdists.filter((s) => kept.has(s.version))];
    const allYanked = items.every((i) => i.yanked === true);
    const keepYanked = allYanked && isPinned(specifier);
    return items.filter((i) => keepYanked || i.yanked !== true).sort((a, b) => b.version.compare(a.version));
  }

  /** The wheel as a candidate (its METADATA read once), or why pip would pass it over. */
  loadWheel(wheel: WheelCandidate): Promise<Made> {
    let made = this.wheelNodes.get(wheel.fileName);
    if (!made) {
      made = Promise.resolve(this.input.metadata(wheel)).then((m) => this.makeWheelNode(wheel, m));
      this.wheelNodes.set(wheel.fileName, made);
    }
    return made;
  }

  private makeWheelNode(wheel: WheelCandidate, metadata: CandidateMetadata): Made {
    const refuse = (problem: string, dropsVersion: boolean): Made => ({ problem, dropsVersion });
    const version = Version.tryParse(metadata.version);
    if (normalizeName(metadata.name) !== wheel.project || version === null || !version.equals(wheel.version)) {
      return refuse(`its METADATA says ${metadata.name || '(no name)'} ${metadata.version || '(no version)'}`, false);
    }
    const requiresDist: Requirement[] = [];
    for (const line of metadata.requiresDist) {
      try {
        requiresDist.push(Requirement.parse(line));
      } catch (e) {
        return refuse(`its METADATA has an invalid Requires-Dist (${(e as Error).message})`, true);
      }
    }
    const node: WheelNode = {
      kind: 'wheel',
      id: wheel.project,
      project: wheel.project,
      name: metadata.name,
      version: wheel.version,
      wheel,
      dependencies: {
        requiresDist,
        providesExtra: new Set(metadata.providesExtra.map(normalizeName)),
        requiresPython: parseRequiresPython(metadata.requiresPython),
      },
    };
    return { node };
  }
}

/** pip's is_pinned: a `===`, or a `==` without a wildcard. */
function isPinned(specifier: SpecifierSet): boolean {
  return specifier.specifiers.some((s) => s.operator === '===' || (s.operator === '==' && !s.version.endsWith('.*')));
}

/** An invalid Requires-Python counts as none, as pip has it (with a warning). */
export function parseRequiresPython(text: string | null): SpecifierSet | null {
  if (text === null || text.trim() === '') return null;
  try {
    return new SpecifierSet(text);
  } catch {
    return null;
  }
}

/** Best first: newest version, then best tag rank, then highest build tag, then by name for stability. */
export function compareWheels(a: WheelCandidate, b: WheelCandidate): number {
  return (
    b.version.compare(a.version) ||
    (a.rank ?? Infinity) - (b.rank ?? Infinity) ||
    compareBuild(b.build, a.build) ||
    (a.fileName < b.fileName ? -1 : a.fileName > b.fileName ? 1 : 0)
  );
}

/** pip's build tag tuples: none sorts below any, then the number, then the rest. */
function compareBuild(a: WheelCandidate['build'], b: WheelCandidate['build']): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  return a.number - b.number || (a.rest < b.rest ? -1 : a.rest > b.rest ? 1 : 0);
}

function installedNode(project: InstalledProject): InstalledNode | null {
  const version = Version.tryParse(project.version);
  if (version === null) return null;
  const requiresDist: Requirement[] = [];
  for (const line of project.requiresDist ?? []) {
    try {
      requiresDist.push(Requirement.parse(line));
    } catch {
      // An installed distribution's broken line cannot be followed; pip would stop here.
    }
  }
  const id = normalizeName(project.name);
  return {
    kind: 'installed',
    id,
    project: id,
    name: project.name,
    version,
    dependencies: { requiresDist, providesExtra: new Set((project.providesExtra ?? []).map(normalizeName)), requiresPython: null },
  };
}
