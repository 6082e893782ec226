/**
 * Before the fault: waits until the alerting engine has seen the healthy workload. A rule created
 * right after a rollout is first evaluated against the last sample scraped before the rollout
 * ended (Prometheus does the same: it looks back at the newest sample), so the alert can go pending
 * for one scrape interval although nothing is wrong. Injecting then would let that stale episode
 * run on into the fault's, and the story would start before its cause. So the demo injects only
 * once the alert has stayed inactive for a whole scrape plus evaluation interval.
 */

/** `kubernaut up`'s default scrape and evaluation intervals (30 s each), in real time before scaling. */
export const SCRAPE_AND_EVALUATION_MS = 60_000;

export interface AlertQuietOptions {
  prometheusUrl: string;
  alertName: string;
  /** Only alerts of this namespace count (when the alert has a namespace label). */
  namespace?: string;
  /** How long the alert must stay inactive, in real milliseconds. */
  quietMs: number;
  signal: AbortSignal;
  pollMs?: number;
}

async function alertActive(opts: AlertQuietOptions): Promise<boolean> {
  const res = await fetch(`${opts.prometheusUrl}/api/v1/alerts`, { signal: AbortSignal.any([opts.signal, AbortSignal.timeout(5_000)]) });
  const body = (await res.json()) as { data?: { alerts?: Array<{ labels?: Record<string, string>; state?: string }> } };
  return (body.data?.alerts ?? []).some(
    (a) => a.labels?.alertname === opts.alertName && (!opts.namespace || !a.labels?.namespace || a.labels.namespace === opts.namespace) && (a.state === 'pending' || a.state === 'firing'),
  );
}

/** Resolves once the alert has been inactive for `quietMs` in a row; rejects when aborted. */
export async function waitForAlertQuiet(opts: AlertQuietOptions): Promise<void> {
  const pollMs = opts.pollMs ?? 250;
  let quietSince = Date.now();
  for (;;) {
    opts.signal.throwIfAborted();
    let active = true;
    try {
      active = await alertActive(opts);
    } catch (e) {
      if (opts.signal.aborted) throw e;
      // An unanswered look proves nothing either way: count it as not quiet.
    }
    const now = Date.now();
    if (active) quietSince = now;
    else if (now - quietSince >= opts.quietMs) return;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}
