/**
 * HTTP for package indexes, on node's own http/https (nothing to load at start-up):
 * keep-alive connections, redirects (at most 10, loops refused), a timeout on every
 * wait for the server, proxies from the environment (CONNECT tunnels for https),
 * extra CA certificates, credentials from the URL or netrc (never printed), size caps,
 * and retries with backoff on connection errors and 5xx.
 */
import { readFileSync } from 'node:fs';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Duplex } from 'node:stream';
import tls from 'node:tls';
import { SidewheelError } from '../errors.js';
import { basicAuthorization, loadNetrc, netrcCredentials, redactText, redactUrl, splitCredentials, type Credentials } from './credentials.js';
import { proxyFor } from './proxy.js';

export interface HttpSettings {
  /** Longest wait for the server (connecting, or between bytes), in milliseconds. */
  readonly timeoutMs: number;
  /** Further attempts after a connection error or a 5xx. */
  readonly retries: number;
  /** First wait before a retry; doubled each time. */
  readonly backoffMs: number;
  readonly env: NodeJS.ProcessEnv;
}

const MAX_REDIRECTS = 10;
const USER_AGENT = 'sidewheel/0.1 (+https://github.com/sidewheel)';

/** Settings from the environment: SIDEWHEEL_HTTP_TIMEOUT (seconds, default 30), SIDEWHEEL_HTTP_RETRIES (default 3). */
export function httpSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): HttpSettings {
  const number = (name: string, fallback: number): number => {
    const raw = env[name];
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new SidewheelError('USAGE', `${name}=${JSON.stringify(raw)} is not a non-negative number`);
    return value;
  };
  return { timeoutMs: number('SIDEWHEEL_HTTP_TIMEOUT', 30) * 1000, retries: Math.floor(number('SIDEWHEEL_HTTP_RETRIES', 3)), backoffMs: 200, env };
}

/** An HTTP failure: `retryable` for connection errors and 5xx. Turned into a SidewheelError by the caller. */
export class HttpFailure extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

/** A response whose status is 2xx; the body is the caller's to read or destroy. */
export interface OpenResponse {
  readonly url: URL;
  readonly contentType: string;
  readonly contentLength: number | null;
  readonly body: IncomingMessage;
}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN', 'ENETUNREACH', 'EHOSTUNREACH', 'ERR_STREAM_PREMATURE_CLOSE']);

/** Why a request failed, as one short phrase. */
export function describeNetworkError(e: unknown): HttpFailure {
  if (e instanceof HttpFailure) return e;
  const code = (e as NodeJS.ErrnoException).code ?? '';
  const phrases: Record<string, string> = {
    ECONNRESET: 'the connection was reset',
    ECONNREFUSED: 'the connection was refused',
    ENOTFOUND: 'the host name does not resolve',
    EAI_AGAIN: 'the host name could not be resolved',
    ETIMEDOUT: 'the connection timed out',
    EPIPE: 'the connection was closed',
    ERR_STREAM_PREMATURE_CLOSE: 'the connection closed before the end of the body',
  };
  const phrase = phrases[code] ?? redactText((e as Error).message ?? String(e));
  return new HttpFailure(phrase, RETRYABLE_CODES.has(code) || /socket hang up|aborted/i.test((e as Error).message ?? ''));
}

export class HttpClient {
  private readonly httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  private readonly httpsAgent: https.Agent;
  private readonly ca: string[] | undefined;
  private readonly netrc: ReturnType<typeof loadNetrc>;
  /** Credentials by origin (from index URLs' user-info), which files on the same host also get, as pip does. */
  private readonly originCredentials = new Map<string, Credentials>();

  constructor(readonly settings: HttpSettings) {
    this.ca = extraCertificates(settings.env);
    this.httpsAgent = new https.Agent({ keepAlive: true, maxSockets: 8, ...(this.ca ? { ca: this.ca } : {}) });
    this.netrc = loadNetrc(settings.env);
  }

  /** A URL as given by the user: its credentials are remembered for its origin and removed from it. */
  register(url: URL): URL {
    const split = splitCredentials(url);
    if (split.credentials) this.originCredentials.set(split.url.origin, split.credentials);
    return split.url;
  }

  /** Runs `attempt` until it succeeds, fails for good, or the retries are spent; waits 200 ms, 400 ms, ... between. */
  async withRetries<T>(attempt: () => Promise<T>): Promise<T> {
    for (let n = 0; ; n++) {
      try {
        return await attempt();
      } catch (e) {
        const failure = e instanceof SidewheelError ? null : describeNetworkError(e);
        if (!failure || !failure.retryable || n >= this.settings.retries) throw failure ?? e;
        await new Promise((r) => setTimeout(r, this.settings.backoffMs * 2 ** n));
      }
    }
  }

  /** GET with redirects followed; rejects with HttpFailure for a non-2xx status or a connection problem. */
  async open(url: URL, accept: string): Promise<OpenResponse> {
    const seen = new Set<string>();
    let current = this.register(url);
    for (;;) {
      if (seen.has(current.toString())) throw new HttpFailure(`redirect loop at ${redactUrl(current)}`, false);
      if (seen.size > MAX_REDIRECTS) throw new HttpFailure(`more than ${MAX_REDIRECTS} redirects`, false);
      seen.add(current.toString());
      const response = await this.request(current, accept);
      const status = response.statusCode ?? 0;
      if (status >= 300 && status < 400 && response.headers.location) {
        response.resume();
        const next = new URL(response.headers.location, current);
        if (next.protocol !== 'https:' && next.protocol !== 'http:') throw new HttpFailure(`redirected to a ${next.protocol} URL`, false);
        current = this.register(next);
        continue;
      }
      if (status < 200 || status >= 300) {
        response.resume();
        const auth = status === 401 || status === 403 ? ' (credentials missing or refused)' : '';
        throw new HttpFailure(`HTTP ${status}${response.statusMessage ? ` ${response.statusMessage}` : ''}${auth}`, status >= 500, status);
      }
      const length = Number(response.headers['content-length']);
      return {
        url: current,
        contentType: String(response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase(),
        contentLength: Number.isFinite(length) && response.headers['content-length'] !== undefined ? length : null,
        body: response,
      };
    }
  }

  /** The whole body, at most `maxBytes` of it (a larger one is refused, and not read further). */
  async fetch(url: URL, accept: string, maxBytes: number): Promise<{ url: URL; contentType: string; bytes: Buffer }> {
    return this.withRetries(async () => {
      const r = await this.open(url, accept);
      if (r.contentLength !== null && r.contentLength > maxBytes) {
        r.body.destroy();
        throw new SidewheelError('BAD_INDEX', `${redactUrl(r.url)}: the response is ${r.contentLength} bytes, more than the ${maxBytes} allowed`);
      }
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of r.body) {
        size += (chunk as Buffer).length;
        if (size > maxBytes) {
          r.body.destroy();
          throw new SidewheelError('BAD_INDEX', `${redactUrl(r.url)}: the response is larger than the ${maxBytes} bytes allowed`);
        }
        chunks.push(chunk as Buffer);
      }
      return { url: r.url, contentType: r.contentType, bytes: Buffer.concat(chunks) };
    });
  }

  private credentialsFor(url: URL): Credentials | null {
    return this.originCredentials.get(url.origin) ?? netrcCredentials(this.netrc, url.hostname);
  }

  private request(url: URL, accept: string): Promise<IncomingMessage> {
    const headers: http.OutgoingHttpHeaders = { accept, 'user-agent': USER_AGENT, 'accept-encoding': 'identity' };
    const credentials = this.credentialsFor(url);
    if (credentials) headers.authorization = basicAuthorization(credentials);
    const proxy = proxyFor(url, this.settings.env);
    return new Promise<IncomingMessage>((resolve, reject) => {
      const onRequest = (req: http.ClientRequest): void => {
        req.setTimeout(this.settings.timeoutMs, () => req.destroy(new HttpFailure(`no answer within ${this.settings.timeoutMs / 1000} s`, true)));
        req.on('error', reject);
        req.on('response', (res) => {
          // The same wait applies to every later chunk of the body.
          res.setTimeout?.(this.settings.timeoutMs, () => res.destroy(new HttpFailure(`the body stalled for ${this.settings.timeoutMs / 1000} s`, true)));
          resolve(res);
        });
        req.end();
      };
      if (!proxy) {
        const lib = url.protocol === 'https:' ? https : http;
        onRequest(lib.request(url, { headers, agent: url.protocol === 'https:' ? this.httpsAgent : this.httpAgent }));
      } else if (url.protocol === 'http:') {
        const proxyHeaders = { ...headers, host: url.host, ...proxyAuthorization(proxy) };
        onRequest(http.request({ host: proxy.hostname, port: proxy.port || 80, path: url.toString(), headers: proxyHeaders, agent: this.httpAgent }));
      } else onRequest(https.request(url, { headers, agent: this.tunnelAgent(proxy) }));
    });
  }

  private readonly tunnelAgents = new Map<string, https.Agent>();

  /** An agent whose connections are TLS over an HTTP proxy's CONNECT tunnel (kept alive like the others). */
  private tunnelAgent(proxy: URL): https.Agent {
    let agent = this.tunnelAgents.get(proxy.toString());
    if (!agent) {
      agent = new https.Agent({ keepAlive: true, maxSockets: 8, ...(this.ca ? { ca: this.ca } : {}) });
      const { timeoutMs } = this.settings;
      const ca = this.ca;
      // The agent asks for a socket; it gets one once the proxy has opened the tunnel.
      agent.createConnection = ((options: tls.ConnectionOptions & { host?: string; port?: number }, callback: (err: Error | null, socket?: Duplex) => void) => {
        const target = `${options.host}:${options.port ?? 443}`;
        const connect = http.request({ host: proxy.hostname, port: proxy.port || 80, method: 'CONNECT', path: target, headers: { host: target, ...proxyAuthorization(proxy) } });
        connect.setTimeout(timeoutMs, () => connect.destroy(new HttpFailure(`the proxy ${redactUrl(proxy)} did not answer within ${timeoutMs / 1000} s`, true)));
        connect.on('error', (e) => callback(e));
        connect.on('connect', (res, socket) => {
          if (res.statusCode !== 200) {
            socket.destroy();
            callback(new HttpFailure(`the proxy ${redactUrl(proxy)} refused the tunnel (HTTP ${res.statusCode})`, (res.statusCode ?? 0) >= 500));
            return;
          }
          const host = options.host ?? '';
          callback(null, tls.connect({ socket, host, ...(isIP(host) ? {} : { servername: host }), ...(ca ? { ca } : {}) }));
        });
        connect.end();
        return undefined;
      }) as unknown as https.Agent['createConnection'];
      this.tunnelAgents.set(proxy.toString(), agent);
    }
    return agent;
  }
}

function proxyAuthorization(proxy: URL): http.OutgoingHttpHeaders {
  const { credentials } = splitCredentials(proxy);
  return credentials ? { 'proxy-authorization': basicAuthorization(credentials) } : {};
}

/**
 * Extra CA certificates, added to node's own: SIDEWHEEL_CERT, else PIP_CERT, else
 * SSL_CERT_FILE, else REQUESTS_CA_BUNDLE (a PEM file). NODE_EXTRA_CA_CERTS needs nothing
 * from us: node reads it at start.
 */
function extraCertificates(env: NodeJS.ProcessEnv): string[] | undefined {
  for (const name of ['SIDEWHEEL_CERT', 'PIP_CERT', 'SSL_CERT_FILE', 'REQUESTS_CA_BUNDLE']) {
    const file = env[name];
    if (!file) continue;
    try {
      return [...tls.rootCertificates, readFileSync(file, 'utf8')];
    } catch (e) {
      throw new SidewheelError('USAGE', `${name}=${file}: cannot read the certificates (${(e as Error).message})`);
    }
  }
  return undefined;
}
