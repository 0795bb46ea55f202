/**
 * `doctor`: is the environment as sidewheel left it? The runtime present, intact (every
 * file as its RECORD says, bytecode included) and current, the index agreeing with the
 * side versions on disk, no interrupted change, no empty `.dist-info` shadowing a
 * distribution. Each problem is reported once. With fix, the runtime and index are
 * rewritten (its files are known by place, so a missing or hostile RECORD does not stop
 * that), interrupted work is recovered and empty `.dist-info` directories removed;
 * nothing outside the environment is read through a link, followed or removed, and a
 * project that merely bears the runtime's name is never touched.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { changeEnvironment, isRuntime, runtimeOccupant } from './environment/apply.js';
import { findInstalled, type InstalledDistribution } from './environment/installed.js';
import { lockLeftovers } from './environment/lock.js';
import { interruptedTransactions } from './environment/transaction.js';
import type { InterpreterInfo } from './python/interpreter.js';
import { INDEX_FILE } from './runtime/index-file.js';
import { runtimePlan, RUNTIME_NAME } from './runtime/render.js';
import { scanSideVersions, type SideVersion } from './runtime/side-versions.js';
import { parseRecord, recordHash } from './wheel/record.js';
import { siteDirs } from './python/scheme.js';

export interface Problem {
  readonly message: string;
  /** Whether --fix repairs it. */
  readonly fixable: boolean;
}

export interface DoctorReport {
  readonly problems: readonly Problem[];
  /** Whether --fix ran. */
  readonly fixed: boolean;
  /** What is still wrong after the fix (the problems themselves when there was none). */
  readonly remaining: readonly Problem[];
}

export async function diagnose(python: InterpreterInfo): Promise<Problem[]> {
  const problems: Problem[] = [];
  const installed = await findInstalled(python);
  const sides = await scanSideVersions(python);
  const occupant = runtimeOccupant(installed);
  const runtime = installed.find(isRuntime);
  if (occupant) {
    problems.push({ message: `a project named ${RUNTIME_NAME} (${occupant.distInfoDir}, not sidewheel's runtime) occupies the runtime's place, so side versions cannot be activated`, fixable: false });
  } else if (sides.length > 0 && !runtime) {
    problems.push({ message: `the runtime is missing, so ${sides.length} side version(s) cannot be activated`, fixable: true });
  } else if (runtime) {
    problems.push(...(await checkRuntime(python, runtime, sides)));
  }
  for (const dir of interruptedTransactions(python.scheme.purelib)) problems.push({ message: `an interrupted change left ${dir}`, fixable: true });
  const locks = lockLeftovers(python.scheme.purelib);
  if (locks.length > 0) problems.push({ message: `a killed run left its lock (${locks.join(', ')})`, fixable: true });
  for (const dir of await emptyDistInfos(python)) problems.push({ message: `${dir} is empty and hides the distribution's metadata`, fixable: true });
  for (const site of siteDirs(python)) {
    for (const entry of await fs.readdir(site, { withFileTypes: true }).catch(() => [])) {
      if (entry.name.endsWith('.whl') && entry.isSymbolicLink()) {
        problems.push({ message: `${path.join(site, entry.name)} is a symbolic link; sidewheel does not follow it`, fixable: false });
      }
    }
  }
  return problems;
}

/** The runtime against its RECORD (catches damaged bytecode too) and against what this sidewheel renders. */
async function checkRuntime(python: InterpreterInfo, runtime: InstalledDistribution, sides: readonly SideVersion[]): Promise<Problem[]> {
  const purelib = python.scheme.purelib;
  const problems: Problem[] = [];
  const recordText = await fs.readFile(path.join(runtime.distInfoDir, 'RECORD'), 'utf8').catch(() => null);
  if (recordText === null) problems.push({ message: `the runtime's RECORD (${runtime.distInfoDir}) is missing`, fixable: true });
  else {
    const outside: string[] = [];
    const damaged: string[] = [];
    for (const row of parseRecord(recordText)) {
      const file = path.resolve(purelib, row.path);
      if (!file.startsWith(purelib + path.sep)) outside.push(row.path);
      else if (row.hash !== '' && !(await matches(file, row.hash))) damaged.push(file);
    }
    if (outside.length > 0) problems.push({ message: `the runtime's RECORD lists ${outside.length} path(s) outside ${purelib} (${outside[0]}, ...)`, fixable: true });
    if (damaged.length > 0) problems.push({ message: `${damaged.length} runtime file(s) are missing or damaged (${damaged[0]}${damaged.length > 1 ? ', ...' : ''})`, fixable: true });
  }
  const differing: string[] = [];
  for (const file of runtimePlan(python, sides).files) {
    if (!('data' in file)) continue; // The runtime is always rendered from bytes.
    const actual = await readRegularFile(file.target);
    if (actual !== null && actual.equals(file.data)) continue;
    if (file.target.endsWith(INDEX_FILE)) problems.push({ message: `the index ${file.target} does not match the side versions on disk`, fixable: true });
    else differing.push(file.target);
  }
  if (differing.length > 0) problems.push({ message: `the runtime differs from this sidewheel's in ${differing.length} file(s) (${differing[0]}${differing.length > 1 ? ', ...' : ''})`, fixable: true });
  return problems;
}

/** A regular file's bytes; null when it is missing, a link or anything else. */
async function readRegularFile(file: string): Promise<Buffer | null> {
  const st = await fs.lstat(file).catch(() => null);
  return st?.isFile() ? fs.readFile(file) : null;
}

async function matches(file: string, hash: string): Promise<boolean> {
  const data = await readRegularFile(file);
  return data !== null && recordHash(data) === hash;
}

async function emptyDistInfos(python: InterpreterInfo): Promise<string[]> {
  const found: string[] = [];
  for (const site of siteDirs(python)) {
    for (const entry of await fs.readdir(site, { withFileTypes: true }).catch(() => [])) {
      if (!entry.isDirectory() || !entry.name.endsWith('.dist-info')) continue;
      const dir = path.join(site, entry.name);
      if ((await fs.readdir(dir).catch(() => [''])).length === 0) found.push(dir);
    }
  }
  return found;
}

export async function doctor(python: InterpreterInfo, fix: boolean): Promise<DoctorReport> {
  const problems = await diagnose(python);
  if (!fix || !problems.some((p) => p.fixable)) return { problems, fixed: false, remaining: problems };
  const empty = await emptyDistInfos(python);
  await changeEnvironment({ python, compile: true }, async (state) => {
    // The index is rebuilt from what is on disk, not from itself.
    const rewriteRuntime = !runtimeOccupant(state.installed) && (state.installed.some(isRuntime) || (await scanSideVersions(python)).length > 0);
    return { change: { plans: [], removals: empty, sidesAfter: rewriteRuntime ? await scanSideVersions(python) : null }, result: undefined };
  });
  return { problems, fixed: true, remaining: await diagnose(python) };
}
