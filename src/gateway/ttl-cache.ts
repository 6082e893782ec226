/** A small bounded map whose entries expire after a time-to-live measured on the Clock. */
import type { Clock } from '../platform/clock.ts';

export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();

  /** `ttlMs` is nominal (scaled by the clock); 0 disables caching. */
  constructor(private readonly clock: Clock, private readonly ttlMs: number, private readonly maxEntries = 10_000) {}

  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.clock.nowMs()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.ttlMs <= 0) return;
    this.entries.delete(key); // re-insert: Map order is then oldest-first for eviction
    this.entries.set(key, { value, expiresAt: this.clock.nowMs() + this.clock.scaled(this.ttlMs) });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
  }

  delete(key: string): void {
    this.entries.delete(key);
  }
}
