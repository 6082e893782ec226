/**
 * The Gateway's work is bounded by alerts, not requests: one webhook may carry thousands of alerts,
 * each costing several API server round trips, so counting requests let one batch stall everything.
 *
 * A request reserves its alerts from a shared budget once its body has been parsed (a client
 * trickling its body holds nothing; the HTTP layer cuts it off after its request deadline) and gives
 * them back when its work has ended, even if the client went away earlier. A batch larger than a
 * request may carry, or than the whole budget, can never be handled at once: 413, which senders do
 * not retry. A batch that does not fit right now: 503 with Retry-After, which they do. Nothing is
 * ever half-processed for lack of budget.
 */
import { ProblemError } from '../platform/http/app.ts';

export interface AlertBudgetOptions {
  /** Alerts being decided at once, over all requests. */
  maxInFlight: number;
  /** Alerts one request may carry. */
  maxPerRequest: number;
  /** Retry-After of a request refused because the budget is taken right now. */
  retryAfterSeconds: number;
}

export type Reservation =
  | { granted: true; release(): void }
  | { granted: false; problem: ProblemError; retryAfterSeconds?: number };

export class AlertBudget {
  private inFlight = 0;

  constructor(private readonly opts: AlertBudgetOptions) {}

  alertsInFlight(): number {
    return this.inFlight;
  }

  /** The problem of a batch of `alerts` that could never be handled at once, if it is one. */
  tooLarge(alerts: number): ProblemError | undefined {
    const limit = Math.min(this.opts.maxPerRequest, this.opts.maxInFlight);
    if (alerts <= limit) return undefined;
    return new ProblemError(
      413, 'Payload Too Large',
      `the request carries ${alerts} alerts; the Gateway takes at most ${limit} per request (set max_alerts in Alertmanager's webhook_config)`,
      { limit: 'alerts per request', maxAlertsPerRequest: limit, alerts },
    );
  }

  /** Takes `alerts` from the budget, all or none. */
  reserve(alerts: number): Reservation {
    const problem = this.tooLarge(alerts);
    if (problem) return { granted: false, problem };
    if (this.inFlight + alerts > this.opts.maxInFlight) {
      return {
        granted: false,
        retryAfterSeconds: this.opts.retryAfterSeconds,
        problem: new ProblemError(503, 'Service Unavailable', `too many alerts in flight (limit ${this.opts.maxInFlight}); retry later`, { limit: 'alerts in flight', maxAlertsInFlight: this.opts.maxInFlight }),
      };
    }
    this.inFlight += alerts;
    let released = false;
    return {
      granted: true,
      release: () => {
        if (released) return;
        released = true;
        this.inFlight -= alerts;
      },
    };
  }
}

/**
 * Runs `work` over `items`, at most `parallel` at a time, in order. Once `abort` fires, items not
 * yet started are never started (they settle as rejected with the abort reason); started ones
 * finish on their own terms.
 */
export async function settleEach<T, R>(items: readonly T[], parallel: number, abort: AbortSignal, work: (item: T) => Promise<R>): Promise<PromiseSettledResult<R>[]> {
  const results: PromiseSettledResult<R>[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      if (abort.aborted) {
        results[index] = { status: 'rejected', reason: abort.reason };
        continue;
      }
      try {
        results[index] = { status: 'fulfilled', value: await work(items[index]) };
      } catch (reason) {
        results[index] = { status: 'rejected', reason };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(parallel, items.length)) }, worker));
  return results;
}
