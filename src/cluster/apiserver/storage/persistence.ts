/**
 * Durable state for the embedded API server: a snapshot plus a write-ahead log, both JSON lines
 * (one object or one change per line) under the data dir. A write is appended to the log, whole,
 * and synced to the disk before it is applied and acknowledged: a write that fails was not applied,
 * and neither a crash nor a power loss loses an acknowledged one. When the log grows, it is compacted into a new snapshot,
 * streamed object by object (the state may be far bigger than the largest string V8 can hold).
 * Compaction is housekeeping: when it fails, the log keeps growing and it is tried again later.
 *
 * Like etcd, the store has a size quota: writes that would grow the stored objects beyond it are
 * refused with etcd's own error, while deletes (and updates of objects being deleted) go on, so an
 * operator can make room.
 */
import { closeSync, existsSync, fdatasyncSync, fsyncSync, ftruncateSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../../core/types.ts';
import { componentLogger } from '../../../platform/log.ts';
import { forEachLine, LineWriter, writeFully, type Line } from './json-lines.ts';
import { DataDirError, QuotaExceededError, storageUnavailable } from './storage-errors.ts';

export interface LoadedState {
  resourceVersion: number;
  objects: Array<{ resourceKey: string; object: KubeObject }>;
}

export interface Persistence {
  load(): LoadedState;
  /** Records the write durably or throws; the caller applies it only once this returned. */
  recordPut(rv: number, resourceKey: string, object: KubeObject): void;
  recordDelete(rv: number, resourceKey: string, namespace: string, name: string): void;
  close(): void;
}

export interface FilePersistenceOptions {
  /** Writes that would grow the stored objects (bytes of their JSON) beyond this are refused. */
  quotaBytes?: number;
  /** Compact when the log outgrows this many bytes, so restarts stay fast. */
  compactAtBytes?: number;
  /** Size of the reads and writes that stream the snapshot and the log. */
  chunkBytes?: number;
  /** Told about a failed compaction (the write that triggered it has succeeded regardless). */
  onCompactionError?: (error: Error) => void;
}

/** etcd's recommended maximum for --quota-backend-bytes. */
export const DEFAULT_QUOTA_BYTES = 2 * 1024 ** 3;
const DEFAULT_COMPACT_AT_BYTES = 64 * 1024 * 1024;

const SNAPSHOT = 'snapshot.jsonl';
/** The single-document snapshot of earlier versions, read once and then replaced. */
const LEGACY_SNAPSHOT = 'snapshot.json';
const WAL = 'wal.jsonl';
const SNAPSHOT_FORMAT = 'kubernaut.snapshot/v2';

interface SnapshotHeader {
  format: string;
  resourceVersion: number;
  objects: number;
}

type LogRecord = { rv: number; op: 'put'; k: string; o: KubeObject } | { rv: number; op: 'del'; k: string; ns: string; n: string };

interface Entry {
  resourceKey: string;
  object: KubeObject;
  /** Bytes of the object's JSON, what the quota counts. */
  bytes: number;
}

export class FilePersistence implements Persistence {
  private fd: number | undefined;
  private walBytes = 0;
  private readonly compactEveryBytes: number;
  private nextCompactAt: number;
  private readonly entries = new Map<string, Entry>(); // kept only to write snapshots from
  private storedBytes = 0;
  private rv = 0;
  /** Set when the log could not be repaired after a failed append: no further write is safe. */
  private broken: string | undefined;
  private readonly quotaBytes: number;
  private readonly chunkBytes: number | undefined;
  private readonly onCompactionError: (error: Error) => void;

  constructor(
    private readonly dir: string,
    opts: FilePersistenceOptions = {},
  ) {
    this.quotaBytes = opts.quotaBytes ?? DEFAULT_QUOTA_BYTES;
    this.compactEveryBytes = opts.compactAtBytes ?? DEFAULT_COMPACT_AT_BYTES;
    this.nextCompactAt = this.compactEveryBytes;
    this.chunkBytes = opts.chunkBytes;
    this.onCompactionError = opts.onCompactionError ?? ((error) => componentLogger('apiserver-storage').warn({ err: error.message }, 'compaction failed; the write-ahead log keeps every change until it succeeds'));
  }

  load(): LoadedState {
    try {
      mkdirSync(this.dir, { recursive: true });
    } catch (e) {
      throw new DataDirError(this.dir, (e as Error).message);
    }
    const snapshot = join(this.dir, SNAPSHOT);
    const legacy = join(this.dir, LEGACY_SNAPSHOT);
    if (existsSync(snapshot)) this.loadSnapshot(snapshot);
    else if (existsSync(legacy)) this.loadLegacySnapshot(legacy);
    const replayed = this.replayLog(join(this.dir, WAL));
    if (replayed.records > 0 || replayed.tornAt !== undefined || existsSync(legacy)) this.compactAfterLoad(replayed.tornAt);
    return {
      resourceVersion: this.rv,
      objects: [...this.entries.values()].map(({ resourceKey, object }) => ({ resourceKey, object })),
    };
  }

  recordPut(rv: number, resourceKey: string, object: KubeObject): void {
    this.ensureWritable();
    const objectJson = JSON.stringify(object);
    const line = `${JSON.stringify({ rv, op: 'put', k: resourceKey }).slice(0, -1)},"o":${objectJson}}\n`;
    const key = keyOf(resourceKey, object.metadata.namespace ?? '', object.metadata.name!);
    const bytes = Buffer.byteLength(objectJson);
    const growth = bytes - (this.entries.get(key)?.bytes ?? 0);
    // Objects on their way out may still be updated: finalizers have to finish for deletes to.
    if (growth > 0 && this.storedBytes + growth > this.quotaBytes && !object.metadata.deletionTimestamp) throw new QuotaExceededError();
    this.append(line);
    this.entries.set(key, { resourceKey, object, bytes });
    this.storedBytes += growth;
    this.rv = rv;
    this.compactIfDue();
  }

  recordDelete(rv: number, resourceKey: string, namespace: string, name: string): void {
    this.ensureWritable();
    const rec: LogRecord = { rv, op: 'del', k: resourceKey, ns: namespace, n: name };
    this.append(JSON.stringify(rec) + '\n');
    const key = keyOf(resourceKey, namespace, name);
    this.storedBytes -= this.entries.get(key)?.bytes ?? 0;
    this.entries.delete(key);
    this.rv = rv;
    this.compactIfDue();
  }

  close(): void {
    if (this.fd !== undefined) {
      const fd = this.fd;
      this.fd = undefined;
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
    }
  }

  /** Bytes the stored objects take, as the quota counts them. */
  usedBytes(): number {
    return this.storedBytes;
  }

  /** Size of the current log, for tests and diagnostics. */
  logSize(): number {
    const p = join(this.dir, WAL);
    return existsSync(p) ? statSync(p).size : 0;
  }

  private ensureWritable(): void {
    if (this.broken) throw storageUnavailable(this.broken);
  }

  /** Appends one whole line or nothing: a failed append is cut off again, so no torn line sits mid-log. */
  private append(line: string): void {
    try {
      this.fd ??= openSync(join(this.dir, WAL), 'a');
      writeFully(this.fd, Buffer.from(line, 'utf8'));
      // On the disk before it is acknowledged, as etcd does: a power loss loses no acknowledged write.
      fdatasyncSync(this.fd);
    } catch (e) {
      const reason = (e as Error).message;
      if (this.fd !== undefined) {
        try {
          ftruncateSync(this.fd, this.walBytes);
        } catch (cut) {
          this.broken = `${reason}; the write-ahead log could not be repaired: ${(cut as Error).message}`;
        }
      }
      throw storageUnavailable(reason);
    }
    this.walBytes += Buffer.byteLength(line);
  }

  private compactIfDue(): void {
    if (this.walBytes < this.nextCompactAt) return;
    try {
      this.compact();
      this.nextCompactAt = this.compactEveryBytes;
    } catch (e) {
      // Retry once the log has grown by as much again, not on every write.
      this.nextCompactAt = this.walBytes + Math.max(this.compactEveryBytes, 1);
      this.onCompactionError(e as Error);
    }
  }

  /** After a load: fold the log into a snapshot, or at least cut off a torn last line. */
  private compactAfterLoad(tornAt: number | undefined): void {
    try {
      this.compact();
      return;
    } catch (e) {
      this.onCompactionError(e as Error);
    }
    const wal = join(this.dir, WAL);
    if (tornAt !== undefined) {
      try {
        truncateSync(wal, tornAt);
      } catch (e) {
        throw new DataDirError(wal, `cannot cut off its torn last line: ${(e as Error).message}`);
      }
    }
    this.walBytes = tornAt ?? this.logSize();
  }

  /**
   * Streams the whole state into a new snapshot (fsynced, then renamed over the old one), then
   * empties the log. A crash at any point leaves either the old snapshot and the full log, or
   * the new snapshot and a log whose records it already holds (skipped on load).
   */
  private compact(): void {
    const tmp = join(this.dir, SNAPSHOT + '.tmp');
    const writer = new LineWriter(tmp, this.chunkBytes);
    try {
      const header: SnapshotHeader = { format: SNAPSHOT_FORMAT, resourceVersion: this.rv, objects: this.entries.size };
      writer.writeLine(JSON.stringify(header));
      for (const { resourceKey, object } of this.entries.values()) writer.writeLine(`{"k":${JSON.stringify(resourceKey)},"o":${JSON.stringify(object)}}`);
      writer.finish();
      renameSync(tmp, join(this.dir, SNAPSHOT));
    } catch (e) {
      writer.abandon();
      rmSync(tmp, { force: true });
      throw e;
    }
    syncDirectory(this.dir);
    rmSync(join(this.dir, LEGACY_SNAPSHOT), { force: true });
    if (this.fd !== undefined) ftruncateSync(this.fd, 0);
    else if (existsSync(join(this.dir, WAL))) truncateSync(join(this.dir, WAL), 0);
    this.walBytes = 0;
  }

  private loadSnapshot(path: string): void {
    let header: SnapshotHeader | undefined;
    let count = 0;
    readLines(path, this.chunkBytes, (line) => {
      if (!line.terminated) throw new DataDirError(path, `line ${line.number} is cut short (the snapshot is truncated)`);
      const value = parseLine(path, line);
      if (!header) {
        header = value as SnapshotHeader;
        if (header?.format !== SNAPSHOT_FORMAT || !Number.isInteger(header.resourceVersion) || !Number.isInteger(header.objects)) {
          throw new DataDirError(path, `line 1 is not a ${SNAPSHOT_FORMAT} header`);
        }
        this.rv = header.resourceVersion;
        return;
      }
      const { k, o } = value as { k: unknown; o: KubeObject };
      if (typeof k !== 'string' || !isObject(o)) throw new DataDirError(path, `line ${line.number} is not a stored object`);
      this.put(k, o, line.bytes - envelopeBytes(`{"k":${JSON.stringify(k)},"o":`));
      count++;
    });
    if (!header) throw new DataDirError(path, 'the snapshot is empty');
    if (count !== header.objects) throw new DataDirError(path, `the snapshot is truncated: ${count} of its ${header.objects} objects`);
  }

  private loadLegacySnapshot(path: string): void {
    let snap: { resourceVersion: number; objects: Array<{ k: string; o: KubeObject }> };
    try {
      snap = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new DataDirError(path, (e as Error).message);
    }
    if (!Number.isInteger(snap?.resourceVersion) || !Array.isArray(snap.objects)) throw new DataDirError(path, 'not a snapshot');
    this.rv = snap.resourceVersion;
    for (const { k, o } of snap.objects) {
      if (typeof k !== 'string' || !isObject(o)) throw new DataDirError(path, 'holds an entry that is not a stored object');
      this.put(k, o, Buffer.byteLength(JSON.stringify(o)));
    }
  }

  /**
   * Replays the log onto the snapshot. A bad line is tolerated only at the very end (a crash
   * mid-append); anywhere else, records after it would be lost, so loading stops with an error.
   */
  private replayLog(path: string): { records: number; tornAt?: number } {
    if (!existsSync(path)) return { records: 0 };
    const snapshotRv = this.rv;
    let records = 0;
    let goodEnd = 0;
    let torn: { number: number; reason: string } | undefined;
    readLines(path, this.chunkBytes, (line) => {
      if (!line.text.trim()) {
        if (!torn) goodEnd = line.end;
        return;
      }
      if (torn) throw new DataDirError(path, `line ${torn.number} is corrupt (${torn.reason}) and more records follow it`);
      // Acknowledged writes always end in a newline: a line without one was never acknowledged.
      const rec = line.terminated ? tryParseRecord(line.text) : { error: 'cut short' };
      if ('error' in rec) {
        torn = { number: line.number, reason: rec.error };
        return;
      }
      goodEnd = line.end;
      records++;
      if (rec.rv <= snapshotRv) return; // already in the snapshot (a crash right after compaction)
      if (rec.op === 'put') {
        this.put(rec.k, rec.o, line.bytes - envelopeBytes(`${JSON.stringify({ rv: rec.rv, op: 'put', k: rec.k }).slice(0, -1)},"o":`));
      } else {
        const key = keyOf(rec.k, rec.ns, rec.n);
        this.storedBytes -= this.entries.get(key)?.bytes ?? 0;
        this.entries.delete(key);
      }
      this.rv = Math.max(this.rv, rec.rv);
    });
    return { records, tornAt: torn ? goodEnd : undefined };
  }

  private put(resourceKey: string, object: KubeObject, bytes: number): void {
    const key = keyOf(resourceKey, object.metadata.namespace ?? '', object.metadata.name!);
    this.storedBytes += bytes - (this.entries.get(key)?.bytes ?? 0);
    this.entries.set(key, { resourceKey, object, bytes });
  }
}

function keyOf(resourceKey: string, namespace: string, name: string): string {
  return `${resourceKey}\u0000${namespace}\u0000${name}`;
}

/** Bytes a line spends around the object's JSON: the prefix given plus the closing brace. */
function envelopeBytes(prefix: string): number {
  return Buffer.byteLength(prefix) + 1;
}

function isObject(o: unknown): o is KubeObject {
  const meta = (o as KubeObject | undefined)?.metadata;
  return typeof o === 'object' && o !== null && typeof meta === 'object' && meta !== null && typeof meta.name === 'string';
}

/** Reads a file line by line; I/O errors become a DataDirError naming the file. */
function readLines(path: string, chunkBytes: number | undefined, onLine: (line: Line) => void): void {
  try {
    forEachLine(path, onLine, chunkBytes);
  } catch (e) {
    if (e instanceof DataDirError) throw e;
    throw new DataDirError(path, (e as Error).message);
  }
}

function parseLine(path: string, line: Line): unknown {
  try {
    return JSON.parse(line.text);
  } catch (e) {
    throw new DataDirError(path, `line ${line.number}: ${(e as Error).message}`);
  }
}

function tryParseRecord(text: string): LogRecord | { error: string } {
  let rec: LogRecord;
  try {
    rec = JSON.parse(text);
  } catch (e) {
    return { error: (e as Error).message };
  }
  if (typeof rec?.rv !== 'number' || typeof rec.k !== 'string') return { error: 'not a log record' };
  if (rec.op === 'put' && isObject(rec.o)) return rec;
  if (rec.op === 'del' && typeof rec.ns === 'string' && typeof rec.n === 'string') return rec;
  return { error: 'not a log record' };
}

/** Makes a rename durable: the directory entry itself has to reach the disk. */
function syncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Not every platform can fsync a directory; the rename is still atomic there.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
