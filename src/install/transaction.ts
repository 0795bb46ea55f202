/**
 * Staged, journaled changes to an environment. New files are written into a hidden
 * directory beside the target site-packages; the commit is then a list of renames
 * (old files moved aside, staged files moved in) written to a journal before the first
 * one runs. A commit that is killed midway is rolled back by the next run
 * (`recoverInterrupted`), so a failure never leaves a half-installed distribution.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { SidewheelError } from '../errors.js';
import { fileMode } from '../fs-modes.js';
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
  /** Directories the commit creates, parents first. */
  readonly createdDirs: readonly string[];
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
   * Apply the staged changes. `roots` bound the cleanup of directories emptied by removals.
   */
  commit(roots: readonly string[]): void {
    const moves: Array<[string, string]> = [];
    let aside = 0;
    const moveAside = (target: string): void => {
      moves.push([target, path.join(this.dir, 'old', String(aside++))]);
    };
    for (const target of this.removals) if (exists(target)) moveAside(target);
    for (const { target } of this.additions) if (exists(target) && !this.removals.has(target)) moveAside(target);
    const createdDirs = missingParents(this.additions.map((a) => a.target));
    for (const { staged, target } of this.additions) moves.push([staged, target]);

    writeJournal(this.dir, { moves, createdDirs });
    try {
      for (const dir of createdDirs) fs.mkdirSync(dir);
      for (const [from, to] of moves) fs.renameSync(from, to);
    } catch (e) {
      rollBack(this.dir);
      throw new SidewheelError('IO', `could not write the environment: ${(e as Error).message}`, 'nothing was changed', { cause: e });
    }
    fs.writeFileSync(path.join(this.dir, COMMITTED), '');
    removeEmptyParents([...this.removals], roots);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }

  abort(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Finish or undo transactions a killed run left in `workDir`. Call with the environment's lock held. */
export function recoverInterrupted(workDir: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(workDir);
  } catch {
    return;
  }
  for (const name of names) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(workDir, name);
    if (!exists(path.join(dir, COMMITTED))) rollBack(dir);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function rollBack(dir: string): void {
  let journal: Journal;
  try {
    journal = JSON.parse(fs.readFileSync(path.join(dir, JOURNAL), 'utf8')) as Journal;
  } catch {
    return; // No journal: the commit never started, staging alone is harmless.
  }
  for (const [from, to] of [...journal.moves].reverse()) {
    if (exists(to) && !exists(from)) {
      fs.mkdirSync(path.dirname(from), { recursive: true });
      fs.renameSync(to, from);
    }
  }
  for (const created of [...journal.createdDirs].reverse()) {
    try {
      fs.rmdirSync(created);
    } catch {
      // Not empty or already gone: leave it.
    }
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

/** Directories that must be created for `targets`, parents before children. */
function missingParents(targets: readonly string[]): string[] {
  const known = new Map<string, boolean>();
  const missing: string[] = [];
  const visit = (dir: string): void => {
    if (known.has(dir)) return;
    const parent = path.dirname(dir);
    if (parent !== dir) visit(parent);
    const isThere = exists(dir);
    known.set(dir, isThere);
    if (!isThere) missing.push(dir);
  };
  for (const t of targets) visit(path.dirname(t));
  return missing;
}

function removeEmptyParents(removed: readonly string[], roots: readonly string[]): void {
  const stop = new Set(roots.map((r) => path.resolve(r)));
  const dirs = [...new Set(removed.map((p) => path.dirname(p)))].sort((a, b) => b.length - a.length);
  for (const start of dirs) {
    for (let dir = start; !stop.has(dir) && dir !== path.dirname(dir); dir = path.dirname(dir)) {
      try {
        fs.rmdirSync(dir);
      } catch {
        break;
      }
    }
  }
}
