/**
 * sidewheel's own config file, an ini file: `--config FILE`, else $SIDEWHEEL_CONFIG,
 * else `config.ini` in the user's config directory (absent is fine; named and absent is
 * an error). Parsed with `ini`; since `ini` accepts almost anything (a line without `=`
 * becomes a key set to true), every line is also checked here, so a mistake is
 * reported with the file and line rather than silently ignored.
 *
 *   [tags]
 *   platforms = linux_x86_64_debian_12 linux_x86_64_debian   ; most specific first
 *   [cache]
 *   dir = /srv/sidewheel-cache
 *   link-mode = clone          ; clone (copy-on-write where possible, else copy), copy or hardlink
 *   [index]
 *   url = https://pypi.org/simple/
 *   extra-urls = https://private.example/simple/      ; several: separated by spaces
 *   find-links = ./wheels https://example.com/wheels/ ; directories (relative to this file) or URLs
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import envPaths from 'env-paths';
import ini from 'ini';
import { SidewheelError } from './errors.js';
import type { LinkMode } from './environment/transaction.js';
import { normalizeExtraPlatforms } from './tags.js';

export interface Config {
  /** Where it was read from, or null when there is no config file. */
  readonly file: string | null;
  readonly extraPlatforms: readonly string[];
  readonly cacheDir: string | null;
  readonly linkMode: LinkMode | null;
  /** The [index] section (src/index/settings.ts says what overrides it). */
  readonly index: { readonly url: string | null; readonly extraUrls: readonly string[]; readonly findLinks: readonly string[] };
}

// A Map, not an object: a section named `__proto__` or `constructor` must be unknown, not Object.prototype's.
const KNOWN: ReadonlyMap<string, readonly string[]> = new Map([
  ['tags', ['platforms']],
  ['cache', ['dir', 'link-mode']],
  ['index', ['url', 'extra-urls', 'find-links']],
]);
export const LINK_MODES: readonly LinkMode[] = ['clone', 'copy', 'hardlink'];

export const NO_CONFIG: Config = { file: null, extraPlatforms: [], cacheDir: null, linkMode: null, index: { url: null, extraUrls: [], findLinks: [] } };

export function configPath(explicit: string | undefined, env: NodeJS.ProcessEnv = process.env): { file: string; required: boolean } {
  if (explicit) return { file: path.resolve(explicit), required: true };
  if (env.SIDEWHEEL_CONFIG) return { file: path.resolve(env.SIDEWHEEL_CONFIG), required: true };
  return { file: path.join(envPaths('sidewheel', { suffix: '' }).config, 'config.ini'), required: false };
}

export function loadConfig(explicit?: string, env: NodeJS.ProcessEnv = process.env): Config {
  const { file, required } = configPath(explicit, env);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (!required && (e as NodeJS.ErrnoException).code === 'ENOENT') return NO_CONFIG;
    throw new SidewheelError('BAD_CONFIG', `cannot read config ${file}: ${(e as Error).message}`, 'pass --config FILE or set SIDEWHEEL_CONFIG to a readable ini file');
  }
  return parseConfig(file, text);
}

export function parseConfig(file: string, text: string): Config {
  const lines = checkLines(file, text);
  const parsed = ini.parse(text) as Record<string, Record<string, unknown>>;
  const value = (section: string, key: string): string | null => {
    const v = parsed[section]?.[key];
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : null;
  };
  const at = (section: string, key: string): string => `${file}:${lines.get(`${section}.${key}`) ?? 1}`;

  let extraPlatforms: string[] = [];
  const platforms = value('tags', 'platforms');
  if (platforms) {
    try {
      extraPlatforms = normalizeExtraPlatforms(platforms.split(/[\s,]+/).filter(Boolean));
    } catch (e) {
      throw new SidewheelError('BAD_CONFIG', `${at('tags', 'platforms')}: ${(e as Error).message}`, (e as SidewheelError).hint);
    }
  }
  const linkMode = value('cache', 'link-mode');
  if (linkMode !== null && !(LINK_MODES as readonly string[]).includes(linkMode)) {
    throw new SidewheelError('BAD_CONFIG', `${at('cache', 'link-mode')}: link-mode ${JSON.stringify(linkMode)} is not one of ${LINK_MODES.join(', ')}`);
  }
  const cacheDir = value('cache', 'dir');
  const list = (key: string): string[] => (value('index', key) ?? '').split(/\s+/).filter(Boolean);
  const findLinks = list('find-links').map((f) => (/^[a-z][a-z0-9+.-]*:\/\//i.test(f) ? f : path.resolve(path.dirname(file), f)));
  return {
    file,
    extraPlatforms,
    cacheDir: cacheDir === null ? null : path.resolve(path.dirname(file), cacheDir),
    linkMode: linkMode as LinkMode | null,
    index: { url: value('index', 'url'), extraUrls: list('extra-urls'), findLinks },
  };
}

/** Every line must be blank, a comment, a known [section] or a known `key = value`; returns `section.key` -> line. */
function checkLines(file: string, text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let section: string | null = null;
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    const where = `${file}:${i + 1}`;
    if (line === '' || line.startsWith('#') || line.startsWith(';')) return;
    const header = /^\[([^\]]*)\]$/.exec(line);
    if (header) {
      section = header[1]!.trim();
      if (!KNOWN.has(section)) throw new SidewheelError('BAD_CONFIG', `${where}: unknown section [${section}]`, `known sections: ${[...KNOWN.keys()].map((s) => `[${s}]`).join(', ')}`);
      return;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) throw new SidewheelError('BAD_CONFIG', `${where}: expected "key = value", got ${JSON.stringify(line)}`);
    const key = line.slice(0, eq).trim();
    if (section === null) throw new SidewheelError('BAD_CONFIG', `${where}: ${key} is outside any [section]`);
    const keys = KNOWN.get(section)!;
    if (!keys.includes(key)) throw new SidewheelError('BAD_CONFIG', `${where}: unknown key ${key} in [${section}]`, `known keys: ${keys.join(', ')}`);
    lines.set(`${section}.${key}`, i + 1);
  });
  return lines;
}
