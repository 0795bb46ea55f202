/**
 * Python's text rules where they differ from JavaScript's: which characters are
 * whitespace, and how strings order. PEP 440/508 parsing follows packaging, which
 * runs on Python's rules, so every module here that strips or sorts uses these.
 */

/** Python's `\s` and `str.strip()` set: JavaScript's `\s` lacks \x1c-\x1f and \x85 and adds \ufeff. */
export const PY_SPACE_CHARS =
  '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
export const PY_SPACE = `[${PY_SPACE_CHARS}]`;
const PY_STRIP_RE = new RegExp(`^${PY_SPACE}+|${PY_SPACE}+$`, 'g');

export function pyStrip(text: string): string {
  return text.replace(PY_STRIP_RE, '');
}

/** Python orders strings by code point; JavaScript's `<` by UTF-16 unit. */
export function compareCodePoints(a: string, b: string): number {
  const ia = a[Symbol.iterator]();
  const ib = b[Symbol.iterator]();
  for (;;) {
    const x = ia.next();
    const y = ib.next();
    if (x.done || y.done) return x.done && y.done ? 0 : x.done ? -1 : 1;
    const cx = x.value.codePointAt(0) ?? 0;
    const cy = y.value.codePointAt(0) ?? 0;
    if (cx !== cy) return cx < cy ? -1 : 1;
  }
}
