/**
 * One sidewheel at a time per environment. The lock is a directory holding the
 * holder's identity (pid, the process's start time, host), renamed into place whole so
 * it never exists without its owner. There is no heartbeat: a busy holder keeps its lock
 * however long its synchronous work takes, because a lock is stale only when its holder
 * is provably gone: on this host, the pid is dead or now names a process that started
 * at another time; on another host (a shared filesystem), the lock is a day old.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SidewheelError } from '../errors.js';

const LOCK_NAME = '.sidewheel.lock';
const OWNER_FILE = 'owner.json';
/** How long a lock whose holder is on another host is trusted. */
const FOREIGN_STALE_MS = 24 * 3600_000;
/** A lock directory without an owner (an older sidewheel's, refreshed every 5 s) is stale when untouched this long. */
const ANONYMOUS_STALE_MS = 20_000;
/** A live holder is waited for this long before giving up. */
const WAIT_MS = 10 * 60_000;

/** Who holds a lock or runs a transaction. */
export interface ProcessOwner {
  readonly pid: number;
  /** /proc/<pid>/stat field 22 (start time in clock ticks since boot); null where /proc is absent. */
  readonly start: string | null;
  readonly host: string;
  /** When it was taken, ms since the epoch. */
  readonly since: number;
}

function processStart(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last `)`.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}

let self: Omit<ProcessOwner, 'since'> | undefined;
export function currentOwner(): ProcessOwner {
  self ??= { pid: process.pid, start: processStart(process.pid), host: os.hostname() };
  return { ...self, since: Date.now() };
}

/** False only when the owner is certainly gone; an owner on another host is presumed alive for a day. */
export function ownerAlive(owner: ProcessOwner): boolean {
  if (owner.host !== os.hostname()) return Date.now() - owner.since < FOREIGN_STALE_MS;
  try {
    process.kill(owner.pid, 0);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const start = processStart(owner.pid);
  return owner.start === null || start === null || start === owner.start;
}

export function readOwner(dir: string): ProcessOwner | null {
  try {
    const o = JSON.parse(fs.readFileSync(path.join(dir, OWNER_FILE), 'utf8')) as Partial<ProcessOwner>;
    if (typeof o.pid !== 'number' || typeof o.host !== 'string' || typeof o.since !== 'number') return null;
    return { pid: o.pid, start: typeof o.start === 'string' ? o.start : null, host: o.host, since: o.since };
  } catch {
    return null;
  }
}

export function writeOwner(dir: string, owner: ProcessOwner = currentOwner()): void {
  fs.writeFileSync(path.join(dir, OWNER_FILE), JSON.stringify(owner));
}

function sameOwner(a: ProcessOwner | null, b: ProcessOwner | null): boolean {
  return a !== null && b !== null && a.pid === b.pid && a.start === b.start && a.host === b.host && a.since === b.since;
}

export interface LockOptions {
  /** Stop waiting (and throw what the signal carries) when it aborts. */
  readonly signal?: AbortSignal;
  readonly waitMs?: number;
}

export async function withEnvironmentLock<T>(siteDir: string, work: () => Promise<T>, options: LockOptions = {}): Promise<T> {
  const lockDir = path.join(siteDir, LOCK_NAME);
  const me = currentOwner();
  await acquire(lockDir, me, options);
  try {
    removeScratchLeftovers(siteDir);
    return await work();
  } finally {
    // Only ever remove our own lock.
    if (sameOwner(readOwner(lockDir), me)) removeAside(lockDir);
  }
}

async function acquire(lockDir: string, me: ProcessOwner, options: LockOptions): Promise<void> {
  const deadline = Date.now() + (options.waitMs ?? WAIT_MS);
  let pause = 20;
  for (;;) {
    options.signal?.throwIfAborted();
    if (tryCreate(lockDir, me)) return;
    const holder = readOwner(lockDir);
    if (isStale(lockDir, holder)) {
      breakStale(lockDir, holder);
      continue;
    }
    if (Date.now() > deadline) {
      const who = holder ? `sidewheel (pid ${holder.pid} on ${holder.host}, since ${new Date(holder.since).toISOString()})` : 'another sidewheel';
      throw new SidewheelError('LOCKED', `${who} has held ${path.dirname(lockDir)} for over ${Math.round((options.waitMs ?? WAIT_MS) / 60_000)} minutes`, `if it is not running, remove ${lockDir}`);
    }
    await sleep(pause, undefined, { signal: options.signal }).catch(() => undefined);
    pause = Math.min(pause * 2, 250);
  }
}

/**
 * Scratch names beside the lock (a lock being built, or being removed) carry their
 * maker's pid and start time, so what a killed run left is recognisable at once.
 */
function scratchName(lockDir: string, what: string): string {
  const { pid, start } = currentOwner();
  return `${lockDir}.${pid}-${start ?? 'x'}.${what}-${randomBytes(6).toString('hex')}`;
}

const SCRATCH = /^\.sidewheel\.lock\.(\d+)-(\w+)\./;

/** What killed runs left of the lock: the lock itself when its holder is gone, and lock directories half made or half removed. */
export function lockLeftovers(siteDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(siteDir);
  } catch {
    return [];
  }
  const lockDir = path.join(siteDir, LOCK_NAME);
  return names
    .filter((name) => {
      if (name === LOCK_NAME) return isStale(lockDir, readOwner(lockDir));
      const m = SCRATCH.exec(name);
      return m !== null && !ownerAlive({ pid: Number(m[1]), start: m[2] === 'x' ? null : m[2]!, host: os.hostname(), since: Date.now() });
    })
    .map((name) => path.join(siteDir, name));
}

/** Delete scratch directories killed runs left (the caller holds the lock, so the lock itself is not among them). */
function removeScratchLeftovers(siteDir: string): void {
  for (const dir of lockLeftovers(siteDir)) if (path.basename(dir) !== LOCK_NAME) fs.rmSync(dir, { recursive: true, force: true });
}

/** The lock appears atomically with its owner inside: built aside, then renamed into place. */
function tryCreate(lockDir: string, me: ProcessOwner): boolean {
  const tmp = scratchName(lockDir, 'new');
  try {
    fs.mkdirSync(tmp);
    writeOwner(tmp, me);
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    throw new SidewheelError('IO', `cannot lock ${path.dirname(lockDir)}: ${(e as Error).message}`, 'is the environment writable?', { cause: e });
  }
  try {
    fs.renameSync(tmp, lockDir);
    return true;
  } catch (e) {
    fs.rmSync(tmp, { recursive: true, force: true });
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTEMPTY' || code === 'EEXIST' || code === 'ENOTDIR' || code === 'EISDIR') return false;
    throw new SidewheelError('IO', `cannot lock ${path.dirname(lockDir)}: ${(e as Error).message}`, 'is the environment writable?', { cause: e });
  }
}

function isStale(lockDir: string, holder: ProcessOwner | null): boolean {
  if (holder) return !ownerAlive(holder);
  try {
    return Date.now() - fs.statSync(lockDir).mtimeMs > ANONYMOUS_STALE_MS;
  } catch {
    return false; // Gone meanwhile: the next attempt takes it.
  }
}

/**
 * Remove a stale lock, unless it changed hands since it was judged stale: two waiters may
 * both see the same dead holder, and the slower one must not remove the lock the faster
 * one took meanwhile. A short-lived `.break` directory serialises the check and removal.
 */
function breakStale(lockDir: string, judged: ProcessOwner | null): void {
  const breaker = `${lockDir}.break`;
  try {
    fs.mkdirSync(breaker);
  } catch {
    // Another waiter is breaking it; a breaker killed midway is cleared after a while.
    try {
      if (Date.now() - fs.statSync(breaker).mtimeMs > ANONYMOUS_STALE_MS) fs.rmdirSync(breaker);
    } catch {
      // Gone meanwhile.
    }
    return;
  }
  try {
    const now = readOwner(lockDir);
    if (judged === null ? now === null : sameOwner(now, judged)) removeAside(lockDir);
  } finally {
    fs.rmdirSync(breaker);
  }
}

/** Rename then delete, so the lock's name is free at once even if the delete is slow or fails. */
function removeAside(dir: string): void {
  const aside = scratchName(dir, 'gone');
  try {
    fs.renameSync(dir, aside);
  } catch {
    return;
  }
  fs.rmSync(aside, { recursive: true, force: true });
}
