/** Shared helpers for the table conversion tests. */
import { columnDefinitions, tableRow } from '../../../../src/cluster/apiserver/tables/index.ts';
import type { KubeObject, PrinterColumn, ResourceInfo } from '../../../../src/cluster/core/types.ts';

export const NOW = new Date('2024-06-01T12:00:00Z');

/** An RFC 3339 timestamp `seconds` before NOW. */
export function ago(seconds: number): string {
  return new Date(NOW.getTime() - seconds * 1000).toISOString().replace(/\.000Z$/, 'Z');
}

export function info(gv: string, resource: string, kind: string, opts: { namespaced?: boolean; printerColumns?: PrinterColumn[] } = {}): ResourceInfo {
  const [group, version] = gv.includes('/') ? gv.split('/') : ['', gv];
  return {
    group,
    version,
    resource,
    kind,
    listKind: `${kind}List`,
    singular: kind.toLowerCase(),
    namespaced: opts.namespaced ?? true,
    shortNames: [],
    categories: [],
    verbs: ['get', 'list', 'watch'],
    subresources: {},
    storageVersion: version,
    crd: opts.printerColumns
      ? { name: `${resource}.${group}`, printerColumns: opts.printerColumns, selectableFields: [], preserveUnknownFields: false }
      : undefined,
  };
}

/** The row as `{ column name: cell }`, wide columns included. */
export function cellsByName(ri: ResourceInfo, obj: KubeObject, now = NOW): Record<string, unknown> {
  const cols = columnDefinitions(ri);
  const row = tableRow(ri, obj, 'None', now);
  if (row.cells.length !== cols.length) {
    throw new Error(`${ri.resource}: ${row.cells.length} cells for ${cols.length} columns`);
  }
  return Object.fromEntries(cols.map((c, i) => [c.name, row.cells[i]]));
}

/** Column names; `wide` true lists only priority-1 columns, false only the default ones. */
export function columnNames(ri: ResourceInfo, wide?: boolean): string[] {
  return columnDefinitions(ri)
    .filter((c) => wide === undefined || (wide ? c.priority > 0 : c.priority === 0))
    .map((c) => c.name);
}
