/**
 * A killed run leaves nothing visible: the next run's recovery rolls back a commit that
 * was cut off midway, throws away staging that never reached a commit, and only cleans
 * up after one that finished.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { currentOwner, writeOwner, type ProcessOwner } from '../src/environment/lock.js';
import { recoverInterrupted, Transaction } from '../src/environment/transaction.js';
import { snapshotTree, tempDir } from './helpers/env.js';

const work = tempDir();
after(() => work.cleanup());

function site(name: string): string {
  const dir = path.join(work.dir, name);
  mkdirSync(path.join(dir, 'pkg'), { recursive: true });
  writeFileSync(path.join(dir, 'pkg', 'old.py'), 'old\n');
  writeFileSync(path.join(dir, 'keep.py'), 'keep\n');
  return dir;
}

test('a commit cut off midway is rolled back', () => {
  const dir = site('midway');
  const before = snapshotTree(dir);
  const txnDir = path.join(dir, '.sidewheel-txn-killed');
  mkdirSync(path.join(txnDir, 'new'), { recursive: true });
  mkdirSync(path.join(txnDir, 'old'));
  writeFileSync(path.join(txnDir, 'new', '0'), 'new\n');
  mkdirSync(path.join(txnDir, 'tree', '0'), { recursive: true });
  writeFileSync(path.join(txnDir, 'tree', '0', 'added.py'), 'added\n');
  const moves = [
    [path.join(dir, 'pkg', 'old.py'), path.join(txnDir, 'old', '0')],
    [path.join(txnDir, 'new', '0'), path.join(dir, 'pkg', 'old.py')],
    [path.join(txnDir, 'tree', '0'), path.join(dir, 'fresh')],
  ];
  writeFileSync(path.join(txnDir, 'journal.json'), JSON.stringify({ moves, emptied: [], roots: [dir] }));
  // The process died after all three renames, before the commit marker.
  for (const [from, to] of moves) renameSync(from!, to!);
  recoverInterrupted(dir);
  assert.deepEqual(snapshotTree(dir), before);
  assert.equal(readFileSync(path.join(dir, 'pkg', 'old.py'), 'utf8'), 'old\n');
});

/** An owner that is certainly gone: a process that has exited. */
function deadOwner(): ProcessOwner {
  const child = spawnSync(process.execPath, ['-e', 'console.log(process.pid)'], { encoding: 'utf8' });
  return { ...currentOwner(), pid: Number(child.stdout.trim()), start: '1' };
}

test('staging that never reached a commit is thrown away', () => {
  const dir = site('staged');
  const before = snapshotTree(dir);
  const txn = Transaction.begin(dir);
  txn.stageFile(path.join(dir, 'pkg', 'new.py'), Buffer.from('x'), false);
  writeOwner(txn.dir, deadOwner());
  recoverInterrupted(dir);
  assert.deepEqual(snapshotTree(dir), before);
});

test('a transaction whose owner lives is never recovered', () => {
  const dir = site('alive');
  const txn = Transaction.begin(dir);
  txn.stageFile(path.join(dir, 'pkg', 'new.py'), Buffer.from('x'), false);
  recoverInterrupted(dir);
  assert.ok(existsSync(txn.dir));
  txn.commit([dir]);
  assert.equal(readFileSync(path.join(dir, 'pkg', 'new.py'), 'utf8'), 'x');
});

test('a run killed just after its commit marker leaves no emptied directory once recovered', () => {
  const dir = site('marker');
  mkdirSync(path.join(dir, 'old-1.0.dist-info'));
  writeFileSync(path.join(dir, 'old-1.0.dist-info', 'RECORD'), '');
  const txnDir = path.join(dir, '.sidewheel-txn-marker');
  mkdirSync(path.join(txnDir, 'old'), { recursive: true });
  writeOwner(txnDir, deadOwner());
  const moves = [
    [path.join(dir, 'old-1.0.dist-info', 'RECORD'), path.join(txnDir, 'old', '0')],
    [path.join(dir, 'pkg', 'old.py'), path.join(txnDir, 'old', '1')],
  ];
  for (const [from, to] of moves) renameSync(from!, to!);
  writeFileSync(path.join(txnDir, 'journal.json'), JSON.stringify({ moves, emptied: [path.join(dir, 'old-1.0.dist-info'), path.join(dir, 'pkg')], roots: [dir] }));
  writeFileSync(path.join(txnDir, 'committed'), '');
  recoverInterrupted(dir);
  assert.deepEqual([...snapshotTree(dir).keys()], ['keep.py']);
});

test('nothing is written through a symbolic link below a root', () => {
  const dir = site('linked');
  const outside = path.join(work.dir, 'outside');
  mkdirSync(outside, { recursive: true });
  symlinkSync(outside, path.join(dir, 'side-1.0-py3-none-any.whl'));
  const before = snapshotTree(dir);
  const txn = Transaction.begin(dir);
  txn.stageFile(path.join(dir, 'side-1.0-py3-none-any.whl', 'side', '__init__.py'), Buffer.from('x'), false);
  assert.throws(() => txn.commit([dir]), /side-1\.0-py3-none-any\.whl is a symbolic link/);
  txn.abort();
  assert.deepEqual(snapshotTree(dir), before);
  assert.deepEqual(readdirSync(outside), []);
});

test('a finished commit leaves only its result', () => {
  const dir = site('finished');
  const txn = Transaction.begin(dir);
  txn.stageFile(path.join(dir, 'pkg', 'sub', 'new.py'), Buffer.from('new\n'), false);
  txn.remove(path.join(dir, 'pkg', 'old.py'));
  txn.commit([dir]);
  assert.equal(readFileSync(path.join(dir, 'pkg', 'sub', 'new.py'), 'utf8'), 'new\n');
  assert.ok(!existsSync(path.join(dir, 'pkg', 'old.py')));
  assert.deepEqual([...snapshotTree(dir).keys()].filter((k) => k.includes('sidewheel-txn')), []);
});

test('removals empty and delete directories up to the roots, never the roots', () => {
  const dir = site('emptied');
  const txn = Transaction.begin(dir);
  txn.remove(path.join(dir, 'pkg', 'old.py'));
  txn.remove(path.join(dir, 'keep.py'));
  txn.commit([dir]);
  assert.ok(existsSync(dir));
  assert.deepEqual([...snapshotTree(dir).keys()], []);
});
