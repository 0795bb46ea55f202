/**
 * Staged, journaled changes to an environment. New files are written into a hidden
 * directory beside the target site-packages; the commit is then a list of renames
 * (old files and `.dist-info` directories moved aside, staged files and whole new
 * directories moved in) written to a journal before the first one runs. A commit that
 * is killed midway is rolled back by the next run (`recoverInterrupted`), one killed
 * after it finished has its cleanup completed, so a failure never leaves a
 * half-installed distribution or an emptied directory behind.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SidewheelError } from '../errors.js';
import { fileMode } from '../fs-modes.js';
import { ownerAlive, readOwner, writeOwner } from './lock.js';
import { forEachChunk } from '../wheel/archive.js';
import type { CachedCopy } from '../wheel/wheel.js';

/** How files from the cache reach an environment. */
export type LinkMode = 'clone' | 'copy' | 'hardlink';

const PREFIX = '.sidewheel-txn-';
const JOURNAL = 'journal.json';
const COMMITTED = 'committed';

interface Journal {
  /** Renames in execution order; rollback undoes them in reverse. */
  readonly moves: ReadonlyArray<readonly [from: string, to: string]>;
  /** Directories removals may have emptied, deleted once committed (by recovery if the run died first). */
  readonly emptied: readonly string[];
  /** Directories never deleted. */
  readonly roots: readonly string[];
}

export interface CommitStats {
  readonly renames: number;
  /** Milliseconds from the first rename into the environment to the last. */
  readonly windowMs: number;
}

export class Transaction {
  private readonly additions: Array<{ staged: string; target: string }> = [];
  private readonly removals = new Set<string>();
  private counter = 0;

  private constructor(readonly dir: string) {}

  /** Start a transaction whose staging area lives in `workDir` (same filesystem as the targets, so renames are atomic). */
  static begin(workDir: string): Transaction {
    const dir = path.join(workDir, PREFIX + randomBytes(6).toString('hex'));
    fs.mkdirSync(path.join(dir, 'new'), { recursive: true });
    fs.mkdirSync(path.join(dir, 'old'));
    // Recovery leaves a transaction alone while the process that owns it lives.
    writeOwner(dir);
    return new Transaction(dir);
  }

  /** Write a file into staging; it reaches `target` at commit. Returns the staged path. */
  stageFile(target: string, data: Buffer, executable: boolean): string {
    const staged = this.stagedPath();
    const mode = fileMode(executable);
    fs.writeFileSync(staged, data, { mode });
    // The umask cannot add bits, but `| 0o111` can: make sure executables get them.
    if (executable) fs.chmodSync(staged, mode);
    this.additions.push({ staged, target });
    return staged;
  }

  /**
   * Stage a copy of a file that is already on disk (a cache entry). `clone` shares blocks
   * copy-on-write where the filesystem can and copies where it cannot; `hardlink` shares
   * the file itself, so an edit in one place shows in the other.
   */
  stageCopy(target: string, source: CachedCopy, linkMode: LinkMode): string {
    // Unpacked for this install alone, hidden, beside the environment: it is staged where it is.
    if (source.movable) {
      this.adoptStaged(source.file, target);
      return source.file;
    }
    const staged = this.stagedPath();
    if (source.offset !== undefined) copyRange(source, staged);
    else if (linkMode === 'hardlink') fs.linkSync(source.file, staged);
    // A copy keeps the cached file's mode, which was set from the same rules when it was cached.
    else fs.copyFileSync(source.file, staged, linkMode === 'clone' ? fs.constants.COPYFILE_FICLONE : 0);
    this.additions.push({ staged, target });
    return staged;
  }

  /** Adopt a file written elsewhere at `staged`: by another process in this transaction's directory, or unpacked hidden beside the environment (same filesystem). */
  adoptStaged(staged: string, target: string): void {
    this.additions.push({ staged, target });
  }

  /** A fresh path inside the staging area for a file that is not written by stageFile. */
  stagedPath(): string {
    return path.join(this.dir, 'new', String(this.counter++));
  }

  remove(target: string): void {
    this.removals.add(target);
  }

  /**
   * Apply the staged changes in as few renames as the layout allows, ordered so that
   * every `.dist-info` present at any instant matches its RECORD: `.dist-info`
   * directories leave first, whole; files go into existing directories one by one;
   * each new directory is built whole in staging and renamed in at once; what lands in
   * a `.dist-info` comes last (its RECORD last of all). Nothing is written through a
   * symbolic link below a root. `roots` are the directories the environment is made of
   * (site directories, scripts, data): removals may empty them but never delete them.
   */
  commit(roots: readonly string[]): CommitStats {
    const rootDirs = roots.map((r) => path.resolve(r));
    const removals = [...this.removals].filter(exists).sort((a, b) => Number(isDistInfoDir(b)) - Number(isDistInfoDir(a)));
    const removed = new Set(removals);
    const isGone = (p: string): boolean => {
      for (let d = p; d !== path.dirname(d); d = path.dirname(d)) if (removed.has(d)) return true;
      return false;
    };
    const dirPresent = memo((dir: string) => exists(dir) && !isGone(dir));
    const assertNoLink = memo((dir: string) => assertNoSymlinkBelowRoot(dir, rootDirs));

    const moves: Array<[string, string]> = [];
    let aside = 0;
    const moveAside = (target: string): void => {
      moves.push([target, path.join(this.dir, 'old', String(aside++))]);
    };
    for (const target of removals) moveAside(target);

    const direct: Array<[string, string]> = [];
    const trees = new Map<string, string>();
    const treeDirs = new Set<string>();
    for (const { staged, target } of this.additions) {
      const parent = path.dirname(target);
      let top: string | null = null;
      for (let d = parent; !dirPresent(d) && d !== path.dirname(d); d = path.dirname(d)) top = d;
      assertNoLink(path.dirname(top ?? target));
      if (top === null) {
        if (exists(target) && !isGone(target)) moveAside(target);
        direct.push([staged, target]);
        continue;
      }
      let tree = trees.get(top);
      if (tree === undefined) {
        tree = path.join(this.dir, 'tree', String(trees.size));
        trees.set(top, tree);
      }
      const dest = path.join(tree, path.relative(top, target));
      if (!treeDirs.has(path.dirname(dest))) {
        fs.mkdirSync(path.dirname(dest), { recursive: true });
        treeDirs.add(path.dirname(dest));
      }
      fs.renameSync(staged, dest); // Inside staging: invisible until the tree is renamed in.
    }
    const treeMoves = [...trees].map(([top, tree]): [string, string] => [tree, top]);
    const last = ([, to]: readonly [string, string]): boolean => inDistInfo(to);
    moves.push(...direct.filter((m) => !last(m)), ...treeMoves.filter((m) => !last(m)), ...direct.filter(last), ...treeMoves.filter(last));

    const emptied = [...new Set(removals.map((p) => path.dirname(p)))];
    writeJournal(this.dir, { moves, emptied, roots: rootDirs });
    const started = performance.now();
    try {
      for (const [from, to] of moves) fs.renameSync(from, to);
    } catch (e) {
      rollBack(this.dir);
      throw new SidewheelError('IO', `could not write the environment: ${(e as Error).message}`, 'nothing was changed', { cause: e });
    }
    const windowMs = performance.now() - started;
    fs.writeFileSync(path.join(this.dir, COMMITTED), '');
    removeEmptyParents(emptied, rootDirs);
    removeTransactionDir(this.dir);
    return { renames: moves.length, windowMs };
  }

  abort(): void {
    removeTransactionDir(this.dir);
  }
}

/** Transactions in `workDir` whose owner is gone: what a killed run left. */
export function interruptedTransactions(workDir: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(workDir);
  } catch {
    return [];
  }
  return names
    .filter((name) => name.startsWith(PREFIX))
    .map((name) => path.join(workDir, name))
    .filter((dir) => {
      const owner = readOwner(dir);
      return owner === null || !ownerAlive(owner);
    });
}

/**
 * Finish or undo transactions a killed run left in `workDir`: roll back a commit cut off
 * midway, complete the cleanup of one that committed. Call with the environment's lock
 * held; a transaction whose owner still lives is not touched.
 */
export function recoverInterrupted(workDir: string): void {
  for (const dir of interruptedTransactions(workDir)) {
    try {
      if (exists(path.join(dir, COMMITTED))) {
        const journal = readJournal(dir);
        if (journal) removeEmptyParents(journal.emptied ?? [], journal.roots ?? []);
      } else rollBack(dir);
    } catch (e) {
      throw new SidewheelError('IO', `cannot recover the interrupted change in ${dir}: ${(e as Error).message}`, 'run sidewheel doctor', { cause: e });
    }
    removeTransactionDir(dir);
  }
}

function readJournal(dir: string): Journal | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, JOURNAL), 'utf8')) as Journal;
  } catch {
    return null; // No journal: the commit never started, staging alone is harmless.
  }
}

function rollBack(dir: string): void {
  const journal = readJournal(dir);
  if (!journal) return;
  for (const [from, to] of [...journal.moves].reverse()) {
    if (exists(to) && !exists(from)) {
      fs.mkdirSync(path.dirname(from), { recursive: true });
      fs.renameSync(to, from);
    }
  }
}

/**
 * Delete a transaction's directory. A killed run's bytecode compiler may still be
 * writing into it for a moment (it exits when it notices its parent is gone): retry,
 * and if it still fails leave it for the next run rather than fail this one.
 */
function removeTransactionDir(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  } catch {
    // Harmless where it is; the next run (or doctor) removes it.
  }
}

/** Copy a range of a file (a wheel stored in a bundle) in bounded chunks. */
function copyRange(source: CachedCopy, staged: string): void {
  const output = fs.openSync(staged, 'wx', fileMode(false));
  try {
    forEachChunk({ file: source.file, offset: source.offset ?? 0, size: source.size }, (chunk) => {
      for (let written = 0; written < chunk.length; ) written += fs.writeSync(output, chunk, written, chunk.length - written);
    });
  } finally {
    fs.closeSync(output);
  }
}

function writeJournal(dir: string, journal: Journal): void {
  const tmp = path.join(dir, JOURNAL + '.tmp');
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeSync(fd, JSON.stringify(journal));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, path.join(dir, JOURNAL));
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function memo<T>(f: (key: string) => T): (key: string) => T {
  const seen = new Map<string, T>();
  return (key) => {
    if (!seen.has(key)) seen.set(key, f(key));
    return seen.get(key)!;
  };
}

function isDistInfoDir(p: string): boolean {
  return p.endsWith('.dist-info');
}

function inDistInfo(p: string): boolean {
  return p.split(path.sep).some(isDistInfoDir);
}

/** Refuse when a directory a file would be written into is reached through a symbolic link below its root. */
function assertNoSymlinkBelowRoot(dir: string, roots: readonly string[]): void {
  const root = roots.filter((r) => dir === r || dir.startsWith(r + path.sep)).sort((a, b) => b.length - a.length)[0];
  if (root === undefined) return;
  let real: string;
  try {
    real = fs.realpathSync(dir);
  } catch {
    return; // Not there yet: the rename itself will fail cleanly.
  }
  if (real === path.join(fs.realpathSync(root), path.relative(root, dir))) return;
  let link = dir;
  for (let d = dir; d !== root; d = path.dirname(d)) if (fs.lstatSync(d).isSymbolicLink()) link = d;
  throw new SidewheelError('IO', `${link} is a symbolic link; sidewheel does not write through it`, 'nothing was changed; remove the link, or install elsewhere');
}

/** Delete directories left empty by removals, walking up, never a root. */
function removeEmptyParents(dirs: readonly string[], roots: readonly string[]): void {
  const stop = new Set(roots.map((r) => path.resolve(r)));
  const inside = (d: string): boolean => roots.some((r) => d.startsWith(r + path.sep));
  for (const start of [...dirs].filter(inside).sort((a, b) => b.length - a.length)) {
    for (let dir = start; !stop.has(dir) && dir !== path.dirname(dir); dir = path.dirname(dir)) {
      try {
        fs.rmdirSync(dir);
      } catch {
        break;
      }
    }
  }
}
