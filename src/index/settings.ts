/**
 * Where wheels come from: the index (`--index-url`), extra indexes, find-links locations,
 * or none of the indexes (`--no-index`). Each setting is taken from the first place that
 * has it: the command line, then sidewheel's environment variables, then pip's (people
 * already set them), then the config file's [index] section, then the default.
 *
 *   SIDEWHEEL_INDEX_URL / PIP_INDEX_URL              one URL
 *   SIDEWHEEL_EXTRA_INDEX_URL / PIP_EXTRA_INDEX_URL  URLs separated by spaces
 *   SIDEWHEEL_FIND_LINKS / PIP_FIND_LINKS            directories or URLs separated by spaces
 *   SIDEWHEEL_NO_INDEX / PIP_NO_INDEX                1, true or yes
 */
import path from 'node:path';
import { SidewheelError } from '../errors.js';
import { redactUrl } from './credentials.js';

export const DEFAULT_INDEX_URL = 'https://pypi.org/simple/';

export interface IndexSettings {
  readonly indexUrl: string;
  readonly extraIndexUrls: readonly string[];
  /** Directories (absolute) and http(s) URLs of flat pages. */
  readonly findLinks: readonly string[];
  readonly noIndex: boolean;
}

export interface IndexFlags {
  readonly indexUrl?: string | undefined;
  readonly extraIndexUrl?: readonly string[] | undefined;
  readonly findLinks?: readonly string[] | undefined;
  readonly noIndex?: boolean | undefined;
}

/** The [index] section of the config file, already parsed. */
export interface IndexConfig {
  readonly url: string | null;
  readonly extraUrls: readonly string[];
  readonly findLinks: readonly string[];
}

const words = (value: string | undefined): string[] | undefined => (value === undefined || value.trim() === '' ? undefined : value.trim().split(/\s+/));
const truthy = (value: string | undefined): boolean | undefined => (value === undefined || value === '' ? undefined : /^(1|true|yes|on)$/i.test(value));

export function indexSettings(flags: IndexFlags, config: IndexConfig | null, env: NodeJS.ProcessEnv = process.env): IndexSettings {
  const pick = <T>(...values: Array<T | undefined>): T | undefined => values.find((v) => v !== undefined && (!Array.isArray(v) || v.length > 0));
  const indexUrl = pick(flags.indexUrl, env.SIDEWHEEL_INDEX_URL || undefined, env.PIP_INDEX_URL || undefined, config?.url ?? undefined) ?? DEFAULT_INDEX_URL;
  const extra = pick<readonly string[]>(flags.extraIndexUrl, words(env.SIDEWHEEL_EXTRA_INDEX_URL), words(env.PIP_EXTRA_INDEX_URL), config?.extraUrls) ?? [];
  const findLinks = pick<readonly string[]>(flags.findLinks, words(env.SIDEWHEEL_FIND_LINKS), words(env.PIP_FIND_LINKS), config?.findLinks) ?? [];
  const noIndex = pick(flags.noIndex || undefined, truthy(env.SIDEWHEEL_NO_INDEX), truthy(env.PIP_NO_INDEX)) ?? false;
  return {
    indexUrl: checkIndexUrl(indexUrl),
    extraIndexUrls: extra.map(checkIndexUrl),
    findLinks: findLinks.map((f) => (isUrl(f) ? f : path.resolve(f.startsWith('file://') ? new URL(f).pathname : f))),
    noIndex,
  };
}

export function isUrl(text: string): boolean {
  return /^https?:\/\//i.test(text);
}

/** An http(s) URL, with a trailing slash so project pages resolve under it. */
export function checkIndexUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new SidewheelError('USAGE', `${JSON.stringify(redactUrl(text))} is not an index URL`, `an index URL looks like ${DEFAULT_INDEX_URL}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new SidewheelError('USAGE', `${redactUrl(url)}: an index must be an http or https URL`, 'for a directory of wheels use --find-links DIR');
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url.toString();
}
