/**
 * renderIndex writes the compact form python-shim/INDEX.md section 2 describes, which
 * the runtime's fast read depends on: the exact prefix and ending, `format`, `version`,
 * `projects` in that order, project keys sorted by code point, each project `name`
 * then `side`, each side entry's keys in the documented order, and `"<key>":{"name":`
 * occurring once per project and nowhere else.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderIndex } from '../src/runtime/index-file.js';
import type { SideVersion } from '../src/runtime/side-versions.js';

const ENTRY_KEYS = ['version', 'wheel', 'location', 'format', 'paths', 'dist_info', 'top_level', 'requires_dist', 'requires_python', 'provides_extra'];
const PREFIX = '{"format":"sidewheel-index","version":1,"projects":{';

function side(name: string, version: string, extra: Partial<SideVersion> = {}): SideVersion {
  const wheel = `${name.replace(/[-.]/g, '_')}-${version}-py3-none-any.whl`;
  return {
    name,
    version,
    wheel,
    location: `/site/${wheel}`,
    format: 'directory',
    paths: [`/site/${wheel}`],
    distInfo: `${name}-${version}.dist-info`,
    topLevel: [name.toLowerCase()],
    requiresDist: [],
    requiresPython: null,
    providesExtra: [],
    ...extra,
  };
}

/** Every project key in the order the text holds them, found as the runtime finds them. */
function projectKeysInText(text: string): string[] {
  return [...text.matchAll(/"((?:[^"\\]|\\.)*)":\{"name":/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
}

describe("renderIndex: the compact form the runtime's fast read relies on", () => {
  test('an empty index', () => {
    assert.equal(renderIndex([]), `${PREFIX}}}\n`);
  });

  test('prefix, ending, key order at every level, project keys sorted by code point', () => {
    const sides = [
      side('Zed', '1.0'),
      side('Zed', '2.0', { requiresDist: ['name; extra == "name"', '{"name":"x"}'], requiresPython: '>=3.8', providesExtra: ['name'] }),
      // Integer-like keys: a plain JavaScript object would put them first, in numeric order.
      side('10', '1.0'),
      side('9', '1.0'),
      side('A.B', '0.1', { format: 'zip' }),
      side('alpha', '3.0'),
    ];
    const text = renderIndex(sides);
    assert.ok(text.startsWith(PREFIX), text.slice(0, 80));
    assert.ok(text.endsWith(']}}}\n'), text.slice(-20));
    assert.ok(!/\s/.test(text.slice(0, -1).replace(/"(?:[^"\\]|\\.)*"/g, '')), 'no whitespace outside strings');

    const expectedKeys = ['10', '9', 'a-b', 'alpha', 'zed'];
    assert.deepEqual(projectKeysInText(text), expectedKeys, 'each project found once, by its own bytes, in code point order');

    const parsed = JSON.parse(text) as { projects: Record<string, { name: string; side: Array<Record<string, unknown>> }> };
    assert.deepEqual(Object.keys(parsed), ['format', 'version', 'projects']);
    for (const key of expectedKeys) {
      const project = parsed.projects[key]!;
      assert.deepEqual(Object.keys(project), ['name', 'side']);
      for (const entry of project.side) assert.deepEqual(Object.keys(entry), ENTRY_KEYS);
    }
    assert.deepEqual(parsed.projects.zed!.side.map((e) => e.version), ['2.0', '1.0'], 'highest version first');
    assert.equal(parsed.projects.zed!.name, 'Zed');
  });
});
