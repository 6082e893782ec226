/**
 * A boolean check whose answer is reused for a while (readiness probes every few seconds must not
 * each reach DataStorage and the LLM endpoint); concurrent callers share one check in flight.
 */
import type { Clock } from '../../platform/clock.ts';

export class CachedCheck {
  private value?: { ok: boolean; atMs: number };
  private inFlight?: Promise<boolean>;

  constructor(
    private readonly clock: Clock,
    /** Nominal milliseconds an answer is reused. */
    private readonly ttlMs: number,
    private readonly check: () => Promise<boolean>,
  ) {}

  get(): Promise<boolean> {
    const now = this.clock.nowMs();
    if (this.value && this.clock.nominal(now - this.value.atMs) < this.ttlMs) return Promise.resolve(this.value.ok);
    this.inFlight ??= this.check()
      .catch(() => false)
      .then((ok) => {
        this.value = { ok, atMs: this.clock.nowMs() };
        this.inFlight = undefined;
        return ok;
      });
    return this.inFlight;
  }
}
