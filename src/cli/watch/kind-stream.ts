/**
 * One kind's list-then-watch loop in server-side Table form, as `kubectl get -w` runs it, made to
 * last: a watch that ends (its timeoutSeconds, a closed connection) resumes from the last
 * resourceVersion seen; one that is too old (410 Gone, or an ERROR event) relists, and the relist
 * reports only what changed while nobody was watching. Every row reaches `onRow` at most once per
 * resourceVersion, so resuming never prints a duplicate.
 */
import { createInterface } from 'node:readline';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ServedKind } from './kinds.ts';
import { GROUP } from './kinds.ts';
import { clusterUrl, kubeGet, kubeGetJson, KubeHttpError, TABLE_ACCEPT } from './kube-http.ts';

export interface ColumnDefinition {
  name: string;
  type: string;
  format?: string;
  priority?: number;
}

interface RowMetadata {
  name?: string;
  namespace?: string;
  resourceVersion?: string;
}

interface TableRow {
  cells: unknown[];
  object?: { metadata?: RowMetadata };
}

interface Table {
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  columnDefinitions?: ColumnDefinition[];
  rows?: TableRow[];
}

export type RowEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface RowEvent {
  kind: ServedKind;
  type: RowEventType;
  namespace?: string;
  name: string;
  /** The kind's columns as the server defines them (the latest definitions seen). */
  columns: ColumnDefinition[];
  cells: unknown[];
}

export interface KindStreamOptions {
  kc: KubeConfig;
  kind: ServedKind;
  /** undefined: every namespace. */
  namespace?: string;
  signal: AbortSignal;
  onRow(e: RowEvent): void;
  /** Something went wrong but the stream carries on (it retries). */
  onWarning(message: string): void;
  /** Between retries after a failed request: how long to wait (ms) for the nth consecutive failure. */
  backoffMs?(attempt: number): number;
  /** Server-side timeout asked for each watch request (seconds); random 5 to 10 minutes by default, like client-go. */
  watchTimeoutSeconds?: () => number;
}

interface Known {
  resourceVersion: string;
  namespace?: string;
  name: string;
  cells: unknown[];
}

const PAGE_SIZE = '500';

export class KindStream {
  private columns: ColumnDefinition[] = [];
  /** What was last reported per object, to tell a relist's changes from what was already printed. */
  private readonly known = new Map<string, Known>();
  private resourceVersion: string | undefined;

  constructor(private readonly o: KindStreamOptions) {}

  private path(): string {
    const k = this.o.kind;
    const ns = this.o.namespace !== undefined && k.namespaced ? `/namespaces/${encodeURIComponent(this.o.namespace)}` : '';
    return `/apis/${GROUP}/${k.version}${ns}/${k.plural}`;
  }

  /**
   * Lists the kind as a Table (every page) and reports what differs from what is known: on the
   * first call everything (unless `report` is false, for --watch-only), on a relist only the changes.
   */
  async list(report = true): Promise<void> {
    const rows: TableRow[] = [];
    let cont: string | undefined;
    let rv: string | undefined;
    do {
      const url = clusterUrl(this.o.kc, this.path(), { limit: PAGE_SIZE, continue: cont });
      const page = await kubeGetJson<Table>(this.o.kc, url, TABLE_ACCEPT, this.o.signal);
      if (page.kind !== 'Table') throw new Error(`the server did not answer ${this.o.kind.plural} as a Table (it answered ${page.kind ?? 'something else'}); kubectl would print only names`);
      if (page.columnDefinitions?.length) this.columns = page.columnDefinitions;
      rows.push(...(page.rows ?? []));
      rv = page.metadata?.resourceVersion;
      cont = page.metadata?.continue || undefined;
    } while (cont);
    const seen = new Set<string>();
    for (const row of rows) {
      const key = this.keyOf(row);
      seen.add(key);
      const prev = this.known.get(key);
      const rowRv = row.object?.metadata?.resourceVersion;
      if (prev && rowRv !== undefined && prev.resourceVersion === rowRv) continue;
      this.remember(key, row);
      if (report) this.emit(prev ? 'MODIFIED' : 'ADDED', row);
    }
    for (const [key, prev] of [...this.known]) {
      if (seen.has(key)) continue;
      this.known.delete(key);
      if (report) this.o.onRow({ kind: this.o.kind, type: 'DELETED', namespace: prev.namespace, name: prev.name, columns: this.columns, cells: prev.cells });
    }
    this.resourceVersion = rv;
  }

  /** Watches until aborted: resumes after every end, relists when the resourceVersion is gone. */
  async watchForever(): Promise<void> {
    let failures = 0;
    while (!this.o.signal.aborted) {
      try {
        if (this.resourceVersion === undefined) await this.list();
        if (await this.watchOnce()) {
          failures = 0;
        } else {
          failures++;
          await sleep(this.backoff(failures), this.o.signal);
        }
      } catch (e) {
        if (this.o.signal.aborted) return;
        if (e instanceof KubeHttpError && e.statusCode === 410) {
          this.resourceVersion = undefined;
          continue;
        }
        failures++;
        if (failures === 1 || failures % 10 === 0) this.o.onWarning(`${this.o.kind.plural}: ${(e as Error).message}; retrying`);
        await sleep(this.backoff(failures), this.o.signal);
      }
    }
  }

  private backoff(failures: number): number {
    return this.o.backoffMs?.(failures) ?? Math.min(30_000, 250 * 2 ** Math.min(failures, 7));
  }

  /** One watch request; true when it delivered at least one event or ended on the server's timeout. */
  private async watchOnce(): Promise<boolean> {
    const timeout = this.o.watchTimeoutSeconds?.() ?? 300 + Math.floor(Math.random() * 300);
    const url = clusterUrl(this.o.kc, this.path(), {
      watch: 'true',
      resourceVersion: this.resourceVersion,
      allowWatchBookmarks: 'true',
      timeoutSeconds: String(timeout),
    });
    const started = Date.now();
    const res = await kubeGet(this.o.kc, url, TABLE_ACCEPT, this.o.signal);
    let delivered = false;
    const lines = createInterface({ input: res, crlfDelay: Infinity });
    try {
      for await (const line of lines) {
        if (!line.trim()) continue;
        let event: { type?: string; object?: Table & { code?: number; message?: string; metadata?: RowMetadata } };
        try {
          event = JSON.parse(line);
        } catch {
          continue;
        }
        const obj = event.object;
        if (event.type === 'ERROR') {
          // 410 Gone ("too old resource version") and its kin: the only way on is a fresh list.
          this.resourceVersion = undefined;
          if (obj?.code !== 410) this.o.onWarning(`${this.o.kind.plural}: watch error: ${obj?.message ?? 'unknown'}; relisting`);
          res.destroy();
          return true;
        }
        if (event.type === 'BOOKMARK') {
          if (obj?.metadata?.resourceVersion) this.resourceVersion = obj.metadata.resourceVersion;
          continue;
        }
        if (event.type !== 'ADDED' && event.type !== 'MODIFIED' && event.type !== 'DELETED') continue;
        if (obj?.columnDefinitions?.length) this.columns = obj.columnDefinitions;
        for (const row of obj?.rows ?? []) {
          const rv = row.object?.metadata?.resourceVersion ?? obj?.metadata?.resourceVersion;
          if (rv) this.resourceVersion = rv;
          const key = this.keyOf(row);
          // A watch restarted without a resourceVersion replays what is known as ADDED: not news.
          if (event.type !== 'DELETED' && rv && this.known.get(key)?.resourceVersion === rv) continue;
          if (event.type === 'DELETED') this.known.delete(key);
          else this.remember(key, row);
          this.emit(event.type, row);
          delivered = true;
        }
      }
    } catch (e) {
      if (this.o.signal.aborted) return true;
      throw e;
    }
    // A server that closes watches at once would otherwise be asked again in a tight loop.
    return delivered || Date.now() - started >= 1000;
  }

  private keyOf(row: TableRow): string {
    const m = row.object?.metadata;
    return `${m?.namespace ?? ''}/${m?.name ?? String(row.cells[0] ?? '')}`;
  }

  private remember(key: string, row: TableRow): void {
    const m = row.object?.metadata;
    this.known.set(key, { resourceVersion: m?.resourceVersion ?? '', namespace: m?.namespace, name: m?.name ?? String(row.cells[0] ?? ''), cells: row.cells });
  }

  private emit(type: RowEventType, row: TableRow): void {
    const m = row.object?.metadata;
    this.o.onRow({ kind: this.o.kind, type, namespace: m?.namespace, name: m?.name ?? String(row.cells[0] ?? ''), columns: this.columns, cells: row.cells });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
