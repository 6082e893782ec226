/**
 * Tables for custom resources: `Name` followed by the CRD's `additionalPrinterColumns`, each cell
 * taken from the column's JSONPath and typed by the column type. When a CRD declares no columns it
 * gets the default `Age` column (`.metadata.creationTimestamp`, type `date`).
 *
 * Like the real server, `date` cells are sent already rendered as an age (`5m`), `integer` cells
 * as integers, `number` as numbers, `boolean` as booleans; missing values and values of the wrong
 * type are `null`. `string` columns print whatever the path selects: maps and lists as compact
 * JSON, other scalars in Go's default formatting.
 */
import type { PrinterColumn, ResourceInfo } from '../../core/types.ts';
import { formatFloatShortest } from '../../../platform/go-format.ts';
import { AGE_DESCRIPTION, NAME_DESCRIPTION } from './columns.ts';
import { humanDuration, parseTimestamp } from './duration.ts';
import { compileJsonPath, type JsonPath } from './jsonpath.ts';
import type { Printer, TableColumnDefinition } from './model.ts';

/** The column a CRD gets when it declares none. */
export const DEFAULT_CRD_COLUMNS: PrinterColumn[] = [
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: AGE_DESCRIPTION },
];

/** Compact JSON with sorted keys and HTML-significant characters escaped, as Go's json.Marshal writes it. */
export function goJson(v: unknown): string {
  const sortKeys = (x: unknown): unknown => {
    if (Array.isArray(x)) return x.map(sortKeys);
    if (x !== null && typeof x === 'object') {
      const o = x as Record<string, unknown>;
      return Object.fromEntries(Object.keys(o).sort().map((k) => [k, sortKeys(o[k])]));
    }
    return x;
  };
  return JSON.stringify(sortKeys(v))
    .replace(/</g, '\\u003c')
    .replace(/>/g, '\\u003e')
    .replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/** How a `string` printer column renders a selected value. */
export function stringCell(value: unknown): string {
  if (value === null || value === undefined) return '<no value>';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : formatFloatShortest(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return goJson(value);
}

/** A typed cell for a non-string printer column, or `null` when the value does not fit the type. */
export function typedCell(type: string, value: unknown, now: Date): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'integer':
      return typeof value === 'number' && Number.isFinite(value) ? Math.trunc(value) : null;
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    case 'string':
      return typeof value === 'string' ? value : null;
    case 'date': {
      if (typeof value !== 'string') return null;
      const t = parseTimestamp(value);
      if (t === undefined) return '<invalid>';
      if (t === null) return '<unknown>';
      return humanDuration(now.getTime() - t.getTime());
    }
    default:
      return null;
  }
}

interface CompiledColumn {
  def: PrinterColumn;
  path: JsonPath | undefined;
}

/** A printer for a custom resource version, built from its CRD's printer columns. */
export function customResourcePrinter(info: ResourceInfo): Printer {
  const declared = info.crd?.printerColumns ?? [];
  const printerColumns = declared.length > 0 ? declared : DEFAULT_CRD_COLUMNS;
  const compiled: CompiledColumn[] = printerColumns.map((def) => {
    let path: JsonPath | undefined;
    try {
      path = compileJsonPath(def.jsonPath);
    } catch {
      path = undefined;
    }
    return { def, path };
  });
  const columns: TableColumnDefinition[] = [
    { name: 'Name', type: 'string', format: 'name', description: NAME_DESCRIPTION, priority: 0 },
    ...printerColumns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description || `Custom resource definition column (in JSONPath format): ${c.jsonPath}`,
      priority: c.priority ?? 0,
    })),
  ];
  return {
    columns,
    cells(obj, now) {
      const cells: unknown[] = [obj.metadata.name ?? ''];
      for (const { def, path } of compiled) {
        if (!path) {
          cells.push(null);
          continue;
        }
        let value: unknown;
        try {
          const results = path.findResults(obj);
          if (results.length === 0 || results[0].length === 0) {
            cells.push(null);
            continue;
          }
          value = results[0][0];
        } catch {
          cells.push(null);
          continue;
        }
        cells.push(def.type === 'string' ? stringCell(value) : typedCell(def.type, value, now));
      }
      return cells;
    },
  };
}
