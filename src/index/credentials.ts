/**
 * Credentials for an index: from the URL's user-info (`https://user:token@host/simple/`)
 * or from a netrc file ($NETRC, else ~/.netrc), matched by host. They are sent as HTTP
 * Basic authorization and never appear in any message: every URL that reaches a message
 * goes through redactUrl first.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** `https://***@host/path`: a URL fit for a message. Anything that is not a URL is returned with user-info patterns masked. */
export function redactUrl(url: string | URL): string {
  const text = String(url);
  try {
    const u = new URL(text);
    if (u.username === '' && u.password === '') return text;
    u.username = '***';
    u.password = '';
    return u.toString();
  } catch {
    return redactText(text);
  }
}

/** Masks the user-info of every URL inside free text (an error from deep down may quote one). */
export function redactText(text: string): string {
  return text.replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s@]+@/gi, '$1***@');
}

/** The URL without its user-info, and the credentials it carried (percent-decoded). */
export function splitCredentials(url: URL): { url: URL; credentials: Credentials | null } {
  if (url.username === '' && url.password === '') return { url, credentials: null };
  const bare = new URL(url.toString());
  bare.username = '';
  bare.password = '';
  return { url: bare, credentials: { username: decodeURIComponent(url.username), password: decodeURIComponent(url.password) } };
}

export function basicAuthorization(credentials: Credentials): string {
  return `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
}

/** One `machine` (or `default`) entry of a netrc file. */
interface NetrcEntry {
  readonly machine: string | null;
  readonly login: string;
  readonly password: string;
}

/** The netrc file's entries; an absent or unreadable file has none (as pip and curl treat it). */
export function loadNetrc(env: NodeJS.ProcessEnv = process.env): NetrcEntry[] {
  const file = env.NETRC || path.join(os.homedir(), '.netrc');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return parseNetrc(text);
}

/** The netrc grammar: whitespace-separated tokens; `macdef` bodies run to a blank line; `#` comments. */
export function parseNetrc(text: string): NetrcEntry[] {
  const entries: NetrcEntry[] = [];
  const lines = text.split(/\r?\n/);
  const tokens: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^\s*macdef\s/.test(line)) {
      while (i + 1 < lines.length && (lines[i + 1] ?? '').trim() !== '') i++;
      continue;
    }
    tokens.push(...line.replace(/(^|\s)#.*$/, '').split(/\s+/).filter(Boolean));
  }
  let current: { machine: string | null; login: string; password: string } | null = null;
  const flush = (): void => {
    if (current) entries.push(current);
    current = null;
  };
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (token === 'machine') {
      flush();
      current = { machine: (tokens[++i] ?? '').toLowerCase(), login: '', password: '' };
    } else if (token === 'default') {
      flush();
      current = { machine: null, login: '', password: '' };
    } else if (current && (token === 'login' || token === 'password' || token === 'account')) {
      const value = tokens[++i] ?? '';
      if (token === 'login') current.login = value;
      if (token === 'password') current.password = value;
    }
  }
  flush();
  return entries;
}

/** The entry for `host` (exact machine name first, then `default`), or null. */
export function netrcCredentials(entries: readonly NetrcEntry[], host: string): Credentials | null {
  const h = host.toLowerCase();
  const entry = entries.find((e) => e.machine === h) ?? entries.find((e) => e.machine === null);
  return entry && (entry.login || entry.password) ? { username: entry.login, password: entry.password } : null;
}
