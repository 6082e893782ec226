/**
 * How `kubernaut watch` lays out rows of several kinds in one stream. kubectl prints a multi-kind
 * `get` as one table per kind, each with its own header and names written `kind.group/name`; a
 * stream cannot wait for a kind's block to end, so here each kind's header is printed the first
 * time one of its rows is, and every later row of that kind lines up under it. The NAME column
 * (and the optional TIME, EVENT and NAMESPACE before it) is shared by all kinds, so the first
 * printer column, the phase for every pipeline kind, lines up across kinds too.
 *
 * A change that leaves every visible cell as it was (a condition's timestamp, an annotation) is
 * not printed again, age aside: the stream shows what a person can see change.
 */
import { humanDuration } from '../../cluster/apiserver/tables/duration.ts';
import type { ServedKind } from './kinds.ts';
import { GROUP } from './kinds.ts';
import type { ColumnDefinition, RowEvent } from './kind-stream.ts';

export interface LayoutOptions {
  /** Show priority > 0 columns (`-o wide`). */
  wide: boolean;
  /** A leading TIME column: when the change was seen. */
  timestamps: boolean;
  /** A leading EVENT column (ADDED, MODIFIED, DELETED), as `kubectl get -w --output-watch-events`. */
  watchEvents: boolean;
  /** A NAMESPACE column, as `kubectl get -A`. */
  allNamespaces: boolean;
  write(text: string): void;
  now?: () => Date;
}

const GAP = '   ';
/**
 * Columns start at least this wide, so a stream's first short values (an empty phase) do not set a
 * width the next ones (`Processing`) immediately outgrow.
 */
const MIN_COLUMN_WIDTH = 12;
/**
 * Room in NAME beyond a RemediationRequest's name: its children are named after it plus a prefix
 * (`sp-`, `ai-`, `rar-`), so their rows still fit when they appear.
 */
const CHILD_PREFIX_ROOM = 4;

/** A cell as kubectl prints it: nothing for a missing value, ages for timestamps in date columns. */
export function formatCell(value: unknown, column: ColumnDefinition | undefined, now: Date): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') {
    // Servers render date columns as ages already; a raw RFC 3339 value is turned into one here.
    if (column?.type === 'date' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(value)) {
      const t = Date.parse(value);
      if (!Number.isNaN(t)) return humanDuration(now.getTime() - t);
    }
    return value;
  }
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/** `remediationrequest.kubernaut.ai/rr-1`, as kubectl names rows of a multi-kind get. */
export function qualifiedName(kind: ServedKind, name: string): string {
  return `${kind.kind.toLowerCase()}.${GROUP}/${name}`;
}

function timeOfDay(d: Date): string {
  return [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');
}

interface KindLayout {
  /** Indexes of the printed columns (the server's Name column excluded: NAME is shared). */
  visible: number[];
  headers: string[];
  widths: number[];
  headerPrinted: boolean;
}

export class StreamLayout {
  private readonly kinds = new Map<string, KindLayout>();
  /** Visible cells (ages excepted) last printed per object, to skip changes nobody can see. */
  private readonly lastPrinted = new Map<string, string>();
  private nameWidth = 4;
  private namespaceWidth = 9;
  private printedAnything = false;

  private readonly longestPrefix: number;

  constructor(
    private readonly o: LayoutOptions,
    kinds: ServedKind[],
  ) {
    this.longestPrefix = Math.max(0, ...kinds.map((k) => qualifiedName(k, '').length));
  }

  /** The current state, printed as kubectl prints a multi-kind get: per kind a header, then aligned rows. */
  printBlocks(blocks: RowEvent[][]): void {
    for (const e of blocks.flat()) this.measure(e);
    for (const e of blocks.flat()) this.print(e);
  }

  /** One change from a watch. */
  printChange(e: RowEvent): void {
    this.measure(e);
    this.print(e);
  }

  private layoutFor(e: RowEvent): KindLayout {
    const key = e.kind.plural;
    let l = this.kinds.get(key);
    const nameIndex = e.columns.findIndex((c) => c.format === 'name');
    const visible = e.columns.map((c, i) => ({ c, i })).filter(({ c, i }) => i !== nameIndex && (this.o.wide || !c.priority)).map(({ i }) => i);
    if (!l || l.visible.join() !== visible.join()) {
      const headers = visible.map((i) => e.columns[i]!.name.toUpperCase());
      const widths = visible.map((i, n) => (e.columns[i]!.type === 'date' ? headers[n]!.length : Math.max(headers[n]!.length, MIN_COLUMN_WIDTH)));
      l = { visible, headers, widths, headerPrinted: l?.headerPrinted ?? false };
      this.kinds.set(key, l);
    }
    return l;
  }

  private cellsOf(e: RowEvent, l: KindLayout, now: Date): string[] {
    return l.visible.map((i) => formatCell(e.cells[i], e.columns[i], now));
  }

  private measure(e: RowEvent): void {
    const l = this.layoutFor(e);
    const cells = this.cellsOf(e, l, this.now());
    cells.forEach((c, i) => (l.widths[i] = Math.max(l.widths[i]!, c.length)));
    // Every kind is measured with the longest kind prefix, so a later kind's rows fit too.
    const room = e.kind.kind === 'RemediationRequest' ? CHILD_PREFIX_ROOM : 0;
    this.nameWidth = Math.max(this.nameWidth, this.longestPrefix + e.name.length + room);
    this.namespaceWidth = Math.max(this.namespaceWidth, (e.namespace ?? '').length);
  }

  private now(): Date {
    return this.o.now?.() ?? new Date();
  }

  private print(e: RowEvent): void {
    const l = this.layoutFor(e);
    const now = this.now();
    const cells = this.cellsOf(e, l, now);
    const objectKey = `${e.kind.plural}/${e.namespace ?? ''}/${e.name}`;
    const visibleState = cells.filter((_, i) => e.columns[l.visible[i]!]?.type !== 'date').join('\u0000');
    if (e.type !== 'DELETED' && this.lastPrinted.get(objectKey) === visibleState) return;
    if (e.type === 'DELETED') this.lastPrinted.delete(objectKey);
    else this.lastPrinted.set(objectKey, visibleState);

    if (!l.headerPrinted) {
      if (this.printedAnything) this.o.write('\n');
      this.o.write(this.line(['TIME', 'EVENT', 'NAMESPACE', 'NAME'], l.headers, l) + '\n');
      l.headerPrinted = true;
    }
    const lead = [timeOfDay(now), e.type, e.namespace ?? '', qualifiedName(e.kind, e.name)];
    this.o.write(this.line(lead, cells, l) + '\n');
    this.printedAnything = true;
  }

  private line(lead: [string, string, string, string] | string[], cells: string[], l: KindLayout): string {
    const parts: string[] = [];
    if (this.o.timestamps) parts.push(lead[0]!.padEnd(8));
    if (this.o.watchEvents) parts.push(lead[1]!.padEnd(8));
    if (this.o.allNamespaces) parts.push(lead[2]!.padEnd(this.namespaceWidth));
    parts.push(lead[3]!.padEnd(this.nameWidth));
    cells.forEach((c, i) => parts.push(i === cells.length - 1 ? c : c.padEnd(l.widths[i]!)));
    return parts.join(GAP).trimEnd();
  }
}
