/**
 * Coalesces concurrent occurrence counts of one RemediationRequest into one status write.
 *
 * Under an alert storm many requests count into the same RR at once; each writing on its own
 * would collide (409) on the resourceVersion and retry, quadratic in the number of writers. Here,
 * while one write for an RR is in flight, further occurrences queue up and are then written
 * together (`occurrenceCount += n`). Correctness across Gateway replicas still rests on the
 * optimistic concurrency of each write; this only removes needless collisions within one replica.
 */

export interface Occurrences {
  count: number;
  firstSeenAt: Date;
  lastSeenAt: Date;
}

/** Writes `occurrences` into the current object and returns the stored result. */
export type WriteOccurrences<T> = (base: T, occurrences: Occurrences) => Promise<T>;

interface Batch<T> {
  occurrences: Occurrences;
  waiters: Array<{ resolve: (value: T) => void; reject: (err: unknown) => void }>;
}

export class OccurrenceBatcher<T> {
  private readonly queued = new Map<string, Batch<T>>();
  private readonly writing = new Set<string>();

  constructor(private readonly write: WriteOccurrences<T>) {}

  /** Counts one occurrence into the object `key`; resolves with the object as stored after the write that included it. */
  record(key: string, current: T, seenAt: Date): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const batch = this.queued.get(key);
      if (batch) {
        const o = batch.occurrences;
        o.count++;
        if (seenAt < o.firstSeenAt) o.firstSeenAt = seenAt;
        if (seenAt > o.lastSeenAt) o.lastSeenAt = seenAt;
        batch.waiters.push({ resolve, reject });
      } else {
        this.queued.set(key, { occurrences: { count: 1, firstSeenAt: seenAt, lastSeenAt: seenAt }, waiters: [{ resolve, reject }] });
      }
      if (!this.writing.has(key)) void this.drain(key, current);
    });
  }

  private async drain(key: string, current: T): Promise<void> {
    this.writing.add(key);
    let base = current;
    try {
      for (let batch = this.queued.get(key); batch; batch = this.queued.get(key)) {
        this.queued.delete(key); // later occurrences start the next batch while this one is written
        try {
          base = await this.write(base, batch.occurrences);
          for (const w of batch.waiters) w.resolve(base);
        } catch (err) {
          for (const w of batch.waiters) w.reject(err);
        }
      }
    } finally {
      this.writing.delete(key);
    }
  }
}
