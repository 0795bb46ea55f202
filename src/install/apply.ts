/**
 * Every change to an environment goes through here: under the environment's lock,
 * finish what a killed run left, look at what is installed, let the caller decide what
 * to add and remove, then stage everything (bytecode and RECORDs included) and commit
 * it in one transaction. When the set of side versions changes, the runtime and its
 * index are re-rendered in the same transaction.
 */
import path from 'node:path';
import type { InterpreterInfo } from '../python/interpreter.js';
import { runtimeChange, RUNTIME_NAME } from '../runtime/render.js';
import { knownSideVersions, type SideVersion } from '../runtime/side-versions.js';
import { counter, type ProgressListener } from '../progress.js';
import { formatRecord, recordRowFor, type RecordRow } from '../wheel/record.js';
import { compileBytecode, type CompileJob } from './bytecode.js';
import { cleanupRoots, findByName, findInstalled, type InstalledDistribution } from './installed.js';
import { withEnvironmentLock } from './lock.js';
import type { InstallPlan } from './plan.js';
import { recoverInterrupted, Transaction, type LinkMode } from './transaction.js';

export interface EnvironmentState {
  readonly installed: readonly InstalledDistribution[];
  /** The side versions on disk; read only when asked for (an environment may hold thousands). */
  readonly sides: () => Promise<readonly SideVersion[]>;
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
  /** How files from the wheel cache are brought in (default: clone where possible, else copy). */
  readonly linkMode?: LinkMode;
  readonly onProgress?: ProgressListener;
}

export async function changeEnvironment<T>(
  options: ChangeOptions,
  decide: (state: EnvironmentState) => Promise<{ change: Change | null; result: T }>,
): Promise<T> {
  const { python } = options;
  const workDir = python.scheme.purelib;
  return withEnvironmentLock(workDir, async () => {
    recoverInterrupted(workDir);
    let sides: Promise<readonly SideVersion[]> | undefined;
    const state: EnvironmentState = { installed: await findInstalled(python), sides: () => (sides ??= knownSideVersions(python)) };
    const { change, result } = await decide(state);
    if (!change) return result;
    const removals = [...change.removals];
    let runtime: InstallPlan | null = null;
    if (change.sidesAfter) {
      const update = await runtimeChange(python, change.sidesAfter, findByName(state.installed, RUNTIME_NAME));
      removals.push(...update.removals);
      runtime = update.plan;
    }
    const txn = Transaction.begin(workDir);
    try {
      for (const f of removals) txn.remove(f);
      // The runtime is imported at every interpreter start: it always gets bytecode.
      const plans = runtime ? [...change.plans, runtime] : change.plans;
      await stagePlans(txn, plans, python, { compile: (plan) => options.compile || plan === runtime, linkMode: options.linkMode ?? 'clone', onProgress: options.onProgress });
      txn.commit(cleanupRoots(python));
    } catch (e) {
      txn.abort();
      throw e;
    }
    return result;
  });
}

interface StagedPlan {
  readonly plan: InstallPlan;
  readonly rows: RecordRow[];
}

/**
 * Stage every plan's files, compile their bytecode in one interpreter process, then
 * write each RECORD rebuilt from what was staged. `compile` says, per plan, whether
 * its sources get bytecode.
 */
interface StageOptions {
  /** Whether a plan's sources get bytecode. */
  readonly compile: (plan: InstallPlan) => boolean;
  readonly linkMode: LinkMode;
  readonly onProgress?: ProgressListener | undefined;
}

async function stagePlans(txn: Transaction, plans: readonly InstallPlan[], python: InterpreterInfo, options: StageOptions): Promise<void> {
  const { compile, linkMode } = options;
  const tick = counter(options.onProgress, 'writing files', plans.reduce((n, p) => n + p.files.length, 0));
  const jobs: CompileJob[] = [];
  const owner = new Map<string, StagedPlan>();
  const stagedPlans: StagedPlan[] = plans.map((plan) => {
    const entry: StagedPlan = { plan, rows: [...(plan.keptRows ?? [])] };
    for (const file of plan.files) {
      let staged: string;
      if ('copyOf' in file) {
        staged = txn.stageCopy(file.target, file.copyOf, linkMode);
        entry.rows.push({ path: relativeTo(plan, file.target), hash: file.copyOf.hash, size: String(file.copyOf.size) });
      } else {
        staged = txn.stageFile(file.target, file.data, file.executable);
        entry.rows.push(recordRowFor(relativeTo(plan, file.target), file.data));
      }
      tick();
      if (compile(plan) && file.target.endsWith('.py')) {
        const job = { source: staged, target: file.target, output: txn.stagedPath() };
        jobs.push(job);
        owner.set(job.output, entry);
      }
    }
    return entry;
  });
  for (const compiled of await compileBytecode(python, jobs, options.onProgress)) {
    const entry = owner.get(compiled.output)!;
    txn.adoptStaged(compiled.output, compiled.target);
    entry.rows.push({ path: relativeTo(entry.plan, compiled.target), hash: compiled.hash, size: String(compiled.size) });
  }
  for (const { plan, rows } of stagedPlans) {
    if (plan.distInfoDir === null) continue;
    const recordPath = path.join(plan.distInfoDir, 'RECORD');
    rows.push({ path: relativeTo(plan, recordPath), hash: '', size: '' });
    txn.stageFile(recordPath, Buffer.from(formatRecord(rows)), false);
  }
}

/** RECORD paths are relative to the plan's lib directory, `/`-separated. */
function relativeTo(plan: InstallPlan, target: string): string {
  return path.relative(plan.libDir, target).split(path.sep).join('/');
}
