/**
 * Every change to an environment goes through here: under the environment's lock,
 * finish what a killed run left, look at what is installed, let the caller decide what
 * to add and remove, then stage everything (bytecode and RECORDs included) and commit
 * it in one transaction. When the set of side versions changes, the runtime and its
 * index are re-rendered in the same transaction.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { InterpreterInfo } from '../python/interpreter.js';
import { runtimePlan, RUNTIME_NAME } from '../runtime/render.js';
import { scanSideVersions, type SideVersion } from '../runtime/side-versions.js';
import { formatRecord, recordRowFor, type RecordRow } from '../wheel/record.js';
import { compileBytecode, type CompileJob } from './bytecode.js';
import { cleanupRoots, filesToRemove, findByName, findInstalled, type InstalledDistribution } from './installed.js';
import { withEnvironmentLock } from './lock.js';
import type { InstallPlan } from './plan.js';
import { recoverInterrupted, Transaction } from './transaction.js';

export interface EnvironmentState {
  readonly installed: readonly InstalledDistribution[];
  readonly sides: readonly SideVersion[];
}

export interface Change {
  readonly plans: readonly InstallPlan[];
  /** Absolute paths of files to remove. */
  readonly removals: readonly string[];
  /** The side versions after the change, when it changes them; the runtime is then re-rendered. */
  readonly sidesAfter: readonly SideVersion[] | null;
}

export interface ChangeOptions {
  readonly python: InterpreterInfo;
  readonly compile: boolean;
}

export async function changeEnvironment<T>(
  options: ChangeOptions,
  decide: (state: EnvironmentState) => Promise<{ change: Change | null; result: T }>,
): Promise<T> {
  const { python } = options;
  const workDir = python.scheme.purelib;
  return withEnvironmentLock(workDir, async () => {
    recoverInterrupted(workDir);
    const state: EnvironmentState = { installed: await findInstalled(python), sides: await scanSideVersions(python) };
    const { change, result } = await decide(state);
    if (!change) return result;
    const plans = [...change.plans];
    const removals = [...change.removals];
    if (change.sidesAfter) {
      const previous = findByName(state.installed, RUNTIME_NAME);
      if (previous) removals.push(...(await filesToRemove(previous, python)));
      plans.push(runtimePlan(python, change.sidesAfter));
    }
    const txn = Transaction.begin(workDir);
    try {
      for (const f of removals) txn.remove(f);
      for (const plan of plans) await stagePlan(txn, plan, python, options.compile);
      txn.commit(cleanupRoots(python));
    } catch (e) {
      txn.abort();
      throw e;
    }
    return result;
  });
}

/** Stage a plan's files, their bytecode and the RECORD rebuilt from what was staged. */
async function stagePlan(txn: Transaction, plan: InstallPlan, python: InterpreterInfo, compile: boolean): Promise<void> {
  const rows: RecordRow[] = [];
  const relative = (target: string): string => path.relative(plan.libDir, target).split(path.sep).join('/');
  const jobs: CompileJob[] = [];
  for (const file of plan.files) {
    const staged = txn.stageFile(file.target, file.data, file.executable);
    rows.push(recordRowFor(relative(file.target), file.data));
    if (compile && file.target.endsWith('.py')) jobs.push({ source: staged, target: file.target, output: txn.stagedPath() });
  }
  for (const compiled of await compileBytecode(python, jobs)) {
    txn.adoptStaged(compiled.output, compiled.target);
    rows.push(recordRowFor(relative(compiled.target), await readFile(compiled.output)));
  }
  if (plan.distInfoDir === null) return;
  const recordPath = path.join(plan.distInfoDir, 'RECORD');
  rows.push({ path: relative(recordPath), hash: '', size: '' });
  txn.stageFile(recordPath, Buffer.from(formatRecord(rows)), false);
}
