/**
 * A token bucket on the Clock: `burst` tokens at most, refilled at `ratePerSecond` per nominal
 * second. Used to keep a storm of retries or events from becoming a storm of API calls.
 */
import type { Clock } from '../platform/clock.ts';

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(
    private readonly clock: Clock,
    private readonly ratePerSecond: number,
    private readonly burst: number,
  ) {
    if (!(ratePerSecond > 0) || !(burst >= 1)) throw new Error(`token bucket needs rate > 0 and burst >= 1 (got ${ratePerSecond}, ${burst})`);
    this.tokens = burst;
    this.last = clock.nowMs();
  }

  /** Takes a token if one is there now. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }

  /**
   * Reserves the next token, possibly one not yet refilled, and returns how long (nominal ms) the
   * caller must wait before using it. Reservations queue up: each waits for its own token.
   */
  reserve(): number {
    this.refill();
    this.tokens -= 1;
    return this.tokens >= 0 ? 0 : (-this.tokens / this.ratePerSecond) * 1000;
  }

  private refill(): void {
    const now = this.clock.nowMs();
    const elapsedNominalMs = this.clock.nominal(Math.max(0, now - this.last));
    this.last = now;
    this.tokens = Math.min(this.burst, this.tokens + (elapsedNominalMs * this.ratePerSecond) / 1000);
  }
}
