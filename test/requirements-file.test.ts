/**
 * Requirements files in pip's format: the parser on its own (every error with its file
 * and line), then `install -r` against a real index (hashes, constraints, index lines)
 * compared with pip reading the same files, and `run -r FILE` / `run --with REQ`.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { readRequirementsFiles, logicalLines } from '../src/requirements/parse.js';
import { makeVenv, runPython, snapshotTree, tempDir } from './helpers/env.js';
import { pipChoice, sidewheel, sidewheelChoice } from './helpers/index-parity.js';
import { servedWheel, startIndexServer, type ServedFile } from './helpers/index-server.js';
import { pythonsAtLeast } from './helpers/pythons.js';

const work = tempDir('sidewheel-reqs-');
after(() => work.cleanup());

function write(name: string, text: string): string {
  const file = path.join(work.dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, text);
  return file;
}

describe('the requirements-file parser', () => {
  test('comments, continuations, ${VAR}, nested -r and -c relative to their file, index lines', () => {
    write('nested/more.txt', '# more\nshared>=1 ; python_version >= "3"   # trailing comment\n-c pins.txt\n--find-links ./wheels\n');
    write('nested/pins.txt', 'shared<3\n');
    mkdirSync(path.join(work.dir, 'nested', 'wheels'), { recursive: true });
    const main = write('reqs.txt', [
      '--index-url ${TEST_INDEX}',
      '--extra-index-url=https://extra.example/simple/',
      'app \\',
      '  >=1.0,\\',
      '  <3   # split over lines',
      '',
      'tool[cli]==${TOOL_VERSION} --hash=sha256:' + 'A'.repeat(64) + ' \\',
      '    --hash sha256:' + 'b'.repeat(64),
      'lower ; platform_release != "${not_expanded}"',
      '-r nested/more.txt',
    ].join('\n'));
    const parsed = readRequirementsFiles([main], [], { TEST_INDEX: 'https://idx.example/simple/', TOOL_VERSION: '2.0' });
    assert.deepEqual(parsed.requirements.map((r) => r.requirement.toString()), ['app<3,>=1.0', 'tool[cli]==2.0', 'lower; platform_release != "${not_expanded}"', 'shared>=1; python_version >= "3"']);
    assert.deepEqual(parsed.requirements[1]!.hashes, ['a'.repeat(64), 'b'.repeat(64)]);
    assert.equal(parsed.requirements[0]!.where, `${main}:3`);
    assert.deepEqual(parsed.constraints.map((c) => c.requirement.toString()), ['shared<3']);
    assert.equal(parsed.indexUrl, 'https://idx.example/simple/');
    assert.deepEqual(parsed.extraIndexUrls, ['https://extra.example/simple/']);
    assert.deepEqual(parsed.findLinks, [path.join(work.dir, 'nested', 'wheels')]);
    assert.equal(parsed.requireHashes, true, 'a --hash turns hash checking on');
  });

  test('a # inside a URL fragment is not a comment; a backslash on the last line is harmless', () => {
    assert.deepEqual(logicalLines('foo @ https://x.example/foo.whl#sha256=00\nbar\\'), [
      { line: 'foo @ https://x.example/foo.whl#sha256=00', number: 1 },
      { line: 'bar', number: 2 },
    ]);
  });

  test('every mistake is refused with its file and line', () => {
    const cases: Array<[string, RegExp]> = [
      ['ok\n-e ./src\n', /:2: editable requirements need a build/],
      ['ok\n--frobnicate\n', /:2: unknown option --frobnicate/],
      ['ok\n\nfoo --hash=md5:abc\n', /:3: --hash=md5:abc is not sha256:<64 hex digits>/],
      ['foo >= \n', /:1: /],
      ['./dist/foo-1.0-py3-none-any.whl\n', /:1: .* is a path or URL/],
      ['foo --no-deps\n', /:1: option --no-deps is not allowed after a requirement/],
      ['-r missing.txt\n', /:1: cannot read the requirements file .*missing\.txt \(no such file\)/],
      ['-i\n', /:1: -i needs a value/],
    ];
    cases.forEach(([text, pattern], i) => {
      const file = write(`bad-${i}.txt`, text);
      assert.throws(() => readRequirementsFiles([file]), (e: Error) => e.message.startsWith(file) && pattern.test(e.message), `case ${i}: ${text}`);
    });
    const loop = write('loop-a.txt', '-r loop-b.txt\n');
    write('loop-b.txt', '-r loop-a.txt\n');
    assert.throws(() => readRequirementsFiles([loop]), /loop-b\.txt:1: .*loop-a\.txt includes itself/);
  });
});

const python = pythonsAtLeast(3, 8).pop();
const sha = (f: ServedFile): string => createHash('sha256').update(f.bytes).digest('hex');
const files: ServedFile[] = [
  servedWheel({ name: 'app', version: '1.0', files: { 'app/__init__.py': 'V = "1.0"\n' }, metadata: ['Requires-Dist: shared'] }),
  servedWheel({ name: 'app', version: '2.0', files: { 'app/__init__.py': 'V = "2.0"\n' }, metadata: ['Requires-Dist: shared'] }),
  servedWheel({ name: 'shared', version: '1.0', files: { 'shared/__init__.py': 'V = "1.0"\n' } }),
  servedWheel({ name: 'shared', version: '2.0', files: { 'shared/__init__.py': 'V = "2.0"\n' } }),
];

describe('install -r, run -r', { skip: python ? false : 'no CPython >= 3.8' }, () => {
  test('constraints and an --index-url line: the choice pip makes from the same files', async () => {
    const server = await startIndexServer(files);
    try {
      const env = makeVenv(python!.executable, path.join(work.dir, 'venv-c'));
      const reqs = write('c/reqs.txt', `--index-url \${IDX}\napp\n`);
      const pins = write('c/pins.txt', 'shared<2\napp!=2.0\n');
      const mine = await sidewheelChoice(env, ['-r', reqs, '-c', pins], { IDX: server.simpleUrl });
      assert.deepEqual(mine, ['app 1.0', 'shared 1.0']);
      const pip = await pipChoice(env, ['--index-url', server.simpleUrl, '-r', write('c/pip-reqs.txt', 'app\n'), '-c', pins]);
      if (pip) assert.deepEqual(mine, pip);
    } finally {
      await server.close();
    }
  });

  test('hashes: installed when they match; refused, with nothing written, when one differs or one is missing', async () => {
    const server = await startIndexServer(files, { form: 'html', hashes: false });
    try {
      const env = makeVenv(python!.executable, path.join(work.dir, 'venv-h'));
      const root = path.dirname(path.dirname(env));
      const before = snapshotTree(root);
      const idx = ['--index-url', server.simpleUrl];
      const wrong = write('h/wrong.txt', `app==2.0 --hash=sha256:${sha(files[0]!)}\nshared==2.0 --hash=sha256:${sha(files[3]!)}\n`);
      const r1 = await sidewheel(['install', '--python', env, ...idx, '-r', wrong]);
      assert.equal(r1.status, 3, r1.stderr);
      assert.match(r1.stderr, /^sidewheel: app-2\.0-py3-none-any\.whl: its sha256 [0-9a-f]{64} is not one of the hashes the requirements allow$/m);
      const missing = write('h/missing.txt', `app==2.0 --hash=sha256:${sha(files[1]!)}\n`);
      const r2 = await sidewheel(['install', '--python', env, ...idx, '-r', missing]);
      assert.equal(r2.status, 3, r2.stderr);
      assert.match(r2.stderr, /^sidewheel: hashes are required .* none are given for shared==2\.0$/m);
      const unpinned = write('h/unpinned.txt', `app>=2 --hash=sha256:${sha(files[1]!)}\n`);
      const r3 = await sidewheel(['install', '--python', env, ...idx, '-r', unpinned]);
      assert.equal(r3.status, 3);
      assert.match(r3.stderr, /unpinned\.txt:1: app>=2 must be pinned with == when hashes are checked/);
      assert.deepEqual(snapshotTree(root), before);
      const good = write('h/good.txt', `app==2.0 --hash=sha256:${sha(files[1]!)}\nshared==2.0 \\\n  --hash=sha256:${sha(files[3]!)}\n`);
      const ok = await sidewheel(['install', '--python', env, ...idx, '-r', good]);
      assert.equal(ok.status, 0, ok.stderr);
      assert.equal(runPython(env, ['-c', 'import app, shared; print(app.V, shared.V)']).stdout.trim(), '2.0 2.0');

      // run -r FILE activates what the file asks for; --with REQ is the inline spelling.
      assert.equal((await sidewheel(['install', '--side', '--python', env, ...idx, 'shared==1.0'])).status, 0);
      const runReqs = write('h/run.txt', '# side version\nshared<2\n');
      const viaFile = await sidewheel(['run', '--python', env, '-r', runReqs, '--', env, '-c', 'import shared; print(shared.V)']);
      assert.equal(viaFile.stdout.trim(), '1.0', viaFile.stderr);
      const inline = await sidewheel(['run', '--python', env, '--with', 'shared<2', '--', env, '-c', 'import shared; print(shared.V)']);
      assert.equal(inline.stdout.trim(), '1.0', inline.stderr);
    } finally {
      await server.close();
    }
  });
});
