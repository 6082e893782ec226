/**
 * kube-scheduler's scheduling queue, reduced to what behaviour depends on:
 * - activeQ: pods to try now, highest priority first, then in arrival order;
 * - backoff: a pod that failed waits 1 s, doubling per failed attempt up to 10 s (nominal);
 * - unschedulable: a pod that found no node waits for a cluster event that may help
 *   (`moveAll`), or 5 minutes at most; if such an event arrived while it was being tried, it
 *   goes to backoff instead, so the event is not missed.
 */
import type { Clock, Timer } from '../../platform/clock.ts';

const INITIAL_BACKOFF_MS = 1_000;
const MAX_BACKOFF_MS = 10_000;
/** Upstream's podMaxInUnschedulablePodsDuration. */
export const MAX_UNSCHEDULABLE_MS = 5 * 60_000;
const LEFTOVER_FLUSH_MS = 30_000;

export class SchedulingQueue {
  private active: string[] = [];
  private backoff = new Map<string, Timer>();
  /** Key → real time it became unschedulable. */
  private unschedulable = new Map<string, number>();
  /** Key → failed attempts and the real time its backoff ends. */
  private attempts = new Map<string, { count: number; backoffUntil: number }>();
  private moveCycle = 0;
  private flushTimer: Timer | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly priorityOf: (key: string) => number,
    private readonly onActive: () => void,
  ) {}

  start(): void {
    this.flushTimer = this.clock.setInterval(() => this.flushLeftover(), LEFTOVER_FLUSH_MS);
  }

  stop(): void {
    this.flushTimer?.cancel();
    for (const t of this.backoff.values()) t.cancel();
    this.backoff.clear();
  }

  /** A new or changed pending pod. A pod waiting in unschedulable is reconsidered at once (after its backoff). */
  add(key: string): void {
    if (this.active.includes(key) || this.backoff.has(key)) return;
    if (this.unschedulable.has(key)) {
      this.moveOne(key);
      return;
    }
    this.toActive(key);
  }

  /** A cluster event that may make unschedulable pods schedulable (node, volume, pod changes). */
  moveAll(): void {
    this.moveCycle++;
    for (const key of [...this.unschedulable.keys()]) this.moveOne(key);
  }

  /** Marks the start of an attempt; pass the result to `failed`. */
  cycle(): number {
    return this.moveCycle;
  }

  pop(): string | undefined {
    if (this.active.length === 0) return undefined;
    let best = 0;
    for (let i = 1; i < this.active.length; i++) if (this.priorityOf(this.active[i]) > this.priorityOf(this.active[best])) best = i;
    return this.active.splice(best, 1)[0];
  }

  /**
   * A failed attempt. Errors always go to backoff; an unschedulable pod waits for an event,
   * unless one already came while it was being tried.
   */
  failed(key: string, cycleAtStart: number, isError: boolean): void {
    const prev = this.attempts.get(key)?.count ?? 0;
    const count = prev + 1;
    const delay = Math.min(INITIAL_BACKOFF_MS * 2 ** (count - 1), MAX_BACKOFF_MS);
    this.attempts.set(key, { count, backoffUntil: this.clock.nowMs() + this.clock.scaled(delay) });
    if (isError || this.moveCycle !== cycleAtStart) this.toBackoff(key);
    else this.unschedulable.set(key, this.clock.nowMs());
  }

  /** The pod was bound or deleted: drop every trace of it. */
  forget(key: string): void {
    this.active = this.active.filter((k) => k !== key);
    this.backoff.get(key)?.cancel();
    this.backoff.delete(key);
    this.unschedulable.delete(key);
    this.attempts.delete(key);
  }

  private moveOne(key: string): void {
    this.unschedulable.delete(key);
    this.toBackoff(key);
  }

  private toBackoff(key: string): void {
    if (this.backoff.has(key) || this.active.includes(key)) return;
    const remaining = (this.attempts.get(key)?.backoffUntil ?? 0) - this.clock.nowMs();
    if (remaining <= 0) {
      this.toActive(key);
      return;
    }
    const t = this.clock.setTimeout(() => {
      this.backoff.delete(key);
      this.toActive(key);
    }, this.clock.nominal(remaining));
    this.backoff.set(key, t);
  }

  private toActive(key: string): void {
    if (this.active.includes(key)) return;
    this.active.push(key);
    this.onActive();
  }

  private flushLeftover(): void {
    const now = this.clock.nowMs();
    for (const [key, since] of [...this.unschedulable]) {
      if (this.clock.nominal(now - since) >= MAX_UNSCHEDULABLE_MS) this.moveOne(key);
    }
  }
}
