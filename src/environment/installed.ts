/** Distributions already installed as defaults: `*.dist-info` directories in purelib/platlib. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SidewheelError } from '../errors.js';
import { normalizeName } from '../names.js';
import type { InterpreterInfo } from '../python/interpreter.js';
import { parseHeaders, type HeaderFields } from '../wheel/headers.js';
import { parseRecord } from '../wheel/record.js';
import { siteDirs } from '../python/scheme.js';

export interface InstalledDistribution {
  readonly name: string;
  readonly version: string;
  /** Absolute path of the `.dist-info` directory. */
  readonly distInfoDir: string;
  /** The directory RECORD paths are relative to. */
  readonly siteDir: string;
  readonly metadata: HeaderFields;
}

export async function findInstalled(python: InterpreterInfo): Promise<InstalledDistribution[]> {
  const found: InstalledDistribution[] = [];
  for (const siteDir of siteDirs(python)) {
    const names = await fs.readdir(siteDir).catch(() => [] as string[]);
    for (const entry of names.filter((n) => n.endsWith('.dist-info')).sort()) {
      const distInfoDir = path.join(siteDir, entry);
      const text = await fs.readFile(path.join(distInfoDir, 'METADATA'), 'utf8').catch(() => null);
      if (text === null) continue;
      const fields = parseHeaders(text);
      const stem = entry.slice(0, -'.dist-info'.length);
      const name = fields.get('Name') ?? stem.split('-')[0]!;
      const version = fields.get('Version') ?? stem.split('-')[1] ?? '';
      found.push({ name, version, distInfoDir, siteDir, metadata: fields });
    }
  }
  return found;
}

export function findByName(installed: readonly InstalledDistribution[], name: string): InstalledDistribution | undefined {
  const wanted = normalizeName(name);
  return installed.find((d) => normalizeName(d.name) === wanted);
}

/**
 * Every path an uninstall removes: the `.dist-info` directory (first, and whole), then
 * the files RECORD lists and their bytecode. An installed RECORD is as untrusted as a
 * wheel: each row is resolved with symbolic links followed, and one that lands outside
 * the interpreter's scheme is refused; a row naming a directory or a missing file
 * removes nothing (directories go only when removals leave them empty). A
 * `.dist-info` that is a symbolic link is removed as the link, never followed.
 */
export async function filesToRemove(dist: InstalledDistribution, python: InterpreterInfo): Promise<string[]> {
  const recordText = await fs.readFile(path.join(dist.distInfoDir, 'RECORD'), 'utf8').catch(() => null);
  if (recordText === null) {
    throw new SidewheelError('NOT_INSTALLED', `${dist.name} ${dist.version} has no RECORD in ${dist.distInfoDir}, so its files are unknown`, 'remove it by hand');
  }
  const resolver = new RecordResolver(python);
  const files = new Set<string>([dist.distInfoDir]);
  const bytecode = new BytecodeIndex();
  for (const row of parseRecord(recordText)) {
    const lexical = path.resolve(dist.siteDir, row.path);
    if (lexical.startsWith(dist.distInfoDir + path.sep)) continue; // Goes with the directory.
    const target = await resolver.resolve(lexical);
    if (target === null) {
      throw new SidewheelError('UNSAFE_RECORD', `RECORD of ${dist.name} ${dist.version} lists ${row.path}, which is outside the environment`, 'nothing was removed; inspect the RECORD by hand');
    }
    const st = await fs.lstat(target).catch(() => null);
    if (st === null || st.isDirectory()) continue;
    files.add(target);
    if (target.endsWith('.py')) for (const pyc of await bytecode.of(target)) files.add(pyc);
  }
  return [...files];
}

/** Every file each distribution's RECORD lists, resolved as filesToRemove resolves them; unreadable or unsafe rows are skipped. */
export async function filesClaimedBy(dists: readonly InstalledDistribution[], python: InterpreterInfo): Promise<Set<string>> {
  const resolver = new RecordResolver(python);
  const claimed = new Set<string>();
  for (const dist of dists) {
    const recordText = await fs.readFile(path.join(dist.distInfoDir, 'RECORD'), 'utf8').catch(() => '');
    for (const row of parseRecord(recordText)) {
      const target = await resolver.resolve(path.resolve(dist.siteDir, row.path));
      if (target !== null) claimed.add(target);
    }
  }
  return claimed;
}

/**
 * Where a RECORD path really is: its directory resolved with symbolic links followed
 * (the file itself is not: a link is removed as a link), or null when that lands
 * outside the environment or on one of its roots. Directories are resolved once each.
 */
class RecordResolver {
  private readonly roots: Promise<string[]>;
  private readonly dirs = new Map<string, Promise<string>>();

  constructor(python: InterpreterInfo) {
    const lexical = [...new Set([python.prefix, ...Object.values(python.scheme)].map((r) => path.resolve(r)))];
    this.roots = Promise.all(lexical.map((r) => fs.realpath(r).catch(() => r)));
  }

  async resolve(lexical: string): Promise<string | null> {
    const roots = await this.roots;
    const target = path.join(await this.realDir(path.dirname(lexical)), path.basename(lexical));
    const inside = roots.some((r) => target.startsWith(r + path.sep));
    return inside && !roots.includes(target) ? target : null;
  }

  /** realpath of a directory; for one that does not exist, of its nearest existing ancestor plus the rest. */
  private realDir(dir: string): Promise<string> {
    let real = this.dirs.get(dir);
    if (real === undefined) {
      real = fs.realpath(dir).catch(async () => (dir === path.dirname(dir) ? dir : path.join(await this.realDir(path.dirname(dir)), path.basename(dir))));
      this.dirs.set(dir, real);
    }
    return real;
  }
}

/** `__pycache__/<stem>.<tag>[.opt-N].pyc` files by source, each `__pycache__` listed once (not once per source file). */
class BytecodeIndex {
  private readonly listings = new Map<string, Promise<Map<string, string[]>>>();

  async of(source: string): Promise<string[]> {
    const cache = path.join(path.dirname(source), '__pycache__');
    let byStem = this.listings.get(cache);
    if (byStem === undefined) {
      byStem = fs.readdir(cache).catch(() => [] as string[]).then((names) => {
        const index = new Map<string, string[]>();
        for (const name of names) {
          const m = /^(.+?)\.[\w-]+(?:\.opt-\d+)?\.pyc$/.exec(name);
          if (m) index.set(m[1]!, [...(index.get(m[1]!) ?? []), path.join(cache, name)]);
        }
        return index;
      });
      this.listings.set(cache, byStem);
    }
    return (await byStem).get(path.basename(source, '.py')) ?? [];
  }
}

/** Every file below `dir` (none when it cannot be read); symbolic links are listed, never followed. */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, entry.name);
    out.push(...(entry.isDirectory() ? await listFiles(p) : [p]));
  }
  return out;
}
