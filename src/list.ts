/** `list`: every installed distribution of an environment, as rows and as text. */
import type { InterpreterInfo } from './python/interpreter.js';
import { listInstalled } from './runtime/query.js';

export type DistributionFormat = 'installed' | 'directory' | 'zip';

export interface ListRow {
  readonly name: string;
  readonly version: string;
  readonly default: boolean;
  readonly path: string;
  readonly format: DistributionFormat;
}

/**
 * Defaults and side versions, sorted (python-shim/INDEX.md section 6). The runtime
 * answers (the copy shipped with sidewheel, in the target interpreter, Python 3.6+), so
 * this and `python -m sidewheel list` are one implementation. An unreadable index still
 * lists the defaults; `listInstalled` says why the side versions are missing.
 */
export async function listDistributions(python: InterpreterInfo): Promise<ListRow[]> {
  return (await listInstalled(python)).rows;
}

/** Columns padded to their widest cell, two spaces apart, no trailing spaces. */
export function formatTable(rows: readonly ListRow[]): string {
  const cells = [['name', 'version', 'default', 'format', 'path'], ...rows.map((r) => [r.name, r.version, r.default ? 'yes' : 'no', r.format, r.path])];
  // Widths in code points, as Python's len() counts them.
  const width = (cell: string): number => [...cell].length;
  const widths = cells[0]!.map((_, i) => Math.max(...cells.map((c) => width(c[i]!))));
  return cells.map((c) => c.map((cell, i) => cell + ' '.repeat(widths[i]! - width(cell))).join('  ').replace(/ +$/, '')).join('\n') + '\n';
}
