/**
 * A bundle's manifest is a standard PEP 751 `pylock.toml` at the root of the zip, with
 * a `path` for every wheel relative to it, so after any unzip the directory is a
 * wheelhouse that pip, uv or sidewheel can install from and verify:
 *
 *     lock-version = "1.0"
 *     created-by = "sidewheel"
 *
 *     [[packages]]
 *     name = "pkg"
 *     version = "1.0"
 *     requires-python = ">=3.8"
 *     wheels = [
 *       { name = "pkg-1.0-py3-none-any.whl", path = "pkg-1.0-py3-none-any.whl", size = 1234, hashes = { sha256 = "…" } },
 *     ]
 *
 * Tags have no field in pylock.toml: they are part of each wheel's file name (PEP 427),
 * which the manifest records, so nothing sidewheel-specific ([tool.sidewheel]) is needed.
 * One [[packages]] entry per project version; a side-by-side wheelhouse may hold
 * several versions of one project, which PEP 751 allows (an installer that takes one
 * version per project must pick one, as the spec's "narrow down to a single entry" says).
 */
import { normalizeName, parseWheelFilename, type Tag, type WheelFilename } from '../names.js';
import { SidewheelError } from '../errors.js';
import { compareVersions, isValidVersion, normalizeVersion, sameVersion, SpecifierSet } from '../versions.js';
import { parse as parseToml, TomlError, type TomlTable, type TomlValue } from 'smol-toml';

/** A table, as opposed to an array, a date or a scalar. */
export function isTomlTable(value: TomlValue | undefined): value is TomlTable {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/** A TOML basic string: `"`, `\` and control characters escaped, everything else as is. */
export function tomlString(value: string): string {
  const escapes: Readonly<Record<string, string>> = { '\b': '\\b', '\t': '\\t', '\n': '\\n', '\f': '\\f', '\r': '\\r', '"': '\\"', '\\': '\\\\' };
  return `"${value.replace(/["\\\u0000-\u001f\u007f]/g, (ch) => escapes[ch] ?? `\\u${ch.codePointAt(0)!.toString(16).padStart(4, '0')}`)}"`;
}

export const MANIFEST_NAME = 'pylock.toml';
const SUPPORTED_LOCK_MAJOR = '1';

/** One wheel as the manifest describes it. */
export interface ManifestWheel {
  readonly fileName: string;
  /** PEP 503-normalized project name. */
  readonly name: string;
  /** The package's version, when the manifest gives one (sidewheel always does). */
  readonly version: string | null;
  readonly requiresPython: string | null;
  readonly size: number;
  /** Lower-case hex. */
  readonly sha256: string;
  /** From the file name: pylock.toml has no tag field. */
  readonly tags: readonly Tag[];
}

export interface Manifest {
  /** The lock file's top-level requires-python, which an installer must check. */
  readonly requiresPython: string | null;
  /** Sorted by file name; each file name once. */
  readonly wheels: readonly ManifestWheel[];
}

/** What the manifest says is wrong, without the bundle's name (the reader adds it). */
export class ManifestError extends Error {}

// ---------------------------------------------------------------- writing

export interface ManifestInput {
  readonly fileName: string;
  /** As METADATA states it; written normalized. */
  readonly name: string;
  readonly version: string;
  readonly requiresPython: string | null;
  readonly size: number;
  readonly sha256: string;
}

const HEADER = `# A sidewheel bundle: the wheels listed here are stored beside this file, in the same
# zip. This is a PEP 751 lock file; each wheel's path is relative to it. Wheel tags are
# not a pylock.toml field: they are part of each wheel's file name (PEP 427).
`;

/** The manifest's text. Deterministic: the same wheels in any order give the same bytes. */
export function renderManifest(wheels: readonly ManifestInput[]): string {
  const lines = [HEADER + 'lock-version = "1.0"', 'created-by = "sidewheel"'];
  for (const group of groupByPackage(wheels)) {
    const first = group[0]!;
    lines.push('', '[[packages]]', `name = ${tomlString(normalizeName(first.name))}`, `version = ${tomlString(versionText(first.version))}`);
    if (first.requiresPython !== null) lines.push(`requires-python = ${tomlString(first.requiresPython)}`);
    lines.push('wheels = [');
    for (const w of group) {
      const name = tomlString(w.fileName);
      lines.push(`  { name = ${name}, path = ${name}, size = ${w.size}, hashes = { sha256 = ${tomlString(w.sha256)} } },`);
    }
    lines.push(']');
  }
  return lines.join('\n') + '\n';
}

/** One group per (project, version, Requires-Python): a [[packages]] entry carries one of each. */
function groupByPackage(wheels: readonly ManifestInput[]): ManifestInput[][] {
  const groups = new Map<string, ManifestInput[]>();
  for (const w of wheels) {
    const key = JSON.stringify([normalizeName(w.name), versionText(w.version), w.requiresPython]);
    const group = groups.get(key);
    if (group) group.push(w);
    else groups.set(key, [w]);
  }
  const sorted = [...groups.values()].map((g) => g.sort((a, b) => byCodeUnits(a.fileName, b.fileName)));
  return sorted.sort((a, b) => comparePackages(a[0]!, b[0]!));
}

/** PEP 440 normal form where the version is one (`1.0.0-Beta1` is `1.0.0b1`), else as written. */
function versionText(version: string): string {
  return isValidVersion(version) ? normalizeVersion(version) : version;
}

function comparePackages(a: ManifestInput, b: ManifestInput): number {
  return (
    byCodeUnits(normalizeName(a.name), normalizeName(b.name)) ||
    safeCompareVersions(a.version, b.version) ||
    byCodeUnits(a.version, b.version) ||
    byCodeUnits(a.requiresPython ?? '', b.requiresPython ?? '')
  );
}

function safeCompareVersions(a: string, b: string): number {
  try {
    return compareVersions(a, b);
  } catch {
    return 0; // an unparsable version falls back to text order, still deterministic
  }
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------- reading

/**
 * Read and check a manifest: lock-version 1.x, and every package a wheels-only entry
 * whose wheels are files at the bundle's root with a size and a sha256, named
 * consistently with the package. Throws ManifestError naming the offending entry.
 */
export function parseManifest(text: string): Manifest {
  let doc: TomlTable;
  try {
    // Integers as bigint: a size must be a TOML integer, never a float that looks like one.
    doc = parseToml(text, { integersAsBigInt: true });
  } catch (e) {
    // smol-toml reports malformed input as TomlError; absurd nesting exhausts the stack.
    if (e instanceof TomlError) {
      const why = (e.message.split('\n')[0] ?? '').replace(/^Invalid TOML document: /, '').trim();
      throw new ManifestError(`does not parse as TOML (line ${e.line}: ${why})`);
    }
    if (e instanceof RangeError) throw new ManifestError('does not parse as TOML (nested too deeply)');
    throw e;
  }
  const lockVersion = doc['lock-version'];
  if (typeof lockVersion !== 'string') throw new ManifestError('has no lock-version');
  if (lockVersion.split('.')[0] !== SUPPORTED_LOCK_MAJOR) throw new ManifestError(`has lock-version ${lockVersion}; only 1.x is supported`);
  const requiresPython = optionalSpecifier(doc, 'the top level');
  const packages = doc['packages'];
  if (!Array.isArray(packages) || packages.length === 0) throw new ManifestError('lists no packages');

  const wheels = new Map<string, ManifestWheel>();
  packages.forEach((pkg, i) => {
    for (const w of packageWheels(pkg, `packages[${i}]`)) {
      if (wheels.has(w.fileName)) throw new ManifestError(`lists ${w.fileName} twice`);
      wheels.set(w.fileName, w);
    }
  });
  return { requiresPython, wheels: [...wheels.values()].sort((a, b) => byCodeUnits(a.fileName, b.fileName)) };
}

// A bundle carries built wheels only; these would need a build, a download or a checkout.
const OTHER_SOURCES = ['sdist', 'archive', 'directory', 'vcs'];

function packageWheels(pkg: TomlValue, where: string): ManifestWheel[] {
  if (!isTomlTable(pkg)) throw new ManifestError(`${where} is not a table`);
  const rawName = pkg['name'];
  if (typeof rawName !== 'string' || rawName === '') throw new ManifestError(`${where} has no name`);
  const label = `package ${rawName}`;
  const version = optionalString(pkg, 'version', label);
  const requiresPython = optionalSpecifier(pkg, label);
  // Installing every wheel regardless of a marker would install what the lock excludes.
  if (pkg['marker'] !== undefined) throw new ManifestError(`${label} has a marker; bundles with markers are not supported`);
  const other = OTHER_SOURCES.find((k) => pkg[k] !== undefined);
  if (other) throw new ManifestError(`${label} has a ${other}; a bundle carries wheels only`);
  const list = pkg['wheels'];
  if (!Array.isArray(list) || list.length === 0) throw new ManifestError(`${label} has no wheels`);
  return list.map((w, j) => manifestWheel(w, `${label} wheels[${j}]`, normalizeName(rawName), version, requiresPython));
}

function manifestWheel(w: TomlValue, where: string, name: string, version: string | null, requiresPython: string | null): ManifestWheel {
  if (!isTomlTable(w)) throw new ManifestError(`${where} is not a table`);
  const p = w['path'];
  if (typeof p !== 'string') throw new ManifestError(`${where} has no path (a bundle's wheels are inside it)`);
  // Relative to the manifest, POSIX separators: a bundle keeps its wheels at its root.
  const fileName = p.startsWith('./') ? p.slice(2) : p;
  if (fileName === '' || fileName.includes('/') || fileName.includes('\\') || fileName === '.' || fileName === '..') {
    throw new ManifestError(`${where} has path ${JSON.stringify(p)}; a bundle's wheels are files at its root`);
  }
  const declared = optionalString(w, 'name', where);
  if (declared !== null && declared !== fileName) throw new ManifestError(`${where} is named ${declared} but its path is ${p}`);

  const parsed = wheelFilename(fileName);
  if (normalizeName(parsed.name) !== name) throw new ManifestError(`lists ${fileName} under package ${name}`);
  if (version !== null && !sameVersion(parsed.version.replace(/_/g, '-'), version)) {
    throw new ManifestError(`lists ${fileName} under version ${version} of ${name}`);
  }

  const size = w['size'];
  if (typeof size !== 'bigint' || size < 0n || size > BigInt(Number.MAX_SAFE_INTEGER)) {
    throw new ManifestError(`gives ${fileName} no valid size`);
  }
  const hashes = w['hashes'];
  const sha256 = isTomlTable(hashes) ? hashes['sha256'] : undefined;
  if (typeof sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256)) throw new ManifestError(`gives ${fileName} no valid sha256 hash`);
  return { fileName, name, version, requiresPython, size: Number(size), sha256: sha256.toLowerCase(), tags: parsed.tags };
}

function wheelFilename(fileName: string): WheelFilename {
  try {
    return parseWheelFilename(fileName);
  } catch (e) {
    const why = /\(([^()]*)\)$/.exec((e as Error).message)?.[1];
    throw new ManifestError(`lists ${fileName}, which is not a wheel file name${why ? ` (${why})` : ''}`);
  }
}

/** requires-python, which an installer must check, so it must parse. */
function optionalSpecifier(table: TomlTable, where: string): string | null {
  const value = optionalString(table, 'requires-python', where);
  if (value === null) return null;
  try {
    new SpecifierSet(value);
  } catch (e) {
    if (e instanceof SidewheelError) throw new ManifestError(`${where}: requires-python ${JSON.stringify(value)} is not a valid version specifier`);
    throw e;
  }
  return value;
}

function optionalString(table: TomlTable, key: string, where: string): string | null {
  const v = table[key];
  if (v === undefined) return null;
  if (typeof v !== 'string') throw new ManifestError(`${where}: ${key} is not a string`);
  return v;
}
