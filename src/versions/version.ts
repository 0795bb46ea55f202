/**
 * PEP 440 versions: parsing, the normal form, and packaging's order.
 *
 * Nothing here uses @renovatebot/pep440 (4.2.4). Its specifier matching is wrong in
 * places (the README's "Dependencies" section has the measurements), and its parsing and ordering cannot agree with packaging
 * either: it reads local segments with Number() (`1.0+1e3` sorts as 1000, after
 * `1.0+999`), loses precision past 2^53 (`1.0.99999999999999999999` equals
 * `...98`), renders local labels with commas (`clean('1.0+ubuntu.1')` is
 * `1.0+ubuntu,1`), and strips JavaScript's whitespace, not Python's. So versions are
 * parsed here, with BigInt numbers.
 */
import { SidewheelError } from '../errors.js';
import { compareCodePoints, PY_SPACE, pyStrip } from './python-text.js';

function compareBig(a: bigint, b: bigint): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** PEP 440's numbers, and local-label parts that are numbers: ASCII digits only. */
export const ASCII_DIGITS = /^[0-9]+$/;

export type PreReleaseLabel = 'a' | 'b' | 'rc';
/** A local label's dot-separated parts: numbers where all digits, else lower-cased text. */
export type LocalSegment = string | bigint;

/** The parts a Version is made of, for building one (`with`). */
export type VersionParts = Pick<Version, 'epoch' | 'release' | 'pre' | 'post' | 'dev' | 'localSegments'>;

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
export class Version {
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

/** A Version, or null for a string that is not one (which only `===` can still match). */
export function coerce(item: string | Version): Version | null {
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
export function canonicalVersion(v: string | Version, stripTrailingZero: boolean): string {
  const parsed = coerce(v);
  if (parsed === null) return typeof v === 'string' ? v : v.toString();
  if (!stripTrailingZero) return parsed.toString();
  const release = trimZeros(parsed.release);
  return parsed.with({ release: release.length ? release : [0n] }).toString();
}
