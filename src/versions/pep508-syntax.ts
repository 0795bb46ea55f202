/**
 * PEP 508 syntax: packaging's tokenizer and grammar, turning a requirement or a
 * marker into plain data (name, extras, specifier text, marker tree) for
 * requirement.ts and marker.ts to build on. Errors are SyntaxProblem, which those
 * modules turn into a SidewheelError naming the whole text.
 */
import { pythonStringLiteral } from './python-literal.js';
import { SPECIFIER_BODY } from './specifier.js';

/** Python's `\w`, for `\b`: Unicode letters and digits, and `_`. */
const WORD = '[\\p{L}\\p{N}_]';
/** `\b` where the next character is a word character, and where the last one was. */
const WORD_START = `(?<!${WORD})`;
const WORD_END = `(?!${WORD})`;
const BOUNDARY = `(?:(?<=${WORD})(?!${WORD})|(?<!${WORD})(?=${WORD}))`;

const TOKENS = {
  LEFT_PARENTHESIS: /\(/y,
  RIGHT_PARENTHESIS: /\)/y,
  LEFT_BRACKET: /\[/y,
  RIGHT_BRACKET: /\]/y,
  SEMICOLON: /;/y,
  COMMA: /,/y,
  QUOTED_STRING: /'[^']*'|"[^"]*"/y,
  OP: /===|==|~=|!=|<=|>=|<|>/y,
  BOOLOP: new RegExp(`${WORD_START}(?:or|and)${WORD_END}`, 'uy'),
  IN: new RegExp(`${WORD_START}in${WORD_END}`, 'uy'),
  NOT: new RegExp(`${WORD_START}not${WORD_END}`, 'uy'),
  VARIABLE: new RegExp(
    `${WORD_START}(?:python_version|python_full_version|os[._]name|sys[._]platform` +
      '|platform_(?:release|system)|platform[._](?:version|machine|python_implementation)' +
      `|python_implementation|implementation_(?:name|version)|extras?|dependency_groups)${WORD_END}`,
    'uy',
  ),
  SPECIFIER: new RegExp(SPECIFIER_BODY, 'iy'),
  AT: /@/y,
  URL: /[^ \t]+/y,
  IDENTIFIER: new RegExp(`${WORD_START}[a-zA-Z0-9][a-zA-Z0-9._-]*${BOUNDARY}`, 'uy'),
  VERSION_PREFIX_TRAIL: /\.\*/y,
  VERSION_LOCAL_LABEL_TRAIL: /\+[a-z0-9]+(?:[-_.][a-z0-9]+)*/y,
  WS: /[ \t]+/y,
} as const;
type TokenName = keyof typeof TOKENS | 'END';

export class SyntaxProblem extends Error {}

export class Tokenizer {
  position = 0;

  constructor(readonly source: string) {}

  /** The text of token `name` at the current position, or null. */
  peek(name: TokenName): string | null {
    // The very end: a trailing newline is refused (packaging 26.3; 26.2's `$` let one through).
    if (name === 'END') return this.position === this.source.length ? '' : null;
    const re = TOKENS[name];
    re.lastIndex = this.position;
    return re.exec(this.source)?.[0] ?? null;
  }

  take(name: TokenName): string | null {
    const text = this.peek(name);
    if (text !== null) this.position += text.length;
    return text;
  }

  expect(name: TokenName, expected: string): string {
    const text = this.take(name);
    if (text === null) this.fail(`expected ${expected}`);
    return text;
  }

  fail(message: string): never {
    throw new SyntaxProblem(`${message} (at column ${this.position + 1})`);
  }
}

export interface MarkerOperand {
  readonly kind: 'variable' | 'string';
  readonly value: string;
}
export interface MarkerComparison {
  readonly lhs: MarkerOperand;
  readonly op: string;
  readonly rhs: MarkerOperand;
}
/** packaging's shape: comparisons and nested lists, joined by 'and' / 'or'. */
export type MarkerNode = MarkerComparison | 'and' | 'or' | readonly MarkerNode[];

interface ParsedRequirement {
  readonly name: string;
  readonly url: string;
  readonly extras: readonly string[];
  readonly specifier: string;
  readonly marker: MarkerNode[] | null;
}

export function parseRequirementSyntax(t: Tokenizer): ParsedRequirement {
  t.take('WS');
  const name = t.expect('IDENTIFIER', 'package name at the start of dependency specifier');
  t.take('WS');
  const extras = parseExtras(t);
  t.take('WS');
  let url = '';
  let specifier = '';
  let marker: MarkerNode[] | null = null;
  if (t.take('AT') !== null) {
    t.take('WS');
    url = t.expect('URL', 'URL after @');
    if (t.peek('END') === null) {
      t.expect('WS', 'whitespace after URL');
      if (t.peek('END') === null) marker = parseRequirementMarker(t, 'semicolon (after URL and whitespace)');
    }
  } else {
    specifier = parseSpecifierSyntax(t);
    t.take('WS');
    if (t.peek('END') === null) {
      marker = parseRequirementMarker(
        t,
        specifier
          ? 'comma (within version specifier), semicolon (after version specifier)'
          : 'semicolon (after name with no version specifier)',
      );
    }
  }
  t.expect('END', 'end of dependency specifier');
  return { name, url, extras, specifier, marker };
}

function parseRequirementMarker(t: Tokenizer, expected: string): MarkerNode[] {
  if (t.take('SEMICOLON') === null) t.fail(`expected ${expected} or end`);
  const marker = parseMarkerSyntax(t);
  t.take('WS');
  return marker;
}

function parseExtras(t: Tokenizer): string[] {
  if (t.take('LEFT_BRACKET') === null) return [];
  t.take('WS');
  const extras: string[] = [];
  const first = t.take('IDENTIFIER');
  if (first !== null) {
    extras.push(first);
    for (;;) {
      t.take('WS');
      if (t.peek('IDENTIFIER') !== null) t.fail('expected comma between extra names');
      if (t.take('COMMA') === null) break;
      t.take('WS');
      extras.push(t.expect('IDENTIFIER', 'extra name after comma'));
    }
  }
  t.take('WS');
  t.expect('RIGHT_BRACKET', '] closing the extras');
  return extras;
}

function parseSpecifierSyntax(t: Tokenizer): string {
  const parenthesized = t.take('LEFT_PARENTHESIS') !== null;
  t.take('WS');
  let out = '';
  for (let spec = t.take('SPECIFIER'); spec !== null; spec = t.take('SPECIFIER')) {
    out += spec;
    if (t.peek('VERSION_PREFIX_TRAIL') !== null) t.fail('.* suffix can only be used with `==` or `!=` operators');
    if (t.peek('VERSION_LOCAL_LABEL_TRAIL') !== null) {
      t.fail('local version label can only be used with `==` or `!=` operators');
    }
    t.take('WS');
    if (t.take('COMMA') === null) break;
    out += ',';
    t.take('WS');
  }
  t.take('WS');
  if (parenthesized) t.expect('RIGHT_PARENTHESIS', ') closing the version specifier');
  return out;
}

export function parseMarkerSyntax(t: Tokenizer): MarkerNode[] {
  const expression: MarkerNode[] = [parseMarkerAtom(t)];
  for (let op = t.take('BOOLOP'); op !== null; op = t.take('BOOLOP')) {
    expression.push(op === 'and' ? 'and' : 'or', parseMarkerAtom(t));
  }
  return expression;
}

function parseMarkerAtom(t: Tokenizer): MarkerNode {
  t.take('WS');
  let marker: MarkerNode;
  if (t.take('LEFT_PARENTHESIS') !== null) {
    t.take('WS');
    marker = parseMarkerSyntax(t);
    t.take('WS');
    t.expect('RIGHT_PARENTHESIS', ') closing the marker expression');
  } else {
    t.take('WS');
    const lhs = parseMarkerOperand(t);
    t.take('WS');
    const op = parseMarkerOp(t);
    t.take('WS');
    const rhs = parseMarkerOperand(t);
    t.take('WS');
    marker = { lhs, op, rhs };
  }
  t.take('WS');
  return marker;
}

function parseMarkerOperand(t: Tokenizer): MarkerOperand {
  const variable = t.take('VARIABLE');
  if (variable !== null) {
    const name = variable.replace(/\./g, '_');
    return { kind: 'variable', value: name === 'python_implementation' ? 'platform_python_implementation' : name };
  }
  const quoted = t.take('QUOTED_STRING');
  if (quoted !== null) {
    const value = pythonStringLiteral(quoted);
    if (value === null) t.fail(`${JSON.stringify(quoted)} is not a valid Python string literal`);
    return { kind: 'string', value };
  }
  return t.fail('expected a marker variable or quoted string');
}

function parseMarkerOp(t: Tokenizer): string {
  if (t.take('IN') !== null) return 'in';
  if (t.take('NOT') !== null) {
    t.expect('WS', "whitespace after 'not'");
    t.expect('IN', "'in' after 'not'");
    return 'not in';
  }
  return t.take('OP') ?? t.fail('expected a marker operator: <=, <, !=, ==, >=, >, ~=, ===, in, not in');
}
