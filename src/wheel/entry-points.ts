/**
 * entry_points.txt per the entry points spec: `[group]` sections of `name = value`
 * lines, `#`/`;` comments. Not parsed with `ini`, which nests dotted section names.
 */
export interface EntryPoint {
  readonly group: string;
  readonly name: string;
  readonly value: string;
  readonly module: string;
  /** The object path after `:`, or null when the entry names a module. */
  readonly attr: string | null;
}

export interface ParsedEntryPoints {
  readonly entries: readonly EntryPoint[];
  /** Lines that are not valid entry-point syntax, with their line numbers. */
  readonly problems: readonly string[];
}

const VALUE = /^([\w.]+)\s*(?::\s*([\w.]+)\s*)?(?:\[[^\]]*\]\s*)?$/u;

export function parseEntryPoints(text: string): ParsedEntryPoints {
  const entries: EntryPoint[] = [];
  const problems: string[] = [];
  let group: string | null = null;
  text.replace(/\r\n?/g, '\n').split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const section = /^\[(.+)\]$/.exec(line);
    if (section) {
      group = section[1]!.trim();
      return;
    }
    const eq = line.indexOf('=');
    if (group === null || eq <= 0) {
      problems.push(`line ${index + 1}: ${JSON.stringify(raw)} is not "name = value" inside a [group]`);
      return;
    }
    const name = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();
    const m = VALUE.exec(value);
    if (!m) {
      problems.push(`line ${index + 1}: ${JSON.stringify(value)} is not "module:object"`);
      return;
    }
    entries.push({ group, name, value, module: m[1]!, attr: m[2] ?? null });
  });
  return { entries, problems };
}
