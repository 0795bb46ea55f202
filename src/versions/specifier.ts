/**
 * PEP 440 specifiers: one `<operator><version>` clause (Specifier) and the
 * comma-separated sets requirements carry (SpecifierSet), with packaging's matching
 * and pre-release rules.
 */
import { SidewheelError } from '../errors.js';
import { compareCodePoints, PY_SPACE, PY_SPACE_CHARS, pyStrip } from './python-text.js';
import { ASCII_DIGITS, canonicalVersion, coerce, Version } from './version.js';

export type SpecifierOperator = '~=' | '==' | '!=' | '<=' | '>=' | '<' | '>' | '===';

const SPEC_PRE = '(?:[-_.]?(?:alpha|beta|preview|pre|a|b|c|rc)[-_.]?[0-9]*)?';
const SPEC_POST = '(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?';
const SPEC_DEV = '(?:[-_.]?dev[-_.]?[0-9]*)?';
/**
 * packaging's specifier grammar: matched whole for a specifier, and as a prefix by the
 * requirement tokenizer (where `===`'s argument may swallow commas).
 */
export const SPECIFIER_BODY =
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
/** One whole clause: markers use it to tell a version comparison from a string one. */
export const WHOLE_SPECIFIER_RE = new RegExp(`^${PY_SPACE}*${SPECIFIER_BODY}${PY_SPACE}*$`, 'i');
const PREFIX_SPLIT_RE = /^([0-9]+)((?:a|b|c|rc)[0-9]+)$/;

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
   * ~=V is >=V plus a prefix match on V's release less its last number. The prefix is
   * read from the parsed version, as packaging 26.3 does: `~=2.0.RC1` and `~=V2.0rc1`
   * both have the prefix `2` (26.2 cut the text as written, so `RC1` or `V2` misled it).
   */
  private compatible(v: Version): boolean {
    const { epoch, release } = this.spec;
    const prefix = `${epoch}!${release.slice(0, -1).join('.')}`;
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
