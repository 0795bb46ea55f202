/**
 * A package index for tests: a real HTTP server on 127.0.0.1 speaking the simple
 * repository API, as a PEP 503 HTML tree or a PEP 691 JSON index (by content
 * negotiation), with PEP 658 `.metadata` files, a flat find-links page, Basic auth, and
 * hooks to inject failures. Started and stopped by each test.
 *
 *   /simple/                      the project list
 *   /simple/<project>/            a project page
 *   /files/<file>[.metadata]      the files
 *   /flat/                        every file on one page (for --find-links)
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import { wheelEntries, wheelFileName, type WheelSpec } from './wheels.js';
import { writeZip } from './zip.js';

export interface ServedFile {
  readonly project: string;
  readonly fileName: string;
  readonly bytes: Buffer;
  /** The METADATA, served as `<file>.metadata` when the server offers core metadata. */
  readonly metadata: Buffer | null;
  readonly requiresPython?: string;
  /** A reason, or true for yanked without one. */
  readonly yanked?: string | true;
}

export interface WheelOptions {
  readonly requiresPython?: string;
  readonly yanked?: string | true;
}

/** A wheel built from a spec, ready to serve. */
export function servedWheel(spec: WheelSpec, options: WheelOptions = {}): ServedFile {
  const entries = wheelEntries(spec);
  const metadata = entries.find((e) => e.name.endsWith('.dist-info/METADATA'))!.data;
  return { project: normalize(spec.name), fileName: wheelFileName(spec), bytes: writeZip(entries), metadata, ...options };
}

/** An sdist stand-in: sidewheel never opens one, only sees its name. */
export function servedSdist(name: string, version: string, options: WheelOptions = {}): ServedFile {
  return { project: normalize(name), fileName: `${name}-${version}.tar.gz`, bytes: Buffer.from('not really a tarball'), metadata: null, ...options };
}

export interface ServerOptions {
  /** Which forms the server speaks: both (negotiated), or only one. */
  readonly form?: 'negotiate' | 'html' | 'json';
  /** Offer `.metadata` files (PEP 658/714). */
  readonly coreMetadata?: boolean;
  /** Give sha256 hashes (JSON `hashes`, HTML URL fragments). */
  readonly hashes?: boolean;
  readonly credentials?: { readonly username: string; readonly password: string };
  /** Called first for every request; return true when it answered the request itself. */
  readonly intercept?: (req: IncomingMessage, res: ServerResponse, hits: number) => boolean;
  /** Serve https with this PEM key and certificate. */
  readonly tls?: { readonly key: string; readonly cert: string };
}

export interface IndexServer {
  /** `http://127.0.0.1:PORT` */
  readonly origin: string;
  /** The simple API root, `http://127.0.0.1:PORT/simple/`. */
  readonly simpleUrl: string;
  readonly flatUrl: string;
  /** Every request's path, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

const JSON_TYPE = 'application/vnd.pypi.simple.v1+json';

function normalize(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

export async function startIndexServer(files: readonly ServedFile[], options: ServerOptions = {}): Promise<IndexServer> {
  const requests: string[] = [];
  const hits = new Map<string, number>();
  const byName = new Map(files.map((f) => [f.fileName, f]));
  const form = options.form ?? 'negotiate';
  const withHashes = options.hashes ?? true;
  const core = options.coreMetadata ?? true;

  const anchor = (f: ServedFile): string => {
    const attrs = [`href="/files/${encodeURIComponent(f.fileName)}${withHashes ? `#sha256=${sha256(f.bytes)}` : ''}"`];
    if (f.requiresPython) attrs.push(`data-requires-python="${escapeHtml(f.requiresPython)}"`);
    if (f.yanked !== undefined) attrs.push(f.yanked === true ? 'data-yanked' : `data-yanked="${escapeHtml(f.yanked)}"`);
    if (core && f.metadata) attrs.push(`data-core-metadata="sha256=${sha256(f.metadata)}"`, `data-dist-info-metadata="sha256=${sha256(f.metadata)}"`);
    return `<a ${attrs.join(' ')}>${escapeHtml(f.fileName)}</a><br/>`;
  };
  const html = (body: string): string => `<!DOCTYPE html><html><head><meta name="pypi:repository-version" content="1.1"></head><body>\n${body}\n</body></html>`;
  const jsonPage = (project: string, list: readonly ServedFile[]): string =>
    JSON.stringify({
      meta: { 'api-version': '1.1' },
      name: project,
      versions: [],
      files: list.map((f) => ({
        filename: f.fileName,
        url: `/files/${encodeURIComponent(f.fileName)}`,
        hashes: withHashes ? { sha256: sha256(f.bytes) } : {},
        ...(f.requiresPython ? { 'requires-python': f.requiresPython } : {}),
        ...(f.yanked !== undefined ? { yanked: f.yanked } : {}),
        ...(core && f.metadata ? { 'core-metadata': { sha256: sha256(f.metadata) } } : {}),
        size: f.bytes.length,
      })),
    });

  const handler = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push(url.pathname);
    const count = (hits.get(url.pathname) ?? 0) + 1;
    hits.set(url.pathname, count);
    if (options.intercept?.(req, res, count)) return;
    if (options.credentials) {
      const expected = `Basic ${Buffer.from(`${options.credentials.username}:${options.credentials.password}`).toString('base64')}`;
      if (req.headers.authorization !== expected) {
        res.writeHead(401, { 'www-authenticate': 'Basic realm="test"' }).end('unauthorized');
        return;
      }
    }
    const send = (type: string, body: string | Buffer): void => {
      res.writeHead(200, { 'content-type': type, 'content-length': Buffer.byteLength(body) }).end(body);
    };
    const path = decodeURIComponent(url.pathname);
    if (path === '/simple/') {
      const projects = [...new Set(files.map((f) => f.project))].sort();
      send('text/html', html(projects.map((p) => `<a href="/simple/${p}/">${p}</a><br/>`).join('\n')));
      return;
    }
    const project = /^\/simple\/([^/]+)\/$/.exec(path)?.[1];
    if (project !== undefined) {
      const list = files.filter((f) => f.project === normalize(project));
      if (list.length === 0) {
        res.writeHead(404).end('not found');
        return;
      }
      const wantsJson = (req.headers.accept ?? '').includes(JSON_TYPE);
      if (form === 'json' || (form === 'negotiate' && wantsJson)) send(JSON_TYPE, jsonPage(normalize(project), list));
      else send(form === 'html' ? 'text/html' : 'application/vnd.pypi.simple.v1+html', html(list.map(anchor).join('\n')));
      return;
    }
    if (path === '/flat/') {
      send('text/html', html(files.map(anchor).join('\n')));
      return;
    }
    const file = /^\/files\/(.+?)(\.metadata)?$/.exec(path);
    const served = file ? byName.get(file[1]!) : undefined;
    if (served && !file![2]) send('application/octet-stream', served.bytes);
    else if (served && file![2] && core && served.metadata) send('application/octet-stream', served.metadata);
    else res.writeHead(404).end('not found');
  };
  const server = options.tls ? https.createServer({ key: options.tls.key, cert: options.tls.cert }, handler) : http.createServer(handler);
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `${options.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    simpleUrl: `${origin}/simple/`,
    flatUrl: `${origin}/flat/`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The CLI (or any program) run without blocking this process's event loop: the index
 * server lives in the test's own process, and spawnSync would starve it.
 */
export function runAsync(file: string, args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<{ status: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ status: code ?? -1, stdout, stderr }));
  });
}

/**
 * A forward proxy on 127.0.0.1: absolute-URL requests for http, CONNECT tunnels for
 * https. `seen` lists what went through it (`GET http://...` or `CONNECT host:port`).
 */
export async function startProxy(): Promise<{ url: string; seen: string[]; close: () => Promise<void> }> {
  const seen: string[] = [];
  const server = http.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const target = new URL(req.url ?? '');
    const upstream = http.request(target, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', () => res.writeHead(502).end());
    req.pipe(upstream);
  });
  const tunnels = new Set<Socket>();
  server.on('connect', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    tunnels.add(socket);
    const [host, port] = (req.url ?? '').split(':');
    const upstream = connect(Number(port), host!, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket);
      socket.pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of tunnels) socket.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * The same files as a static PEP 503 tree (`simple/<project>/index.html`, `files/...`,
 * hashes and .metadata), served by Python's http.server in a process of its own: for
 * callers whose timed or shown runs block this process (bench, demo).
 */
export function writeStaticIndex(root: string, files: readonly ServedFile[]): void {
  mkdirSync(path.join(root, 'files'), { recursive: true });
  const byProject = new Map<string, string[]>();
  for (const f of files) {
    writeFileSync(path.join(root, 'files', f.fileName), f.bytes);
    if (f.metadata) writeFileSync(path.join(root, 'files', `${f.fileName}.metadata`), f.metadata);
    const core = f.metadata ? ` data-core-metadata="sha256=${sha256(f.metadata)}" data-dist-info-metadata="sha256=${sha256(f.metadata)}"` : '';
    const anchor = `<a href="../../files/${encodeURIComponent(f.fileName)}#sha256=${sha256(f.bytes)}"${core}>${escapeHtml(f.fileName)}</a><br/>`;
    byProject.set(f.project, [...(byProject.get(f.project) ?? []), anchor]);
  }
  for (const [project, anchors] of byProject) {
    mkdirSync(path.join(root, 'simple', project), { recursive: true });
    writeFileSync(path.join(root, 'simple', project, 'index.html'), `<!DOCTYPE html><html><body>\n${anchors.join('\n')}\n</body></html>\n`);
  }
}

const STATIC_SERVER = [
  'import http.server, functools, sys',
  'handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=sys.argv[1])',
  'handler.func.log_message = lambda *a: None',
  'server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)',
  'print(server.server_address[1], flush=True)',
  'server.serve_forever()',
].join('\n');

/** Serves `root` on 127.0.0.1 with `python -c` (http.server); returns the simple API URL and a stop. */
export async function serveStatic(python: string, root: string): Promise<{ simpleUrl: string; stop: () => void }> {
  const child = spawn(python, ['-u', '-c', STATIC_SERVER, root], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    child.once('exit', (code) => reject(new Error(`http.server exited (${code})`)));
  });
  return { simpleUrl: `http://127.0.0.1:${port}/simple/`, stop: () => child.kill() };
}
