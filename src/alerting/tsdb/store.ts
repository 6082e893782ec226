/**
 * In-memory time-series store for the embedded alerting stack.
 *
 * Layout (memory-conscious, the bench is 100,000 series):
 * - every series has an integer id, an interned label set and a list of chunks;
 * - a chunk holds up to {@link CHUNK_CAPACITY} samples in two Float64Arrays (timestamps, values);
 *   a chunk starts small and doubles until it is full, so a series with few samples stays small;
 * - an inverted index (label name -> label value -> set of series ids) serves `select`.
 *
 * Staleness follows Prometheus: a stale marker is an ordinary sample with the value
 * {@link STALE_NAN}; Float64Arrays keep its bit pattern, and `select` returns markers as
 * `[t, STALE_NAN, true]` as the storage contract asks. {@link MemorySeriesStore.commitScrape}
 * appends markers for series that a target's previous scrape had and the current one lacks, and
 * {@link MemorySeriesStore.failScrape} marks every series of a target stale.
 */
import {
  STALE_NAN,
  isStaleNaN,
  staleSample,
  matchesAll,
  matchesLabel,
  type Matcher,
  type Sample,
  type SeriesStorage,
  type StoredSeries,
} from '../promql/storage.ts';

export type Labels = Record<string, string>;

export const CHUNK_CAPACITY = 128;
const INITIAL_CHUNK_CAPACITY = 8;

class Chunk {
  t: Float64Array;
  v: Float64Array;
  n = 0;

  constructor(capacity: number) {
    this.t = new Float64Array(capacity);
    this.v = new Float64Array(capacity);
  }

  get full(): boolean {
    return this.n === CHUNK_CAPACITY;
  }

  push(t: number, v: number): void {
    if (this.n === this.t.length) {
      const cap = Math.min(CHUNK_CAPACITY, this.t.length * 2);
      const nt = new Float64Array(cap);
      const nv = new Float64Array(cap);
      nt.set(this.t);
      nv.set(this.v);
      this.t = nt;
      this.v = nv;
    }
    this.t[this.n] = t;
    this.v[this.n] = v;
    this.n++;
  }

  get minT(): number {
    return this.t[0];
  }

  get maxT(): number {
    return this.t[this.n - 1];
  }

  /** First index whose timestamp is >= t (n when none). */
  lowerBound(t: number): number {
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.t[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops the first k samples. */
  dropFirst(k: number): void {
    this.t.copyWithin(0, k, this.n);
    this.v.copyWithin(0, k, this.n);
    this.n -= k;
  }
}

interface Series {
  id: number;
  key: string;
  labels: Readonly<Labels>;
  chunks: Chunk[];
  /** Timestamp of the newest sample (-Infinity when none). */
  lastT: number;
  /** Whether the newest sample is a stale marker. */
  stale: boolean;
}

export interface MemorySeriesStoreOptions {
  /** Samples older than (newest appended timestamp - retentionMs) are dropped. Default 15 minutes. */
  retentionMs?: number;
  /** How often (in sample time) retention runs automatically on append. Default min(retention/4, 60 s). */
  gcIntervalMs?: number;
}

export type AppendResult = 'ok' | 'out-of-order' | 'duplicate';

/** One sample of a scrape, before it is stored. */
export interface ScrapedSample {
  labels: Labels;
  value: number;
}

export interface StoreStats {
  series: number;
  samples: number;
  chunks: number;
  /** Bytes held by chunk arrays (capacity, not just used). */
  chunkBytes: number;
}

const SEP = '\xff';

/**
 * Builds a [t, v] tuple for `select`. A stale marker becomes `[t, STALE_NAN, true]` (the flag the
 * evaluator relies on: V8 canonicalizes NaN payloads in number-only arrays, so the bit pattern kept
 * in our Float64Arrays would not survive a plain tuple).
 */
function sample(t: number, v: number): Sample {
  return isStaleNaN(v) ? staleSample(t) : [t, v];
}

export function seriesKey(labels: Labels): string {
  const names = Object.keys(labels).sort();
  let key = '';
  for (const n of names) {
    const v = labels[n];
    if (v === '') continue; // an empty label is the same as an absent one
    key += n + SEP + v + SEP;
  }
  return key;
}

export class MemorySeriesStore implements SeriesStorage {
  readonly retentionMs: number;
  private readonly gcIntervalMs: number;
  private readonly byId = new Map<number, Series>();
  private readonly byKey = new Map<string, Series>();
  /** label name -> label value -> ids of series having it. */
  private readonly postings = new Map<string, Map<string, Set<number>>>();
  /** Interned strings (label names and values) so 100k series share them. */
  private readonly strings = new Map<string, string>();
  /** Series ids of each target's previous successful scrape. */
  private readonly lastScrape = new Map<string, Set<number>>();
  private nextId = 1;
  private maxT = -Infinity;
  private lastGc = -Infinity;

  constructor(options: MemorySeriesStoreOptions = {}) {
    this.retentionMs = options.retentionMs ?? 15 * 60_000;
    if (!(this.retentionMs > 0)) throw new Error(`retention must be positive, got ${this.retentionMs}`);
    this.gcIntervalMs = options.gcIntervalMs ?? Math.min(this.retentionMs / 4, 60_000);
  }

  // ---- writing ----

  /**
   * Appends one sample to the series with these labels (created on first use). Samples of a series
   * must come in time order: an older timestamp is refused ('out-of-order'), the same timestamp
   * again is ignored ('duplicate').
   */
  append(labels: Labels, t: number, v: number): AppendResult {
    return this.appendTo(this.getOrCreate(labels), t, v);
  }

  /**
   * Appends a stale marker at t (or 1 ms after the newest sample when that is not older than t) to
   * the series, unless it has no samples or is already stale.
   */
  markStale(labels: Labels, t: number): boolean {
    const s = this.byKey.get(seriesKey(labels));
    return s ? this.markStaleSeries(s, t) : false;
  }

  /**
   * Stores one successful scrape of a target at time t. Series the target's previous scrape had and
   * this one lacks get a stale marker at t. Returns how many samples were stored.
   */
  commitScrape(targetKey: string, samples: ScrapedSample[], t: number): number {
    const seen = new Set<number>();
    let stored = 0;
    for (const s of samples) {
      const series = this.getOrCreate(s.labels);
      if (seen.has(series.id)) continue; // duplicate series in one scrape: first wins
      seen.add(series.id);
      if (this.appendTo(series, t, s.value) === 'ok') stored++;
    }
    const previous = this.lastScrape.get(targetKey);
    if (previous) {
      for (const id of previous) {
        if (seen.has(id)) continue;
        const series = this.byId.get(id);
        if (series) this.markStaleSeries(series, t);
      }
    }
    this.lastScrape.set(targetKey, seen);
    return stored;
  }

  /** A target's scrape failed (or the target went away): every series of its last scrape goes stale. */
  failScrape(targetKey: string, t: number): void {
    const previous = this.lastScrape.get(targetKey);
    if (previous) {
      for (const id of previous) {
        const series = this.byId.get(id);
        if (series) this.markStaleSeries(series, t);
      }
    }
    this.lastScrape.set(targetKey, new Set());
  }

  /** Forgets a target after marking its series stale. */
  dropTarget(targetKey: string, t: number): void {
    this.failScrape(targetKey, t);
    this.lastScrape.delete(targetKey);
  }

  /**
   * Drops samples older than minT (default: newest timestamp - retention) and series left without
   * samples. Runs automatically during appends; call it directly to force it.
   */
  gc(minT: number = this.maxT - this.retentionMs): void {
    this.lastGc = this.maxT;
    for (const s of this.byId.values()) {
      if (s.chunks.length > 0 && s.chunks[0].minT >= minT) continue;
      let drop = 0;
      while (drop < s.chunks.length && s.chunks[drop].maxT < minT) drop++;
      if (drop > 0) s.chunks.splice(0, drop);
      if (s.chunks.length === 0) {
        this.remove(s);
        continue;
      }
      const first = s.chunks[0];
      const k = first.lowerBound(minT);
      if (k > 0) first.dropFirst(k);
      // A series whose only remaining sample is its stale marker carries no information.
      if (s.stale && s.chunks.length === 1 && first.n === 1) this.remove(s);
    }
  }

  // ---- reading ----

  select(matchers: Matcher[], startMs: number, endMs: number): StoredSeries[] {
    const out: StoredSeries[] = [];
    for (const id of this.candidates(matchers)) {
      const s = this.byId.get(id);
      if (!s || !matchesAll(matchers, s.labels)) continue;
      if (!this.hasSamplesIn(s, startMs, endMs)) continue;
      // The samples are built when read, not here: the evaluator reads one series at a time, so
      // the tuples die young. Built all at once, they outlive a scavenge, and V8 then allocates
      // every later tuple of this site in old space (pretenuring): with 100,000 series that made
      // evaluation several times slower, most of it in full GCs. Read `samples` once.
      const read = () => this.samplesOf(s, startMs, endMs);
      out.push({
        labels: { ...s.labels },
        get samples() {
          return read();
        },
      });
    }
    return out;
  }

  /** Label sets of the series matching the matchers (all when none given). */
  series(matchers: Matcher[] = []): Labels[] {
    const out: Labels[] = [];
    for (const id of this.candidates(matchers)) {
      const s = this.byId.get(id);
      if (s && matchesAll(matchers, s.labels)) out.push({ ...s.labels });
    }
    return out;
  }

  labelNames(): string[] {
    return [...this.postings.keys()].sort();
  }

  labelValues(name: string): string[] {
    return [...(this.postings.get(name)?.keys() ?? [])].sort();
  }

  /** The newest sample of the series with exactly these labels (stale markers included). */
  latest(labels: Labels): Sample | undefined {
    const s = this.byKey.get(seriesKey(labels));
    if (!s || s.chunks.length === 0) return undefined;
    const c = s.chunks[s.chunks.length - 1];
    return sample(c.t[c.n - 1], c.v[c.n - 1]);
  }

  stats(): StoreStats {
    let samples = 0;
    let chunks = 0;
    let chunkBytes = 0;
    for (const s of this.byId.values()) {
      for (const c of s.chunks) {
        samples += c.n;
        chunks++;
        chunkBytes += c.t.byteLength + c.v.byteLength;
      }
    }
    return { series: this.byId.size, samples, chunks, chunkBytes };
  }

  // ---- internals ----

  private intern(s: string): string {
    const found = this.strings.get(s);
    if (found !== undefined) return found;
    this.strings.set(s, s);
    return s;
  }

  private getOrCreate(labels: Labels): Series {
    const key = seriesKey(labels);
    const found = this.byKey.get(key);
    if (found) return found;
    const own: Labels = {};
    for (const name of Object.keys(labels).sort()) {
      const value = labels[name];
      if (value === '') continue;
      own[this.intern(name)] = this.intern(value);
    }
    const series: Series = { id: this.nextId++, key, labels: Object.freeze(own), chunks: [], lastT: -Infinity, stale: false };
    this.byId.set(series.id, series);
    this.byKey.set(key, series);
    for (const [name, value] of Object.entries(own)) {
      let values = this.postings.get(name);
      if (!values) this.postings.set(name, (values = new Map()));
      let ids = values.get(value);
      if (!ids) values.set(value, (ids = new Set()));
      ids.add(series.id);
    }
    return series;
  }

  private remove(s: Series): void {
    this.byId.delete(s.id);
    this.byKey.delete(s.key);
    for (const [name, value] of Object.entries(s.labels)) {
      const values = this.postings.get(name);
      const ids = values?.get(value);
      if (!values || !ids) continue;
      ids.delete(s.id);
      if (ids.size === 0) values.delete(value);
      if (values.size === 0) this.postings.delete(name);
    }
    for (const ids of this.lastScrape.values()) ids.delete(s.id);
  }

  private appendTo(s: Series, t: number, v: number): AppendResult {
    if (t < s.lastT) return 'out-of-order';
    if (t === s.lastT) return 'duplicate';
    let c = s.chunks[s.chunks.length - 1];
    if (!c || c.full) {
      c = new Chunk(INITIAL_CHUNK_CAPACITY);
      s.chunks.push(c);
    }
    c.push(t, v);
    s.lastT = t;
    s.stale = isStaleNaN(v);
    if (t > this.maxT) this.maxT = t;
    if (this.maxT - this.lastGc >= this.gcIntervalMs) this.gc();
    return 'ok';
  }

  private markStaleSeries(s: Series, t: number): boolean {
    if (s.chunks.length === 0 || s.stale) return false;
    // A marker can never share the timestamp of the sample it ends: put it 1 ms later then.
    return this.appendTo(s, Math.max(t, s.lastT + 1), STALE_NAN) === 'ok';
  }

  private hasSamplesIn(s: Series, startMs: number, endMs: number): boolean {
    for (const c of s.chunks) {
      if (c.n === 0 || c.maxT < startMs) continue;
      return c.minT <= endMs && c.t[c.lowerBound(startMs)] <= endMs;
    }
    return false;
  }

  private samplesOf(s: Series, startMs: number, endMs: number): Sample[] {
    const out: Sample[] = [];
    for (const c of s.chunks) {
      const { t, v, n } = c;
      if (n === 0 || t[n - 1] < startMs) continue;
      if (t[0] > endMs) break;
      // The hottest loop of rule evaluation: plain tuples built inline; only a NaN can be a marker.
      for (let i = c.lowerBound(startMs); i < n && t[i] <= endMs; i++) {
        const value = v[i];
        out.push(value === value ? [t[i], value] : sample(t[i], value));
      }
    }
    return out;
  }

  /**
   * Ids that may match; the caller still checks every matcher on each candidate. Equality matchers
   * are served by their postings (intersected, smallest first). Only when there is none do the
   * other matchers that cannot match the empty string (so require the label) contribute the union
   * of the postings of the values they match: next to an equality set, building such a union (up to
   * every series carrying the label, e.g. `container!=""`) costs far more than testing the matcher
   * on the few candidates. When no matcher restricts, all series are candidates.
   */
  private candidates(matchers: Matcher[]): Iterable<number> {
    const sets: Set<number>[] = [];
    for (const m of matchers) {
      if (m.type !== '=' || m.value === '') continue;
      const ids = this.postings.get(m.name)?.get(m.value);
      if (!ids) return [];
      sets.push(ids);
    }
    if (sets.length === 0) {
      for (const m of matchers) {
        if (matchesLabel(m, '')) continue;
        const values = this.postings.get(m.name);
        if (!values) return [];
        const union = new Set<number>();
        for (const [value, ids] of values) {
          if (!matchesLabel(m, value)) continue;
          for (const id of ids) union.add(id);
        }
        if (union.size === 0) return [];
        sets.push(union);
      }
    }
    if (sets.length === 0) return this.byId.keys();
    sets.sort((a, b) => a.size - b.size);
    const [smallest, ...rest] = sets;
    if (rest.length === 0) return smallest;
    const out: number[] = [];
    for (const id of smallest) if (rest.every((set) => set.has(id))) out.push(id);
    return out;
  }
}
