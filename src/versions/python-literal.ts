/** Python string literals as `ast.literal_eval` reads them: how PEP 508 marker strings are unquoted. */

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  '\\': '\\',
  "'": "'",
  '"': '"',
  a: '\x07',
  b: '\b',
  f: '\f',
  n: '\n',
  r: '\r',
  t: '\t',
  v: '\v',
};
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * A quoted marker string read as a Python literal, as packaging's ast.literal_eval
 * does; null where Python would refuse it. `\N{name}` is refused: resolving Unicode
 * character names would need Python's name table.
 */
export function pythonStringLiteral(token: string): string | null {
  const body = token.slice(1, -1);
  if (!/[\\\n\r\0]/.test(body) && !LONE_SURROGATE.test(body)) return body;
  if (LONE_SURROGATE.test(body)) return null;
  let out = '';
  let i = 0;
  while (i < body.length) {
    const ch = body.charAt(i);
    if (ch === '\n' || ch === '\r' || ch === '\0') return null;
    if (ch !== '\\') {
      out += ch;
      i++;
      continue;
    }
    const step = readEscape(body, i + 1);
    if (step === null) return null;
    out += step.text;
    i = step.next;
  }
  return out;
}

function readEscape(body: string, at: number): { text: string; next: number } | null {
  if (at >= body.length) return null; // the backslash would escape the closing quote
  const c = body.charAt(at);
  if (c === '\n') return { text: '', next: at + 1 }; // line continuation
  if (c === '\r') return { text: '', next: body.charAt(at + 1) === '\n' ? at + 2 : at + 1 };
  const simple = SIMPLE_ESCAPES[c];
  if (simple !== undefined) return { text: simple, next: at + 1 };
  const octal = /^[0-7]{1,3}/.exec(body.slice(at));
  if (octal) return { text: String.fromCodePoint(parseInt(octal[0], 8)), next: at + octal[0].length };
  const hexWidth = c === 'x' ? 2 : c === 'u' ? 4 : c === 'U' ? 8 : 0;
  if (hexWidth) {
    const hex = body.slice(at + 1, at + 1 + hexWidth);
    if (!new RegExp(`^[0-9a-fA-F]{${hexWidth}}$`).test(hex)) return null;
    const code = parseInt(hex, 16);
    if (code > 0x10ffff) return null;
    return { text: String.fromCodePoint(code), next: at + 1 + hexWidth };
  }
  if (c === 'N') return null;
  return { text: '\\', next: at }; // unknown escapes stay as written
}
