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
import { SidewheelError } from '../errors.js';
import { normalizeName } from '../names.js';
import { filesClaimedBy, findInstalled, type InstalledDistribution } from './installed.js';
import { withEnvironmentLock } from './lock.js';
import type { InstallPlan } from '../plan/default-install.js';
import { recoverInterrupted, Transaction, type CommitStats, type LinkMode } from './transaction.js';
import { cleanupRoots, siteDirs } from '../python/scheme.js';

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
  /** Told how long the commit's renames took (measurement). */
  readonly onCommit?: (stats: CommitStats) => void;
}

export async function changeEnvironment<T>(
  options: ChangeOptions,
  decide: (state: EnvironmentState) => Promise<{ change: Change | null; result: T }>,
): Promise<T> {
  const { python } = options;
  const workDir = python.scheme.purelib;
  return whileHandlingSignals((signal) =>
    withEnvironmentLock(
      workDir,
      () =>
        asEnvironmentError(workDir, async () => {
          recoverInterrupted(workDir);
          let sides: Promise<readonly SideVersion[]> | undefined;
          const state: EnvironmentState = { installed: await findInstalled(python), sides: () => (sides ??= knownSideVersions(python)) };
          const { change, result } = await decide(state);
          if (!change) return result;
          for (const plan of change.plans) refuseRuntimeClobber(plan, python);
          // The runtime's own place is not checked against other RECORDs: no default install may write there.
          const removals = await withoutOthersFiles(change.removals, state.installed, python);
          let runtime: InstallPlan | null = null;
          if (change.sidesAfter) {
            const occupant = runtimeOccupant(state.installed);
            if (occupant) throw runtimeOccupied(occupant);
            // Only the index when the runtime on disk is this sidewheel's, byte for byte; else all of it, known by place.
            runtime = await runtimeChange(python, change.sidesAfter, state.installed.find(isRuntime)?.distInfoDir);
            if (!runtime.keptRows) removals.push(...runtimeRemovals(python, state.installed));
          }
          const txn = Transaction.begin(workDir);
          try {
            for (const f of removals) txn.remove(f);
            // The runtime is imported at every interpreter start: it always gets bytecode.
            const plans = runtime ? [...change.plans, runtime] : change.plans;
            await stagePlans(txn, plans, python, { compile: (plan) => options.compile || plan === runtime, linkMode: options.linkMode ?? 'clone', onProgress: options.onProgress, signal });
            signal.throwIfAborted();
            const stats = txn.commit(cleanupRoots(python));
            options.onCommit?.(stats);
          } catch (e) {
            txn.abort();
            throw e;
          }
          return result;
        }),
      { signal },
    ),
  );
}

/** Whether a distribution is sidewheel's runtime (and not a project that happens to be called sidewheel). */
export function isRuntime(dist: InstalledDistribution): boolean {
  return normalizeName(dist.name) === RUNTIME_NAME && (dist.metadata.get('Summary') ?? '').startsWith(`${RUNTIME_NAME} runtime`);
}

/** A distribution named like the runtime that is not it: a user's project, which sidewheel must never remove. */
export function runtimeOccupant(installed: readonly InstalledDistribution[]): InstalledDistribution | undefined {
  return installed.find((d) => normalizeName(d.name) === RUNTIME_NAME && !isRuntime(d));
}

/**
 * The runtime's files, known by their place rather than from its RECORD, so a missing,
 * damaged or hostile RECORD never stops it from being rewritten. Its `.dist-info`
 * leaves whole, as does the package (a link in its place is removed as a link).
 */
function runtimeRemovals(python: InterpreterInfo, installed: readonly InstalledDistribution[]): string[] {
  const purelib = python.scheme.purelib;
  return [...installed.filter(isRuntime).map((d) => d.distInfoDir), ...runtimeTopLevel.map((name) => path.join(purelib, name))];
}

function runtimeOccupied(occupant: InstalledDistribution): SidewheelError {
  return new SidewheelError('ALREADY_INSTALLED', `a project named ${RUNTIME_NAME} (${occupant.distInfoDir}) occupies the place of sidewheel's runtime, so side versions cannot be activated here`, `uninstall that project to use side versions in this environment`);
}

const runtimeTopLevel = [RUNTIME_NAME, `${RUNTIME_NAME}.pth`, `${RUNTIME_NAME}.start`];

/** A default install must not overwrite the runtime: it would silently stop every side version from being activated. */
function refuseRuntimeClobber(plan: InstallPlan, python: InterpreterInfo): void {
  for (const site of siteDirs(python)) {
    for (const file of plan.files) {
      if (!file.target.startsWith(site + path.sep)) continue;
      const top = path.relative(site, file.target).split(path.sep)[0]!;
      if (runtimeTopLevel.includes(top) || (top.startsWith(`${RUNTIME_NAME}-`) && top.endsWith('.dist-info'))) {
        throw new SidewheelError('BAD_WHEEL', `${plan.label}: installs ${top} into ${site}, which is sidewheel's runtime`, 'sidewheel cannot install a project that replaces its own runtime as a default; install it with --side, or with pip into another environment');
      }
    }
  }
}

/** Removals minus files another installed distribution's RECORD lists too (pip's uninstall would break that one). */
async function withoutOthersFiles(removals: readonly string[], installed: readonly InstalledDistribution[], python: InterpreterInfo): Promise<string[]> {
  if (removals.length === 0) return [];
  const leaving = new Set(removals);
  const staying = installed.filter((d) => !leaving.has(d.distInfoDir));
  const claimed = await filesClaimedBy(staying, python);
  return removals.filter((f) => !claimed.has(f));
}

const SIGNALS = { SIGINT: 'INTERRUPTED', SIGTERM: 'TERMINATED' } as const;

/**
 * SIGINT and SIGTERM abort the work at its next check (between files while staging,
 * the bytecode compiler at once); the caller's cleanup rolls back, and the error
 * carries the signal's exit code. A commit already running finishes first: it is short,
 * and stopping it midway would only hand the next run a rollback. A second signal
 * kills at once (the next run rolls back).
 */
async function whileHandlingSignals<T>(work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const handlers = Object.entries(SIGNALS).map(([name, code]) => {
    const handler = (): void => {
      if (controller.signal.aborted) {
        for (const [n, h] of handlers) process.off(n, h);
        process.kill(process.pid, name);
        return;
      }
      controller.abort(new SidewheelError(code, `stopped by ${name}`, 'nothing was changed'));
    };
    process.on(name, handler);
    return [name, handler] as const;
  });
  try {
    const result = await work(controller.signal);
    if (controller.signal.aborted) {
      const reason = controller.signal.reason as SidewheelError;
      throw new SidewheelError(reason.code, `${reason.message} after the change was complete`);
    }
    return result;
  } finally {
    for (const [name, handler] of handlers) process.off(name, handler);
  }
}

const ENVIRONMENT_ERRORS = new Set(['ENOSPC', 'EDQUOT', 'EROFS', 'EACCES', 'EPERM', 'EMFILE', 'ENFILE', 'EIO', 'ENAMETOOLONG', 'EMLINK']);

/** The filesystem refusing a write (full, out of inodes, read-only) is the environment's problem, not a bug: one line, exit 8. */
async function asEnvironmentError<T>(dir: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (!(e instanceof SidewheelError) && code && ENVIRONMENT_ERRORS.has(code)) {
      throw new SidewheelError('IO', `cannot write ${dir}: ${(e as Error).message}`, 'nothing was changed', { cause: e });
    }
    throw e;
  }
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
  /** Checked between files: staging stops when it aborts. */
  readonly signal: AbortSignal;
}

async function stagePlans(txn: Transaction, plans: readonly InstallPlan[], python: InterpreterInfo, options: StageOptions): Promise<void> {
  const { compile, linkMode } = options;
  const tick = counter(options.onProgress, 'writing files', plans.reduce((n, p) => n + p.files.length, 0));
  const jobs: CompileJob[] = [];
  const owner = new Map<string, StagedPlan>();
  const pause = pauseForSignals(options.signal);
  const stagedPlans: StagedPlan[] = [];
  for (const plan of plans) {
    const entry: StagedPlan = { plan, rows: [...(plan.keptRows ?? [])] };
    stagedPlans.push(entry);
    for (const file of plan.files) {
      await pause();
      let staged: string;
      let row: RecordRow;
      if ('copyOf' in file) {
        staged = txn.stageCopy(file.target, file.copyOf, linkMode);
        row = { path: relativeTo(plan, file.target), hash: file.copyOf.hash, size: String(file.copyOf.size) };
      } else {
        staged = txn.stageFile(file.target, file.data, file.executable);
        row = recordRowFor(relativeTo(plan, file.target), file.data);
      }
      entry.rows.push(file.unhashed ? { ...row, hash: '', size: '' } : row);
      tick();
      if (compile(plan) && file.target.endsWith('.py')) {
        const job = { source: staged, target: file.target, output: txn.stagedPath() };
        jobs.push(job);
        owner.set(job.output, entry);
      }
    }
  }
  for (const compiled of await compileBytecode(python, jobs, { onProgress: options.onProgress, signal: options.signal })) {
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

/**
 * Staging is synchronous file by file, and a signal's handler only runs when the event
 * loop turns: yield to it every few milliseconds (cheap: a turn costs microseconds),
 * then stop if a signal asked to.
 */
function pauseForSignals(signal: AbortSignal): () => Promise<void> {
  let last = performance.now();
  return async () => {
    if (performance.now() - last < 20) return;
    await new Promise((resolve) => setImmediate(resolve));
    last = performance.now();
    signal.throwIfAborted();
  };
}

/** RECORD paths are relative to the plan's lib directory, `/`-separated. */
function relativeTo(plan: InstallPlan, target: string): string {
  return path.relative(plan.libDir, target).split(path.sep).join('/');
}
