/**
 * Failures injected by a real HTTP index on 127.0.0.1: each is refused with one line
 * (and a hint at most), the environment is left byte for byte as it was, and nothing
 * is left in the cache's download area or the wheel cache. Also: a 500 that goes away
 * is retried, credentials (URL and netrc) work and never appear in any output, and
 * proxies and extra CA certificates are honoured.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { makeVenv, runPython, snapshotTree, tempDir } from './helpers/env.js';
import { sidewheel } from './helpers/index-parity.js';
import { servedWheel, startIndexServer, startProxy, type ServerOptions, type ServedFile } from './helpers/index-server.js';
import { pythonsAtLeast } from './helpers/pythons.js';

const python = pythonsAtLeast(3, 8).pop();
const work = tempDir('sidewheel-index-fail-');
after(() => work.cleanup());

const files: ServedFile[] = [
  servedWheel({ name: 'lib', version: '1.0', files: { 'lib/__init__.py': 'V = "1.0"\n' }, metadata: ['Requires-Dist: dep'] }),
  servedWheel({ name: 'dep', version: '1.0', files: { 'dep/__init__.py': 'V = "1.0"\n' } }),
];
const WHEEL = '/files/lib-1.0-py3-none-any.whl';
const PAGE = '/simple/lib/';

let env = '';
let envRoot = '';
let cacheCount = 0;
before(() => {
  if (!python) return;
  env = makeVenv(python.executable, path.join(work.dir, 'venv'));
  envRoot = path.dirname(path.dirname(env));
});

/** Every regular file below `dir` (none when it does not exist). */
function filesUnder(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => statSync(path.join(dir, f)).isFile());
}

interface Attempt {
  status: number;
  stdout: string;
  stderr: string;
  cache: string;
}

/** `install lib` against a server with `options`, in a fresh cache. */
async function attempt(options: ServerOptions, extraArgs: readonly string[] = [], extraEnv: NodeJS.ProcessEnv = {}, indexUrl?: (simpleUrl: string) => string): Promise<Attempt & { requests: string[] }> {
  const server = await startIndexServer(files, options);
  const cache = path.join(work.dir, `cache-${++cacheCount}`);
  try {
    const url = indexUrl ? indexUrl(server.simpleUrl) : server.simpleUrl;
    const r = await sidewheel(['install', '--python', env, '--index-url', url, ...extraArgs, 'lib'], { SIDEWHEEL_CACHE_DIR: cache, SIDEWHEEL_HTTP_RETRIES: '1', ...extraEnv });
    return { ...r, cache, requests: server.requests };
  } finally {
    await server.close();
  }
}

/**
 * Refused with `code`, one line matching `pattern` (plus at most a hint), nothing
 * installed, nothing half-downloaded, and nothing of lib in the caches (a dependency
 * downloaded whole and verified in parallel may stay: it is complete).
 */
function assertRefused(r: Attempt, code: number, pattern: RegExp, before: Map<string, string>): void {
  assert.equal(r.status, code, r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.ok(lines.length <= 2 && (lines.length === 1 || lines[1]!.startsWith('hint: ')), `one line (and a hint): ${r.stderr}`);
  assert.match(lines[0]!, pattern);
  assert.deepEqual(snapshotTree(envRoot), before, 'nothing installed');
  const cached = filesUnder(path.join(r.cache, 'wheels'));
  assert.deepEqual(cached.filter((f) => /\.tmp-|lib-1\.0|\/v1\//.test(f)), [], `nothing half-downloaded, nothing of lib, nothing unpacked: ${cached.join(', ')}`);
}

const refuse = (path: string, act: (res: ServerResponse, hits: number) => void): ServerOptions => ({
  intercept: (req, res, hits) => {
    if (new URL(req.url ?? '/', 'http://x').pathname !== path) return false;
    act(res, hits);
    return true;
  },
});

describe('index failures', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  test('404 for a listed wheel', async () => {
    const before = snapshotTree(envRoot);
    const r = await attempt(refuse(WHEEL, (res) => res.writeHead(404).end()));
    assertRefused(r, 9, /^sidewheel: cannot get http:\/\/127\.0\.0\.1:\d+\/files\/lib-1\.0-py3-none-any\.whl: HTTP 404/, before);
  });

  test('a project no index has', async () => {
    const before = snapshotTree(envRoot);
    const r = await attempt(refuse(PAGE, (res) => res.writeHead(404).end()));
    assertRefused(r, 6, /^sidewheel: no wheel of lib satisfies lib \(requested\); versions seen: none/, before);
  });

  test('500, then success: retried, and installed', async () => {
    const failFirst = (paths: readonly string[], status: number): ServerOptions => ({
      intercept: (req, res, hits) => {
        if (!paths.includes(new URL(req.url ?? '/', 'http://x').pathname) || hits > 1) return false;
        res.writeHead(status).end('try later');
        return true;
      },
    });
    const r = await attempt(failFirst([PAGE, WHEEL], 500));
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.requests.filter((p) => p === PAGE).length, 2, 'the page was asked for twice');
    assert.equal(r.requests.filter((p) => p === WHEEL).length, 2, 'the wheel was asked for twice');
    assert.equal(runPython(env, ['-c', 'import lib, dep; print(lib.V, dep.V)']).stdout.trim(), '1.0 1.0');
    assert.equal((await sidewheel(['uninstall', '--python', env, 'lib', 'dep'])).status, 0);
  });

  test('the connection reset in the middle of the body, every time', async () => {
    const before = snapshotTree(envRoot);
    const r = await attempt(refuse(WHEEL, (res) => {
      res.writeHead(200, { 'content-length': files[0]!.bytes.length, 'content-type': 'application/octet-stream' });
      res.write(files[0]!.bytes.subarray(0, 100), () => res.socket?.destroy());
    }));
    assertRefused(r, 9, /^sidewheel: cannot get http:\/\/127\.0\.0\.1:\d+\/files\/lib-1\.0-py3-none-any\.whl: /, before);
    assert.equal(r.requests.filter((p) => p === WHEEL).length, 2, 'tried twice (SIDEWHEEL_HTTP_RETRIES=1)');
  });

  test('a server that never answers: the timeout', async () => {
    const before = snapshotTree(envRoot);
    const r = await attempt(refuse(PAGE, () => undefined), [], { SIDEWHEEL_HTTP_TIMEOUT: '0.3', SIDEWHEEL_HTTP_RETRIES: '0' });
    assertRefused(r, 9, /^sidewheel: cannot get http:\/\/127\.0\.0\.1:\d+\/simple\/lib\/: no answer within 0\.3 s$/, before);
  });

  test('a body whose sha256 is not the one the index gave', async () => {
    const before = snapshotTree(envRoot);
    const altered = Buffer.from(files[0]!.bytes);
    altered[altered.length - 30] ^= 1;
    const r = await attempt(refuse(WHEEL, (res) => res.writeHead(200).end(altered)));
    assertRefused(r, 3, /^sidewheel: lib-1\.0-py3-none-any\.whl: sha256 of the download is [0-9a-f]{64}, and the index says [0-9a-f]{64}$/, before);
  });

  test('a .metadata file whose hash is wrong', async () => {
    const before = snapshotTree(envRoot);
    const r = await attempt(refuse(`${WHEEL}.metadata`, (res) => res.writeHead(200).end('Metadata-Version: 2.1\nName: lib\nVersion: 1.0\n\n')));
    assertRefused(r, 3, /^sidewheel: lib-1\.0-py3-none-any\.whl: sha256 of http:\/\/127\.0\.0\.1:\d+\/files\/lib-1\.0-py3-none-any\.whl\.metadata is /, before);
  });

  test('a wrong content type for a project page', async () => {
    const before = snapshotTree(envRoot);
    const r = await attempt(refuse(PAGE, (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"files": []}')));
    assertRefused(r, 3, /^sidewheel: http:\/\/127\.0\.0\.1:\d+\/simple\/lib\/: the index answered with content type "application\/json", which is neither/, before);
  });

  test('a redirect loop', async () => {
    const before = snapshotTree(envRoot);
    const r = await attempt(refuse(PAGE, (res) => res.writeHead(301, { location: PAGE }).end()));
    assertRefused(r, 9, /^sidewheel: cannot get http:\/\/127\.0\.0\.1:\d+\/simple\/lib\/: redirect loop at /, before);
  });

  test('a huge response: a page past the size cap, a wheel past its PEP 700 size', async () => {
    const before = snapshotTree(envRoot);
    const endless = await attempt(refuse(PAGE, (res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const chunk = Buffer.alloc(1 << 20, 'a');
      const pump = (): void => {
        while (res.write(chunk)) if (res.destroyed) return;
        res.once('drain', pump);
      };
      res.on('error', () => undefined);
      pump();
    }));
    assertRefused(endless, 3, /^sidewheel: http:\/\/127\.0\.0\.1:\d+\/simple\/lib\/: the response is larger than the 33554432 bytes allowed$/, before);
    const padded = await attempt({ form: 'json', ...refuse(WHEEL, (res) => res.writeHead(200).end(Buffer.concat([files[0]!.bytes, Buffer.alloc(4096)]))) });
    assertRefused(padded, 3, /^sidewheel: lib-1\.0-py3-none-any\.whl: http:\/\/127\.0\.0\.1:\d+\/files\/lib-1\.0-py3-none-any\.whl sent more than \d+ bytes, the size the index gave$/, before);
  });

  test('credentials: refused without, accepted from the URL and from netrc, never printed', async () => {
    const credentials = { username: 'swuser', password: 's3cr3t-t0ken' };
    const before = snapshotTree(envRoot);
    const outputs: string[] = [];
    const without = await attempt({ credentials });
    outputs.push(without.stdout, without.stderr);
    assertRefused(without, 9, /^sidewheel: cannot get http:\/\/127\.0\.0\.1:\d+\/simple\/lib\/: HTTP 401 Unauthorized \(credentials missing or refused\)$/, before);

    const inUrl = await attempt({ credentials }, ['--dry-run'], {}, (u) => u.replace('http://', `http://${credentials.username}:${credentials.password}@`));
    outputs.push(inUrl.stdout, inUrl.stderr);
    assert.equal(inUrl.status, 0, inUrl.stderr);
    assert.match(inUrl.stdout, /would install lib 1\.0 from http:\/\/\*\*\*@127\.0\.0\.1/);

    const wrong = await attempt({ credentials }, [], {}, (u) => u.replace('http://', `http://${credentials.username}:wrong-${credentials.password}@`));
    outputs.push(wrong.stdout, wrong.stderr);
    assertRefused(wrong, 9, /^sidewheel: cannot get http:\/\/\*\*\*@127\.0\.0\.1:\d+\/simple\/lib\/: HTTP 401/, before);

    const netrc = path.join(work.dir, 'netrc');
    writeFileSync(netrc, `# test\nmachine 127.0.0.1\n  login ${credentials.username}\n  password ${credentials.password}\n`);
    const viaNetrc = await attempt({ credentials }, ['--dry-run'], { NETRC: netrc });
    outputs.push(viaNetrc.stdout, viaNetrc.stderr);
    assert.equal(viaNetrc.status, 0, viaNetrc.stderr);

    for (const text of outputs) {
      assert.ok(!text.includes(credentials.password), `a password in the output: ${text}`);
      assert.ok(!text.includes(credentials.username), `a user name in the output: ${text}`);
    }
  });

  test('HTTP_PROXY carries the requests; NO_PROXY bypasses it', async () => {
    const proxy = await startProxy();
    try {
      const through = await attempt({}, ['--dry-run'], { HTTP_PROXY: proxy.url });
      assert.equal(through.status, 0, through.stderr);
      assert.ok(proxy.seen.some((s) => /^GET http:\/\/127\.0\.0\.1:\d+\/simple\/lib\/$/.test(s)), proxy.seen.join('\n'));
      const count = proxy.seen.length;
      const bypass = await attempt({}, ['--dry-run'], { HTTP_PROXY: proxy.url, NO_PROXY: 'localhost,127.0.0.1' });
      assert.equal(bypass.status, 0, bypass.stderr);
      assert.equal(proxy.seen.length, count, 'NO_PROXY: the proxy saw nothing more');
    } finally {
      await proxy.close();
    }
  });

  test('https: an unknown CA is refused; SSL_CERT_FILE trusts it, also through an HTTPS_PROXY tunnel', async (t) => {
    const dir = path.join(work.dir, 'tls');
    mkdirSync(dir, { recursive: true });
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
    } catch {
      return t.skip('no openssl to make a certificate');
    }
    const tls = { key: readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
    const before = snapshotTree(envRoot);
    const untrusted = await attempt({ tls }, [], { SIDEWHEEL_HTTP_RETRIES: '0' });
    assertRefused(untrusted, 9, /^sidewheel: cannot get https:\/\/127\.0\.0\.1:\d+\/simple\/lib\/: /, before);
    const trusted = await attempt({ tls }, ['--dry-run'], { SSL_CERT_FILE: path.join(dir, 'cert.pem') });
    assert.equal(trusted.status, 0, trusted.stderr);
    const proxy = await startProxy();
    try {
      const tunnelled = await attempt({ tls }, ['--dry-run'], { SSL_CERT_FILE: path.join(dir, 'cert.pem'), HTTPS_PROXY: proxy.url });
      assert.equal(tunnelled.status, 0, tunnelled.stderr);
      assert.ok(proxy.seen.some((s) => /^CONNECT 127\.0\.0\.1:\d+$/.test(s)), proxy.seen.join('\n'));
    } finally {
      await proxy.close();
    }
  });
});
