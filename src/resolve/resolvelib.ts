/**
 * resolvelib 1.0.1's resolution loop (the one pip 24.x vendors), ported step for step,
 * because choosing what pip would choose means searching the way pip searches: which
 * project is pinned next, which candidates are remembered as incompatible, and which
 * earlier pin a conflict jumps back to all change the answer when several exist.
 * Names follow resolvelib's so the two can be read side by side. The one liberty:
 * candidate lists and dependencies come through promises, so metadata can be read on
 * demand; nothing else here does IO.
 */

/** A requirement, and the candidate whose dependency it is (null for the caller's own). */
export interface RequirementInformation<R, C> {
  readonly requirement: R;
  readonly parent: C | null;
}

/** A lazy, repeatable sequence of candidates, most preferred first. */
export interface Matches<C> {
  /** The i-th candidate, or undefined past the end. */
  at(index: number): Promise<C | undefined>;
}

export type PreferenceKey = ReadonlyArray<boolean | number | string>;

export interface Provider<R, C> {
  identify(item: R | C): string;
  /** Lower keys are pinned first (keys compare element by element, like Python tuples). */
  getPreference(identifier: string, information: readonly RequirementInformation<R, C>[], backtrackCauses: readonly RequirementInformation<R, C>[]): PreferenceKey;
  findMatches(identifier: string, requirements: (id: string) => readonly R[], incompatibilities: (id: string) => readonly C[]): Matches<C>;
  isSatisfiedBy(requirement: R, candidate: C): boolean;
  getDependencies(candidate: C): readonly R[];
}

export interface Criterion<R, C> {
  readonly candidates: Matches<C>;
  readonly information: readonly RequirementInformation<R, C>[];
  readonly incompatibilities: readonly C[];
}

interface State<R, C> {
  readonly mapping: Map<string, C>;
  readonly criteria: Map<string, Criterion<R, C>>;
  backtrackCauses: RequirementInformation<R, C>[];
}

export interface Result<R, C> {
  /** The pins connected to the caller's requirements, in pin order. */
  readonly mapping: ReadonlyMap<string, C>;
  readonly criteria: ReadonlyMap<string, Criterion<R, C>>;
}

class RequirementsConflicted<R, C> extends Error {
  constructor(readonly criterion: Criterion<R, C>) {
    super('requirements conflict');
  }
}

/** No resolution exists (as far as this search can tell); `causes` are the last conflict's requirements. */
export class ResolutionImpossible<R, C> extends Error {
  constructor(readonly causes: readonly RequirementInformation<R, C>[]) {
    super('resolution impossible');
  }
}

/** The search gave up after `rounds` rounds; `causes` are the conflict it was last working on. */
export class ResolutionTooDeep<R, C> extends Error {
  constructor(
    readonly rounds: number,
    readonly causes: readonly RequirementInformation<R, C>[],
  ) {
    super(`resolution too deep (${rounds} rounds)`);
  }
}

async function isEmpty<C>(matches: Matches<C>): Promise<boolean> {
  return (await matches.at(0)) === undefined;
}

function lastEntry<K, V>(map: Map<K, V>): [K, V] | undefined {
  let last: [K, V] | undefined;
  for (const entry of map) last = entry;
  return last;
}

/** Python's tuple order on preference keys. */
export function comparePreference(a: PreferenceKey, b: PreferenceKey): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i];
    const y = b[i];
    if (x === y) continue;
    if (typeof x === 'string' && typeof y === 'string') return x < y ? -1 : 1;
    return Number(x) < Number(y) ? -1 : 1;
  }
  return a.length - b.length;
}

class Resolution<R, C> {
  private states: State<R, C>[] = [];

  constructor(private readonly p: Provider<R, C>) {}

  private get state(): State<R, C> {
    const state = this.states[this.states.length - 1];
    if (!state) throw new Error('resolution has no state');
    return state;
  }

  private pushNewState(): void {
    const base = this.state;
    this.states.push({ mapping: new Map(base.mapping), criteria: new Map(base.criteria), backtrackCauses: [...base.backtrackCauses] });
  }

  private requirementsOf(criteria: ReadonlyMap<string, Criterion<R, C>>, appends: ReadonlyMap<string, readonly R[]>) {
    return (id: string): readonly R[] => [
      ...(criteria.get(id)?.information.map((i) => i.requirement) ?? []),
      ...(appends.get(id) ?? []),
    ];
  }

  private incompatibilitiesOf(criteria: ReadonlyMap<string, Criterion<R, C>>, appends: ReadonlyMap<string, readonly C[]>) {
    return (id: string): readonly C[] => [...(criteria.get(id)?.incompatibilities ?? []), ...(appends.get(id) ?? [])];
  }

  private async addToCriteria(criteria: Map<string, Criterion<R, C>>, requirement: R, parent: C | null): Promise<void> {
    const identifier = this.p.identify(requirement);
    const criterion = criteria.get(identifier);
    const incompatibilities = criterion ? [...criterion.incompatibilities] : [];
    const matches = this.p.findMatches(
      identifier,
      this.requirementsOf(criteria, new Map([[identifier, [requirement]]])),
      this.incompatibilitiesOf(criteria, new Map([[identifier, incompatibilities]])),
    );
    const information = [...(criterion?.information ?? []), { requirement, parent }];
    const updated: Criterion<R, C> = { candidates: matches, information, incompatibilities };
    if (await isEmpty(matches)) throw new RequirementsConflicted(updated);
    criteria.set(identifier, updated);
  }

  private removeInformationFromCriteria(criteria: Map<string, Criterion<R, C>>, parents: ReadonlySet<string>): void {
    if (parents.size === 0) return;
    for (const [key, criterion] of criteria) {
      const information = criterion.information.filter((i) => i.parent === null || !parents.has(this.p.identify(i.parent)));
      criteria.set(key, { ...criterion, information });
    }
  }

  private isCurrentPinSatisfying(name: string, criterion: Criterion<R, C>): boolean {
    const pin = this.state.mapping.get(name);
    if (pin === undefined) return false;
    return criterion.information.every((i) => this.p.isSatisfiedBy(i.requirement, pin));
  }

  private async getUpdatedCriteria(candidate: C): Promise<Map<string, Criterion<R, C>>> {
    const criteria = new Map(this.state.criteria);
    for (const requirement of this.p.getDependencies(candidate)) await this.addToCriteria(criteria, requirement, candidate);
    return criteria;
  }

  /** Pins the first candidate whose dependencies fit; else returns the conflicts met. */
  private async attemptToPinCriterion(name: string): Promise<Criterion<R, C>[]> {
    const criterion = this.state.criteria.get(name);
    if (!criterion) throw new Error(`no criterion for ${name}`);
    const causes: Criterion<R, C>[] = [];
    for (let i = 0; ; i++) {
      const candidate = await criterion.candidates.at(i);
      if (candidate === undefined) break;
      let criteria: Map<string, Criterion<R, C>>;
      try {
        criteria = await this.getUpdatedCriteria(candidate);
      } catch (e) {
        if (!(e instanceof RequirementsConflicted)) throw e;
        causes.push(e.criterion as Criterion<R, C>);
        continue;
      }
      if (!criterion.information.every((info) => this.p.isSatisfiedBy(info.requirement, candidate))) {
        throw new Error(`internal error: a candidate for ${name} does not satisfy its own requirements`);
      }
      for (const [key, value] of criteria) this.state.criteria.set(key, value);
      // Pins go last: backjumping undoes the most recent pin first.
      this.state.mapping.delete(name);
      this.state.mapping.set(name, candidate);
      return [];
    }
    return causes;
  }

  /**
   * Undo pins until one whose candidate depends on a project involved in the conflict,
   * mark that candidate incompatible, and carry the incompatibilities learnt since.
   * False when nothing is left to undo.
   */
  private async backjump(causes: readonly RequirementInformation<R, C>[]): Promise<boolean> {
    const incompatibleDeps = new Set<string>();
    for (const c of causes) if (c.parent !== null) incompatibleDeps.add(this.p.identify(c.parent));
    for (const c of causes) incompatibleDeps.add(this.p.identify(c.requirement));
    while (this.states.length >= 3) {
      this.states.pop();
      let broken: State<R, C> | undefined;
      let pinned: [string, C] | undefined;
      for (let incompatible = false; !incompatible; ) {
        broken = this.states.pop();
        pinned = broken ? lastEntry(broken.mapping) : undefined;
        if (!broken || !pinned) throw new ResolutionImpossible(causes);
        broken.mapping.delete(pinned[0]);
        incompatible = this.p.getDependencies(pinned[1]).some((d) => incompatibleDeps.has(this.p.identify(d)));
      }
      if (!broken || !pinned) throw new ResolutionImpossible(causes);
      const learnt: Array<[string, C[]]> = [...broken.criteria].map(([k, v]) => [k, [...v.incompatibilities]]);
      learnt.push([pinned[0], [pinned[1]]]);
      this.pushNewState();
      if (await this.patchCriteria(learnt)) return true;
    }
    return false;
  }

  private async patchCriteria(learnt: ReadonlyArray<[string, C[]]>): Promise<boolean> {
    const criteria = this.state.criteria;
    for (const [key, incompatibilities] of learnt) {
      if (incompatibilities.length === 0) continue;
      const criterion = criteria.get(key);
      if (!criterion) continue;
      const matches = this.p.findMatches(
        key,
        this.requirementsOf(criteria, new Map()),
        this.incompatibilitiesOf(criteria, new Map([[key, incompatibilities]])),
      );
      if (await isEmpty(matches)) return false;
      incompatibilities.push(...criterion.incompatibilities);
      criteria.set(key, { candidates: matches, information: [...criterion.information], incompatibilities });
    }
    return true;
  }

  async resolve(requirements: readonly R[], maxRounds: number): Promise<State<R, C>> {
    if (this.states.length) throw new Error('already resolved');
    this.states = [{ mapping: new Map(), criteria: new Map(), backtrackCauses: [] }];
    for (const r of requirements) {
      try {
        await this.addToCriteria(this.state.criteria, r, null);
      } catch (e) {
        if (e instanceof RequirementsConflicted) throw new ResolutionImpossible((e.criterion as Criterion<R, C>).information);
        throw e;
      }
    }
    // The root state stays below everything, so the first pin has something to undo to.
    this.pushNewState();
    for (let round = 0; round < maxRounds; round++) {
      const unsatisfied = [...this.state.criteria].filter(([k, c]) => !this.isCurrentPinSatisfying(k, c)).map(([k]) => k);
      if (unsatisfied.length === 0) return this.state;
      const unsatisfiedSet = new Set(unsatisfied);
      const satisfied = new Set([...this.state.criteria.keys()].filter((k) => !unsatisfiedSet.has(k)));
      const name = this.mostPreferred(unsatisfied);
      const failures = await this.attemptToPinCriterion(name);
      if (failures.length) {
        const causes = failures.flatMap((c) => c.information);
        const success = await this.backjump(causes);
        this.state.backtrackCauses = [...causes];
        if (!success) throw new ResolutionImpossible(this.state.backtrackCauses);
      } else {
        // Requirements from pins that no longer satisfy everything stop counting.
        const newlyUnsatisfied = new Set(
          [...this.state.criteria].filter(([k, c]) => satisfied.has(k) && !this.isCurrentPinSatisfying(k, c)).map(([k]) => k),
        );
        this.removeInformationFromCriteria(this.state.criteria, newlyUnsatisfied);
        this.pushNewState();
      }
    }
    throw new ResolutionTooDeep(maxRounds, this.state.backtrackCauses);
  }

  /** Python's min(): the first of equally preferred names (keys end in the name, so none tie). */
  private mostPreferred(names: readonly string[]): string {
    let best: { name: string; key: PreferenceKey } | undefined;
    for (const name of names) {
      const key = this.p.getPreference(name, this.state.criteria.get(name)?.information ?? [], this.state.backtrackCauses);
      if (!best || comparePreference(key, best.key) < 0) best = { name, key };
    }
    if (!best) throw new Error('no name to pin');
    return best.name;
  }
}

/** resolvelib's `_build_result`: keep the pins reachable from the caller's requirements. */
function buildResult<R, C>(state: State<R, C>): Result<R, C> {
  const keyOf = new Map<C, string>();
  for (const [k, v] of state.mapping) keyOf.set(v, k);
  const connected = new Set<string | null>([null]);
  const visiting = new Set<string>();
  const routeToRoot = (key: string): boolean => {
    if (connected.has(key)) return true;
    const criterion = state.criteria.get(key);
    if (!criterion || visiting.has(key)) return false;
    visiting.add(key);
    try {
      for (const { parent } of criterion.information) {
        const pkey = parent === null ? null : keyOf.get(parent);
        if (pkey === undefined) continue;
        if (pkey === null || connected.has(pkey) || routeToRoot(pkey)) {
          connected.add(key);
          return true;
        }
      }
      return false;
    } finally {
      visiting.delete(key);
    }
  };
  for (const key of state.criteria.keys()) routeToRoot(key);
  return { mapping: new Map([...state.mapping].filter(([k]) => connected.has(k))), criteria: state.criteria };
}

export async function resolve<R, C>(provider: Provider<R, C>, requirements: readonly R[], maxRounds: number): Promise<Result<R, C>> {
  const state = await new Resolution(provider).resolve(requirements, maxRounds);
  return buildResult(state);
}
