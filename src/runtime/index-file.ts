/**
 * The resolver index the runtime reads (schema: python-shim/INDEX.md). Written by the
 * CLI after every change so that nothing is scanned at interpreter start.
 */
import { normalizeName } from '../names.js';
import { compareVersions, parseVersion } from '../versions.js';
import { compareCodePoints } from '../versions/python-text.js';
import type { SideFormat, SideVersion } from './side-versions.js';

export const INDEX_FILE = 'index.json';

interface IndexEntry {
  readonly version: string;
  readonly wheel: string;
  readonly location: string;
  readonly format: string;
  readonly paths: readonly string[];
  readonly dist_info: string;
  readonly top_level: readonly string[];
  readonly requires_dist: readonly string[];
  readonly requires_python: string | null;
  readonly provides_extra: readonly string[];
}

export function renderIndex(sides: readonly SideVersion[]): string {
  const projects: Record<string, { name: string; side: IndexEntry[] }> = {};
  // Each version parsed once, not at every comparison (thousands of side versions).
  const keyed = sides.map((side) => ({ side, version: parseVersion(side.version) }));
  const ordered = keyed.sort((a, b) => -compareVersions(a.version, b.version) || (a.side.wheel < b.side.wheel ? -1 : 1)).map((k) => k.side);
  for (const side of ordered) {
    const key = normalizeName(side.name);
    const project = (projects[key] ??= { name: side.name, side: [] });
    project.side.push({
      version: side.version,
      wheel: side.wheel,
      location: side.location,
      format: side.format,
      paths: side.paths,
      dist_info: side.distInfo,
      top_level: side.topLevel,
      requires_dist: side.requiresDist,
      requires_python: side.requiresPython,
      provides_extra: side.providesExtra,
    });
  }
  // Written by hand: a JavaScript object would put integer-like keys ("9", "10") first, in
  // numeric order, and INDEX.md promises keys in code point order.
  const body = Object.keys(projects)
    .sort(compareCodePoints)
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(projects[k])}`)
    .join(',');
  return `{"format":"sidewheel-index","version":1,"projects":{${body}}}\n`;
}

/**
 * The side versions of an index this CLI wrote, read back. Throws on anything that is
 * not exactly that shape (the index is untrusted: a damaged one is read from disk instead).
 */
export function parseIndex(text: string): SideVersion[] {
  const index = JSON.parse(text) as { format?: unknown; version?: unknown; projects?: unknown };
  if (index.format !== 'sidewheel-index' || index.version !== 1 || typeof index.projects !== 'object' || index.projects === null) throw new Error('not an index');
  const sides: SideVersion[] = [];
  const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string');
  for (const project of Object.values(index.projects as Record<string, { name?: unknown; side?: unknown }>)) {
    if (typeof project?.name !== 'string' || !Array.isArray(project.side)) throw new Error('bad project');
    for (const e of project.side as Array<Partial<Record<keyof IndexEntry, unknown>>>) {
      const ok =
        typeof e.version === 'string' && typeof e.wheel === 'string' && typeof e.location === 'string' && (e.format === 'directory' || e.format === 'zip') &&
        strings(e.paths) && typeof e.dist_info === 'string' && strings(e.top_level) && strings(e.requires_dist) && strings(e.provides_extra) &&
        (e.requires_python === null || typeof e.requires_python === 'string');
      if (!ok) throw new Error('bad entry');
      sides.push({
        name: project.name,
        version: e.version as string,
        wheel: e.wheel as string,
        location: e.location as string,
        format: e.format as SideFormat,
        paths: e.paths as string[],
        distInfo: e.dist_info as string,
        topLevel: e.top_level as string[],
        requiresDist: e.requires_dist as string[],
        requiresPython: e.requires_python as string | null,
        providesExtra: e.provides_extra as string[],
      });
    }
  }
  return sides;
}
