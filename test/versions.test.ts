/**
 * src/versions.ts against packaging: the committed vectors (fixtures/pep-vectors.json,
 * computed by packaging 26.3), then fresh random cases from a live packaging when a
 * Python that has one is found.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';

import { SidewheelError } from '../src/errors.js';
import { normalizeName } from '../src/names.js';
import {
  Marker,
  type MarkerEnvironment,
  SpecifierSet,
  Version,
  compareVersions,
  isPrerelease,
  isValidVersion,
  markerEnvironmentFrom,
  normalizeVersion,
  parseRequirement,
  parseVersion,
  sameVersion,
} from '../src/versions.js';
import { VECTORS, findOracle, generateVectors, label } from './helpers/pep-oracle.js';

// ---------------------------------------------------------------------------------
// The vector file and how each category is checked
// ---------------------------------------------------------------------------------

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Pre = boolean | null;

interface Vectors {
  oracle: { packaging: string; source: string; python: string; rules: string };
  seed: number;
  environments: Record<string, string | string[]>[];
  versions?: { in: string }[];
  compare?: [string, string, number][];
  specifiers?: { in: string }[];
  contains?: [string, string, Pre, boolean, { installed?: boolean | null; asVersion?: boolean }?][];
  filter?: [string, string[], Pre, number[]][];
  and?: [string, string, string][];
  markers?: { in: string; error?: string }[];
  requirements?: { in: string; error?: string }[];
  names?: [string, string][];
}

const CATEGORIES = [
  'versions',
  'compare',
  'specifiers',
  'contains',
  'filter',
  'and',
  'markers',
  'requirements',
  'names',
] as const;
type Category = (typeof CATEGORIES)[number];

interface Mismatch {
  category: Category;
  case: Json;
  expected: Json;
  got: Json;
}

interface Report {
  counts: Partial<Record<Category, number>>;
  total: number;
  mismatches: Mismatch[];
}

/** JSON with sorted keys, so records compare regardless of key order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}

/** Our failures must be SidewheelErrors with a one-line message; anything else is a bug. */
function outcome<T extends Json>(fn: () => T): T | { error: true } | { unexpected: string } {
  try {
    return fn();
  } catch (e) {
    if (e instanceof SidewheelError && !e.message.includes('\n')) return { error: true };
    return { unexpected: String(e) };
  }
}

/** Error records compare equal whatever packaging's exception class was. */
function normalizeErrors(rec: Json, text: string): Json {
  if (rec === null || typeof rec !== 'object' || Array.isArray(rec)) return rec;
  if ('error' in rec) return { in: text, error: true };
  if (Array.isArray(rec['eval'])) {
    return { ...rec, eval: rec['eval'].map((r) => (r !== null && typeof r === 'object' ? { error: true } : r)) };
  }
  return rec;
}

function describeVersion(text: string): Json {
  const got = outcome((): Json => {
    const v = parseVersion(text);
    return {
      in: text,
      valid: true,
      str: v.toString(),
      public: v.public,
      base: v.baseVersion,
      epoch: v.epoch.toString(),
      release: v.release.map(String),
      pre: v.pre === null ? null : [v.pre[0], v.pre[1].toString()],
      post: v.post === null ? null : v.post.toString(),
      dev: v.dev === null ? null : v.dev.toString(),
      local: v.local,
      isPre: v.isPrerelease,
      isPost: v.isPostrelease,
      isDev: v.isDevrelease,
    };
  });
  if (got !== null && typeof got === 'object' && 'error' in got) return { in: text, valid: false };
  return got;
}

function describeSpecifierSet(text: string): Json {
  const got = outcome((): Json => {
    const s = new SpecifierSet(text);
    return { in: text, valid: true, str: s.toString(), len: s.size, prereleases: s.prereleases };
  });
  if (got !== null && typeof got === 'object' && 'error' in got) return { in: text, valid: false };
  return got;
}

function positions(items: readonly string[], kept: readonly string[]): number[] {
  const out: number[] = [];
  let i = 0;
  for (const k of kept) {
    while (items[i] !== k) i++;
    out.push(i++);
  }
  return out;
}

function evaluateAll(marker: Marker, environments: readonly MarkerEnvironment[]): Json[] {
  return environments.map((env) => outcome(() => marker.evaluate(env)));
}

function describeMarker(text: string, environments: readonly MarkerEnvironment[]): Json {
  return outcome((): Json => {
    const m = new Marker(text);
    return { in: text, str: m.toString(), eval: evaluateAll(m, environments) };
  });
}

function describeRequirement(text: string, environments: readonly MarkerEnvironment[]): Json {
  return outcome((): Json => {
    const r = parseRequirement(text);
    const rec: { [key: string]: Json } = {
      in: text,
      name: r.name,
      extras: [...r.extras],
      specifier: r.specifier.toString(),
      url: r.url,
      marker: r.marker === null ? null : r.marker.toString(),
      str: r.toString(),
    };
    if (r.marker !== null) rec['eval'] = evaluateAll(r.marker, environments);
    return rec;
  });
}

function checkVectors(doc: Vectors): Report {
  const report: Report = { counts: {}, total: 0, mismatches: [] };
  const record = (category: Category, c: Json, expected: Json, got: Json): void => {
    report.counts[category] = (report.counts[category] ?? 0) + 1;
    report.total++;
    if (canonical(expected) !== canonical(got)) report.mismatches.push({ category, case: c, expected, got });
  };
  const environments = doc.environments as unknown as MarkerEnvironment[];

  for (const c of doc.versions ?? []) record('versions', c.in, c as unknown as Json, describeVersion(c.in));
  for (const [a, b, expected] of doc.compare ?? []) {
    const got = outcome((): Json => {
      const order = compareVersions(a, b);
      // Every view of the order must agree with it.
      const consistent = sameVersion(a, b) === (order === 0) && compareVersions(b, a) === -order;
      return consistent ? order : 'inconsistent';
    });
    record('compare', [a, b], expected, got);
  }
  for (const c of doc.specifiers ?? []) record('specifiers', c.in, c as unknown as Json, describeSpecifierSet(c.in));
  for (const c of doc.contains ?? []) {
    const [spec, version, pre, expected, opts] = c;
    const got = outcome(() => {
      const item = opts?.asVersion ? parseVersion(version) : version;
      return new SpecifierSet(spec).contains(item, pre, opts?.installed ?? false);
    });
    record('contains', c as unknown as Json, expected, got);
  }
  for (const [spec, items, pre, expected] of doc.filter ?? []) {
    const got = outcome(() => positions(items, new SpecifierSet(spec).filter(items, pre)));
    record('filter', [spec, items, pre], expected, got);
  }
  for (const [a, b, expected] of doc.and ?? []) {
    record('and', [a, b], expected, outcome(() => new SpecifierSet(a).and(new SpecifierSet(b)).toString()));
  }
  for (const c of doc.markers ?? []) {
    const got = normalizeErrors(describeMarker(c.in, environments), c.in);
    record('markers', c.in, normalizeErrors(c as unknown as Json, c.in), got);
  }
  for (const c of doc.requirements ?? []) {
    const got = normalizeErrors(describeRequirement(c.in, environments), c.in);
    record('requirements', c.in, normalizeErrors(c as unknown as Json, c.in), got);
  }
  for (const [name, expected] of doc.names ?? []) record('names', name, expected, normalizeName(name));
  return report;
}

function formatMismatches(mismatches: readonly Mismatch[]): string {
  const shown = mismatches.slice(0, 12).map((m) => `  ${m.category} ${JSON.stringify(m.case)}\n    expected ${canonical(m.expected)}\n    got      ${canonical(m.got)}`);
  return `${mismatches.length} disagreements with packaging:\n${shown.join('\n')}`;
}

// ---------------------------------------------------------------------------------
// The committed vectors
// ---------------------------------------------------------------------------------

const fixture = JSON.parse(readFileSync(VECTORS, 'utf8')) as Vectors;
const fixtureReport = checkVectors(fixture);

describe(`src/versions.ts agrees with packaging ${fixture.oracle.packaging} on fixtures/pep-vectors.json`, () => {
  for (const category of CATEGORIES) {
    const n = fixtureReport.counts[category] ?? 0;
    test(`${category}: ${n} cases agree`, () => {
      assert.ok(n > 0, `the vector file has no ${category} cases`);
      const bad = fixtureReport.mismatches.filter((m) => m.category === category);
      assert.equal(bad.length, 0, formatMismatches(bad));
    });
  }
});

// ---------------------------------------------------------------------------------
// Live differential: fresh cases from whichever packaging this machine has
// ---------------------------------------------------------------------------------

/** Version parsing, ordering and names have not changed since packaging 21; the rest has. */
const STABLE_CATEGORIES = ['versions', 'compare', 'names'] as const;

const oracle = await findOracle();

describe('live differential against packaging', () => {
  if (oracle === null) {
    test('no oracle', { skip: 'no Python >= 3.8 here imports packaging or an ensurepip-vendored copy' }, () => {});
    return;
  }
  const sameRules = oracle.rules === fixture.oracle.rules;
  const only = sameRules ? undefined : STABLE_CATEGORIES;
  const scope = sameRules ? 'every category' : `${STABLE_CATEGORIES.join(', ')} only (it follows packaging ${oracle.rules}'s rules, the vectors ${fixture.oracle.rules}'s)`;
  const name = `packaging ${oracle.packaging} (${oracle.packagingSource}) on ${label(oracle)}: ${scope}`;
  test(name, async (t) => {
    const seed = Math.floor(Math.random() * 1e9);
    const doc = JSON.parse(await generateVectors(oracle, { seed, scale: 0.4, ...(only ? { only } : {}) })) as Vectors;
    const report = checkVectors(doc);
    const counts = Object.entries(report.counts).map(([k, n]) => `${k} ${n}`).join(', ');
    t.diagnostic(`seed ${seed}: ${report.total - report.mismatches.length} of ${report.total} fresh cases agree (${counts})`);
    assert.equal(report.mismatches.length, 0, `seed ${seed}: ${formatMismatches(report.mismatches)}`);
  });

  // The generator brings an older packaging up to the vectors' rules: here it must
  // compute every expected result of the committed file, whichever packaging it is.
  const recompute = sameRules ? {} : { skip: `packaging ${oracle.packaging} follows ${oracle.rules}'s rules` };
  test(`the generator on packaging ${oracle.packaging} recomputes fixtures/pep-vectors.json`, recompute, async () => {
    const doc = JSON.parse(await generateVectors(oracle, { seed: fixture.seed, scale: 1 })) as unknown as Record<string, Json>;
    const committed = fixture as unknown as Record<string, Json>;
    const keys = Object.keys(committed).filter((key) => key !== 'note' && key !== 'oracle');
    for (const key of keys) {
      const [ours, theirs] = [committed[key], doc[key]];
      if (!Array.isArray(ours) || !Array.isArray(theirs) || key === 'environments') {
        assert.equal(canonical(theirs), canonical(ours), key);
        continue;
      }
      const differing = ours.findIndex((item, i) => canonical(item) !== canonical(theirs[i]));
      const where = `${key}[${differing}]: committed ${canonical(ours[differing])}, generated ${canonical(theirs[differing])}`;
      assert.ok(differing === -1 && ours.length === theirs.length, differing === -1 ? `${key}: ${theirs.length} cases, ${ours.length} committed` : where);
    }
  });
});

// ---------------------------------------------------------------------------------
// PEP 440's ordering and the rules packaging follows, spelled out
// ---------------------------------------------------------------------------------

function throwsCode(fn: () => unknown, code: string, includes: string): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SidewheelError, String(e));
    assert.equal(e.code, code);
    assert.ok(e.message.includes(includes), e.message);
    assert.ok(!e.message.includes('\n'), 'one line');
    return true;
  });
}

describe('versions: the ordering and rules, spelled out', () => {
  test('1.0.dev1 < 1.0a1 < 1.0rc1 < 1.0 < 1.0+local < 1.0.post1, and epochs win', () => {
    const chain = ['1.0.dev1', '1.0a1', '1.0rc1', '1.0', '1.0+local', '1.0.post1', '1!0.5'];
    for (let i = 1; i < chain.length; i++) assert.equal(compareVersions(chain[i - 1]!, chain[i]!), -1);
    assert.equal(compareVersions('1!0.5', '9.0'), 1);
  });

  test('normal forms, and the local labels @renovatebot/pep440 reads as numbers', () => {
    assert.equal(normalizeVersion(' V1.0-ALPHA_1.POST-2.dev\n'), '1.0a1.post2.dev0');
    assert.equal(normalizeVersion('1.0-1'), '1.0.post1');
    assert.equal(compareVersions('1.0+1e3', '1.0+999'), -1); // "1e3" is text, and text sorts first
    assert.equal(compareVersions('1.0.99999999999999999999', '1.0.99999999999999999998'), 1);
    assert.ok(sameVersion('1.0', '1.0.0') && !sameVersion('1.0', '1.0+local') && sameVersion('x', 'x'));
    assert.ok(isPrerelease('1.0.dev0') && !isPrerelease('1.0.post0'));
    assert.ok(!isValidVersion('1..0') && isValidVersion('1!2.0'));
  });

  test('a bad version is BAD_VERSION, one line, naming the string', () => {
    throwsCode(() => parseVersion('1..0'), 'BAD_VERSION', '"1..0"');
    throwsCode(() => parseVersion('1.2.*'), 'BAD_VERSION', 'wildcard');
    throwsCode(() => Version.parse(''), 'BAD_VERSION', 'empty');
  });
});

describe('specifiers: where @renovatebot/pep440 goes wrong', () => {
  test('epochs with < and >, zero-padded prefixes, ~=', () => {
    assert.ok(new SpecifierSet('<1!1.0').contains('1.0'));
    assert.ok(!new SpecifierSet('>1!1.0').contains('2.0'));
    assert.ok(!new SpecifierSet('!=1.0.0.*').contains('1.0'));
    assert.ok(new SpecifierSet('==1.0.0.*').contains('1.0'));
    assert.ok(new SpecifierSet('~=2.2').contains('2.9') && !new SpecifierSet('~=2.2').contains('3.0'));
    assert.ok(!new SpecifierSet('~=2.2.0').contains('2.3'));
  });

  test('~= takes its prefix from the parsed version (packaging 26.3), not the text', () => {
    assert.ok(new SpecifierSet('~=2.0.RC1').contains('2.5') && !new SpecifierSet('~=2.0.RC1').contains('3.0'));
    assert.ok(new SpecifierSet('~=V1.4.5').contains('1.4.6') && !new SpecifierSet('~=V1.4.5').contains('1.5'));
  });

  test('<V and >V keep out V own pre-, post- and local releases', () => {
    assert.ok(!new SpecifierSet('<2.0').contains('2.0rc1', true));
    assert.ok(new SpecifierSet('<2.0rc2').contains('2.0rc1'));
    assert.ok(!new SpecifierSet('>1.0').contains('1.0.post1'));
    assert.ok(!new SpecifierSet('>1.0').contains('1.0+local'));
    assert.ok(new SpecifierSet('>1.0.post1').contains('1.0.post2'));
  });

  test('pre-releases: filter lets them in only when nothing else matches', () => {
    const s = new SpecifierSet('>=1.0');
    assert.deepEqual(s.filter(['0.9', '1.0', '1.1a1']), ['1.0']);
    assert.deepEqual(s.filter(['0.9', '1.1a1']), ['1.1a1']);
    assert.deepEqual(s.filter(['1.0', '1.1a1'], true), ['1.0', '1.1a1']);
    assert.deepEqual(new SpecifierSet('>=1.0b1').filter(['1.0', '1.1a1']), ['1.0', '1.1a1']);
    assert.ok(s.contains('1.1a1') && !s.contains('1.1a1', false) && s.contains('1.1a1', false, true));
  });

  test('=== compares the string as written', () => {
    assert.ok(new SpecifierSet('===1.0').contains('1.0') && !new SpecifierSet('===1.0').contains('1.0.0'));
    assert.ok(new SpecifierSet('===foobar').contains('FOOBAR'));
  });

  test('a bad specifier is BAD_REQUIREMENT, saying why', () => {
    throwsCode(() => new SpecifierSet('>=1.0.*'), 'BAD_REQUIREMENT', 'wildcard');
    throwsCode(() => new SpecifierSet('<1.0+local'), 'BAD_REQUIREMENT', 'local label');
    throwsCode(() => new SpecifierSet('~=1'), 'BAD_REQUIREMENT', 'two release numbers');
    throwsCode(() => new SpecifierSet('1.0'), 'BAD_REQUIREMENT', 'operator');
  });
});

const LINUX: MarkerEnvironment = markerEnvironmentFrom({
  implementation_name: 'cpython',
  implementation_version: '3.12.0',
  os_name: 'posix',
  platform_machine: 'x86_64',
  platform_release: '6.1.0-13-amd64',
  platform_system: 'Linux',
  platform_version: '#1 SMP PREEMPT_DYNAMIC Debian',
  python_full_version: '3.12.0+',
  platform_python_implementation: 'CPython',
  python_version: '3.12',
  sys_platform: 'linux',
});

describe('requirements and markers', () => {
  test('parts of a requirement', () => {
    const r = parseRequirement('Foo.Bar[tests, Docs] (>=1.0, !=1.1.*) ; python_version >= "3.8" and extra == "Tests"');
    assert.equal(r.name, 'Foo.Bar');
    assert.deepEqual(r.extras, ['Docs', 'tests']);
    assert.equal(r.specifier.toString(), '!=1.1.*,>=1.0');
    assert.equal(r.url, null);
    assert.equal(r.toString(), 'Foo.Bar[Docs,tests]!=1.1.*,>=1.0; python_version >= "3.8" and extra == "tests"');
    assert.ok(r.marker?.evaluate({ ...LINUX, extra: 'TESTS' }));
    assert.ok(!r.marker?.evaluate(LINUX));
    assert.equal(parseRequirement('pip @ https://x/pip.whl ; os_name == "nt"').url, 'https://x/pip.whl');
  });

  test('names beside extra, extras and dependency_groups print normalized; a value holding " prints in single quotes', () => {
    assert.equal(new Marker('"Foo_Bar" in extras').toString(), '"foo-bar" in extras');
    assert.equal(new Marker('os_name == "a" or ("Dev.Tools" not in dependency_groups)').toString(), 'os_name == "a" or "dev-tools" not in dependency_groups');
    assert.equal(new Marker('extras == "Foo_Bar"').toString(), 'extras == "Foo_Bar"'); // not a membership test: left alone
    assert.equal(new Marker(`os_name == 'a"b'`).toString(), `os_name == 'a"b'`);
  });

  test('versions compare as versions, other strings as strings', () => {
    assert.ok(new Marker('python_version > "3.9"').evaluate(LINUX)); // a string compare would say no
    assert.ok(new Marker('python_full_version >= "3.12"').evaluate(LINUX)); // "3.12.0+" is repaired
    assert.ok(!new Marker('platform_system < "Mac"').evaluate(LINUX)); // < on plain strings is false
    assert.ok(new Marker('"SMP" in platform_version').evaluate(LINUX));
  });

  test('bad input is BAD_REQUIREMENT, one line, saying where', () => {
    throwsCode(() => parseRequirement('foo[bar'), 'BAD_REQUIREMENT', 'column 8');
    throwsCode(() => parseRequirement('foo >= 1.0 ; os_name === \n'), 'BAD_REQUIREMENT', '"foo >= 1.0 ; os_name === \\n"');
    throwsCode(() => new Marker('os_name ~= "posix"').evaluate(LINUX), 'BAD_REQUIREMENT', '~=');
    throwsCode(() => markerEnvironmentFrom({ os_name: 'posix' }), 'PYTHON', 'python_version');
  });
});
