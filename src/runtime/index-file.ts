/**
 * The resolver index the runtime reads (schema: python-shim/INDEX.md). Written by the
 * CLI after every change so that nothing is scanned at interpreter start.
 */
import { normalizeName } from '../names.js';
import { compareVersions } from '../versions.js';
import { compareCodePoints } from '../versions/python-text.js';
import type { SideVersion } from './side-versions.js';

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
  const ordered = [...sides].sort((a, b) => -compareVersions(a.version, b.version) || (a.wheel < b.wheel ? -1 : 1));
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
