/**
 * The store's data dir: snapshots and compaction stream object by object, a write is applied only
 * once it is durable, the size quota refuses writes as etcd does, and a data dir that cannot be
 * loaded is reported with the file and the reason.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ObjectStore } from '../../../src/cluster/apiserver/storage/object-store.ts';
import { FilePersistence, type FilePersistenceOptions, type Persistence } from '../../../src/cluster/apiserver/storage/persistence.ts';
import { DataDirError } from '../../../src/cluster/apiserver/storage/storage-errors.ts';
import { ApiError } from '../../../src/cluster/apiserver/errors.ts';
import type { KubeObject } from '../../../src/cluster/core/types.ts';

const CM = '/configmaps';
const cm = (name: string, payload = '', ns = 'default'): KubeObject => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns }, data: { payload } });
const dataDir = () => mkdtempSync(join(tmpdir(), 'store-persist-'));
const open = (dir: string, opts: FilePersistenceOptions = {}) => new ObjectStore({ persistence: new FilePersistence(dir, opts) });

/**
 * V8 cannot build a string longer than about 512 MB. This scales that limit down, so a store of a
 * few hundred KB shows whether anything builds one string out of the whole state.
 */
function withStringLimit<T>(maxChars: number, fn: () => T): T {
  const { stringify, parse } = JSON;
  JSON.stringify = ((...args: Parameters<typeof stringify>) => {
    const out = stringify(...args);
    if (out !== undefined && out.length > maxChars) throw new RangeError('Invalid string length');
    return out;
  }) as typeof stringify;
  JSON.parse = ((text: string, reviver?: Parameters<typeof parse>[1]) => {
    if (text.length > maxChars) throw new RangeError('Invalid string length');
    return parse(text, reviver);
  }) as typeof parse;
  try {
    return fn();
  } finally {
    JSON.stringify = stringify;
    JSON.parse = parse;
  }
}

test('a state far bigger than the longest string is compacted and loaded again, object by object', () => {
  const dir = dataDir();
  const compactionErrors: Error[] = [];
  const opts: FilePersistenceOptions = { compactAtBytes: 32 * 1024, chunkBytes: 4096, onCompactionError: (e) => compactionErrors.push(e) };
  withStringLimit(64 * 1024, () => {
    const p1 = new FilePersistence(dir, opts);
    const s1 = new ObjectStore({ persistence: p1 });
    for (let i = 0; i < 100; i++) s1.create(CM, cm(`c${i}`, `${i}:`.padEnd(4000, 'x'))); // ~400 KB in all
    const logBytes = p1.logSize();
    s1.close();
    assert.deepEqual(compactionErrors, []);

    const s2 = open(dir, opts);
    assert.equal(s2.count(CM), 100);
    assert.equal(s2.get(CM, 'default', 'c42')!.data.payload.slice(0, 3), '42:');
    assert.equal(s2.currentResourceVersion(), 100);
    s2.close();
    assert.ok(logBytes < 32 * 1024 + 8192, 'the log was compacted as it grew');
  });
});

test('a failed compaction fails no write, and is tried again later', () => {
  const dir = dataDir();
  // Where the snapshot would be written, a directory: every compaction fails.
  mkdirSync(join(dir, 'snapshot.jsonl.tmp'));
  mkdirSync(join(dir, 'snapshot.json.tmp'));
  const compactionErrors: Error[] = [];
  const opts: FilePersistenceOptions = { compactAtBytes: 1024, onCompactionError: (e) => compactionErrors.push(e) };
  const s1 = open(dir, opts);
  for (let i = 0; i < 20; i++) s1.create(CM, cm(`c${i}`, 'x'.repeat(200)));
  assert.equal(s1.count(CM), 20);
  assert.ok(compactionErrors.length > 0, 'compaction was attempted and failed');
  assert.ok(compactionErrors.length < 20, 'not retried on every write');
  s1.close();

  const s2 = open(dir, opts); // its own compaction on load fails too: the log is kept
  assert.equal(s2.count(CM), 20);
  s2.close();
});

test('a write the log refuses is not applied', () => {
  const refusing: Persistence = {
    load: () => ({ resourceVersion: 7, objects: [{ resourceKey: CM, object: { ...cm('old'), metadata: { name: 'old', namespace: 'default', resourceVersion: '7' } } }] }),
    recordPut: () => {
      throw new Error('disk full');
    },
    recordDelete: () => {
      throw new Error('disk full');
    },
    close: () => {},
  };
  const s = new ObjectStore({ persistence: refusing });
  const seen: string[] = [];
  s.subscribe(CM, (c) => seen.push(c.type));
  assert.throws(() => s.create(CM, cm('new')), /disk full/);
  assert.equal(s.get(CM, 'default', 'new'), undefined);
  const old = s.get(CM, 'default', 'old')!;
  assert.throws(() => s.delete(CM, old), /disk full/);
  assert.equal(s.get(CM, 'default', 'old'), old);
  assert.equal(s.currentResourceVersion(), 7);
  assert.deepEqual(seen, [], 'no watch event for a write that did not happen');
});

test('the size quota refuses growing writes as etcd does, and deletes still make room', () => {
  const dir = dataDir();
  const p1 = new FilePersistence(dir, { quotaBytes: 10_000 });
  const s = new ObjectStore({ persistence: p1 });
  const big = (name: string) => cm(name, 'x'.repeat(2000));
  for (let i = 0; i < 4; i++) s.create(CM, big(`c${i}`));
  const rv = s.currentResourceVersion();
  const refused = (() => {
    try {
      s.create(CM, big('c4'));
    } catch (e) {
      return e;
    }
    assert.fail('the write beyond the quota was accepted');
  })();
  assert.ok(refused instanceof ApiError);
  assert.equal(refused.code, 500);
  const status = refused.toStatus();
  assert.equal(status.message, 'etcdserver: mvcc: database space exceeded');
  assert.equal(status.reason, undefined, 'kube-apiserver relays it with no reason');
  assert.equal(s.get(CM, 'default', 'c4'), undefined);
  assert.equal(s.currentResourceVersion(), rv);

  // An update that does not grow the store, and one of an object being deleted, still go through.
  s.update(CM, cm('c0', 'small'), s.get(CM, 'default', 'c0')!);
  const c1 = s.get(CM, 'default', 'c1')!;
  s.update(CM, { ...c1, metadata: { ...c1.metadata, deletionTimestamp: '2026-01-01T00:00:00Z', finalizers: ['x'] } }, c1);
  s.delete(CM, s.get(CM, 'default', 'c2')!);
  s.create(CM, big('c4'));
  const used = p1.usedBytes();
  s.close();

  // The quota counts what was loaded, too.
  const p2 = new FilePersistence(dir, { quotaBytes: 10_000 });
  const again = new ObjectStore({ persistence: p2 });
  assert.equal(again.count(CM), 4);
  assert.equal(p2.usedBytes(), used);
  assert.throws(() => again.create(CM, cm('c5', 'x'.repeat(10_000 - used))), /database space exceeded/);
  again.close();
});

function loadError(dir: string): DataDirError {
  try {
    open(dir).close();
  } catch (e) {
    assert.ok(e instanceof DataDirError, `expected a DataDirError, got ${(e as Error).stack}`);
    return e;
  }
  assert.fail('the data dir loaded');
}

test('a corrupt snapshot is reported with the file and the reason', () => {
  const dir = dataDir();
  writeFileSync(join(dir, 'snapshot.jsonl'), 'this is not json\n');
  const e = loadError(dir);
  assert.equal(e.file, join(dir, 'snapshot.jsonl'));
  assert.match(e.message, new RegExp(`${join(dir, 'snapshot.jsonl')}: line 1: .*JSON`));
});

test('a truncated snapshot is reported, not loaded in part', () => {
  const dir = dataDir();
  const s = open(dir);
  for (const n of ['a', 'b', 'c']) s.create(CM, cm(n));
  s.close();
  open(dir).close(); // compacts the log into the snapshot
  const lines = readFileSync(join(dir, 'snapshot.jsonl'), 'utf8').split('\n');
  writeFileSync(join(dir, 'snapshot.jsonl'), lines.slice(0, 3).join('\n') + '\n');
  assert.match(loadError(dir).message, /snapshot\.jsonl: the snapshot is truncated: 2 of its 3 objects/);
});

test('a corrupt line in the middle of the log is reported; a torn last line is not', () => {
  const dir = dataDir();
  const s = open(dir);
  s.create(CM, cm('a'));
  s.close();
  appendFileSync(join(dir, 'wal.jsonl'), '{"rv":2,"op":"put","k":"/configmaps","o":{"meta\n');
  appendFileSync(join(dir, 'wal.jsonl'), JSON.stringify({ rv: 3, op: 'put', k: CM, o: cm('c') }) + '\n');
  const e = loadError(dir);
  assert.equal(e.file, join(dir, 'wal.jsonl'));
  assert.match(e.message, /wal\.jsonl: line 2 is corrupt \(.+\) and more records follow it/);
});

test('a torn last line is cut off, and the log takes new writes after it', () => {
  const dir = dataDir();
  const opts: FilePersistenceOptions = { onCompactionError: () => {} };
  mkdirSync(join(dir, 'snapshot.jsonl.tmp')); // no compaction: the log itself must be repaired
  const s1 = open(dir, opts);
  s1.create(CM, cm('a'));
  s1.close();
  // A complete record without its newline was never acknowledged: it goes too.
  appendFileSync(join(dir, 'wal.jsonl'), JSON.stringify({ rv: 2, op: 'put', k: CM, o: cm('unacked') }));
  const s2 = open(dir, opts);
  assert.equal(s2.get(CM, 'default', 'unacked'), undefined);
  s2.create(CM, cm('b'));
  s2.close();
  const s3 = open(dir, opts);
  assert.deepEqual(s3.list(CM).map((o) => o.metadata.name), ['a', 'b']);
  assert.equal(s3.currentResourceVersion(), 2);
  s3.close();
});

test('an unreadable file is reported with its name', () => {
  const dir = dataDir();
  mkdirSync(join(dir, 'wal.jsonl'));
  const e = loadError(dir);
  assert.equal(e.file, join(dir, 'wal.jsonl'));
  assert.match(e.message, /EISDIR/);
});

test('a data dir of the single-document snapshot format is read and converted', () => {
  const dir = dataDir();
  const old = { ...cm('old'), metadata: { name: 'old', namespace: 'default', resourceVersion: '5' } };
  writeFileSync(join(dir, 'snapshot.json'), JSON.stringify({ resourceVersion: 5, objects: [{ k: CM, o: old }] }));
  writeFileSync(join(dir, 'wal.jsonl'), JSON.stringify({ rv: 6, op: 'put', k: CM, o: cm('new') }) + '\n');
  const s = open(dir);
  assert.deepEqual(s.list(CM).map((o) => o.metadata.name), ['new', 'old']);
  assert.equal(s.currentResourceVersion(), 6);
  s.close();
  assert.equal(existsSync(join(dir, 'snapshot.json')), false);
  assert.equal(existsSync(join(dir, 'snapshot.jsonl')), true);
});
