/**
 * The `meta.k8s.io/v1` Table shape the server returns to `kubectl get`, and the printer contract
 * each resource's table conversion implements.
 */
import type { KubeObject } from '../../core/types.ts';

export interface TableColumnDefinition {
  name: string;
  type: string;
  format: string;
  description: string;
  priority: number;
}

/** Extra information about a row (pods in a terminal phase carry `Completed`). */
export interface TableRowCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
}

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object?: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: 'meta.k8s.io/v1';
  metadata: { resourceVersion?: string; continue?: string; remainingItemCount?: number };
  columnDefinitions: TableColumnDefinition[];
  rows: TableRow[];
}

/** The `includeObject` query parameter: what each row carries in `object`. */
export type IncludeObject = 'None' | 'Metadata' | 'Object';

/** Table conversion for one resource. `cells` returns one value per column, wide columns included. */
export interface Printer {
  columns: TableColumnDefinition[];
  cells(obj: KubeObject, now: Date): unknown[];
  conditions?(obj: KubeObject): TableRowCondition[] | undefined;
}
