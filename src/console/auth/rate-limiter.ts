/**
 * Token buckets per client address, for sign-in attempts: `burst` at once, then one every
 * `refillMs`. The table of addresses is bounded (least recently seen dropped first); a dropped
 * address starts again with a full bucket, which only ever errs towards letting people in.
 */
export interface RateLimitOptions {
  burst: number;
  refillMs: number;
  maxClients?: number;
  now?: () => number;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  private readonly now: () => number;

  constructor(private readonly opts: RateLimitOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** Takes one token for `key`: 0 when allowed, else the milliseconds until the next token. */
  take(key: string): number {
    const now = this.now();
    const b = this.refilled(key, now);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil((1 - b.tokens) * this.opts.refillMs));
  }

  /** Whether `key` has a token left, without taking it. */
  hasToken(key: string): boolean {
    return this.refilled(key, this.now()).tokens >= 1;
  }

  private refilled(key: string, now: number): { tokens: number; at: number } {
    let b = this.buckets.get(key);
    if (b) {
      this.buckets.delete(key);
      b.tokens = Math.min(this.opts.burst, b.tokens + (now - b.at) / this.opts.refillMs);
      b.at = now;
    } else {
      b = { tokens: this.opts.burst, at: now };
      while (this.buckets.size >= (this.opts.maxClients ?? 10_000)) this.buckets.delete(this.buckets.keys().next().value as string);
    }
    this.buckets.set(key, b);
    return b;
  }
}
