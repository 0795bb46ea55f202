/** The index client's pure parts: both page forms, netrc, proxies, redaction, file names. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../src/config.js';
import { netrcCredentials, parseNetrc, redactText, redactUrl } from '../src/index/credentials.js';
import { fileProject, sdistVersion } from '../src/index/finder.js';
import { proxyFor } from '../src/index/proxy.js';
import { checkIndexUrl, indexSettings } from '../src/index/settings.js';
import { parseHtmlPage, parseJsonPage, parseProjectPage } from '../src/index/simple.js';

const page = new URL('https://example.org/simple/foo/');

describe('PEP 503 HTML pages', () => {
  test('links, hash fragments, escaped Requires-Python, yanked, both core-metadata spellings', () => {
    const html = `<!DOCTYPE html><html><body>
      <a href="../../files/foo-1.0-py3-none-any.whl#sha256=ABCDEF" data-requires-python="&gt;=3.8,&lt;4" data-dist-info-metadata="sha256=0123">foo-1.0-py3-none-any.whl</a>
      <a href='https://cdn.example.org/foo-2.0.tar.gz' data-yanked="bad &amp; broken">foo-2.0.tar.gz</a>
      <A HREF="foo-3.0-py3-none-any.whl" data-core-metadata="true" data-yanked>foo-3.0</A>
      <a href="foo%2B4.0-py3-none-any.whl" data-core-metadata="false">x</a>
    </body></html>`;
    const files = parseHtmlPage(html, page);
    assert.deepEqual(
      files.map((f) => [f.filename, f.url.toString(), f.hashes, f.requiresPython, f.yanked, f.coreMetadata]),
      [
        ['foo-1.0-py3-none-any.whl', 'https://example.org/files/foo-1.0-py3-none-any.whl', { sha256: 'abcdef' }, '>=3.8,<4', null, { sha256: '0123' }],
        ['foo-2.0.tar.gz', 'https://cdn.example.org/foo-2.0.tar.gz', {}, null, 'bad & broken', null],
        ['foo-3.0-py3-none-any.whl', 'https://example.org/simple/foo/foo-3.0-py3-none-any.whl', {}, null, '', {}],
        ['foo+4.0-py3-none-any.whl', 'https://example.org/simple/foo/foo%2B4.0-py3-none-any.whl', {}, null, null, null],
      ],
    );
  });

  test('<base href> moves relative links; an API version 2 is refused', () => {
    const files = parseHtmlPage('<base href="https://mirror.example/x/"><a href="foo-1.0-py3-none-any.whl">f</a>', page);
    assert.equal(files[0]!.url.toString(), 'https://mirror.example/x/foo-1.0-py3-none-any.whl');
    assert.throws(() => parseHtmlPage('<meta name="pypi:repository-version" content="2.0"><a href="x.whl">x</a>', page), /simple API version 2\.0 is not supported/);
  });
});

describe('PEP 691 JSON pages', () => {
  test('files with hashes, yanked (true or a reason), core-metadata (PEP 714 and the old key), sizes', () => {
    const doc = {
      meta: { 'api-version': '1.1' },
      name: 'foo',
      files: [
        { filename: 'foo-1.0-py3-none-any.whl', url: '/f/foo-1.0-py3-none-any.whl', hashes: { sha256: 'AA' }, 'requires-python': '>=3.7', yanked: false, 'core-metadata': { sha256: 'BB' }, size: 10 },
        { filename: 'foo-2.0-py3-none-any.whl', url: 'foo-2.0-py3-none-any.whl#sha256=cc', hashes: {}, yanked: 'oops', 'dist-info-metadata': true },
        { filename: 'foo-3.0-py3-none-any.whl', url: 'foo-3.0-py3-none-any.whl', hashes: {}, yanked: true },
      ],
    };
    const files = parseProjectPage(Buffer.from(JSON.stringify(doc)), 'application/vnd.pypi.simple.v1+json', page);
    assert.deepEqual(
      files.map((f) => [f.url.toString(), f.hashes, f.requiresPython, f.yanked, f.coreMetadata, f.size]),
      [
        ['https://example.org/f/foo-1.0-py3-none-any.whl', { sha256: 'aa' }, '>=3.7', null, { sha256: 'bb' }, 10],
        ['https://example.org/simple/foo/foo-2.0-py3-none-any.whl', { sha256: 'cc' }, null, 'oops', {}, null],
        ['https://example.org/simple/foo/foo-3.0-py3-none-any.whl', {}, null, '', null, null],
      ],
    );
  });

  test('malformed pages and unknown content types are refused with the page URL (credentials hidden)', () => {
    const secret = new URL('https://user:pw@example.org/simple/foo/');
    assert.throws(() => parseJsonPage(Buffer.from('{"files": 3}'), secret), (e: Error) => /no "files" list/.test(e.message) && !e.message.includes('pw'));
    assert.throws(() => parseJsonPage(Buffer.from('{'), page), /does not parse/);
    assert.throws(() => parseProjectPage(Buffer.from(''), 'text/plain', page), /content type "text\/plain"/);
  });
});

describe('credentials, proxies, settings', () => {
  test('netrc: machine entries, default, macdef bodies and comments', () => {
    const entries = parseNetrc('# comment\nmachine a.example login alice password pa\nmacdef init\n  cd /\n  ls\n\nmachine B.example\n  login bob\n  password pb # trailing\ndefault login anon password pd\n');
    assert.deepEqual(netrcCredentials(entries, 'a.example'), { username: 'alice', password: 'pa' });
    assert.deepEqual(netrcCredentials(entries, 'b.example'), { username: 'bob', password: 'pb' });
    assert.deepEqual(netrcCredentials(entries, 'c.example'), { username: 'anon', password: 'pd' });
    assert.equal(netrcCredentials(parseNetrc('machine x login u password p'), 'y'), null);
  });

  test('redaction hides user-info in URLs and in free text', () => {
    assert.equal(redactUrl('https://u:p@h.example/simple/'), 'https://***@h.example/simple/');
    assert.equal(redactUrl('https://token@h.example/'), 'https://***@h.example/');
    assert.equal(redactUrl('https://h.example/'), 'https://h.example/');
    assert.equal(redactText('failed: https://u:p@h.example/x and http://t@g/y'), 'failed: https://***@h.example/x and http://***@g/y');
  });

  test('HTTPS_PROXY / HTTP_PROXY by scheme, NO_PROXY by host, suffix and port', () => {
    const env = { HTTPS_PROXY: 'proxy:3128', http_proxy: 'http://hp:80', NO_PROXY: 'internal.example,.corp,10.0.0.1:8443' };
    assert.equal(proxyFor(new URL('https://pypi.org/simple/'), env)?.toString(), 'http://proxy:3128/');
    assert.equal(proxyFor(new URL('http://pypi.org/simple/'), env)?.toString(), 'http://hp/');
    assert.equal(proxyFor(new URL('https://internal.example/'), env), null);
    assert.equal(proxyFor(new URL('https://a.b.corp/'), env), null);
    assert.equal(proxyFor(new URL('https://10.0.0.1:8443/'), env), null);
    assert.notEqual(proxyFor(new URL('https://10.0.0.1/'), env), null);
    assert.equal(proxyFor(new URL('https://x/'), { ...env, NO_PROXY: '*' }), null);
  });

  test('settings: flags, then SIDEWHEEL_*, then PIP_*, then the config, then the default', () => {
    const config = { url: 'https://config.example/simple', extraUrls: ['https://c2.example/simple/'], findLinks: [] };
    assert.equal(indexSettings({}, null, {}).indexUrl, 'https://pypi.org/simple/');
    assert.equal(indexSettings({}, config, {}).indexUrl, 'https://config.example/simple/');
    assert.equal(indexSettings({}, config, { PIP_INDEX_URL: 'https://pip.example/s' }).indexUrl, 'https://pip.example/s/');
    assert.equal(indexSettings({}, config, { PIP_INDEX_URL: 'https://pip.example/s', SIDEWHEEL_INDEX_URL: 'https://sw.example/s/' }).indexUrl, 'https://sw.example/s/');
    assert.equal(indexSettings({ indexUrl: 'https://flag.example/s/' }, config, { SIDEWHEEL_INDEX_URL: 'https://sw.example/s/' }).indexUrl, 'https://flag.example/s/');
    assert.deepEqual(indexSettings({}, config, { PIP_EXTRA_INDEX_URL: 'https://a.example/ https://b.example/' }).extraIndexUrls, ['https://a.example/', 'https://b.example/']);
    assert.equal(indexSettings({}, null, { PIP_NO_INDEX: 'yes' }).noIndex, true);
    assert.throws(() => checkIndexUrl('ftp://x/'), /must be an http or https URL/);
    assert.throws(() => checkIndexUrl('https://u:secret@[bad'), (e: Error) => !e.message.includes('secret'));
  });

  test('the config file\'s [index] section: url, extra-urls and find-links (relative to the file)', () => {
    const config = parseConfig('/etc/sw/config.ini', '[index]\nurl = https://private.example/simple/\nextra-urls = https://a.example/simple/ https://b.example/simple/\nfind-links = ./wheels https://links.example/\n');
    assert.deepEqual(config.index, { url: 'https://private.example/simple/', extraUrls: ['https://a.example/simple/', 'https://b.example/simple/'], findLinks: ['/etc/sw/wheels', 'https://links.example/'] });
    assert.deepEqual(indexSettings({}, config.index, {}).findLinks, ['/etc/sw/wheels', 'https://links.example/']);
    assert.throws(() => parseConfig('/c.ini', '[index]\nurls = x\n'), /\/c\.ini:2: unknown key urls in \[index\]/);
  });

  test('file names: which project a file belongs to, sdist versions', () => {
    assert.equal(sdistVersion('foo-bar-1.0.tar.gz', 'foo-bar'), '1.0');
    assert.equal(sdistVersion('Foo_Bar-1.0.post1.zip', 'foo-bar'), '1.0.post1');
    assert.equal(sdistVersion('foo-bar-1.0.tar.gz', 'foo'), 'bar-1.0');
    assert.equal(fileProject('foo_bar-1.0-py3-none-any.whl', 'foo-bar'), true);
    assert.equal(fileProject('foo-1.0-py3-none-any.whl', 'foo-bar'), false);
    assert.equal(fileProject('foo-1.0.exe', 'foo'), false);
  });
});
