/**
 * The email-header format shared by METADATA and WHEEL: `Key: value` lines, folded
 * continuation lines that start with whitespace, a blank line before an optional body.
 * Keys are case-insensitive and may repeat (multiple-use fields).
 */
export class HeaderFields {
  private readonly fields = new Map<string, string[]>();

  constructor(
    entries: ReadonlyArray<readonly [string, string]>,
    readonly body: string,
  ) {
    for (const [key, value] of entries) {
      const k = key.toLowerCase();
      const list = this.fields.get(k);
      if (list) list.push(value);
      else this.fields.set(k, [value]);
    }
  }

  get(key: string): string | undefined {
    return this.fields.get(key.toLowerCase())?.[0];
  }

  getAll(key: string): readonly string[] {
    return this.fields.get(key.toLowerCase()) ?? [];
  }
}

export function parseHeaders(text: string): HeaderFields {
  const lines = text.replace(/\r\n?/g, '\n').split('\n');
  const entries: Array<[string, string]> = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') {
      i++;
      break;
    }
    const last = entries[entries.length - 1];
    if (/^[ \t]/.test(line) && last) {
      last[1] += '\n' + line;
      continue;
    }
    const colon = line.indexOf(':');
    // Lines that are neither a field nor a continuation are skipped, as the email parser does.
    if (colon <= 0) continue;
    entries.push([line.slice(0, colon).trim(), line.slice(colon + 1).trim()]);
  }
  return new HeaderFields(entries, lines.slice(i).join('\n'));
}
