/**
 * A killed run leaves nothing visible: the next run's recovery rolls back a commit that
 * was cut off midway, throws away staging that never reached a commit, and only cleans
 * up after one that finished.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, test } from 'node:test';
import { recoverInterrupted, Transaction } from '../src/install/transaction.js';
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
  writeFileSync(path.join(txnDir, 'new', '1'), 'added\n');
  const moves = [
    [path.join(dir, 'pkg', 'old.py'), path.join(txnDir, 'old', '0')],
    [path.join(txnDir, 'new', '0'), path.join(dir, 'pkg', 'old.py')],
    [path.join(txnDir, 'new', '1'), path.join(dir, 'fresh', 'added.py')],
  ];
  writeFileSync(path.join(txnDir, 'journal.json'), JSON.stringify({ moves, createdDirs: [path.join(dir, 'fresh')] }));
  // The process died after the first two renames.
  renameSync(moves[0]![0]!, moves[0]![1]!);
  renameSync(moves[1]![0]!, moves[1]![1]!);
  mkdirSync(path.join(dir, 'fresh'));
  recoverInterrupted(dir);
  assert.deepEqual(snapshotTree(dir), before);
  assert.equal(readFileSync(path.join(dir, 'pkg', 'old.py'), 'utf8'), 'old\n');
});

test('staging that never reached a commit is thrown away', () => {
  const dir = site('staged');
  const before = snapshotTree(dir);
  const txn = Transaction.begin(dir);
  txn.stageFile(path.join(dir, 'pkg', 'new.py'), Buffer.from('x'), false);
  recoverInterrupted(dir);
  assert.deepEqual(snapshotTree(dir), before);
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
