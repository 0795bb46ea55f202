/**
 * Side versions: wheels dropped into a site directory under their own file name, as a
 * directory of their unpacked contents or as the .whl itself. This module describes
 * them for the index the runtime reads, from a freshly validated wheel or by looking at
 * what is on disk.
 */
import { promises as fs, statSync } from 'node:fs';
import path from 'node:path';
import { normalizeName, parseWheelFilename } from '../names.js';
import type { InterpreterInfo } from '../python/interpreter.js';
import { ZipFile } from '../wheel/archive.js';
import { parseHeaders, type HeaderFields } from '../wheel/headers.js';
import type { Wheel } from '../wheel/wheel.js';
import { INDEX_FILE, parseIndex } from './index-file.js';
import { siteDirs } from '../python/scheme.js';

/** The runtime's package directory in purelib (render.ts installs it; the index lives there). */
const RUNTIME_PACKAGE = 'sidewheel';

export type SideFormat = 'directory' | 'zip';

export interface SideVersion {
  /** Display name from METADATA. */
  readonly name: string;
  readonly version: string;
  /** The wheel's file name, which is also the entry's name in the site directory. */
  readonly wheel: string;
  /** Absolute path of the directory or .whl. */
  readonly location: string;
  readonly format: SideFormat;
  /** sys.path entries that activate it, in order. */
  readonly paths: readonly string[];
  /** The `.dist-info` directory, relative to location. */
  readonly distInfo: string;
  /** Top-level import names it provides. */
  readonly topLevel: readonly string[];
  readonly requiresDist: readonly string[];
  readonly requiresPython: string | null;
  readonly providesExtra: readonly string[];
}

/** Describe a side version from the wheel it is being installed from. */
export function sideVersionOfWheel(wheel: Wheel, location: string, format: SideFormat): SideVersion {
  return describe(wheel.metadata, {
    wheel: wheel.filename.filename,
    location,
    format,
    distInfo: wheel.distInfo,
    dataDir: wheel.dataDir,
    names: wheel.files.map((f) => f.path),
  });
}

/** Every side version present in the interpreter's site directories, each read from disk. Unreadable entries are skipped. */
export async function scanSideVersions(python: InterpreterInfo): Promise<SideVersion[]> {
  return collectSideVersions(python, () => null);
}

/**
 * The same, trusting the installed index for every side version it describes that has
 * not changed since the index was written (its directory or file is no newer than the
 * index): with thousands of side versions, one stat each instead of reading each one's
 * listing and METADATA. Anything the index lacks, or that changed, is read from disk;
 * an unreadable index means everything is.
 */
export async function knownSideVersions(python: InterpreterInfo): Promise<SideVersion[]> {
  const indexed = await readInstalledIndex(python);
  return collectSideVersions(python, (location, isDirectory) => {
    const side = indexed?.sides.get(location);
    if (!side || (side.format === 'directory') !== isDirectory) return null;
    try {
      return statSync(location).mtimeMs < indexed!.mtimeMs ? side : null;
    } catch {
      return null;
    }
  });
}

async function collectSideVersions(python: InterpreterInfo, known: (location: string, isDirectory: boolean) => SideVersion | null): Promise<SideVersion[]> {
  const found: SideVersion[] = [];
  for (const site of siteDirs(python)) {
    const entries = await fs.readdir(site, { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.name.endsWith('.whl') || !(entry.isDirectory() || entry.isFile())) continue;
      const location = path.join(site, entry.name);
      const side = known(location, entry.isDirectory()) ?? (await (entry.isDirectory() ? readDirectory(location) : readZip(location)).catch(() => null));
      if (side) found.push(side);
    }
  }
  return found;
}

/** The side versions the installed index describes, by location, and when it was written; null when it cannot be used. */
async function readInstalledIndex(python: InterpreterInfo): Promise<{ sides: Map<string, SideVersion>; mtimeMs: number } | null> {
  const file = path.join(python.scheme.purelib, RUNTIME_PACKAGE, INDEX_FILE);
  try {
    const [text, stat] = await Promise.all([fs.readFile(file, 'utf8'), fs.stat(file)]);
    return { sides: new Map(parseIndex(text).map((s) => [s.location, s])), mtimeMs: stat.mtimeMs };
  } catch {
    return null;
  }
}

async function readDirectory(location: string): Promise<SideVersion | null> {
  // Directories get a trailing `/`, as zip entry paths would show them.
  const list = async (dir: string, prefix: string): Promise<string[]> =>
    (await fs.readdir(dir, { withFileTypes: true }).catch(() => [])).map((e) => prefix + e.name + (e.isDirectory() ? '/' : ''));
  const top = await list(location, '');
  const distInfo = top.find((n) => n.endsWith('.dist-info/'))?.slice(0, -1);
  if (!distInfo) return null;
  const dataDir = distInfo.replace(/\.dist-info$/, '.data');
  const names = [...top];
  for (const key of ['purelib', 'platlib']) names.push(...(await list(path.join(location, dataDir, key), `${dataDir}/${key}/`)));
  const metadata = parseHeaders(await fs.readFile(path.join(location, distInfo, 'METADATA'), 'utf8'));
  return describe(metadata, { wheel: path.basename(location), location, format: 'directory', distInfo, dataDir, names });
}

async function readZip(location: string): Promise<SideVersion | null> {
  parseWheelFilename(path.basename(location));
  const zip = ZipFile.open(location);
  try {
    const names = zip.entries.map((e) => e.name);
    const distInfo = names.map((n) => n.split('/')[0]!).find((n) => n.endsWith('.dist-info'));
    const metadataEntry = zip.entries.find((e) => e.name === `${distInfo}/METADATA`);
    if (!distInfo || !metadataEntry) return null;
    const metadata = parseHeaders(zip.readSmall(metadataEntry).toString('utf8'));
    return describe(metadata, { wheel: path.basename(location), location, format: 'zip', distInfo, dataDir: distInfo.replace(/\.dist-info$/, '.data'), names });
  } finally {
    zip.close();
  }
}

interface Layout {
  readonly wheel: string;
  readonly location: string;
  readonly format: SideFormat;
  readonly distInfo: string;
  readonly dataDir: string;
  /** Paths inside the wheel (at least every top-level one and those directly under .data/purelib and .data/platlib). */
  readonly names: readonly string[];
}

function describe(metadata: HeaderFields, layout: Layout): SideVersion {
  const roots = ['', `${layout.dataDir}/purelib/`, `${layout.dataDir}/platlib/`];
  const paths = roots
    .filter((root) => root === '' || layout.names.some((n) => n.startsWith(root)))
    .map((root) => (root === '' ? layout.location : `${layout.location}/${root.slice(0, -1)}`));
  const topLevel = new Set<string>();
  for (const name of layout.names) {
    const root = roots.find((r) => r !== '' && name.startsWith(r)) ?? '';
    const first = name.slice(root.length).split('/')[0]!;
    const module = importName(first, name.slice(root.length).includes('/'));
    if (module && first !== layout.distInfo && first !== layout.dataDir) topLevel.add(module);
  }
  return {
    name: metadata.get('Name') ?? layout.wheel.split('-')[0]!,
    version: metadata.get('Version') ?? layout.wheel.split('-')[1]!,
    wheel: layout.wheel,
    location: layout.location,
    format: layout.format,
    paths,
    distInfo: layout.distInfo,
    topLevel: [...topLevel].sort(),
    requiresDist: metadata.getAll('Requires-Dist'),
    requiresPython: metadata.get('Requires-Python') ?? null,
    providesExtra: metadata.getAll('Provides-Extra'),
  };
}

/** The module a top-level entry makes importable: a package directory, `x.py`, or an extension `x.<tag>.so`. */
function importName(entry: string, isDirectory: boolean): string | null {
  const candidate = isDirectory ? entry : /^([A-Za-z_][A-Za-z0-9_]*)(\.[^.]+)?\.(py|pyc|so|pyd)$/.exec(entry)?.[1];
  if (!candidate || candidate === '__pycache__' || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(candidate)) return null;
  return candidate;
}

export function sameProject(a: { name: string }, b: { name: string }): boolean {
  return normalizeName(a.name) === normalizeName(b.name);
}
