/**
 * The audit client's disk queue: events that could not be delivered yet, oldest first, in
 * append-only JSONL segment files that survive a crash of the process.
 *
 * Layout of the spill directory:
 * - `<id>.jsonl`: one event per line; ids are 12-digit numbers and the queue order is id order.
 *   New events go to the tail (a higher id); a batch that must be delivered before everything
 *   else goes to a new segment in front (a lower id), which is why ids start mid-range.
 * - `<id>.ack`: how many events at the start of that segment are delivered (a segment is
 *   deleted once all of it is). Losing an ack only means resending events, which DataStorage
 *   stores once because it is idempotent on `eventId`.
 * - `rejected.jsonl`: events DataStorage refused as invalid (kept for a human, never resent).
 * - `LOCK` (or `LOCK.<n>`): the pid of the process using the directory; two writers would
 *   interleave their queues. See {@link acquireLockFile} for how it is taken atomically.
 *
 * A crash can tear the last line of the segment being written: loading skips lines that do not
 * parse, and a reopened store never appends to a segment of an earlier process.
 *
 * Every operation runs in one queue, in call order, so callers need no locking; `pending` counts
 * appends as soon as they are called, so a caller never mistakes an in-progress spill for an
 * empty queue.
 */
import { randomUUID } from 'node:crypto';
import { open, link, mkdir, readdir, readFile, rename, rm, writeFile, appendFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '../../platform/log.ts';
import { processAlive } from '../../platform/process-alive.ts';
import type { AuditEvent } from './audit-event.ts';

const SEGMENT_FILE = /^(\d{12})\.jsonl$/;
/** Directories held by stores of this process (a pid alone cannot tell two of them apart). */
const heldHere = new Set<string>();
const FIRST_SEGMENT_ID = 500_000_000_000;

interface Segment {
  id: number;
  /** Events in the file (lines that parse). */
  count: number;
  /** Events at the start of the file already delivered. */
  acked: number;
  /** This process may append to it (only the newest segment it created itself). */
  appendable: boolean;
}

export interface SpillStoreOptions {
  /** Events per segment before a new one is started (bounds what one read loads). */
  segmentMaxEvents?: number;
  logger?: Logger;
}

export class SpillStore {
  private segments: Segment[] = [];
  /** Parsed events of the head segment, so consecutive reads do not re-parse the file. */
  private headCache?: { id: number; events: AuditEvent[] };
  private queue: Promise<unknown> = Promise.resolve();
  private committed = 0;
  private inProgress = 0;
  private nextTailId = FIRST_SEGMENT_ID;
  /** The lock file this store holds, once open. */
  private lockFile?: string;
  /** Operations queued behind an `open()` that failed (e.g. someone else's directory) must not touch it. */
  private opened = false;
  private readonly segmentMaxEvents: number;

  constructor(
    readonly dir: string,
    private readonly opts: SpillStoreOptions = {},
  ) {
    this.segmentMaxEvents = opts.segmentMaxEvents ?? 1000;
  }

  /** Events on disk (or being written) that are not delivered yet. */
  get pending(): number {
    return this.committed + this.inProgress;
  }

  /** Loads what earlier processes left; resolves with the number of undelivered events. */
  open(): Promise<number> {
    return this.serialize(async () => {
      await mkdir(this.dir, { recursive: true });
      await this.lock();
      const names = await readdir(this.dir);
      for (const name of names) {
        // A front segment whose rename never happened: its events were only in memory then.
        if (name.endsWith('.tmp')) await rm(join(this.dir, name), { force: true });
      }
      const ids = names
        .map((n) => SEGMENT_FILE.exec(n)?.[1])
        .filter((id): id is string => id !== undefined)
        .map(Number)
        .sort((a, b) => a - b);
      if (ids.length > 0) this.nextTailId = ids[ids.length - 1] + 1;
      for (const id of ids) {
        const events = await this.readSegment(id);
        const acked = await this.readAck(id);
        if (acked >= events.length) {
          await this.deleteSegment(id);
          continue;
        }
        this.segments.push({ id, count: events.length, acked, appendable: false });
        this.committed += events.length - acked;
      }
      this.opened = true;
      return this.committed;
    });
  }

  /** Adds events after everything already queued, durably (fsync'd) when the promise resolves. */
  append(events: AuditEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    this.inProgress += events.length;
    return this.serialize(async () => {
      try {
        this.assertOpen();
        let rest = events;
        while (rest.length > 0) {
          const last = this.segments.at(-1);
          const reuse = last?.appendable && last.count < this.segmentMaxEvents;
          // A fresh id even after a failed attempt: that file may hold a torn line.
          const tail = reuse ? last : { id: this.nextTailId++, count: 0, acked: 0, appendable: true };
          const chunk = rest.slice(0, this.segmentMaxEvents - tail.count);
          rest = rest.slice(chunk.length);
          await appendDurably(this.segmentPath(tail.id), toJsonl(chunk));
          if (!reuse) {
            await syncDirectory(this.dir);
            if (last) last.appendable = false;
            this.segments.push(tail);
          }
          tail.count += chunk.length;
          this.committed += chunk.length;
        }
      } catch (err) {
        // A failed write may have left a torn line: never append after it. The caller keeps the
        // events; any of them already written are resent once more, which DataStorage ignores.
        const last = this.segments.at(-1);
        if (last) last.appendable = false;
        throw err;
      } finally {
        this.inProgress -= events.length;
      }
    });
  }

  /** Puts events before everything already queued (a batch that was due first), durably. */
  prepend(events: AuditEvent[]): Promise<void> {
    if (events.length === 0) return Promise.resolve();
    return this.serialize(async () => {
      this.assertOpen();
      const id = Math.min(this.segments[0]?.id ?? Infinity, this.nextTailId) - 1;
      const tmp = `${this.segmentPath(id)}.tmp`;
      await writeDurably(tmp, toJsonl(events));
      await rename(tmp, this.segmentPath(id));
      await syncDirectory(this.dir);
      this.segments.unshift({ id, count: events.length, acked: 0, appendable: false });
      this.committed += events.length;
    });
  }

  /** The oldest undelivered events, at most `max`, all from one segment. */
  peek(max: number): Promise<AuditEvent[]> {
    return this.serialize(async () => {
      this.assertOpen();
      const head = this.segments[0];
      if (!head) return [];
      if (this.headCache?.id !== head.id || this.headCache.events.length < head.count) {
        this.headCache = { id: head.id, events: await this.readSegment(head.id) };
      }
      return this.headCache.events.slice(head.acked, Math.min(head.count, head.acked + max));
    });
  }

  /** The first `count` events last returned by `peek` are delivered. */
  acknowledge(count: number): Promise<void> {
    return this.serialize(async () => {
      this.assertOpen();
      const head = this.segments[0];
      if (!head) return;
      const n = Math.min(count, head.count - head.acked);
      head.acked += n;
      this.committed -= n;
      if (head.acked >= head.count) {
        this.segments.shift();
        this.headCache = undefined;
        await this.deleteSegment(head.id);
      } else {
        // Not fsync'd on purpose: a lost ack only resends events DataStorage already has.
        const tmp = `${this.ackPath(head.id)}.tmp`;
        await writeFile(tmp, String(head.acked));
        await rename(tmp, this.ackPath(head.id));
      }
    });
  }

  /** Keeps an event DataStorage refused as invalid, for a human to look at. */
  reject(event: AuditEvent, reason: string): Promise<void> {
    return this.serialize(async () => {
      this.assertOpen();
      await appendFile(join(this.dir, 'rejected.jsonl'), JSON.stringify({ reason, event }) + '\n');
    });
  }

  /** Waits for every operation called so far, then lets another process use the directory. */
  close(): Promise<void> {
    return this.serialize(async () => {
      this.opened = false;
      if (!this.lockFile) return;
      await rm(this.lockFile, { force: true });
      heldHere.delete(resolve(this.dir));
      this.lockFile = undefined;
    });
  }

  /** Takes the directory, unless a live process (this one included) holds it already. */
  private async lock(): Promise<void> {
    const dir = resolve(this.dir);
    // Stores of this process are told apart here, synchronously: nothing can run between the
    // check and the claim, so of two stores opening at once exactly one gets past this line.
    if (heldHere.has(dir)) throw new Error(`audit spill directory ${this.dir} is in use by process ${process.pid} (this one)`);
    heldHere.add(dir);
    try {
      this.lockFile = await acquireLockFile(this.dir);
    } catch (err) {
      heldHere.delete(dir);
      throw err;
    }
  }

  private assertOpen(): void {
    if (!this.opened) throw new Error(`audit spill store ${this.dir} is not open`);
  }

  private serialize<T>(op: () => Promise<T>): Promise<T> {
    const result = this.queue.then(op);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private segmentPath(id: number): string {
    return join(this.dir, `${String(id).padStart(12, '0')}.jsonl`);
  }

  private ackPath(id: number): string {
    return join(this.dir, `${String(id).padStart(12, '0')}.ack`);
  }

  private async readSegment(id: number): Promise<AuditEvent[]> {
    const text = await readFile(this.segmentPath(id), 'utf8');
    const events: AuditEvent[] = [];
    const lines = text.split('\n');
    lines.forEach((line, i) => {
      if (line.trim() === '') return;
      try {
        events.push(JSON.parse(line) as AuditEvent);
      } catch {
        // The last line of a segment is torn when a crash interrupted its write.
        const where = i === lines.length - 1 ? 'torn last line' : `corrupt line ${i + 1}`;
        this.opts.logger?.warn({ segment: this.segmentPath(id) }, `audit spill: skipping ${where}`);
      }
    });
    return events;
  }

  private async readAck(id: number): Promise<number> {
    try {
      const n = Number((await readFile(this.ackPath(id), 'utf8')).trim());
      return Number.isInteger(n) && n > 0 ? n : 0;
    } catch {
      return 0;
    }
  }

  private async deleteSegment(id: number): Promise<void> {
    await rm(this.segmentPath(id), { force: true });
    await rm(this.ackPath(id), { force: true });
  }
}

const LOCK_FILE = /^LOCK(?:\.(\d+))?$/;

function lockPath(dir: string, generation: number): string {
  return join(dir, generation === 0 ? 'LOCK' : `LOCK.${generation}`);
}

/**
 * Takes the directory for this process, or throws when another live process holds it.
 *
 * Every lock file is published whole with link(2), which is atomic and fails when the name exists:
 * a reader never sees a half-written pid, and of several processes racing for one name exactly one
 * wins while the others read the winner's pid. A lock left by a dead process is never overwritten
 * (two processes could both decide to); the next generation (`LOCK.1`, `LOCK.2` ...) is created
 * instead, again by link, so a takeover has a single winner too. Older generations are only ever
 * left by dead processes and are removed by the winner.
 *
 * Our own pid in a lock file is a leftover of an earlier run that got the same pid (containers):
 * live stores of this process are caught by the caller before any file is touched.
 */
async function acquireLockFile(dir: string): Promise<string> {
  const candidate = join(dir, `LOCK-candidate-${process.pid}-${randomUUID()}`);
  await writeFile(candidate, String(process.pid));
  try {
    let generation = newestLockGeneration(await readdir(dir)) ?? 0;
    for (;;) {
      const path = lockPath(dir, generation);
      try {
        await link(candidate, path);
        await removeLocksBefore(dir, generation);
        return path;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      }
      let text: string;
      try {
        text = await readFile(path, 'utf8');
      } catch (err) {
        // Its holder closed meanwhile: that generation is free again.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      const holder = Number(text.trim());
      if (holder !== process.pid && holder > 0 && processAlive(holder)) throw new Error(`audit spill directory ${dir} is in use by process ${holder}`);
      generation++;
    }
  } finally {
    await rm(candidate, { force: true });
  }
}

function newestLockGeneration(names: string[]): number | undefined {
  const generations = names.flatMap((n) => {
    const m = LOCK_FILE.exec(n);
    return m ? [Number(m[1] ?? 0)] : [];
  });
  return generations.length > 0 ? Math.max(...generations) : undefined;
}

async function removeLocksBefore(dir: string, generation: number): Promise<void> {
  for (const name of await readdir(dir)) {
    const m = LOCK_FILE.exec(name);
    if (m && Number(m[1] ?? 0) < generation) await rm(join(dir, name), { force: true });
  }
}

function toJsonl(events: AuditEvent[]): string {
  // JSON.stringify never emits a raw newline, so one event is exactly one line.
  return events.map((e) => JSON.stringify(e)).join('\n') + '\n';
}

async function appendDurably(path: string, text: string): Promise<void> {
  const fh = await open(path, 'a');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function writeDurably(path: string, text: string): Promise<void> {
  const fh = await open(path, 'w');
  try {
    await fh.writeFile(text);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Makes a created or renamed file's directory entry survive a crash too. */
async function syncDirectory(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
