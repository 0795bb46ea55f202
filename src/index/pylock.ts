/**
 * `install pylock.toml` (PEP 751): exactly the locked wheels for this interpreter, no
 * resolution. The lock's requires-python and environments are checked; each package's
 * marker is evaluated (with the lock-file markers `extras` and `dependency_groups`: none
 * and the default groups); of the packages that remain, each name must narrow to one
 * entry, and of its wheels the one whose tags suit the interpreter best is taken. Wheels
 * come from `path` (relative to the lock) or `url`, and every one is checked against the
 * lock's size and hashes before use. A package with no fitting wheel (only an sdist, a
 * VCS checkout, a directory, or wheels for other platforms) is refused with the reason.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parse as parseToml, TomlError, type TomlTable, type TomlValue } from 'smol-toml';
import { isTomlTable } from '../bundle/manifest.js';
import { SidewheelError } from '../errors.js';
import type { WheelInput } from '../sources/load.js';
import { normalizeName, parseWheelFilename, type Tag } from '../names.js';
import { wheelRank } from '../tags.js';
import { Marker, SpecifierSet, type MarkerEnvironment } from '../versions.js';
import type { ResolutionTarget } from './choose.js';
import { Downloader, type DownloadListener } from './download.js';
import { HttpClient, httpSettingsFromEnv } from './http.js';

/** `pylock.toml` or `pylock.<name>.toml`, as PEP 751 names lock files. */
export function isLockFileName(file: string): boolean {
  return /^pylock\.([^.]+\.)?toml$/.test(path.basename(file));
}

interface LockedWheel {
  readonly fileName: string;
  readonly url: string | null;
  readonly path: string | null;
  readonly size: number | null;
  readonly hashes: Readonly<Record<string, string>>;
  readonly tags: readonly Tag[];
}

interface LockedPackage {
  readonly name: string;
  readonly version: string | null;
  readonly label: string;
  readonly wheels: readonly LockedWheel[];
  /** Why the package has no wheel at all (it has an sdist, vcs, ...), or null. */
  readonly otherSource: string | null;
}

export interface LockChoice {
  readonly name: string;
  readonly version: string | null;
  readonly wheel: LockedWheel;
}

function fail(lock: string, why: string, hint?: string): SidewheelError {
  return new SidewheelError('BAD_BUNDLE', `${lock}: ${why}`, hint);
}

function text(table: TomlTable, key: string, lock: string, where: string): string | null {
  const v = table[key];
  if (v === undefined) return null;
  if (typeof v !== 'string') throw fail(lock, `${where}: ${key} is not a string`);
  return v;
}

function strings(table: TomlTable, key: string, lock: string): string[] {
  const v = table[key];
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw fail(lock, `${key} is not a list of strings`);
  return v as string[];
}

function parseMarker(value: string, lock: string, where: string): Marker {
  try {
    return new Marker(value);
  } catch (e) {
    throw fail(lock, `${where}: ${(e as Error).message}`);
  }
}

function fitsPython(spec: string | null, version: string, lock: string, where: string): boolean {
  if (spec === null) return true;
  try {
    return new SpecifierSet(spec).contains(version, true);
  } catch {
    throw fail(lock, `${where}: requires-python ${JSON.stringify(spec)} is not a valid specifier`);
  }
}

/** The wheels to install from the lock for `target`, one per package that applies. */
export function chooseFromLock(lockText: string, lock: string, target: ResolutionTarget): LockChoice[] {
  let doc: TomlTable;
  try {
    doc = parseToml(lockText, { integersAsBigInt: true });
  } catch (e) {
    if (e instanceof TomlError) throw fail(lock, `does not parse as TOML (line ${e.line}: ${(e.message.split('\n')[0] ?? '').trim()})`);
    throw e;
  }
  const lockVersion = doc['lock-version'];
  if (typeof lockVersion !== 'string' || lockVersion.split('.')[0] !== '1') throw fail(lock, `lock-version ${String(lockVersion)} is not supported (1.x is)`);
  const env: MarkerEnvironment = { ...target.environment, extra: '', extras: [], dependency_groups: strings(doc, 'default-groups', lock) };
  if (!fitsPython(text(doc, 'requires-python', lock, 'the lock'), target.pythonVersion, lock, 'the lock')) {
    throw fail(lock, `requires Python ${String(doc['requires-python'])}, and the interpreter is ${target.pythonVersion}`);
  }
  const environments = strings(doc, 'environments', lock);
  if (environments.length && !environments.some((m, i) => parseMarker(m, lock, `environments[${i}]`).evaluate(env))) {
    throw fail(lock, `none of its environments (${environments.join('; ')}) is this interpreter's`);
  }
  const packages = doc['packages'];
  if (!Array.isArray(packages)) throw fail(lock, 'has no [[packages]]');
  const applicable = new Map<string, LockedPackage>();
  packages.forEach((raw, i) => {
    const pkg = readPackage(raw, lock, `packages[${i}]`);
    if (pkg === null) return;
    const table = raw as TomlTable;
    const marker = text(table, 'marker', lock, pkg.label);
    if (marker !== null && !parseMarker(marker, lock, pkg.label).evaluate(env)) return;
    if (!fitsPython(text(table, 'requires-python', lock, pkg.label), target.pythonVersion, lock, pkg.label)) return;
    const key = normalizeName(pkg.name);
    if (applicable.has(key)) throw fail(lock, `more than one entry for ${pkg.name} applies to this interpreter`, 'a lock file must narrow each package to one entry per environment');
    applicable.set(key, pkg);
  });
  return [...applicable.values()].map((pkg) => ({ name: pkg.name, version: pkg.version, wheel: bestWheel(pkg, target.supported, lock) }));
}

function readPackage(raw: TomlValue, lock: string, where: string): LockedPackage | null {
  if (!isTomlTable(raw)) throw fail(lock, `${where} is not a table`);
  const name = text(raw, 'name', lock, where);
  if (!name) throw fail(lock, `${where} has no name`);
  const version = text(raw, 'version', lock, where);
  const label = `package ${name}${version ? ` ${version}` : ''}`;
  const list = raw['wheels'];
  const wheels = list === undefined ? [] : Array.isArray(list) ? list.map((w, j) => readWheel(w, lock, `${label} wheels[${j}]`)) : [];
  const otherSource = ['sdist', 'vcs', 'directory', 'archive'].find((k) => raw[k] !== undefined) ?? null;
  return { name, version, label, wheels, otherSource };
}

function readWheel(raw: TomlValue, lock: string, where: string): LockedWheel {
  if (!isTomlTable(raw)) throw fail(lock, `${where} is not a table`);
  const url = text(raw, 'url', lock, where);
  const file = text(raw, 'path', lock, where);
  if (url === null && file === null) throw fail(lock, `${where} has neither url nor path`);
  const source = url ?? file ?? '';
  const fileName = text(raw, 'name', lock, where) ?? decodeURIComponent(source.split(/[/\\]/).pop() ?? '');
  let tags: readonly Tag[];
  try {
    tags = parseWheelFilename(fileName).tags;
  } catch {
    throw fail(lock, `${where}: ${fileName} is not a wheel file name`);
  }
  const hashes: Record<string, string> = {};
  const table = raw['hashes'];
  if (isTomlTable(table)) for (const [k, v] of Object.entries(table)) if (typeof v === 'string') hashes[k.toLowerCase()] = v.toLowerCase();
  if (Object.keys(hashes).length === 0) throw fail(lock, `${where} has no hashes`, 'PEP 751 requires a hash for every file');
  const size = raw['size'];
  return { fileName, url, path: file, size: typeof size === 'bigint' ? Number(size) : null, hashes, tags };
}

function bestWheel(pkg: LockedPackage, supported: readonly Tag[], lock: string): LockedWheel {
  let best: { wheel: LockedWheel; rank: number } | null = null;
  for (const wheel of pkg.wheels) {
    const rank = wheelRank(wheel.tags, supported);
    if (rank !== null && (best === null || rank < best.rank)) best = { wheel, rank };
  }
  if (best) return best.wheel;
  const why = pkg.wheels.length ? `none of its ${pkg.wheels.length} wheels suits this interpreter (tags)` : pkg.otherSource ? `it has no wheel, only a ${pkg.otherSource}, and sidewheel does not build` : 'it lists no wheels';
  throw new SidewheelError('UNSUPPORTED_TAGS', `${lock}: ${pkg.label}: ${why}`, 'lock for this platform, or build the wheels first');
}

/** The chosen wheels as install inputs: read from `path`, or downloaded from `url` into the cache; all hashes checked. */
export async function fetchLocked(choices: readonly LockChoice[], lockFile: string, downloadDir: string, onDownload?: DownloadListener, env?: NodeJS.ProcessEnv): Promise<WheelInput[]> {
  const http = new HttpClient(httpSettingsFromEnv(env));
  const downloader = new Downloader(http, downloadDir, onDownload);
  return Promise.all(
    choices.map(async ({ wheel }): Promise<WheelInput> => {
      if (wheel.path !== null) {
        const file = path.resolve(path.dirname(lockFile), wheel.path);
        const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
          throw fail(path.basename(lockFile), `cannot read ${wheel.path} (${e.code === 'ENOENT' ? 'no such file' : e.message})`);
        });
        checkLocked(wheel, bytes, lockFile);
        // Named by the lock's file name, read from wherever `path` points.
        return { file: path.join(path.dirname(file), wheel.fileName), range: { file, offset: 0, size: bytes.length } };
      }
      const url = new URL(wheel.url!);
      const downloaded = await downloader.fetch({ filename: wheel.fileName, url, hashes: wheel.hashes, requiresPython: null, yanked: null, coreMetadata: null, size: wheel.size });
      return { file: downloaded.path, sha256: downloaded.sha256 };
    }),
  );
}

function checkLocked(wheel: LockedWheel, bytes: Buffer, lockFile: string): void {
  const where = `${path.basename(lockFile)}: ${wheel.fileName}`;
  if (wheel.size !== null && bytes.length !== wheel.size) throw new SidewheelError('BAD_WHEEL', `${where} is ${bytes.length} bytes, and the lock says ${wheel.size}`);
  for (const [algorithm, expected] of Object.entries(wheel.hashes)) {
    let actual: string;
    try {
      actual = createHash(algorithm).update(bytes).digest('hex');
    } catch {
      continue;
    }
    if (actual !== expected) throw new SidewheelError('BAD_WHEEL', `${where}: ${algorithm} is ${actual}, and the lock says ${expected}`, 'the file changed since it was locked');
  }
}
