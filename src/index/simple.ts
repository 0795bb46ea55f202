/**
 * The simple repository API's project pages, both forms: PEP 691 JSON and PEP 503
 * HTML, with PEP 592 yanking, `data-requires-python` (HTML-unescaped), PEP 658/714
 * core metadata, PEP 700 sizes, and hashes in URL fragments. Pure: bytes in, files out.
 * A find-links page is the same HTML, holding many projects' files.
 */
import { SidewheelError } from '../errors.js';
import { redactUrl } from './credentials.js';

export const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';
const JSON_TYPES = new Set([JSON_TYPE, 'application/vnd.pypi.simple.latest+json']);
const HTML_TYPES = new Set(['application/vnd.pypi.simple.v1+html', 'application/vnd.pypi.simple.latest+html', 'text/html']);
/** PEP 691 content negotiation: JSON preferred, HTML accepted. */
export const ACCEPT = `${JSON_TYPE}, application/vnd.pypi.simple.v1+html;q=0.2, text/html;q=0.01`;

/** One file an index lists for a project. */
export interface IndexFile {
  /** The last path segment of its URL, percent-decoded. */
  readonly filename: string;
  /** Absolute; hash fragment removed. */
  readonly url: URL;
  /** Lower-case algorithm -> lower-case hex digest. */
  readonly hashes: Readonly<Record<string, string>>;
  readonly requiresPython: string | null;
  /** The reason when yanked ('' when none is given), null when not yanked. */
  readonly yanked: string | null;
  /** Hashes of the PEP 658 `.metadata` file when the index offers one, else null. */
  readonly coreMetadata: Readonly<Record<string, string>> | null;
  /** PEP 700 size in bytes, when given. */
  readonly size: number | null;
}

/** The files of a page, whichever form the server chose; `contentType` without parameters. */
export function parseProjectPage(bytes: Buffer, contentType: string, pageUrl: URL): IndexFile[] {
  if (JSON_TYPES.has(contentType)) return parseJsonPage(bytes, pageUrl);
  if (HTML_TYPES.has(contentType)) return parseHtmlPage(bytes.toString('utf8'), pageUrl);
  throw new SidewheelError('BAD_INDEX', `${redactUrl(pageUrl)}: the index answered with content type ${JSON.stringify(contentType || '(none)')}, which is neither the simple API's JSON nor HTML`, 'is the URL the index\'s simple API (e.g. https://pypi.org/simple/)?');
}

// ---------------------------------------------------------------- JSON (PEP 691)

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(value: Json | undefined): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hashTable(value: Json | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (isObject(value)) for (const [k, v] of Object.entries(value)) if (typeof v === 'string') out[k.toLowerCase()] = v.toLowerCase();
  return out;
}

export function parseJsonPage(bytes: Buffer, pageUrl: URL): IndexFile[] {
  const bad = (why: string): SidewheelError => new SidewheelError('BAD_INDEX', `${redactUrl(pageUrl)}: ${why}`);
  let doc: Json;
  try {
    doc = JSON.parse(bytes.toString('utf8')) as Json;
  } catch (e) {
    throw bad(`the JSON page does not parse (${(e as Error).message})`);
  }
  if (!isObject(doc) || !Array.isArray(doc.files)) throw bad('the JSON page has no "files" list');
  const apiVersion = isObject(doc.meta) ? doc.meta['api-version'] : undefined;
  if (typeof apiVersion === 'string' && !apiVersion.startsWith('1.')) throw bad(`simple API version ${apiVersion} is not supported (1.x is)`);
  const files: IndexFile[] = [];
  for (const entry of doc.files) {
    if (!isObject(entry) || typeof entry.url !== 'string' || typeof entry.filename !== 'string') throw bad('a file entry lacks "url" or "filename"');
    const url = resolveUrl(entry.url, pageUrl, bad);
    const core = entry['core-metadata'] ?? entry['dist-info-metadata'];
    const yanked = entry.yanked;
    files.push({
      filename: entry.filename,
      url: withoutFragment(url),
      hashes: { ...fragmentHash(url), ...hashTable(entry.hashes) },
      requiresPython: typeof entry['requires-python'] === 'string' && entry['requires-python'].trim() !== '' ? entry['requires-python'] : null,
      yanked: yanked === true ? '' : typeof yanked === 'string' ? yanked : null,
      coreMetadata: core === true ? {} : isObject(core) ? hashTable(core) : null,
      size: typeof entry.size === 'number' && Number.isSafeInteger(entry.size) && entry.size >= 0 ? entry.size : null,
    });
  }
  return files;
}

// ---------------------------------------------------------------- HTML (PEP 503)

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** HTML character references: the named ones pages use, and every numeric one. */
export function unescapeHtml(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[ref.toLowerCase()] ?? whole;
  });
}

function attributes(tag: string): Map<string, string> {
  const attrs = new Map<string, string>();
  const re = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
  for (const m of tag.matchAll(re)) attrs.set(m[1]!.toLowerCase(), unescapeHtml(m[2] ?? m[3] ?? m[4] ?? ''));
  return attrs;
}

function parseHashPair(value: string): Record<string, string> {
  const m = /^([a-z0-9_]+)=([0-9a-f]+)$/i.exec(value.trim());
  return m ? { [m[1]!.toLowerCase()]: m[2]!.toLowerCase() } : {};
}

export function parseHtmlPage(html: string, pageUrl: URL): IndexFile[] {
  const bad = (why: string): SidewheelError => new SidewheelError('BAD_INDEX', `${redactUrl(pageUrl)}: ${why}`);
  const meta = /<meta\s[^>]*name\s*=\s*["']?pypi:repository-version["']?[^>]*>/i.exec(html);
  const version = meta ? attributes(meta[0].slice(5)).get('content') : undefined;
  if (version !== undefined && !version.startsWith('1.')) throw bad(`simple API version ${version} is not supported (1.x is)`);
  const baseTag = /<base\s([^>]*)>/i.exec(html);
  const baseHref = baseTag ? attributes(baseTag[1]!).get('href') : undefined;
  const base = baseHref ? resolveUrl(baseHref, pageUrl, bad) : pageUrl;
  const files: IndexFile[] = [];
  for (const m of html.matchAll(/<a\s([^>]*)>/gi)) {
    const attrs = attributes(m[1]!);
    const href = attrs.get('href');
    if (!href) continue;
    const url = resolveUrl(href, base, bad);
    const filename = lastSegment(url);
    if (!filename) continue;
    const core = attrs.get('data-core-metadata') ?? attrs.get('data-dist-info-metadata');
    const requiresPython = attrs.get('data-requires-python');
    files.push({
      filename,
      url: withoutFragment(url),
      hashes: fragmentHash(url),
      requiresPython: requiresPython && requiresPython.trim() !== '' ? requiresPython : null,
      yanked: attrs.has('data-yanked') ? (attrs.get('data-yanked') ?? '') : null,
      coreMetadata: core === undefined || core === 'false' ? null : core === 'true' || core === '' ? {} : parseHashPair(core),
      size: null,
    });
  }
  return files;
}

// ---------------------------------------------------------------- URLs

function resolveUrl(href: string, base: URL, bad: (why: string) => SidewheelError): URL {
  try {
    return new URL(href, base);
  } catch {
    throw bad(`a link does not parse as a URL: ${JSON.stringify(redactUrl(href))}`);
  }
}

function fragmentHash(url: URL): Record<string, string> {
  return url.hash ? parseHashPair(url.hash.slice(1)) : {};
}

function withoutFragment(url: URL): URL {
  const copy = new URL(url.toString());
  copy.hash = '';
  return copy;
}

function lastSegment(url: URL): string {
  const segment = url.pathname.split('/').pop() ?? '';
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
