/** Distributions already installed as defaults: `*.dist-info` directories in purelib/platlib. */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { SidewheelError } from '../errors.js';
import { normalizeName } from '../names.js';
import type { InterpreterInfo } from '../python/interpreter.js';
import { parseHeaders, type HeaderFields } from '../wheel/headers.js';
import { parseRecord } from '../wheel/record.js';

export interface InstalledDistribution {
  readonly name: string;
  readonly version: string;
  /** Absolute path of the `.dist-info` directory. */
  readonly distInfoDir: string;
  /** The directory RECORD paths are relative to. */
  readonly siteDir: string;
  readonly metadata: HeaderFields;
}

export function siteDirs(python: InterpreterInfo): string[] {
  const { purelib, platlib } = python.scheme;
  return purelib === platlib ? [purelib] : [purelib, platlib];
}

/** Directories that removals may empty but never delete. */
export function cleanupRoots(python: InterpreterInfo): string[] {
  return [...siteDirs(python), python.scheme.scripts, python.scheme.data];
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
 * Every path an uninstall removes: the files RECORD lists, their bytecode, and the
 * `.dist-info` itself. A RECORD row that points outside the interpreter's scheme is
 * refused: an installed RECORD is as untrusted as a wheel.
 */
export async function filesToRemove(dist: InstalledDistribution, python: InterpreterInfo): Promise<string[]> {
  const recordText = await fs.readFile(path.join(dist.distInfoDir, 'RECORD'), 'utf8').catch(() => null);
  if (recordText === null) {
    throw new SidewheelError('NOT_INSTALLED', `${dist.name} ${dist.version} has no RECORD in ${dist.distInfoDir}, so its files are unknown`, 'remove it by hand');
  }
  const roots = [python.prefix, ...Object.values(python.scheme)].map((r) => path.resolve(r));
  const inside = (p: string): boolean => roots.some((r) => p === r || p.startsWith(r + path.sep));
  const files = new Set<string>();
  for (const row of parseRecord(recordText)) {
    const target = path.resolve(dist.siteDir, row.path);
    if (!inside(target) || roots.includes(target)) {
      throw new SidewheelError('UNSAFE_RECORD', `RECORD of ${dist.name} ${dist.version} lists ${row.path}, which is outside the environment`, 'nothing was removed; inspect the RECORD by hand');
    }
    files.add(target);
    if (target.endsWith('.py')) for (const pyc of await bytecodeOf(target)) files.add(pyc);
  }
  for (const extra of await listFiles(dist.distInfoDir)) files.add(extra);
  return [...files];
}

/** `__pycache__/<stem>.*.pyc` files for a source file, whatever interpreter or optimization level wrote them. */
async function bytecodeOf(source: string): Promise<string[]> {
  const cache = path.join(path.dirname(source), '__pycache__');
  const stem = path.basename(source, '.py') + '.';
  const names = await fs.readdir(cache).catch(() => [] as string[]);
  return names.filter((n) => n.startsWith(stem) && /^[\w-]+(\.opt-\d+)?\.pyc$/.test(n.slice(stem.length))).map((n) => path.join(cache, n));
}

/** Every file below `dir` (none when it cannot be read). */
export async function listFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, entry.name);
    out.push(...(entry.isDirectory() ? await listFiles(p) : [p]));
  }
  return out;
}
