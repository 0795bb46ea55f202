/** `list`: every installed distribution of an environment, as rows and as text. */
import { normalizeName } from './names.js';
import type { InterpreterInfo } from './python/interpreter.js';
import { compareVersions, isValidVersion } from './versions.js';
import { findInstalled } from './install/installed.js';
import { knownSideVersions } from './runtime/side-versions.js';

export type DistributionFormat = 'installed' | 'directory' | 'zip';

export interface ListRow {
  readonly name: string;
  readonly version: string;
  readonly default: boolean;
  readonly path: string;
  readonly format: DistributionFormat;
}

export async function listDistributions(python: InterpreterInfo): Promise<ListRow[]> {
  const defaults: ListRow[] = (await findInstalled(python)).map((d) => ({
    name: d.name,
    version: d.version,
    default: true,
    path: d.distInfoDir,
    format: 'installed' as const,
  }));
  const sides: ListRow[] = (await knownSideVersions(python)).map((s) => ({
    name: s.name,
    version: s.version,
    default: false,
    path: s.location,
    format: s.format,
  }));
  return sortRows([...defaults, ...sides]);
}

/**
 * By normalized name, the default first, then highest version first (versions that are
 * not PEP 440 after the others), then path: `python -m sidewheel list` sorts the same way.
 */
export function sortRows(rows: readonly ListRow[]): ListRow[] {
  const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
  return [...rows].sort(
    (a, b) =>
      byString(normalizeName(a.name), normalizeName(b.name)) ||
      Number(b.default) - Number(a.default) ||
      -compareLoose(a.version, b.version) ||
      byString(a.path, b.path),
  );
}

function compareLoose(a: string, b: string): number {
  const va = isValidVersion(a);
  const vb = isValidVersion(b);
  if (va && vb) return compareVersions(a, b);
  if (va !== vb) return va ? 1 : -1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Columns padded to their widest cell, two spaces apart, no trailing spaces. */
export function formatTable(rows: readonly ListRow[]): string {
  const cells = [['name', 'version', 'default', 'format', 'path'], ...rows.map((r) => [r.name, r.version, r.default ? 'yes' : 'no', r.format, r.path])];
  // Widths in code points, as Python's len() counts them.
  const width = (cell: string): number => [...cell].length;
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => width(c[i]!))));
  return cells.map((c) => c.map((cell, i) => cell + ' '.repeat(widths[i]! - width(cell))).join('  ').replace(/ +$/, '')).join('\n') + '\n';
}
