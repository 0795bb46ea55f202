/** Unit tests of the pure pieces: names, RECORD, headers, entry points, shebangs, plans. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SidewheelError } from '../src/errors.js';
import { planDefaultInstall } from '../src/plan/default-install.js';
import { rewriteShebang, scriptEntryPoints, shebang, wrapperScript } from '../src/plan/scripts.js';
import { escapeName, normalizeName, parseWheelFilename, tagString } from '../src/names.js';
import { parseEntryPoints } from '../src/wheel/entry-points.js';
import { parseHeaders } from '../src/wheel/headers.js';
import { formatRecord, parseRecord, recordHash } from '../src/wheel/record.js';
import { unsafePathReason, validateWheel } from '../src/wheel/wheel.js';
import { syntheticInterpreter } from './helpers/interpreter.js';
import { wheelEntries } from './helpers/wheels.js';

describe('names', () => {
  test('PEP 503 normalization and PEP 427 escaping', () => {
    assert.equal(normalizeName('Other.Thing'), 'other-thing');
    assert.equal(normalizeName('other__thing'), 'other-thing');
    assert.equal(normalizeName('A-_.B'), 'a-b');
    assert.equal(escapeName('zope.interface'), 'zope_interface');
  });

  test('wheel file names: build tags and compressed tag sets', () => {
    const w = parseWheelFilename('pkg-1.0-2b-py2.py3-none-any.whl');
    assert.deepEqual(w.build, { number: 2, rest: 'b' });
    assert.deepEqual(w.tags.map(tagString), ['py2-none-any', 'py3-none-any']);
    const many = parseWheelFilename('numpy-2.0.0-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl');
    assert.equal(many.tags.length, 2);
    assert.equal(many.tagText, 'cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64');
  });

  for (const bad of ['pkg-1.0.whl', 'pkg-1.0-py3-none-any.zip', 'pkg-1.0-x-py3-none-any.whl', 'pkg-1.0-py3--any.whl', 'p/kg-1.0-py3-none-any.whl']) {
    test(`refuses ${bad}`, () => {
      assert.throws(() => parseWheelFilename(bad), (e: unknown) => e instanceof SidewheelError && e.code === 'BAD_FILENAME' && e.message.startsWith(bad));
    });
  }
});

describe('RECORD', () => {
  test('parses quoting, doubled quotes and \\r\\n as csv writes them', () => {
    const rows = parseRecord('a.py,sha256=x,1\r\n"b,c.py","sha256=y",2\r\n"say ""hi"".txt",,\r\n\r\n');
    assert.deepEqual(rows, [
      { path: 'a.py', hash: 'sha256=x', size: '1' },
      { path: 'b,c.py', hash: 'sha256=y', size: '2' },
      { path: 'say "hi".txt', hash: '', size: '' },
    ]);
  });

  test('formats as pip does: sorted by code point, quoted where needed, \\r\\n', () => {
    const text = formatRecord([
      { path: 'z.py', hash: 'sha256=a', size: '1' },
      { path: '../../../bin/tool', hash: 'sha256=b', size: '2' },
      { path: 'a,b.py', hash: '', size: '' },
    ]);
    assert.equal(text, '../../../bin/tool,sha256=b,2\r\n"a,b.py",,\r\nz.py,sha256=a,1\r\n');
    assert.deepEqual(parseRecord(text).map((r) => r.path), ['../../../bin/tool', 'a,b.py', 'z.py']);
  });

  test('hashes are urlsafe base64 without padding', () => {
    assert.equal(recordHash(Buffer.from('')), 'sha256=47DEQpj8HBSa-_TImW-5JCeuQeRkm5NMpJWZG3hSuFU');
  });
});

describe('METADATA and WHEEL headers', () => {
  test('multi-use fields, folded lines, body', () => {
    const h = parseHeaders('Name: demo\nRequires-Dist: a\nRequires-Dist: b; extra == "x"\nSummary: one\n  two\n\nThe description.\n');
    assert.equal(h.get('name'), 'demo');
    assert.deepEqual(h.getAll('Requires-Dist'), ['a', 'b; extra == "x"']);
    assert.equal(h.get('Summary'), 'one\n  two');
    assert.equal(h.body, 'The description.\n');
  });
});

describe('entry points', () => {
  test('groups, comments, extras, dotted names', () => {
    const { entries, problems } = parseEntryPoints('# c\n[console_scripts]\ntool = pkg.cli:main\nother=pkg:obj.attr [extra]\n; c\n[distutils.commands]\nbuild = pkg.cmd:Build\n');
    assert.deepEqual(problems, []);
    assert.deepEqual(
      entries.map((e) => [e.group, e.name, e.module, e.attr]),
      [
        ['console_scripts', 'tool', 'pkg.cli', 'main'],
        ['console_scripts', 'other', 'pkg', 'obj.attr'],
        ['distutils.commands', 'build', 'pkg.cmd', 'Build'],
      ],
    );
  });

  test('reports what is not entry-point syntax', () => {
    assert.match(parseEntryPoints('name = value\n').problems[0]!, /line 1/);
    assert.match(parseEntryPoints('[g]\nx = not a module path!\n').problems[0]!, /line 2/);
  });
});

describe('scripts', () => {
  test('short interpreter paths get a plain shebang, long or spaced ones the /bin/sh trick', () => {
    assert.equal(shebang('/venv/bin/python'), '#!/venv/bin/python\n');
    assert.equal(shebang('/my venv/bin/python'), `#!/bin/sh\n'''exec' "/my venv/bin/python" "$0" "$@"\n' '''\n`);
    const long = '/' + 'x'.repeat(130) + '/python';
    assert.match(shebang(long), /^#!\/bin\/sh\n'''exec' \/x+\/python "\$0" "\$@"\n' '''\n$/);
  });

  test('#!python and #!pythonw are rewritten, other shebangs kept', () => {
    assert.equal(rewriteShebang(Buffer.from('#!pythonw -u\nprint(1)\n'), '/v/bin/python').toString(), '#!/v/bin/python\nprint(1)\n');
    assert.equal(rewriteShebang(Buffer.from('#!/bin/sh\necho\n'), '/v/bin/python').toString(), '#!/bin/sh\necho\n');
  });

  test('pip and easy_install wrappers are renamed for the target interpreter, as pip does', () => {
    const { entries } = parseEntryPoints('[console_scripts]\npip = pip._internal.cli.main:main\npip3 = pip._internal.cli.main:main\npip3.9 = pip._internal.cli.main:main\n[gui_scripts]\ng = m:f\n');
    assert.deepEqual([...scriptEntryPoints(entries, [3, 12, 1]).keys()].sort(), ['g', 'pip', 'pip3', 'pip3.12']);
  });

  test('the wrapper calls the attribute path', () => {
    const [ep] = parseEntryPoints('[console_scripts]\nt = pkg.mod:obj.run\n').entries;
    const text = wrapperScript('/v/bin/python', ep!).toString();
    assert.match(text, /^#!\/v\/bin\/python\n/);
    assert.match(text, /^from pkg\.mod import obj$/m);
    assert.match(text, /sys\.exit\(obj\.run\(\)\)/);
  });
});

describe('paths inside wheels', () => {
  for (const [p, reason] of [
    ['../x', /escapes/],
    ['a/../../x', /escapes/],
    ['/etc/passwd', /absolute/],
    ['C:/x', /absolute/],
    ['a\\b', /backslash/],
    ['a//b', /empty/],
    ['a/./b', /empty or "\."/],
  ] as const) {
    test(`${JSON.stringify(p)} is unsafe`, () => assert.match(unsafePathReason(p) ?? '', reason));
  }
  test('ordinary paths are fine', () => assert.equal(unsafePathReason('pkg-1.0.data/scripts/tool'), null));
});

describe('the default-install plan (pure)', () => {
  // A CPython 3.12 venv at /env whose purelib and platlib differ, so the plan must pick.
  const python = syntheticInterpreter({
    executable: '/env/bin/python',
    version: [3, 12, 1],
    soabi: 'cpython-312-x86_64-linux-gnu',
    isVenv: true,
    prefix: '/env',
    scheme: { purelib: '/env/lib/site', platlib: '/env/lib64/site', scripts: '/env/bin', data: '/env', headers: '/env/include/site/python3.12' },
  });
  const spec = {
    name: 'Demo_Pkg',
    version: '1.0',
    rootIsPurelib: false,
    files: {
      'demo/__init__.py': '',
      'Demo_Pkg-1.0.data/purelib/pure.py': '',
      'Demo_Pkg-1.0.data/scripts/s': '#!python\n',
      'Demo_Pkg-1.0.data/headers/h.h': '',
      'Demo_Pkg-1.0.data/data/share/f': '',
    },
    entryPoints: '[console_scripts]\ndemo = demo:main\n',
  };

  test('every file goes where the scheme says', () => {
    const entries = wheelEntries(spec);
    const wheel = validateWheel(parseWheelFilename('Demo_Pkg-1.0-py3-none-any.whl'), { file: 'Demo_Pkg-1.0-py3-none-any.whl', entries: entries.map((e) => ({ name: e.name, data: e.data, mode: e.mode ?? 0o100644 })) }, { range: { file: 'Demo_Pkg-1.0-py3-none-any.whl', offset: 0, size: 0 }, sha256: '' });
    const plan = planDefaultInstall(wheel, python, { installer: 'sidewheel', directUrl: false });
    const targets = plan.files.map((f) => f.target).sort();
    assert.equal(plan.libDir, '/env/lib64/site');
    for (const expected of [
      '/env/lib64/site/demo/__init__.py',
      '/env/lib/site/pure.py',
      '/env/bin/s',
      '/env/bin/demo',
      '/env/include/site/python3.12/Demo-Pkg/h.h',
      '/env/share/f',
      '/env/lib64/site/Demo_Pkg-1.0.dist-info/INSTALLER',
      '/env/lib64/site/Demo_Pkg-1.0.dist-info/REQUESTED',
    ]) {
      assert.ok(targets.includes(expected), `${expected} in ${targets.join(', ')}`);
    }
    const script = plan.files.find((f) => f.target === '/env/bin/s')!;
    assert.ok('data' in script && script.data.toString() === '#!/env/bin/python\n');
  });
});
