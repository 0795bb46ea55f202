/**
 * One line for a failed resolution: the project at fault, what was asked of it and by
 * whom, which versions the wheelhouse has, and why other wheels of it were refused.
 * The conflict resolvelib ended on (its "causes") says which project and requirements;
 * the wheels of that one project are then looked at in full, so the reader learns that
 * a version exists but for another platform or Python, which is usually the fix.
 */
import { isSidewheelError } from '../errors.js';
import { normalizeName } from '../names.js';
import { SpecifierSet, type Requirement, type Version } from '../versions.js';
import type { SkippedFile, WheelCandidate } from './candidates.js';
import { compareWheels, type Info, type Made, type Node, type PipProvider, type Req } from './provider.js';

const MAX_REFUSALS_SHOWN = 3;

interface Asked {
  readonly text: string;
  readonly by: string | null;
  /** Which usable versions satisfy it on its own. */
  readonly accepts: (versions: readonly Version[]) => Version[];
  readonly specifier: SpecifierSet | null;
}

interface Survey {
  readonly usable: Version[];
  readonly seen: string[];
  readonly refusals: string[];
}

/** How a candidate is named in messages: `bar 1.0`, `foo[x] 2.0`. */
export function describeNode(node: Node): string {
  if (node.kind === 'python') return `Python ${node.version}`;
  const extras = node.kind === 'extras' ? `[${node.extras.join(',')}]` : '';
  return `${node.name}${extras} ${node.version.toString()}`;
}

/** A requirement as asked for, without its marker (it held, or it would not be here). */
export function describeRequirement(r: Requirement): string {
  const extras = r.extras.length ? `[${r.extras.join(',')}]` : '';
  return r.url !== null ? `${r.name}${extras} @ ${r.url}` : `${r.name}${extras}${r.specifier.toString()}`;
}

export function describeAsker(by: string | null): string {
  return by === null ? 'requested' : `required by ${by}`;
}

function projectOf(r: Req): string | null {
  if (r.kind === 'python') return null;
  return r.kind === 'explicit' ? r.candidate.project : r.project;
}

function asked(info: Info): Asked | null {
  const r = info.requirement;
  const by = info.parent === null ? null : describeNode(info.parent);
  if (r.kind === 'specifier') {
    return { text: describeRequirement(r.source), by, specifier: r.specifier, accepts: (vs) => r.specifier.filter(vs) };
  }
  if (r.kind === 'explicit') {
    const pinned = r.candidate.version;
    return { text: `${r.candidate.name}==${pinned.toString()}`, by, specifier: null, accepts: (vs) => vs.filter((v) => v.equals(pinned)) };
  }
  if (r.kind === 'unsatisfiable') return { text: describeRequirement(r.source), by, specifier: null, accepts: () => [] };
  return null;
}

function uniqueAsks(asks: readonly Asked[]): Asked[] {
  const seen = new Set<string>();
  return asks.filter((a) => {
    const key = `${a.text}\0${a.by ?? ''}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function listAsks(asks: readonly Asked[], joiner: string): string {
  const parts = asks.map((a) => `${a.text} (${describeAsker(a.by)})`);
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} ${joiner} ${parts[parts.length - 1]}`;
}

/** Every wheel of the project, read as far as it takes to say whether and why it cannot be used. */
async function survey(project: string, provider: PipProvider, skipped: readonly SkippedFile[]): Promise<Survey> {
  const usable: Version[] = [];
  const refusals: string[] = [];
  const installed = provider.installedOf(project);
  if (installed) usable.push(installed.version);
  const wheels = [...provider.wheelsOf(project)].sort(compareWheels);
  for (const wheel of wheels) {
    const why = await refusal(wheel, provider);
    if (why !== null) refusals.push(`${wheel.fileName} refused: ${why}`);
    else if (!usable.some((v) => v.equals(wheel.version))) usable.push(wheel.version);
  }
  // A file whose name does not parse may still be meant for this project.
  for (const s of skipped) {
    if (normalizeName(s.fileName.split('-')[0] ?? '') === project) refusals.push(`${s.fileName} refused: ${s.reason}`);
  }
  const seen = [...usable].sort((a, b) => a.compare(b)).map((v) => (installed && v === installed.version ? `${v.toString()} (installed)` : v.toString()));
  return { usable, seen, refusals };
}

async function refusal(wheel: WheelCandidate, provider: PipProvider): Promise<string | null> {
  if (wheel.rank === null) return 'tags not supported';
  if (wheel.yanked) return 'yanked';
  let made: Made;
  try {
    made = await provider.loadWheel(wheel);
  } catch (e) {
    // Explaining must not fail on a wheel the search never needed to open.
    if (!isSidewheelError(e)) throw e;
    return `unreadable (${e.message.startsWith(`${wheel.fileName}: `) ? e.message.slice(wheel.fileName.length + 2) : e.message})`;
  }
  if ('problem' in made) return made.problem;
  const requiresPython = made.node.dependencies.requiresPython;
  if (requiresPython !== null && !requiresPython.contains(provider.python.version, true)) return `requires Python ${requiresPython.toString()}`;
  return null;
}

function formatSurvey(s: Survey): string {
  let out = `versions seen: ${s.seen.length ? s.seen.join(', ') : 'none'}`;
  const shown = s.refusals.slice(0, MAX_REFUSALS_SHOWN);
  if (shown.length) out += `; ${shown.join('; ')}`;
  const more = s.refusals.length - shown.length;
  if (more > 0) out += `; and ${more} more refused`;
  return out;
}

/** The one-line reason for ResolutionImpossible's causes. */
export async function explainConflict(causes: readonly Info[], provider: PipProvider, skipped: readonly SkippedFile[]): Promise<string> {
  const first = causes.find((c) => c.requirement.kind !== 'python');
  const project = first ? projectOf(first.requirement) : pythonParentProject(causes);
  if (project === null) return 'no set of wheels satisfies the requirements';
  const name = first ? displayName(first.requirement) : pythonParentName(causes) ?? project;
  const asks = uniqueAsks(
    causes.filter((c) => projectOf(c.requirement) === project).flatMap((c) => asked(c) ?? []),
  );
  const s = await survey(project, provider, skipped);
  if (asks.length === 0) {
    return `no wheel of ${name} supports Python ${provider.python.version}; ${formatSurvey(s)}`;
  }
  const alone = asks.filter((a) => a.accepts(s.usable).length === 0);
  if (alone.length) return `no wheel of ${name} satisfies ${listAsks(alone, 'or')}; ${formatSurvey(s)}`;
  if (asks.length > 1 && jointlyEmpty(asks, s.usable)) {
    return `conflicting requirements on ${name}: ${listAsks(asks, 'and')}; ${formatSurvey(s)}`;
  }
  return `no wheel of ${name} satisfies ${listAsks(asks, 'and')} with dependencies that fit the rest; ${formatSurvey(s)}`;
}

function jointlyEmpty(asks: readonly Asked[], usable: readonly Version[]): boolean {
  let remaining = [...usable];
  const specs = asks.flatMap((a) => (a.specifier ? [a.specifier] : []));
  if (specs.length) remaining = specs.reduce((acc, s) => acc.and(s), new SpecifierSet()).filter(remaining);
  for (const a of asks) if (!a.specifier) remaining = a.accepts(remaining);
  return remaining.length === 0;
}

function displayName(r: Req): string {
  if (r.kind === 'explicit') return r.candidate.name;
  if (r.kind === 'specifier' || r.kind === 'unsatisfiable') return r.source.name;
  return 'Python';
}

function pythonParent(causes: readonly Info[]): Node | null {
  return causes.find((c) => c.requirement.kind === 'python' && c.parent !== null)?.parent ?? null;
}

function pythonParentProject(causes: readonly Info[]): string | null {
  const parent = pythonParent(causes);
  return parent === null || parent.kind === 'python' ? null : parent.project;
}

function pythonParentName(causes: readonly Info[]): string | null {
  const parent = pythonParent(causes);
  return parent === null || parent.kind === 'python' ? null : parent.name;
}
