/**
 * python-shim/sidewheel/_pep.py against packaging, on every CPython >= 3.8 and PyPy this
 * machine has (PATH, pyenv, /usr/bin/python3): the committed vectors on each, and
 * fresh random cases from a live packaging 26.x when one is found.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';

import {
  CHECKER,
  VECTORS,
  findOracle,
  generateVectors,
  label,
  runsTheRuntime,
  runPython,
} from './helpers/pep-oracle.js';
import { findPythons, type FoundPython as Python } from './helpers/pythons.js';

interface CheckReport {
  python: string;
  counts: Record<string, number>;
  total: number;
  mismatchCount: number;
  mismatches: { category: string; case: unknown; expected: unknown; got: unknown }[];
}

async function check(python: Python, vectors: string): Promise<CheckReport> {
  return JSON.parse(await runPython(python, [CHECKER, vectors])) as CheckReport;
}

function explain(report: CheckReport): string {
  const shown = report.mismatches
    .slice(0, 12)
    .map((m) => `  ${m.category} ${JSON.stringify(m.case)}\n    expected ${JSON.stringify(m.expected)}\n    got      ${JSON.stringify(m.got)}`);
  return `${report.mismatchCount} of ${report.total} cases disagree with packaging on Python ${report.python}:\n${shown.join('\n')}`;
}

const fixture = JSON.parse(readFileSync(VECTORS, 'utf8')) as { oracle: { packaging: string; rules: string } } & Record<string, unknown>;
const fixtureCases = Object.entries(fixture)
  .filter(([key, value]) => key !== 'environments' && Array.isArray(value))
  .reduce((n, [, value]) => n + (value as unknown[]).length, 0);

const pythons = (await findPythons()).filter(runsTheRuntime);
const oracle = await findOracle();

describe(`_pep.py agrees with packaging ${fixture.oracle.packaging} on fixtures/pep-vectors.json`, () => {
  if (pythons.length === 0) {
    test('no CPython >= 3.8 or PyPy', { skip: 'none on PATH, under pyenv or at /usr/bin/python3' }, () => {});
    return;
  }
  for (const python of pythons) {
    test(`${fixtureCases} cases on ${label(python)}`, async (t) => {
      const report = await check(python, VECTORS);
      t.diagnostic(`${report.total - report.mismatchCount} of ${report.total} cases agree`);
      assert.equal(report.mismatchCount, 0, explain(report));
    });
  }
});

/** Version parsing, ordering and names have not changed since packaging 21; the rest has. */
const STABLE_CATEGORIES = ['versions', 'compare', 'names'] as const;

describe('_pep.py against a live packaging, fresh cases', () => {
  if (oracle === null || pythons.length === 0) {
    const why = pythons.length === 0 ? 'no CPython >= 3.8 or PyPy to run _pep.py' : 'no Python here imports packaging or a vendored copy';
    test('live differential', { skip: why }, () => {});
    return;
  }
  const sameRules = oracle.rules === fixture.oracle.rules;
  const scope = sameRules ? 'every category' : `${STABLE_CATEGORIES.join(', ')} only (it follows packaging ${oracle.rules}'s rules, the vectors ${fixture.oracle.rules}'s)`;
  const dir = mkdtempSync(join(tmpdir(), 'sidewheel-pep-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const seed = Math.floor(Math.random() * 1e9);
  const vectors = join(dir, 'vectors.json');
  let generated: Promise<void> | undefined;
  const ready = (): Promise<void> =>
    (generated ??= generateVectors(oracle, { seed, scale: 0.4, ...(sameRules ? {} : { only: STABLE_CATEGORIES }) }).then(
      (text) => writeFileSync(vectors, text),
    ));

  for (const python of pythons) {
    const name = `packaging ${oracle.packaging} (${oracle.packagingSource}) vs _pep.py on ${label(python)}: ${scope}`;
    test(name, async (t) => {
      await ready();
      const report = await check(python, vectors);
      t.diagnostic(`seed ${seed}: ${report.total - report.mismatchCount} of ${report.total} fresh cases agree`);
      assert.equal(report.mismatchCount, 0, `seed ${seed}: ${explain(report)}`);
    });
  }
});
