/**
 * PEP 440 versions and specifiers, PEP 508 requirements and environment markers.
 *
 * The rules are packaging's (26.2), case for case and quirks included, because
 * sidewheel must choose the versions pip would: test/versions.test.ts checks this
 * module against fixtures/pep-vectors.json, which packaging computed, and against a
 * live packaging when a Python that has it is around. The Python runtime carries the
 * same rules in python-shim/sidewheel/_pep.py.
 *
 * Nothing here uses @renovatebot/pep440 (4.2.4). Its specifier matching is wrong in
 * places (see DESIGN.md), and its parsing and ordering cannot agree with packaging
 * either: it reads local segments with Number() (`1.0+1e3` sorts as 1000, after
 * `1.0+999`), loses precision past 2^53 (`1.0.99999999999999999999` equals
 * `...98`), renders local labels with commas (`clean('1.0+ubuntu.1')` is
 * `1.0+ubuntu,1`), and strips JavaScript's whitespace, not Python's. So versions are
 * parsed here, with BigInt numbers.
 */
import { SidewheelError } from './errors.js';
import { normalizeName } from './names.js';

// ---------------------------------------------------------------------------------
// Python's text rules, where they differ from JavaScript's
// ---------------------------------------------------------------------------------

/** Python's `\s` and `str.strip()` set: JavaScript's `\s` lacks \x1c-\x1f and \x85 and adds \ufeff. */
const PY_SPACE_CHARS =
  '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const PY_SPACE = `[${PY_SPACE_CHARS}]`;
const PY_STRIP_RE = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g');

function pyStrip(text: string): string {
  return text.replace(PY_STRIP_RE, '');
}

/** Python orders strings by code point; JavaScript's `<` by UTF-16 unit. */
function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0) ?? 0;
    const cy = y.value.codePointAt(0) ?? 0;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const ASCII_DIGITS = /^[0-9]+$/;

// ---------------------------------------------------------------------------------
// Versions
// ---------------------------------------------------------------------------------

export type PreReleaseLabel = 'a' | 'b' | 'rc';
/** A local label's dot-separated parts: numbers where all digits, else lower-cased text. */
export type LocalSegment = string | bigint;

export interface VersionParts {
  readonly epoch: bigint;
  readonly release: readonly bigint[];
  readonly pre: readonly [PreReleaseLabel, bigint] | null;
  readonly post: bigint | null;
  readonly dev: bigint | null;
  readonly localSegments: readonly LocalSegment[] | null;
}

// packaging's pattern. No `u` flag on purpose: with it, `i` would let the Kelvin sign
// match `k` and `ſ` match `s` in a local label, which packaging's ASCII groups refuse.
const VERSION_RE = new RegExp(
  `^${PY_SPACE}*v?` +
    '(?:(?<epoch>[0-9]+)!)?(?<release>[0-9]+(?:\\.[0-9]+)*)' +
    '(?:[._-]?(?<preL>alpha|a|beta|b|preview|pre|c|rc)[._-]?(?<preN>[0-9]+)?)?' +
    '(?:-(?<postN1>[0-9]+)|[._-]?(?<postL>post|rev|r)[._-]?(?<postN2>[0-9]+)?)?' +
    '(?:[._-]?(?<devL>dev)[._-]?(?<devN>[0-9]+)?)?' +
    '(?:\\+(?<local>[a-z0-9]+(?:[._-][a-z0-9]+)*))?' +
    `${PY_SPACE}*$`,
  'i',
);

const PRE_SPELLINGS: Readonly<Record<string, PreReleaseLabel>> = {
  a: 'a',
  alpha: 'a',
  b: 'b',
  beta: 'b',
  c: 'rc',
  rc: 'rc',
  pre: 'rc',
  preview: 'rc',
};
const PRE_RANK: Readonly<Record<PreReleaseLabel, bigint>> = { a: 0n, b: 1n, rc: 2n };

function parseParts(text: string): VersionParts | null {
  const g = VERSION_RE.exec(text)?.groups;
  if (!g) return null;
  const preLabel = g['preL'] === undefined ? undefined : PRE_SPELLINGS[g['preL'].toLowerCase()];
  const postN = g['postN1'] ?? g['postN2'];
  return {
    epoch: BigInt(g['epoch'] ?? 0),
    release: (g['release'] ?? '0').split('.').map(BigInt),
    pre: preLabel === undefined ? null : [preLabel, BigInt(g['preN'] ?? 0)],
    post: g['postL'] !== undefined || postN !== undefined ? BigInt(postN ?? 0) : null,
    dev: g['devL'] !== undefined ? BigInt(g['devN'] ?? 0) : null,
    localSegments:
      g['local'] === undefined
        ? null
        : g['local'].split(/[._-]/).map((s) => (ASCII_DIGITS.test(s) ? BigInt(s) : s.toLowerCase())),
  };
}

/** A parsed PEP 440 version; compare with `compareVersions` or `compare`. */
export class Version implements VersionParts {
  readonly epoch: bigint;
  readonly release: readonly bigint[];
  readonly pre: readonly [PreReleaseLabel, bigint] | null;
  readonly post: bigint | null;
  readonly dev: bigint | null;
  readonly localSegments: readonly LocalSegment[] | null;

  private constructor(parts: VersionParts) {
    this.epoch = parts.epoch;
    this.release = parts.release;
    this.pre = parts.pre;
    this.post = parts.post;
    this.dev = parts.dev;
    this.localSegments = parts.localSegments;
  }

  /** Throws SidewheelError BAD_VERSION when `text` is not PEP 440. */
  static parse(text: string): Version {
    const v = Version.tryParse(text);
    if (v === null) throw badVersion(text);
    return v;
  }

  static tryParse(text: string): Version | null {
    const parts = parseParts(text);
    return parts === null ? null : new Version(parts);
  }

  /** A copy with some parts replaced (no validation: callers pass sane parts). */
  with(changes: Partial<VersionParts>): Version {
    return new Version({ ...this, ...changes });
  }

  get local(): string | null {
    return this.localSegments === null ? null : this.localSegments.join('.');
  }

  get public(): string {
    return this.toString().split('+', 1)[0] ?? '';
  }

  get baseVersion(): string {
    const release = this.release.join('.');
    return this.epoch ? `${this.epoch}!${release}` : release;
  }

  get isPrerelease(): boolean {
    return this.pre !== null || this.dev !== null;
  }

  get isPostrelease(): boolean {
    return this.post !== null;
  }

  get isDevrelease(): boolean {
    return this.dev !== null;
  }

  compare(other: Version): number {
    return (
      compareBig(this.epoch, other.epoch) ||
      compareTuples(trimZeros(this.release), trimZeros(other.release)) ||
      compareTuples(suffixKey(this), suffixKey(other)) ||
      compareLocal(this.localSegments, other.localSegments)
    );
  }

  equals(other: Version): boolean {
    return this.compare(other) === 0;
  }

  toString(): string {
    let out = this.release.join('.');
    if (this.epoch) out = `${this.epoch}!${out}`;
    if (this.pre) out += `${this.pre[0]}${this.pre[1]}`;
    if (this.post !== null) out += `.post${this.post}`;
    if (this.dev !== null) out += `.dev${this.dev}`;
    if (this.localSegments !== null) out += `+${this.local}`;
    return out;
  }
}

function trimZeros(release: readonly bigint[]): readonly bigint[] {
  let end = release.length;
  while (end > 0 && release[end - 1] === 0n) end--;
  return release.slice(0, end);
}

/** Element-wise, then the shorter first: Python's tuple order. */
function compareTuples(a: readonly bigint[], b: readonly bigint[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const c = compareBig(a[i] ?? 0n, b[i] ?? 0n);
    if (c) return c;
  }
  return a.length - b.length;
}

/** packaging's (pre rank, pre n, post rank, post n, dev rank, dev n). */
function suffixKey(v: VersionParts): bigint[] {
  let preRank: bigint;
  let preN = 0n;
  if (v.pre) {
    preRank = PRE_RANK[v.pre[0]];
    preN = v.pre[1];
  } else {
    // A bare .devN sorts before every a/b/rc of its release; a final after them.
    preRank = v.post === null && v.dev !== null ? -1n : 3n;
  }
  return [
    preRank,
    preN,
    v.post === null ? 0n : 1n,
    v.post ?? 0n,
    v.dev === null ? 1n : 0n,
    v.dev ?? 0n,
  ];
}

/** No label first; then part by part, text before numbers; then the shorter first. */
function compareLocal(a: readonly LocalSegment[] | null, b: readonly LocalSegment[] | null): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? -1 : 1;
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    let c: number;
    if (typeof x === 'bigint' && typeof y === 'bigint') c = compareBig(x, y);
    else if (typeof x === 'string' && typeof y === 'string') c = compareCodePoints(x, y);
    else c = typeof x === 'string' ? -1 : 1;
    if (c) return c;
  }
  return a.length - b.length;
}

function badVersion(text: string): SidewheelError {
  return new SidewheelError('BAD_VERSION', `invalid version ${JSON.stringify(text)}: ${whyBadVersion(text)}`);
}

function whyBadVersion(text: string): string {
  if (pyStrip(text) === '') return 'it is empty';
  if (text.includes('*')) return 'a .* wildcard belongs in a specifier (==1.2.*), not in a version';
  if (/^\s*(?:[<>=!~]|,)/.test(text)) return 'that is a specifier, not a version';
  return 'it is not PEP 440 (like 1.2, 2!1.0rc1.post2.dev3 or 1.0+local.7)';
}

function toVersion(v: string | Version): Version {
  return typeof v === 'string' ? Version.parse(v) : v;
}

function coerce(item: string | Version): Version | null {
  return typeof item === 'string' ? Version.tryParse(item) : item;
}

/** Throws SidewheelError BAD_VERSION when `text` is not PEP 440. */
export function parseVersion(text: string): Version {
  return Version.parse(text);
}

export function isValidVersion(text: string): boolean {
  return parseParts(text) !== null;
}

/** The normal form: `V1.0-ALPHA_1` is `1.0a1`. Throws BAD_VERSION. */
export function normalizeVersion(text: string): string {
  return Version.parse(text).toString();
}

/** PEP 440 order: negative, zero or positive. Throws BAD_VERSION on a bad string. */
export function compareVersions(a: string | Version, b: string | Version): number {
  const c = toVersion(a).compare(toVersion(b));
  return c < 0 ? -1 : c > 0 ? 1 : 0;
}

/**
 * Equal as PEP 440 versions (`1.0` and `1.0.0`, `1.0a1` and `1.0.alpha1`; local labels
 * count), or the identical string where either is not a version. Never throws.
 */
export function sameVersion(a: string, b: string): boolean {
  if (a === b) return true;
  const va = Version.tryParse(a);
  const vb = Version.tryParse(b);
  return va !== null && vb !== null && va.compare(vb) === 0;
}

/** Alpha, beta, rc or dev release. Throws BAD_VERSION on a bad string. */
export function isPrerelease(v: string | Version): boolean {
  return toVersion(v).isPrerelease;
}

/** packaging.utils.canonicalize_version: the normal form, or the text itself if invalid. */
function canonicalVersion(v: string | Version, stripTrailingZero: boolean): string {
  const parsed = coerce(v);
  if (parsed === null) return typeof v === 'string' ? v : v.toString();
  if (!stripTrailingZero) return parsed.toString();
  const release = trimZeros(parsed.release);
  return parsed.with({ release: release.length ? release : [0n] }).toString();
}

// ---------------------------------------------------------------------------------
// Specifiers
// ---------------------------------------------------------------------------------

export type SpecifierOperator = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';

const SPEC_PRE = '(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?';
const SPEC_POST = '(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?';
const SPEC_DEV = '(?:[-_.]?dev[-_.]?[0-9]*)?';
/**
 * packaging's specifier grammar: matched whole for a specifier, and as a prefix by the
 * requirement tokenizer (where `===`'s argument may swallow commas).
 */
const SPECIFIER_BODY =
  '(?:' +
  `===${PY_SPACE}*[^${PY_SPACE_CHARS};)]*` +
  '|' +
  `(?:==|!=)${PY_SPACE}*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*` +
  `(?:\\.\\*|${SPEC_PRE}${SPEC_POST}${SPEC_DEV}(?:\\+[a-z0-9]+(?:[-_.][a-z0-9]+)*)?)?` +
  '|' +
  `~=${PY_SPACE}*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)+${SPEC_PRE}${SPEC_POST}${SPEC_DEV}` +
  '|' +
  `(?:<=|>=|<|>)${PY_SPACE}*v?(?:[0-9]+!)?[0-9]+(?:\\.[0-9]+)*${SPEC_PRE}${SPEC_POST}${SPEC_DEV}` +
  ')';
const WHOLE_SPECIFIER_RE = new RegExp(`^${PY_SPACE}*${SPECIFIER_BODY}${PY_SPACE}*$`, 'i');
const PREFIX_SPLIT_RE = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/;
const SUFFIX_STARTS = ['dev', 'a', 'b', 'rc', 'post'];

/** packaging's _version_split: the epoch, then dot parts, with `1rc2` cut into `1`, `rc2`. */
function versionSplit(version: string): string[] {
  const bang = version.lastIndexOf('!');
  const result = [bang < 0 ? '0' : version.slice(0, bang) || '0'];
  for (const item of version.slice(bang + 1).split('.')) {
    const m = PREFIX_SPLIT_RE.exec(item);
    if (m) result.push(m[1] ?? '', m[2] ?? '');
    else result.push(item);
  }
  return result;
}

function numericPrefixLength(split: readonly string[]): number {
  let n = 0;
  while (n < split.length && ASCII_DIGITS.test(split[n] ?? '')) n++;
  return n;
}

function publicOf(v: Version): Version {
  return v.localSegments === null ? v : v.with({ localSegments: null });
}

/** `==<prefix>.*`: the release, zero-padded, starts with the prefix's (epochs equal). */
function prefixMatch(v: Version, specPrefix: string): boolean {
  const spec = versionSplit(canonicalVersion(specPrefix, false));
  const target = numericPrefixLength(spec);
  let split = versionSplit(publicOf(v).toString());
  const have = numericPrefixLength(split);
  if (have < target) {
    split = [...split.slice(0, have), ...Array<string>(target - have).fill('0'), ...split.slice(have)];
  }
  return spec.every((part, i) => split[i] === part);
}

/** One `<operator><version>` clause of a SpecifierSet. */
export class Specifier {
  readonly operator: SpecifierOperator;
  /** As written, whitespace stripped: `~=V1.0` stays `V1.0`. */
  readonly version: string;
  private parsed: Version | null = null;

  constructor(text: string) {
    if (!WHOLE_SPECIFIER_RE.test(text)) {
      throw new SidewheelError(
        'BAD_REQUIREMENT',
        `invalid version specifier ${JSON.stringify(pyStrip(text))}: ${whyBadSpecifier(pyStrip(text))}`,
      );
    }
    const clause = pyStrip(text);
    const width = clause.startsWith('===') ? 3 : ['~=', '==', '!=', '<=', '>='].includes(clause.slice(0, 2)) ? 2 : 1;
    this.operator = clause.slice(0, width) as SpecifierOperator;
    this.version = pyStrip(clause.slice(width));
  }

  toString(): string {
    return this.operator + this.version;
  }

  /** The version after the operator; only `===` may carry a non-version. */
  private get spec(): Version {
    this.parsed ??= Version.parse(this.version);
    return this.parsed;
  }

  /** What clauses compare (and deduplicate) by. */
  canonicalKey(): string {
    if (this.operator === '===' || this.version.endsWith('.*')) return `${this.operator} ${this.version}`;
    return `${this.operator} ${canonicalVersion(this.spec, this.operator !== '~=')}`;
  }

  /** Whether this clause alone lets pre-releases in; null where it cannot tell. */
  get prereleases(): boolean | null {
    if (this.operator === '!=' || (this.operator === '==' && this.version.endsWith('.*'))) return false;
    const v = Version.tryParse(this.version);
    return v === null ? null : v.isPrerelease;
  }

  /** `parsed` is `item` as a Version; `===` compares the item as given. */
  matches(parsed: Version, item: string | Version): boolean {
    switch (this.operator) {
      case '===':
        return item.toString().toLowerCase() === this.version.toLowerCase();
      case '==':
        return this.equal(parsed);
      case '!=':
        return !this.equal(parsed);
      case '~=':
        return this.compatible(parsed);
      case '<=':
        return publicOf(parsed).compare(this.spec) <= 0;
      case '>=':
        return publicOf(parsed).compare(this.spec) >= 0;
      case '<':
        return this.lessThan(parsed);
      case '>':
        return this.greaterThan(parsed);
    }
  }

  private equal(v: Version): boolean {
    if (this.version.endsWith('.*')) return prefixMatch(v, this.version.slice(0, -2));
    const spec = this.spec;
    return (spec.local ? v : publicOf(v)).compare(spec) === 0;
  }

  /**
   * ~=V is >=V plus a prefix match on V less its last release part. The prefix is cut
   * from the text as written, as packaging does: `~=2.0.RC1` keeps `2.0` as its prefix.
   */
  private compatible(v: Version): boolean {
    const kept: string[] = [];
    for (const segment of versionSplit(this.version)) {
      if (SUFFIX_STARTS.some((s) => segment.startsWith(s))) break;
      kept.push(segment);
    }
    kept.pop();
    const prefix = `${kept[0] ?? '0'}!${kept.slice(1).join('.')}`;
    return publicOf(v).compare(this.spec) >= 0 && prefixMatch(v, prefix);
  }

  private lessThan(v: Version): boolean {
    const spec = this.spec;
    if (v.compare(spec) >= 0) return false;
    // <V keeps out V's own pre-releases unless V is one.
    return !(!spec.isPrerelease && v.isPrerelease && v.compare(spec.with({ dev: 0n, localSegments: null })) >= 0);
  }

  private greaterThan(v: Version): boolean {
    const spec = this.spec;
    if (v.compare(spec) <= 0) return false;
    // >V keeps out V's post-releases unless V is one, and V's local versions.
    if (!spec.isPostrelease && v.isPostrelease) {
      if (v.with({ post: null, dev: null, localSegments: null }).compare(spec) === 0) return false;
    }
    return !(v.localSegments !== null && publicOf(v).compare(spec) === 0);
  }
}

function whyBadSpecifier(clause: string): string {
  const m = /^(===|~=|==|!=|<=|>=|<|>)?\s*(.*)$/s.exec(clause);
  const op = m?.[1];
  const version = m?.[2] ?? '';
  if (!op) return 'it does not start with an operator (~=, ==, !=, <=, >=, <, >, ===)';
  if (version === '') return 'no version follows the operator';
  const wildcard = version.endsWith('.*');
  if (wildcard && op !== '==' && op !== '!=') return 'a .* wildcard only works with == and !=';
  if (version.includes('+') && op !== '==' && op !== '!=') return 'a local label (+...) only works with == and !=';
  if (wildcard) return 'a .* wildcard must follow the release numbers only (==1.2.*)';
  if (op === '~=' && /^v?(?:[0-9]+!)?[0-9]+(?![.0-9])/i.test(version)) {
    return '~= needs at least two release numbers (~=1.2)';
  }
  return `${JSON.stringify(version)} is not a PEP 440 version`;
}

/** PEP 440's default: pre-releases only when no final release is left; non-versions stay. */
function withoutHiddenPrereleases<T extends string | Version>(items: readonly T[]): T[] {
  const parsed = items.map(coerce);
  if (!parsed.some((v) => v !== null && !v.isPrerelease)) return [...items];
  return items.filter((_, i) => {
    const v = parsed[i];
    return v === null || v === undefined || !v.isPrerelease;
  });
}

export interface SpecifierSetOptions {
  /** Force pre-releases in (true) or out (false); null or absent: PEP 440's default. */
  readonly prereleases?: boolean | null;
}

/** A comma-separated set of version specifiers, possibly empty (anything matches). */
export class SpecifierSet {
  readonly specifiers: readonly Specifier[];
  private readonly explicitPrereleases: boolean | null;
  /** `===` compares strings as given, so contains() must not normalize them first. */
  private readonly hasArbitrary: boolean;

  /** `text` is comma-separated clauses. Throws SidewheelError BAD_REQUIREMENT naming the bad one. */
  constructor(text: string | Iterable<Specifier> = '', options: SpecifierSetOptions = {}) {
    if (typeof text === 'string') {
      const clauses = text.split(',').map(pyStrip);
      this.specifiers = clauses.filter((s) => s !== '').map((s) => new Specifier(s));
      this.hasArbitrary = text.includes('===');
    } else {
      this.specifiers = [...text];
      this.hasArbitrary = this.specifiers.some((s) => s.toString().includes('==='));
    }
    this.explicitPrereleases = options.prereleases ?? null;
  }

  get size(): number {
    return this.specifiers.length;
  }

  /** True, or null: a clause naming a pre-release (`>=2.0b1`) lets pre-releases in. */
  get prereleases(): boolean | null {
    if (this.explicitPrereleases !== null) return this.explicitPrereleases;
    return this.specifiers.some((s) => s.prereleases) ? true : null;
  }

  /** Clauses sorted, duplicates (`>=1.0`, `>=1`) dropped: packaging's str(). */
  toString(): string {
    const seen = new Map<string, Specifier>();
    const sorted = [...this.specifiers].sort((a, b) => compareCodePoints(a.toString(), b.toString()));
    for (const s of sorted) {
      const key = s.canonicalKey();
      if (!seen.has(key)) seen.set(key, s);
    }
    return [...seen.values()].join(',');
  }

  /** Both sets' clauses; conflicting explicit pre-release settings throw. */
  and(other: SpecifierSet | string): SpecifierSet {
    const o = typeof other === 'string' ? new SpecifierSet(other) : other;
    const mine = this.explicitPrereleases;
    const theirs = o.explicitPrereleases;
    if (mine !== null && theirs !== null && mine !== theirs) {
      throw new SidewheelError('BAD_REQUIREMENT', `cannot combine ${this} and ${o}: one allows pre-releases, the other forbids them`);
    }
    return new SpecifierSet([...this.specifiers, ...o.specifiers], { prereleases: mine ?? theirs });
  }

  /**
   * Whether `version` satisfies every clause. With `prereleases` null, a pre-release
   * alone is accepted (nothing better is on offer); `installed` accepts one always.
   */
  contains(version: string | Version, prereleases: boolean | null = null, installed = false): boolean {
    const parsed = coerce(version);
    const pre = parsed !== null && installed && parsed.isPrerelease ? true : prereleases;
    const item = parsed === null || (this.hasArbitrary && typeof version === 'string') ? version : parsed;
    return this.filter([item], pre).length > 0;
  }

  /**
   * The items that satisfy every clause, in their order. With `prereleases` null,
   * pre-releases come back only when no final release does (packaging's filter).
   */
  filter<T extends string | Version>(versions: Iterable<T>, prereleases: boolean | null = null): T[] {
    const items = [...versions];
    const pre = prereleases ?? this.prereleases;
    if (this.specifiers.length) {
      const kept = items.filter((item) => this.matchesAll(item, pre ?? true));
      return pre === null ? withoutHiddenPrereleases(kept) : kept;
    }
    if (pre === true) return items;
    if (pre === false) return items.filter((item) => !(coerce(item)?.isPrerelease ?? false));
    return withoutHiddenPrereleases(items);
  }

  private matchesAll(item: string | Version, allowPrereleases: boolean): boolean {
    const parsed = coerce(item);
    if (parsed === null) {
      // Only `===` can match what is not a version.
      const text = item.toString().toLowerCase();
      return this.specifiers.every((s) => s.operator === '===' && text === s.version.toLowerCase());
    }
    if (parsed.isPrerelease && !allowPrereleases) return false;
    return this.specifiers.every((s) => s.matches(parsed, item));
  }
}

// ---------------------------------------------------------------------------------
// PEP 508 syntax: packaging's tokenizer and grammar
// ---------------------------------------------------------------------------------

/** Python's `\w`, for `\b`: Unicode letters and digits, and `_`. */
const WORD = '[\\p{L}\\p{N}_]';
/** `\b` where the next character is a word character, and where the last one was. */
const WORD_START = `(?<!${WORD})`;
const WORD_END = `(?!${WORD})`;
const BOUNDARY = `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`;

const TOKENS = {
  LEFT_PARENTHESIS: /\(/y,
  RIGHT_PARENTHESIS: /\)/y,
  LEFT_BRACKET: /\[/y,
  RIGHT_BRACKET: /\]/y,
  SEMICOLON: /;/y,
  COMMA: /,/y,
  QUOTED_STRING: /'[^']*'|"[^"]*"/y,
  OP: /===|==|~=|!=|<=|>=|<|>/y,
  BOOLOP: new RegExp(`${WORD_START}(?:or|and)${WORD_END}`, 'uy'),
  IN: new RegExp(`${WORD_START}in${WORD_END}`, 'uy'),
  NOT: new RegExp(`${WORD_START}not${WORD_END}`, 'uy'),
  VARIABLE: new RegExp(
    `${WORD_START}(?:python_version|python_full_version|os[._]name|sys[._]platform` +
      '|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)' +
      `|python_implementation|implementation_(?:name|version)|extras?|dependency_groups)${WORD_END}`,
    'uy',
  ),
  SPECIFIER: new RegExp(SPECIFIER_BODY, 'iy'),
  AT: /@/y,
  URL: /[^ \t]+/y,
  IDENTIFIER: new RegExp(`${WORD_START}[a-zA-Z0-9][a-zA-Z0-9._-]*${BOUNDARY}`, 'uy'),
  VERSION_PREFIX_TRAIL: /\.\*/y,
  VERSION_LOCAL_LABEL_TRAIL: /\+[a-z0-9]+(?:[-_.][a-z0-9]+)*/y,
  WS: /[ \t]+/y,
} as const;
type TokenName = keyof typeof TOKENS | 'END';

class SyntaxProblem extends Error {}

class Tokenizer {
  position = 0;

  constructor(readonly source: string) {}

  /** The text of token `name` at the current position, or null. */
  peek(name: TokenName): string | null {
    if (name === 'END') {
      // Python's `$` also matches before a final newline.
      const rest = this.source.length - this.position;
      return rest === 0 || (rest === 1 && this.source.endsWith('\n')) ? '' : null;
    }
    const re = TOKENS[name];
    re.lastIndex = this.position;
    return re.exec(this.source)?.[0] ?? null;
  }

  take(name: TokenName): string | null {
    const text = this.peek(name);
    if (text !== null) this.position += text.length;
    return text;
  }

  expect(name: TokenName, expected: string): string {
    const text = this.take(name);
    if (text === null) this.fail(`expected ${expected}`);
    return text;
  }

  fail(message: string): never {
    throw new SyntaxProblem(`${message} (at column ${this.position + 1})`);
  }
}

export interface MarkerOperand {
  readonly kind: 'variable' | 'string';
  readonly value: string;
}
export interface MarkerComparison {
  readonly lhs: MarkerOperand;
  readonly op: string;
  readonly rhs: MarkerOperand;
}
/** packaging's shape: comparisons and nested lists, joined by 'and' / 'or'. */
export type MarkerNode = MarkerComparison | 'and' | 'or' | readonly MarkerNode[];

interface ParsedRequirement {
  readonly name: string;
  readonly url: string;
  readonly extras: readonly string[];
  readonly specifier: string;
  readonly marker: MarkerNode[] | null;
}

function parseRequirementSyntax(t: Tokenizer): ParsedRequirement {
  t.take('WS');
  const name = t.expect('IDENTIFIER', 'package name at the start of dependency specifier');
  t.take('WS');
  const extras = parseExtras(t);
  t.take('WS');
  let url = '';
  let specifier = '';
  let marker: MarkerNode[] | null = null;
  if (t.take('AT') !== null) {
    t.take('WS');
    url = t.expect('URL', 'URL after @');
    if (t.peek('END') === null) {
      t.expect('WS', 'whitespace after URL');
      if (t.peek('END') === null) marker = parseRequirementMarker(t, 'semicolon (after URL and whitespace)');
    }
  } else {
    specifier = parseSpecifierSyntax(t);
    t.take('WS');
    if (t.peek('END') === null) {
      marker = parseRequirementMarker(
        t,
        specifier
          ? 'comma (within version specifier), semicolon (after version specifier)'
          : 'semicolon (after name with no version specifier)',
      );
    }
  }
  t.expect('END', 'end of dependency specifier');
  return { name, url, extras, specifier, marker };
}

function parseRequirementMarker(t: Tokenizer, expected: string): MarkerNode[] {
  if (t.take('SEMICOLON') === null) t.fail(`expected ${expected} or end`);
  const marker = parseMarkerSyntax(t);
  t.take('WS');
  return marker;
}

function parseExtras(t: Tokenizer): string[] {
  if (t.take('LEFT_BRACKET') === null) return [];
  t.take('WS');
  const extras: string[] = [];
  const first = t.take('IDENTIFIER');
  if (first !== null) {
    extras.push(first);
    for (;;) {
      t.take('WS');
      if (t.peek('IDENTIFIER') !== null) t.fail('expected comma between extra names');
      if (t.take('COMMA') === null) break;
      t.take('WS');
      extras.push(t.expect('IDENTIFIER', 'extra name after comma'));
    }
  }
  t.take('WS');
  t.expect('RIGHT_BRACKET', '] closing the extras');
  return extras;
}

function parseSpecifierSyntax(t: Tokenizer): string {
  const parenthesized = t.take('LEFT_PARENTHESIS') !== null;
  t.take('WS');
  let out = '';
  for (let spec = t.take('SPECIFIER'); spec !== null; spec = t.take('SPECIFIER')) {
    out += spec;
    if (t.peek('VERSION_PREFIX_TRAIL') !== null) t.fail('.* suffix can only be used with `==` or `!=` operators');
    if (t.peek('VERSION_LOCAL_LABEL_TRAIL') !== null) {
      t.fail('local version label can only be used with `==` or `!=` operators');
    }
    t.take('WS');
    if (t.take('COMMA') === null) break;
    out += ',';
    t.take('WS');
  }
  t.take('WS');
  if (parenthesized) t.expect('RIGHT_PARENTHESIS', ') closing the version specifier');
  return out;
}

function parseMarkerSyntax(t: Tokenizer): MarkerNode[] {
  const expression: MarkerNode[] = [parseMarkerAtom(t)];
  for (let op = t.take('BOOLOP'); op !== null; op = t.take('BOOLOP')) {
    expression.push(op === 'and' ? 'and' : 'or', parseMarkerAtom(t));
  }
  return expression;
}

function parseMarkerAtom(t: Tokenizer): MarkerNode {
  t.take('WS');
  let marker: MarkerNode;
  if (t.take('LEFT_PARENTHESIS') !== null) {
    t.take('WS');
    marker = parseMarkerSyntax(t);
    t.take('WS');
    t.expect('RIGHT_PARENTHESIS', ') closing the marker expression');
  } else {
    t.take('WS');
    const lhs = parseMarkerOperand(t);
    t.take('WS');
    const op = parseMarkerOp(t);
    t.take('WS');
    const rhs = parseMarkerOperand(t);
    t.take('WS');
    marker = { lhs, op, rhs };
  }
  t.take('WS');
  return marker;
}

function parseMarkerOperand(t: Tokenizer): MarkerOperand {
  const variable = t.take('VARIABLE');
  if (variable !== null) {
    const name = variable.replace(/\./g, '_');
    return { kind: 'variable', value: name === 'python_implementation' ? 'platform_python_implementation' : name };
  }
  const quoted = t.take('QUOTED_STRING');
  if (quoted !== null) {
    const value = pythonStringLiteral(quoted);
    if (value === null) t.fail(`${JSON.stringify(quoted)} is not a valid Python string literal`);
    return { kind: 'string', value };
  }
  return t.fail('expected a marker variable or quoted string');
}

function parseMarkerOp(t: Tokenizer): string {
  if (t.take('IN') !== null) return 'in';
  if (t.take('NOT') !== null) {
    t.expect('WS', "whitespace after 'not'");
    t.expect('IN', "'in' after 'not'");
    return 'not in';
  }
  return t.take('OP') ?? t.fail('expected a marker operator: <=, <, !=, ==, >=, >, ~=, ===, in, not in');
}

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A quoted marker string read as a Python literal, as packaging's ast.literal_eval
 * does; null where Python would refuse it. `\N{name}` is refused: resolving Unicode
 * character names would need Python's name table.
 */
function pythonStringLiteral(token: string): string | null {
  const body = token.slice(1, -1);
  if (!/[\\\n\r\0]/.test(body) && !LONE_SURROGATE.test(body)) return body;
  if (LONE_SURROGATE.test(body)) return null;
  let out = '';
  let i = 0;
  while (i < body.length) {
    const ch = body.charAt(i);
    if (ch === '\n' || ch === '\r' || ch === '\0') return null;
    if (ch !== '\\') {
      out += ch;
      i++;
      continue;
    }
    const step = readEscape(body, i + 1);
    if (step === null) return null;
    out += step.text;
    i = step.next;
  }
  return out;
}

function readEscape(body: string, at: number): { text: string; next: number } | null {
  if (at >= body.length) return null; // the backslash would escape the closing quote
  const c = body.charAt(at);
  if (c === '\n') return { text: '', next: at + 1 }; // line continuation
  if (c === '\r') return { text: '', next: body.charAt(at + 1) === '\n' ? at + 2 : at + 1 };
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return { text: simple, next: at + 1 };
  const octal = /^[0-7]{1,3}/.exec(body.slice(at));
  if (octal) return { text: String.fromCodePoint(parseInt(octal[0], 8)), next: at + octal[0].length };
  const hexWidth = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (hexWidth) {
    const hex = body.slice(at + 1, at + 1 + hexWidth);
    if (!new RegExp(`^[0-9a-fA-F]{${hexWidth}}$`).test(hex)) return null;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) return null;
    return { text: String.fromCodePoint(code), next: at + 1 + hexWidth };
  }
  if (c === 'N') return null;
  return { text: '\\', next: at }; // unknown escapes stay as written
}

/** `extra` values compare normalized (PEP 685); packaging does it on the top level only. */
function normalizeExtraValues(markers: readonly MarkerNode[]): MarkerNode[] {
  return markers.map((node) => {
    if (typeof node === 'string' || isMarkerList(node)) return node;
    const isExtra = (o: MarkerOperand): boolean => o.kind === 'variable' && o.value === 'extra';
    if (isExtra(node.lhs)) return { ...node, rhs: { kind: 'string', value: normalizeName(node.rhs.value) } };
    if (isExtra(node.rhs)) return { ...node, lhs: { kind: 'string', value: normalizeName(node.lhs.value) } };
    return node;
  });
}

function isMarkerList(node: MarkerNode): node is readonly MarkerNode[] {
  return Array.isArray(node);
}

function formatMarker(node: MarkerNode, first = true): string {
  if (typeof node === 'string') return node;
  if (!isMarkerList(node)) return `${formatOperand(node.lhs)} ${node.op} ${formatOperand(node.rhs)}`;
  const only = node.length === 1 ? node[0] : undefined;
  if (only !== undefined && typeof only !== 'string') return formatMarker(only);
  const inner = node.map((n) => formatMarker(n, false)).join(' ');
  return first ? inner : `(${inner})`;
}

function formatOperand(o: MarkerOperand): string {
  return o.kind === 'variable' ? o.value : `"${o.value}"`;
}

// ---------------------------------------------------------------------------------
// Markers
// ---------------------------------------------------------------------------------

/** The PEP 508 environment of one interpreter; build it from a probe (MARKER_ENVIRONMENT_SCRIPT). */
export interface MarkerEnvironment {
  readonly implementation_name: string;
  readonly implementation_version: string;
  readonly os_name: string;
  readonly platform_machine: string;
  readonly platform_release: string;
  readonly platform_system: string;
  readonly platform_version: string;
  readonly python_full_version: string;
  readonly platform_python_implementation: string;
  readonly python_version: string;
  readonly sys_platform: string;
  /** The extra being installed; '' (the default) when none. Compared normalized. */
  readonly extra?: string | null;
  /** Lock-file markers (PEP 751): the extras and dependency groups being installed. */
  readonly extras?: Iterable<string>;
  readonly dependency_groups?: Iterable<string>;
}

export const MARKER_ENVIRONMENT_KEYS = [
  'implementation_name',
  'implementation_version',
  'os_name',
  'platform_machine',
  'platform_release',
  'platform_system',
  'platform_version',
  'python_full_version',
  'platform_python_implementation',
  'python_version',
  'sys_platform',
] as const;

/**
 * Python that prints the interpreter's marker environment as JSON, computed as
 * packaging's default_environment() does; feed its output to markerEnvironmentFrom.
 */
export const MARKER_ENVIRONMENT_SCRIPT = `
import json, os, platform, sys
def v(info):
    out = "%d.%d.%d" % (info.major, info.minor, info.micro)
    return out if info.releaselevel == "final" else out + info.releaselevel[0] + str(info.serial)
print(json.dumps({
    "implementation_name": sys.implementation.name,
    "implementation_version": v(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "platform_python_implementation": platform.python_implementation(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}))
`;

/** Checks a probe's output (parsed JSON) and returns it as a MarkerEnvironment. */
export function markerEnvironmentFrom(values: unknown, extra = ''): MarkerEnvironment {
  if (typeof values !== 'object' || values === null) {
    throw new SidewheelError('PYTHON', 'the marker environment probe did not print a JSON object');
  }
  const record = values as Record<string, unknown>;
  const missing = MARKER_ENVIRONMENT_KEYS.filter((k) => typeof record[k] !== 'string');
  if (missing.length) {
    throw new SidewheelError('PYTHON', `the marker environment probe gave no string for ${missing.join(', ')}`);
  }
  const env = Object.fromEntries(MARKER_ENVIRONMENT_KEYS.map((k) => [k, record[k] as string]));
  return { ...(env as Record<(typeof MARKER_ENVIRONMENT_KEYS)[number], string>), extra };
}

type EnvValue = string | ReadonlySet<string>;
const SET_KEYS = new Set(['extras', 'dependency_groups']);
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

  toString(): string {
    return formatMarker(this.nodes);
  }
}

function badMarker(text: string, why: string): SidewheelError {
  return new SidewheelError('BAD_REQUIREMENT', `invalid marker ${JSON.stringify(text)}: ${why}`);
}

// ---------------------------------------------------------------------------------
// Requirements
// ---------------------------------------------------------------------------------

/** A parsed PEP 508 dependency specifier. */
export class Requirement {
  private constructor(
    /** As written: compare names with normalizeName. */
    readonly name: string,
    /** Sorted, duplicates dropped, as written. */
    readonly extras: readonly string[],
    readonly specifier: SpecifierSet,
    readonly marker: Marker | null,
    readonly url: string | null,
  ) {}

  /** Throws SidewheelError BAD_REQUIREMENT saying what is wrong where. */
  static parse(text: string): Requirement {
    try {
      const p = parseRequirementSyntax(new Tokenizer(text));
      const extras = [...new Set(p.extras)].sort(compareCodePoints);
      const marker = p.marker === null ? null : Marker.fromNodes(p.marker);
      return new Requirement(p.name, extras, new SpecifierSet(p.specifier), marker, p.url || null);
    } catch (e) {
      if (e instanceof SyntaxProblem) throw badRequirement(text, e.message);
      if (e instanceof SidewheelError) throw badRequirement(text, e.message);
      throw e;
    }
  }

  toString(): string {
    let out = this.name;
    if (this.extras.length) out += `[${this.extras.join(',')}]`;
    if (this.specifier.size) out += this.specifier.toString();
    if (this.url) out += ` @ ${this.url}${this.marker ? ' ' : ''}`;
    if (this.marker) out += `; ${this.marker}`;
    return out;
  }
}

function badRequirement(text: string, why: string): SidewheelError {
  return new SidewheelError('BAD_REQUIREMENT', `invalid requirement ${JSON.stringify(text)}: ${why}`);
}

/** Throws SidewheelError BAD_REQUIREMENT saying what is wrong where. */
export function parseRequirement(text: string): Requirement {
  return Requirement.parse(text);
}
