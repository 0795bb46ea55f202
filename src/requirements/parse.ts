/**
 * pip's requirements-file format: one PEP 508 requirement a line, with `--hash=`
 * options; `-r FILE` (nested, relative to the including file), `-c FILE` constraints,
 * `--index-url` / `--extra-index-url` / `--find-links` / `--no-index` /
 * `--require-hashes` lines; `#` comments (at the start or after whitespace), `\`
 * line continuations, and `${VAR}` expansion (upper-case names, digits and `_`, as
 * pip; unset variables are left as written). Every error names the file and line.
 *
 * Not taken (refused with the line): editable installs (`-e`, they need a build),
 * paths and URLs instead of requirements, and `-r` of a URL.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SidewheelError } from '../errors.js';
import { Requirement } from '../versions.js';

export interface FileRequirement {
  readonly requirement: Requirement;
  /** Lower-case hex sha256 digests from `--hash=sha256:` options. */
  readonly hashes: readonly string[];
  /** `file:line`, for messages. */
  readonly where: string;
}

export interface RequirementsFile {
  readonly requirements: readonly FileRequirement[];
  readonly constraints: readonly FileRequirement[];
  /** The last `--index-url` given, if any. */
  readonly indexUrl: string | null;
  readonly extraIndexUrls: readonly string[];
  /** Directories (absolute, relative to the file that named them) and URLs. */
  readonly findLinks: readonly string[];
  readonly noIndex: boolean;
  /** `--require-hashes`, or any requirement carrying a `--hash` (as pip turns it on). */
  readonly requireHashes: boolean;
}

interface Collected {
  requirements: FileRequirement[];
  constraints: FileRequirement[];
  indexUrl: string | null;
  extraIndexUrls: string[];
  findLinks: string[];
  noIndex: boolean;
  requireHashes: boolean;
}

/** Options that take a value, by every spelling pip accepts. */
const VALUE_OPTIONS: Readonly<Record<string, string>> = {
  '-r': 'requirement',
  '--requirement': 'requirement',
  '-c': 'constraint',
  '--constraint': 'constraint',
  '-i': 'index-url',
  '--index-url': 'index-url',
  '--extra-index-url': 'extra-index-url',
  '-f': 'find-links',
  '--find-links': 'find-links',
  // Wheels-only already; accepted so files written for pip keep working.
  '--only-binary': 'ignored',
  '--trusted-host': 'ignored',
};
const FLAG_OPTIONS: Readonly<Record<string, string>> = {
  '--no-index': 'no-index',
  '--require-hashes': 'require-hashes',
  '--prefer-binary': 'ignored',
};

/** Read `files` (requirements) and `constraintFiles` together, as pip reads several -r and -c. */
export function readRequirementsFiles(files: readonly string[], constraintFiles: readonly string[] = [], env: NodeJS.ProcessEnv = process.env): RequirementsFile {
  const out: Collected = { requirements: [], constraints: [], indexUrl: null, extraIndexUrls: [], findLinks: [], noIndex: false, requireHashes: false };
  for (const file of files) readInto(path.resolve(file), false, out, [], env, null);
  for (const file of constraintFiles) readInto(path.resolve(file), true, out, [], env, null);
  if (out.requirements.some((r) => r.hashes.length > 0)) out.requireHashes = true;
  return out;
}

function readInto(file: string, asConstraints: boolean, out: Collected, stack: readonly string[], env: NodeJS.ProcessEnv, from: string | null): void {
  if (stack.includes(file)) throw new SidewheelError('BAD_REQUIREMENT', `${from}: ${file} includes itself (${[...stack, file].map((f) => path.basename(f)).join(' -> ')})`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (e as Error).message;
    throw new SidewheelError('USAGE', `${from ? `${from}: ` : ''}cannot read the requirements file ${file} (${why})`);
  }
  for (const { line, number } of logicalLines(text)) {
    const where = `${file}:${number}`;
    const expanded = expandVariables(line, env);
    if (expanded.startsWith('-')) handleOption(expanded, where, file, asConstraints, out, [...stack, file], env);
    else handleRequirement(expanded, where, asConstraints, out);
  }
}

/** Continuations joined, comments removed, blank lines dropped; each with the number of its first physical line. */
export function logicalLines(text: string): Array<{ line: string; number: number }> {
  const physical = text.replace(/^\ufeff/, '').split(/\r\n|\r|\n/);
  const out: Array<{ line: string; number: number }> = [];
  let pending: { line: string; number: number } | null = null;
  physical.forEach((raw, i) => {
    const withoutComment = raw.replace(/(^|\s+)#.*$/, '');
    const continued = /\\$/.test(withoutComment) && !raw.trimStart().startsWith('#');
    const part = continued ? withoutComment.slice(0, -1) : withoutComment;
    pending = pending ? { line: pending.line + part, number: pending.number } : { line: part, number: i + 1 };
    if (!continued) {
      if (pending.line.trim() !== '') out.push({ line: pending.line.trim(), number: pending.number });
      pending = null;
    }
  });
  const last = pending as { line: string; number: number } | null;
  if (last && last.line.trim() !== '') out.push({ line: last.line.trim(), number: last.number });
  return out;
}

/** `${NAME}` replaced by the environment's value when set (pip's rule: only this form, only these characters). */
export function expandVariables(line: string, env: NodeJS.ProcessEnv): string {
  return line.replace(/\$\{([A-Z0-9_]+)\}/g, (whole, name: string) => env[name] ?? whole);
}

/** `-x VALUE`, `-xVALUE`, `--long VALUE` and `--long=VALUE`, split into an option and its value. */
function splitOption(line: string): { option: string; value: string | null } {
  const long = /^(--[A-Za-z0-9-]+)(?:\s*=\s*|\s+)?(.*)$/.exec(line);
  if (long && line.startsWith('--')) return { option: long[1]!, value: long[2]!.trim() || null };
  const short = /^(-[A-Za-z])\s*(.*)$/.exec(line);
  return short ? { option: short[1]!, value: short[2]!.trim() || null } : { option: line, value: null };
}

function handleOption(line: string, where: string, file: string, asConstraints: boolean, out: Collected, stack: readonly string[], env: NodeJS.ProcessEnv): void {
  const { option, value } = splitOption(line);
  const bad = (why: string, hint?: string): SidewheelError => new SidewheelError('BAD_REQUIREMENT', `${where}: ${why}`, hint);
  if (option === '-e' || option === '--editable') throw bad('editable requirements need a build; sidewheel installs wheels only', 'build a wheel of the project and install that');
  const flag = FLAG_OPTIONS[option];
  if (flag) {
    if (value !== null) throw bad(`${option} takes no value`);
    if (flag === 'no-index') out.noIndex = true;
    if (flag === 'require-hashes') out.requireHashes = true;
    return;
  }
  const kind = VALUE_OPTIONS[option];
  if (!kind) throw bad(`unknown option ${option}`, 'supported: -r, -c, --index-url, --extra-index-url, --find-links, --no-index, --require-hashes, --hash');
  if (value === null) throw bad(`${option} needs a value`);
  const relative = (v: string): string => (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) ? v : path.resolve(path.dirname(file), v));
  switch (kind) {
    case 'requirement':
    case 'constraint': {
      const target = relative(value);
      if (/^https?:/i.test(target)) throw bad(`${option} ${value}: requirements files from URLs are not supported`, 'download the file and name it by path');
      // A file nested in a constraints file holds constraints too, as pip has it.
      readInto(target, asConstraints || kind === 'constraint', out, stack, env, where);
      return;
    }
    case 'index-url':
      out.indexUrl = value;
      return;
    case 'extra-index-url':
      out.extraIndexUrls.push(value);
      return;
    case 'find-links':
      out.findLinks.push(relative(value));
      return;
    default:
      return;
  }
}

function handleRequirement(line: string, where: string, asConstraints: boolean, out: Collected): void {
  const hashes: string[] = [];
  // Options after the requirement: only --hash, any number of times.
  const text = line.replace(/\s+--hash(?:\s*=\s*|\s+)(\S+)/g, (_whole, value: string) => {
    const m = /^sha256:([0-9a-fA-F]{64})$/.exec(value);
    if (!m) throw new SidewheelError('BAD_REQUIREMENT', `${where}: --hash=${value} is not sha256:<64 hex digits>`, 'sidewheel checks sha256, as the wheel spec and pylock.toml use');
    hashes.push(m[1]!.toLowerCase());
    return '';
  });
  const stray = /\s(--?[A-Za-z][\w-]*)/.exec(text);
  if (stray && !/;/.test(text.slice(0, stray.index))) throw new SidewheelError('BAD_REQUIREMENT', `${where}: option ${stray[1]} is not allowed after a requirement (only --hash is)`);
  if (/^[./~]|^[a-z][a-z0-9+.-]*:\/\//i.test(text) || /\.whl$/i.test(text)) {
    throw new SidewheelError('BAD_REQUIREMENT', `${where}: ${JSON.stringify(text)} is a path or URL; a requirements file line here is a PEP 508 requirement`, 'put the wheel in a directory and add --find-links DIR');
  }
  let requirement: Requirement;
  try {
    requirement = Requirement.parse(text.trim());
  } catch (e) {
    throw new SidewheelError('BAD_REQUIREMENT', `${where}: ${(e as Error).message}`);
  }
  (asConstraints ? out.constraints : out.requirements).push({ requirement, hashes, where });
}

/**
 * The requirements of -r files as the runtime takes them (`run -r`): one PEP 508 string
 * each. Constraints, hashes and index options only matter to installs, and are ignored.
 */
export function activationRequirements(files: readonly string[], env: NodeJS.ProcessEnv = process.env): string[] {
  return files.length ? readRequirementsFiles(files, [], env).requirements.map((r) => r.requirement.toString()) : [];
}
