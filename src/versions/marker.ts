/** PEP 508 environment markers: parsed, printed as packaging prints them, and evaluated. */
import { SidewheelError } from '../errors.js';
import { normalizeName } from '../names.js';
import type { MarkerEnvironment } from './marker-environment.js';
import { parseMarkerSyntax, SyntaxProblem, Tokenizer, type MarkerComparison, type MarkerNode, type MarkerOperand } from './pep508-syntax.js';
import { Specifier, WHOLE_SPECIFIER_RE } from './specifier.js';
import { Version } from './version.js';

/**
 * Names compare normalized (PEP 685, PEP 735), so they are stored normalized, inside
 * parentheses too, as packaging 26.3 does: a quoted string on either side of `extra`,
 * and one on the left of `extras` or `dependency_groups` (`"Foo_Bar" in extras` prints
 * as `"foo-bar" in extras`). Printing, equality and evaluation then agree. 26.2 did the
 * top level only, `extra` only, and turned a variable beside `extra` into a string.
 */
function normalizeExtraValues(markers: readonly MarkerNode[]): MarkerNode[] {
  return markers.map((node) => {
    if (typeof node === 'string') return node;
    if (isMarkerList(node)) return normalizeExtraValues(node);
    const isVariable = (o: MarkerOperand, names: ReadonlySet<string>): boolean => o.kind === 'variable' && names.has(o.value);
    const normalized = (o: MarkerOperand): MarkerOperand => ({ kind: 'string', value: normalizeName(o.value) });
    if (isVariable(node.lhs, EXTRA) && node.rhs.kind === 'string') return { ...node, rhs: normalized(node.rhs) };
    if (isVariable(node.rhs, NAME_KEYS) && node.lhs.kind === 'string') return { ...node, lhs: normalized(node.lhs) };
    return node;
  });
}

const SET_KEYS: ReadonlySet<string> = new Set(['extras', 'dependency_groups']);
const EXTRA: ReadonlySet<string> = new Set(['extra']);
/** The variables whose values are project-style names, compared normalized. */
const NAME_KEYS: ReadonlySet<string> = new Set([...EXTRA, ...SET_KEYS]);

function isMarkerList(node: MarkerNode): node is readonly MarkerNode[] {
  return Array.isArray(node);
}

/**
 * Printing preserves meaning (packaging 26.3): a group that only wraps another group
 * (`((a or b))`) loses one pair of parentheses, never the pair an `or` inside an `and`
 * needs. `first` is whether the node stands at the top, where no pair is needed.
 */
function formatMarker(node: MarkerNode, first = true): string {
  if (typeof node === 'string') return node;
  if (!isMarkerList(node)) return `${formatOperand(node.lhs)} ${node.op} ${formatOperand(node.rhs)}`;
  const only = node.length === 1 ? node[0] : undefined;
  if (only !== undefined && typeof only !== 'string') return formatMarker(only, first);
  const inner = node.map((n) => formatMarker(n, false)).join(' ');
  return first ? inner : `(${inner})`;
}

/** packaging 26.3 quotes with `'` a value that holds `"` (and refuses one holding both). */
function formatOperand(o: MarkerOperand): string {
  if (o.kind === 'variable') return o.value;
  return o.value.includes('"') && !o.value.includes("'") ? `'${o.value}'` : `"${o.value}"`;
}

type EnvValue = string | ReadonlySet<string>;
const VERSION_KEYS = new Set(['implementation_version', 'platform_release', 'python_full_version', 'python_version']);

function environmentMap(environment: MarkerEnvironment): Map<string, EnvValue> {
  const env = new Map<string, EnvValue>([['extra', '']]);
  for (const [key, value] of Object.entries(environment) as [string, unknown][]) {
    if (typeof value === 'string') env.set(key, value);
    else if (value !== null && typeof value === 'object' && Symbol.iterator in value) {
      env.set(key, new Set(value as Iterable<string>));
    }
  }
  const extra = env.get('extra');
  env.set('extra', typeof extra === 'string' && extra ? normalizeName(extra) : '');
  // Untagged source builds report e.g. "3.12.0+", which is not PEP 440.
  const full = env.get('python_full_version');
  if (typeof full === 'string' && full.endsWith('+')) env.set('python_full_version', `${full}local`);
  return env;
}

class EvaluationProblem extends Error {}

function lookup(env: Map<string, EnvValue>, key: string): EnvValue {
  const value = env.get(key);
  if (value === undefined) throw new EvaluationProblem(`the environment has no ${key}`);
  return value;
}

function evaluateNodes(nodes: readonly MarkerNode[], env: Map<string, EnvValue>): boolean {
  const groups: boolean[][] = [[]];
  for (const node of nodes) {
    const group = groups[groups.length - 1] ?? [];
    if (node === 'or') groups.push([]);
    else if (node === 'and') continue;
    else if (isMarkerList(node)) group.push(evaluateNodes(node, env));
    else group.push(evaluateComparison(node, env));
  }
  return groups.some((g) => g.every(Boolean));
}

function evaluateComparison(node: MarkerComparison, env: Map<string, EnvValue>): boolean {
  // packaging reads the left operand as a variable name when it is one, else the right.
  const leftIsVariable = node.lhs.kind === 'variable';
  const key = leftIsVariable ? node.lhs.value : node.rhs.value;
  let lhs = leftIsVariable ? lookup(env, key) : node.lhs.value;
  let rhs = leftIsVariable ? node.rhs.value : lookup(env, key);
  if (typeof lhs !== 'string') throw new EvaluationProblem(`${key} can only be on the right of ${node.op}`);
  if (SET_KEYS.has(key)) {
    lhs = normalizeName(lhs);
    rhs = typeof rhs === 'string' ? normalizeName(rhs) : new Set([...rhs].map(normalizeName));
  }
  return compareMarkerValues(lhs, node.op, rhs, key);
}

function compareMarkerValues(lhs: string, op: string, rhs: EnvValue, key: string): boolean {
  if (VERSION_KEYS.has(key) && typeof rhs === 'string' && WHOLE_SPECIFIER_RE.test(op + rhs)) {
    // Version against version: PEP 440, pre-releases included.
    const spec = new Specifier(op + rhs);
    const parsed = Version.tryParse(lhs);
    if (parsed === null) return spec.operator === '===' && lhs.toLowerCase() === spec.version.toLowerCase();
    return spec.matches(parsed, lhs);
  }
  switch (op) {
    case 'in':
      return typeof rhs === 'string' ? rhs.includes(lhs) : rhs.has(lhs);
    case 'not in':
      return typeof rhs === 'string' ? !rhs.includes(lhs) : !rhs.has(lhs);
    case '==':
    case '<=':
    case '>=':
      return lhs === rhs;
    case '!=':
      return lhs !== rhs;
    case '<':
    case '>':
      return false; // PEP 508 leaves ordering of plain strings undefined; packaging says no
    default:
      throw new EvaluationProblem(`${op} is undefined on ${JSON.stringify(lhs)} and ${JSON.stringify(rhs)}`);
  }
}

/** A parsed PEP 508 environment marker. */
export class Marker {
  readonly nodes: readonly MarkerNode[];
  private structure?: string;

  /** Throws SidewheelError BAD_REQUIREMENT. */
  constructor(text: string) {
    const t = new Tokenizer(text);
    try {
      const parsed = parseMarkerSyntax(t);
      t.expect('END', 'end of marker expression');
      this.nodes = normalizeExtraValues(parsed);
    } catch (e) {
      if (e instanceof SyntaxProblem) throw badMarker(text, e.message);
      throw e;
    }
  }

  /** @internal A marker already parsed as part of a requirement. */
  static fromNodes(nodes: readonly MarkerNode[]): Marker {
    return Object.assign(Object.create(Marker.prototype) as Marker, { nodes: normalizeExtraValues(nodes) });
  }

  /** Throws SidewheelError BAD_REQUIREMENT where packaging cannot evaluate either. */
  evaluate(environment: MarkerEnvironment): boolean {
    try {
      return evaluateNodes(this.nodes, environmentMap(environment));
    } catch (e) {
      if (e instanceof EvaluationProblem) throw badMarker(this.toString(), e.message);
      throw e;
    }
  }

  /**
   * The parsed tree as a cache key: equal exactly when the structures are equal. Never
   * key by toString(): a printing that loses a distinction (as packaging 26.2's lost
   * doubled parentheses) would give two meanings one cached answer.
   */
  get structureKey(): string {
    this.structure ??= JSON.stringify(this.nodes);
    return this.structure;
  }

  toString(): string {
    return formatMarker(this.nodes);
  }
}

function badMarker(text: string, why: string): SidewheelError {
  return new SidewheelError('BAD_REQUIREMENT', `invalid marker ${JSON.stringify(text)}: ${why}`);
}
