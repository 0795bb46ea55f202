/**
 * Which proxy a request goes through, from the environment as curl, pip (requests)
 * and uv read it: HTTPS_PROXY for https URLs, HTTP_PROXY for http ones (either case),
 * except for hosts NO_PROXY lists (`*`, exact host names, domain suffixes with or
 * without a leading dot, IP addresses, optional `:port`).
 */

function envValue(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name] ?? env[name.toLowerCase()];
  return value && value.trim() !== '' ? value.trim() : undefined;
}

/** The proxy URL for `url`, or null to connect directly. */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv = process.env): URL | null {
  const raw = url.protocol === 'https:' ? envValue(env, 'HTTPS_PROXY') : url.protocol === 'http:' ? envValue(env, 'HTTP_PROXY') : undefined;
  if (raw === undefined || bypassesProxy(url, envValue(env, 'NO_PROXY') ?? '')) return null;
  try {
    // `proxy:3128` without a scheme means an HTTP proxy, as curl reads it.
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    return null;
  }
}

function bypassesProxy(url: URL, noProxy: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (const raw of noProxy.split(/[\s,]+/).filter(Boolean)) {
    if (raw === '*') return true;
    const m = /^(.*?)(?::(\d+))?$/.exec(raw.toLowerCase().replace(/^\[|\]$/g, ''));
    const entryHost = (m?.[1] ?? '').replace(/^\*?\./, '');
    const entryPort = m?.[2];
    if (entryPort !== undefined && entryPort !== port) continue;
    if (host === entryHost || host.endsWith(`.${entryHost}`)) return true;
  }
  return false;
}
