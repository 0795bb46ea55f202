/**
 * `doctor`: is the environment as sidewheel left it? The runtime present and current,
 * the index agreeing with the side versions on disk, no interrupted transaction.
 * With fix, the runtime and index are rewritten (interrupted work is rolled back by
 * any locked change, this one included).
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { changeEnvironment } from './install/apply.js';
import { findByName, findInstalled } from './install/installed.js';
import type { InterpreterInfo } from './python/interpreter.js';
import { INDEX_FILE } from './runtime/index-file.js';
import { runtimePlan, RUNTIME_NAME } from './runtime/render.js';
import { scanSideVersions } from './runtime/side-versions.js';

export interface DoctorReport {
  readonly problems: readonly string[];
  readonly fixed: boolean;
}

export async function diagnose(python: InterpreterInfo): Promise<string[]> {
  const problems: string[] = [];
  const sides = await scanSideVersions(python);
  const runtime = findByName(await findInstalled(python), RUNTIME_NAME);
  const purelib = python.scheme.purelib;
  if (sides.length > 0 && !runtime) problems.push(`${sides.length} side versions are installed but the runtime is not`);
  if (runtime || sides.length > 0) {
    for (const file of runtimePlan(python, sides).files) {
      if (!('data' in file)) continue; // The runtime is always rendered from bytes.
      const actual = await fs.readFile(file.target).catch(() => null);
      if (actual === null) problems.push(`${file.target} is missing`);
      else if (!actual.equals(file.data)) {
        problems.push(file.target.endsWith(INDEX_FILE) ? `the index ${file.target} does not match the side versions on disk` : `${file.target} differs from this sidewheel's runtime`);
      }
    }
  }
  const leftovers = (await fs.readdir(purelib).catch(() => [] as string[])).filter((n) => n.startsWith('.sidewheel-txn-'));
  for (const name of leftovers) problems.push(`an interrupted install left ${path.join(purelib, name)}`);
  return problems;
}

export async function doctor(python: InterpreterInfo, fix: boolean): Promise<DoctorReport> {
  const problems = await diagnose(python);
  if (!fix || problems.length === 0) return { problems, fixed: false };
  // The index is rebuilt from what is on disk, not from itself.
  await changeEnvironment({ python, compile: true }, async () => ({
    change: { plans: [], removals: [], sidesAfter: await scanSideVersions(python) },
    result: undefined,
  }));
  return { problems, fixed: true };
}
