/**
 * Scrapes Prometheus `/metrics` targets on an interval into a {@link MemorySeriesStore}.
 *
 * Semantics follow a Prometheus scrape loop with `honor_labels: false`:
 * - every sample gets the target labels `job` and `instance` (plus any static target labels); a
 *   scraped label with the same name is kept as `exported_<name>`;
 * - each scrape also stores `up` (1 or 0), `scrape_duration_seconds` and `scrape_samples_scraped`;
 * - series that disappear from a target get a stale marker; a failed scrape marks all of the
 *   target's series stale; removing a target marks everything it wrote stale;
 * - sample timestamps are the scrape's start time on the real clock; every wait (interval,
 *   timeout) goes through the {@link Clock}, so `--time-scale` shortens them.
 */
import type { Clock, Timer } from '../../platform/clock.ts';
import { parseExposition } from './exposition.ts';
import type { Labels, MemorySeriesStore, ScrapedSample } from './store.ts';

export interface ScrapeTarget {
  jobName: string;
  url: string;
  /** Nominal scrape interval in ms. */
  intervalMs: number;
  /** Nominal scrape timeout in ms (should not exceed the interval). */
  timeoutMs: number;
  /** Extra static target labels (like a static_config's `labels`). */
  labels?: Labels;
}

export type TargetHealthState = 'unknown' | 'up' | 'down';

export interface TargetStatus {
  jobName: string;
  url: string;
  labels: Labels;
  health: TargetHealthState;
  lastScrape?: Date;
  lastError?: string;
  /** Real duration of the last scrape in seconds. */
  lastDurationSeconds?: number;
  lastSamples?: number;
}

export interface ScrapeResult {
  target: ScrapeTarget;
  /** Sample timestamp (real ms). */
  timestamp: number;
  up: boolean;
  samples: number;
  durationSeconds: number;
  error?: string;
}

export interface ScraperOptions {
  store: MemorySeriesStore;
  clock: Clock;
  targets?: ScrapeTarget[];
  /** Injected fetch (defaults to the global one). */
  fetch?: typeof fetch;
  /** Called after every scrape, successful or not. */
  onScrape?: (result: ScrapeResult) => void;
}

const REPORT_NAMES = ['up', 'scrape_duration_seconds', 'scrape_samples_scraped'] as const;

/** The `instance` label of a URL: host:port, with the scheme's default port when none is given. */
export function instanceOf(url: string): string {
  const u = new URL(url);
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return `${u.hostname.includes(':') ? `[${u.hostname.replace(/^\[|\]$/g, '')}]` : u.hostname}:${port}`;
}

/**
 * The target labels of a target: job, instance and its static labels. As in Prometheus, `instance`
 * defaults to the scraped host:port unless the target sets its own (a name that stays the same
 * when the address changes).
 */
export function targetLabels(target: ScrapeTarget): Labels {
  return { ...target.labels, job: target.jobName, instance: target.labels?.instance ?? instanceOf(target.url) };
}

/**
 * Adds the target labels to scraped labels with honor_labels=false semantics: a scraped label
 * whose name is a target label moves to `exported_<name>` (prefixed again while that is taken too).
 */
export function applyTargetLabels(scraped: Labels, target: Labels): Labels {
  const out: Labels = { ...scraped };
  for (const [name, value] of Object.entries(target)) {
    const existing = out[name];
    if (existing !== undefined && existing !== '') {
      let exported = `exported_${name}`;
      while (out[exported] !== undefined && out[exported] !== '') exported = `exported_${exported}`;
      out[exported] = existing;
    }
    out[name] = value;
  }
  return out;
}

function keyOf(target: ScrapeTarget): string {
  return `${target.jobName}\xff${target.url}`;
}

class TargetLoop {
  readonly key: string;
  readonly labels: Labels;
  status: TargetStatus;
  timer?: Timer;
  inFlight?: Promise<ScrapeResult>;
  stopped = false;

  constructor(readonly target: ScrapeTarget) {
    this.key = keyOf(target);
    this.labels = targetLabels(target);
    this.status = { jobName: target.jobName, url: target.url, labels: { ...this.labels }, health: 'unknown' };
  }
}

export class Scraper {
  private readonly store: MemorySeriesStore;
  private readonly clock: Clock;
  private readonly fetchFn: typeof fetch;
  private readonly onScrape?: (result: ScrapeResult) => void;
  private readonly loops = new Map<string, TargetLoop>();
  private running = false;

  constructor(options: ScraperOptions) {
    this.store = options.store;
    this.clock = options.clock;
    this.fetchFn = options.fetch ?? fetch;
    this.onScrape = options.onScrape;
    this.setTargets(options.targets ?? []);
  }

  /** Starts scraping every target: one scrape right away, then one per interval. */
  start(): void {
    if (this.running) return;
    this.running = true;
    for (const loop of this.loops.values()) this.schedule(loop, 0);
  }

  /** Stops all loops and waits for scrapes in flight. Stored series are left as they are. */
  async stop(): Promise<void> {
    this.running = false;
    const pending: Promise<unknown>[] = [];
    for (const loop of this.loops.values()) {
      loop.timer?.cancel();
      loop.timer = undefined;
      if (loop.inFlight) pending.push(loop.inFlight);
    }
    await Promise.allSettled(pending);
  }

  /**
   * Replaces the target list. New targets start (when running); removed ones stop and their series
   * get stale markers; unchanged ones (same job, URL, interval, timeout, labels) keep running.
   */
  setTargets(targets: ScrapeTarget[]): void {
    const wanted = new Map<string, ScrapeTarget>();
    for (const t of targets) {
      if (!(t.intervalMs > 0)) throw new Error(`target ${t.url}: interval must be positive`);
      if (!(t.timeoutMs > 0)) throw new Error(`target ${t.url}: timeout must be positive`);
      instanceOf(t.url); // validates the URL
      wanted.set(keyOf(t), t);
    }
    for (const [key, loop] of this.loops) {
      const next = wanted.get(key);
      if (next && sameTarget(next, loop.target)) continue;
      this.removeLoop(loop);
    }
    for (const [key, target] of wanted) {
      if (this.loops.has(key)) continue;
      const loop = new TargetLoop(target);
      this.loops.set(key, loop);
      if (this.running) this.schedule(loop, 0);
    }
  }

  /** Scrapes every target once, now (also when not started). */
  async scrapeAll(): Promise<ScrapeResult[]> {
    return Promise.all([...this.loops.values()].map((loop) => this.scrape(loop)));
  }

  targets(): TargetStatus[] {
    return [...this.loops.values()].map((l) => ({ ...l.status, labels: { ...l.status.labels } }));
  }

  private removeLoop(loop: TargetLoop): void {
    loop.stopped = true;
    loop.timer?.cancel();
    loop.timer = undefined;
    this.loops.delete(loop.key);
    const t = this.clock.nowMs();
    this.store.dropTarget(loop.key, t);
    for (const name of REPORT_NAMES) this.store.markStale({ ...loop.labels, __name__: name }, t);
  }

  private schedule(loop: TargetLoop, delayMs: number): void {
    loop.timer = this.clock.setTimeout(() => {
      if (!this.running || loop.stopped) return;
      this.schedule(loop, loop.target.intervalMs);
      // A scrape still running when the next is due: skip this one (as Prometheus does).
      if (!loop.inFlight) void this.scrape(loop);
    }, delayMs);
  }

  private scrape(loop: TargetLoop): Promise<ScrapeResult> {
    if (loop.inFlight) return loop.inFlight;
    const p = this.doScrape(loop).then(
      (result) => {
        loop.inFlight = undefined;
        this.onScrape?.(result);
        return result;
      },
      (err: unknown) => {
        loop.inFlight = undefined;
        throw err;
      },
    );
    loop.inFlight = p;
    return p;
  }

  private async doScrape(loop: TargetLoop): Promise<ScrapeResult> {
    const { target } = loop;
    const start = this.clock.nowMs();
    let samples: ScrapedSample[] | undefined;
    let error: string | undefined;
    const ac = new AbortController();
    const timeout = this.clock.setTimeout(() => ac.abort(new Error(`scrape timed out after ${target.timeoutMs}ms`)), target.timeoutMs);
    try {
      const res = await this.fetchFn(target.url, {
        signal: ac.signal,
        headers: { accept: 'text/plain;version=0.0.4;q=1,*/*;q=0.1' },
      });
      const body = await res.text();
      if (!res.ok) throw new Error(`server returned HTTP status ${res.status} ${res.statusText}`.trim());
      samples = parseExposition(body);
    } catch (err) {
      error = ac.signal.aborted ? String((ac.signal.reason as Error)?.message ?? 'scrape timed out') : errorMessage(err);
    } finally {
      timeout.cancel();
    }
    const durationSeconds = Math.max(0, this.clock.nowMs() - start) / 1000;
    const result: ScrapeResult = { target, timestamp: start, up: !!samples, samples: samples?.length ?? 0, durationSeconds, error };
    if (!loop.stopped) {
      if (samples) {
        const labelled = samples.map((s) => ({ labels: applyTargetLabels(s.labels, loop.labels), value: s.value }));
        this.store.commitScrape(loop.key, labelled, start);
      } else {
        this.store.failScrape(loop.key, start);
      }
      const report = (name: string, value: number) => this.store.append({ ...loop.labels, __name__: name }, start, value);
      report('up', samples ? 1 : 0);
      report('scrape_duration_seconds', durationSeconds);
      report('scrape_samples_scraped', result.samples);
      loop.status = {
        ...loop.status,
        health: samples ? 'up' : 'down',
        lastScrape: new Date(start),
        lastError: error,
        lastDurationSeconds: durationSeconds,
        lastSamples: result.samples,
      };
    }
    return result;
  }
}

function sameTarget(a: ScrapeTarget, b: ScrapeTarget): boolean {
  return (
    a.jobName === b.jobName &&
    a.url === b.url &&
    a.intervalMs === b.intervalMs &&
    a.timeoutMs === b.timeoutMs &&
    JSON.stringify(Object.entries(a.labels ?? {}).sort()) === JSON.stringify(Object.entries(b.labels ?? {}).sort())
  );
}

function errorMessage(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${err.message}: ${cause.message}` : err.message;
  }
  return String(err);
}
