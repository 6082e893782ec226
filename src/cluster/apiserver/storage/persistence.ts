/**
 * Durable state for the embedded API server: a snapshot plus a write-ahead log of JSON lines
 * under the data dir. Every write is appended (and reaches the OS) before the request returns,
 * so a crash of the process loses nothing and a power loss at most the last writes. On start
 * the log is replayed onto the snapshot and both are compacted into a new snapshot.
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync, writeFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { KubeObject } from '../../core/types.ts';

export interface LoadedState {
  resourceVersion: number;
  objects: Array<{ resourceKey: string; object: KubeObject }>;
}

export interface Persistence {
  load(): LoadedState;
  recordPut(rv: number, resourceKey: string, object: KubeObject): void;
  recordDelete(rv: number, resourceKey: string, namespace: string, name: string): void;
  close(): void;
}

type LogRecord =
  | { rv: number; op: 'put'; k: string; o: KubeObject }
  | { rv: number; op: 'del'; k: string; ns: string; n: string };

const SNAPSHOT = 'snapshot.json';
const WAL = 'wal.jsonl';
/** Compact when the log outgrows this many bytes, so restarts stay fast. */
const COMPACT_AT_BYTES = 64 * 1024 * 1024;

export class FilePersistence implements Persistence {
  private fd: number | undefined;
  private walBytes = 0;
  private state = new Map<string, KubeObject>(); // key -> object, kept only for compaction
  private rv = 0;

  constructor(private readonly dir: string) {}

  load(): LoadedState {
    mkdirSync(this.dir, { recursive: true });
    const snapPath = join(this.dir, SNAPSHOT);
    if (existsSync(snapPath)) {
      const snap = JSON.parse(readFileSync(snapPath, 'utf8')) as { resourceVersion: number; objects: Array<{ k: string; o: KubeObject }> };
      this.rv = snap.resourceVersion;
      for (const { k, o } of snap.objects) this.state.set(keyOf(k, o.metadata.namespace ?? '', o.metadata.name!), o);
    }
    const walPath = join(this.dir, WAL);
    if (existsSync(walPath)) {
      const lines = readFileSync(walPath, 'utf8').split('\n');
      for (const line of lines) {
        if (!line.trim()) continue;
        let rec: LogRecord;
        try {
          rec = JSON.parse(line);
        } catch {
          break; // a torn last line from a crash mid-write: everything before it is intact
        }
        if (rec.op === 'put') this.state.set(keyOf(rec.k, rec.o.metadata.namespace ?? '', rec.o.metadata.name!), rec.o);
        else this.state.delete(keyOf(rec.k, rec.ns, rec.n));
        this.rv = Math.max(this.rv, rec.rv);
      }
    }
    this.compact();
    return {
      resourceVersion: this.rv,
      objects: [...this.state.entries()].map(([key, object]) => ({ resourceKey: key.split('\u0000')[0], object })),
    };
  }

  recordPut(rv: number, resourceKey: string, object: KubeObject): void {
    this.state.set(keyOf(resourceKey, object.metadata.namespace ?? '', object.metadata.name!), object);
    this.append({ rv, op: 'put', k: resourceKey, o: object });
  }

  recordDelete(rv: number, resourceKey: string, namespace: string, name: string): void {
    this.state.delete(keyOf(resourceKey, namespace, name));
    this.append({ rv, op: 'del', k: resourceKey, ns: namespace, n: name });
  }

  close(): void {
    if (this.fd !== undefined) {
      fsyncSync(this.fd);
      closeSync(this.fd);
      this.fd = undefined;
    }
  }

  private append(rec: LogRecord): void {
    this.rv = rec.rv;
    const line = JSON.stringify(rec) + '\n';
    if (this.fd === undefined) this.fd = openSync(join(this.dir, WAL), 'a');
    this.walBytes += writeSync(this.fd, line);
    if (this.walBytes > COMPACT_AT_BYTES) this.compact();
  }

  /** Writes the whole state as a new snapshot (atomically, via rename) and empties the log. */
  private compact(): void {
    const objects = [...this.state.entries()].map(([key, o]) => ({ k: key.split('\u0000')[0], o }));
    const tmp = join(this.dir, SNAPSHOT + '.tmp');
    writeFileSync(tmp, JSON.stringify({ resourceVersion: this.rv, objects }));
    const fd = openSync(tmp, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, join(this.dir, SNAPSHOT));
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = openSync(join(this.dir, WAL), 'w');
    this.walBytes = 0;
  }

  /** Size of the current log, for tests and diagnostics. */
  logSize(): number {
    const p = join(this.dir, WAL);
    return existsSync(p) ? statSync(p).size : 0;
  }
}

function keyOf(resourceKey: string, namespace: string, name: string): string {
  return `${resourceKey}\u0000${namespace}\u0000${name}`;
}
