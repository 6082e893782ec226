/**
 * Renders a server-side Table (meta.k8s.io/v1) the way `kubectl get` prints it: the columns of
 * priority 0, upper-case headers, left-aligned with three-space gaps, a NAMESPACE column first
 * when listing across namespaces. Empty cells read `<none>`, so every row splits into the same
 * number of whitespace-separated cells (kubectl would leave them blank).
 */
import { formatFloatShortest } from '../../../platform/go-format.ts';
import { TABLE_TABS, alignTabs } from './tabwriter.ts';

type Json = any;

export interface ServerTable {
  kind: 'Table';
  columnDefinitions: Array<{ name: string; priority?: number }>;
  rows: Array<{ cells: unknown[]; object?: { metadata?: { namespace?: string; name?: string } } }>;
  metadata?: { continue?: string; remainingItemCount?: number };
}

export function renderTable(table: ServerTable, withNamespace: boolean): string {
  const columns = table.columnDefinitions.map((c, i) => ({ name: c.name, index: i })).filter((_, i) => (table.columnDefinitions[i].priority ?? 0) === 0);
  const lines: string[] = [[...(withNamespace ? ['NAMESPACE'] : []), ...columns.map((c) => c.name.toUpperCase())].join('\t')];
  for (const row of table.rows) {
    const cells = columns.map((c) => cellText(row.cells[c.index]));
    if (withNamespace) cells.unshift(cellText(row.object?.metadata?.namespace));
    lines.push(cells.join('\t'));
  }
  return alignTabs(`${lines.join('\n')}\n`, TABLE_TABS);
}

/** A cell as kubectl prints it (Go's %v), on one line; `<none>` when empty. */
export function cellText(v: unknown): string {
  let s: string;
  if (v === null || v === undefined) s = '';
  else if (typeof v === 'string') s = v;
  else if (typeof v === 'number') s = Number.isInteger(v) ? v.toFixed(0) : formatFloatShortest(v);
  else if (typeof v === 'boolean') s = String(v);
  else s = JSON.stringify(v);
  s = s.replace(/[\t\r\n]+/g, ' ');
  return s === '' ? '<none>' : s;
}

/** NAME and AGE of a plain list, for a server that does not serve Tables. */
export function tableFromList(list: Json, nowAge: (created: unknown) => string): ServerTable {
  return {
    kind: 'Table',
    columnDefinitions: [{ name: 'Name' }, { name: 'Age' }],
    rows: (list.items ?? []).map((o: Json) => ({ cells: [o.metadata?.name, nowAge(o.metadata?.creationTimestamp)], object: { metadata: o.metadata } })),
    metadata: list.metadata,
  };
}
