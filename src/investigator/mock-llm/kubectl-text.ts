/**
 * Readers for the two text shapes kubectl prints, as the investigator's tools reproduce them:
 * column tables (`kubectl get`, `kubectl events`, the Events/Conditions blocks of describe) and the
 * indented `Key: value` layout of `kubectl describe`. Both read by header names and indentation,
 * never by fixed positions, so an extra column or different padding does not matter.
 */

export type TableRow = Record<string, string>;

const TRUNCATION_MARKER = /^\[\.\.\. truncated/;
/** Rows read from one table: far more than a 16,000-character tool result can hold. */
const MAX_ROWS = 2000;

/**
 * Rows of a kubectl table keyed by upper-cased header (`NAME`, `LAST SEEN`, ...). The first
 * non-empty line is the header; underline rows (`----`) and truncation markers are skipped.
 * "No resources found" (or any text without a header) yields no rows.
 */
export function parseTable(text: string | string[]): TableRow[] {
  const lines = (Array.isArray(text) ? text : text.split('\n')).map((l) => l.trimEnd());
  const start = lines.findIndex((l) => l.trim() !== '');
  if (start < 0) return [];
  const headerLine = lines[start];
  const indent = headerLine.length - headerLine.trimStart().length;
  const columns = headerColumns(headerLine);
  if (columns.length < 2 || !columns.every((c) => /^[A-Za-z][A-Za-z0-9 _.()/-]*$/.test(c.name))) return [];
  const rows: TableRow[] = [];
  for (const raw of lines.slice(start + 1)) {
    const line = raw.length >= indent && raw.slice(0, indent).trim() === '' ? raw : raw.trimStart();
    // Underlines, the truncation marker and notes such as `(200 rows shown, ...)` are not rows.
    if (line.trim() === '' || /^[\s-]+$/.test(line) || TRUNCATION_MARKER.test(line.trim()) || line.trim().startsWith('(')) continue;
    rows.push(cells(line, columns));
    if (rows.length >= MAX_ROWS) break;
  }
  return rows;
}

interface Column {
  name: string;
  start: number;
}

/** Header cells are separated by two or more spaces (a header such as `LAST SEEN` has one). */
function headerColumns(header: string): Column[] {
  const out: Column[] = [];
  const re = /\S+(?: \S+)*/g;
  for (const m of header.matchAll(re)) out.push({ name: m[0].toUpperCase(), start: m.index });
  return out;
}

function cells(line: string, columns: Column[]): TableRow {
  return cellsByOffset(line, columns) ?? cellsByGaps(line, columns);
}

/** Aligned output (what kubectl's tabwriter prints): every cell starts where its header starts. */
function cellsByOffset(line: string, columns: Column[]): TableRow | undefined {
  const row: TableRow = {};
  for (let i = 0; i < columns.length; i++) {
    const from = columns[i].start;
    const to = i + 1 < columns.length ? columns[i + 1].start : line.length;
    // A column boundary sits in a run of at least two spaces (or at a cell that is empty).
    if (from > 0 && from < line.length && line[from] !== ' ' && !(line[from - 1] === ' ' && (from < 2 || line[from - 2] === ' '))) return undefined;
    row[columns[i].name] = line.slice(from, Math.max(from, to)).trim();
  }
  return row;
}

/**
 * Not aligned with the header (another writer's padding): cells are separated by runs of 2+
 * spaces; with as many cells as columns they map in order, otherwise each cell goes to the column
 * whose header starts nearest to it (empty cells stay empty). The last column takes the rest.
 */
function cellsByGaps(line: string, columns: Column[]): TableRow {
  const parts = [...line.matchAll(/\S+(?: \S+)*/g)].map((m) => ({ text: m[0], start: m.index }));
  const row: TableRow = Object.fromEntries(columns.map((c) => [c.name, '']));
  if (parts.length >= columns.length) {
    columns.forEach((c, i) => {
      row[c.name] = i === columns.length - 1 ? parts.slice(i).map((p) => p.text).join('  ') : parts[i].text;
    });
    return row;
  }
  // Cells keep their order; a shift (how far earlier cells pushed this one off its header) is
  // carried along, so a widened or narrowed name does not move every later cell to a wrong column.
  let next = 0;
  let shift = 0;
  parts.forEach((part, k) => {
    const last = columns.length - (parts.length - k);
    let best = next;
    for (let i = next; i <= last; i++) {
      if (Math.abs(columns[i].start - (part.start - shift)) < Math.abs(columns[best].start - (part.start - shift))) best = i;
    }
    row[columns[best].name] = part.text;
    const end = part.start + part.text.length;
    shift = Math.max(part.start - columns[best].start, best + 1 < columns.length ? end + 2 - columns[best + 1].start : 0);
    next = best + 1;
  });
  return row;
}

/** One `Key: value` line of describe output with what is indented below it. */
export interface DescribeNode {
  key: string;
  value: string;
  indent: number;
  children: DescribeNode[];
  /** Every line below this one (deeper indented), raw, in order: tables, lists, continuations. */
  block: string[];
}

// Keys are words separated by single spaces (`Last State`, `Node-Selectors`); the value is
// separated from the colon by whitespace. So event rows and `key:Effect` taints are not keys.
// Lines are trimmed at the end first, so the value needs no trailing-space handling (which would backtrack).
const KEY_LINE = /^( *)([A-Za-z][\w.\-/()]*(?: [\w.\-/()]+)*):(?:\s+(.*))?$/;

/** The describe text as a tree of `Key: value` nodes by indentation; the root's children are the top-level keys. */
export function parseDescribe(text: string): DescribeNode {
  const root: DescribeNode = { key: '', value: '', indent: -1, children: [], block: [] };
  const stack: DescribeNode[] = [root];
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (line.trim() === '' || TRUNCATION_MARKER.test(line.trim())) continue;
    const indent = line.length - line.trimStart().length;
    while (stack.length > 1 && stack[stack.length - 1].indent >= indent) stack.pop();
    for (const open of stack.slice(1)) open.block.push(line);
    const m = KEY_LINE.exec(line);
    // A key line below a continuation-style value (Labels, Annotations, Taints) is part of that value.
    if (!m) continue;
    const node: DescribeNode = { key: m[2], value: m[3] ?? '', indent, children: [], block: [] };
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  }
  return root;
}

export function child(node: DescribeNode | undefined, key: string): DescribeNode | undefined {
  return node?.children.find((c) => c.key.toLowerCase() === key.toLowerCase());
}

/** The value of a key, `undefined` for absent, empty or `<none>`/`<unset>`. */
export function valueOf(node: DescribeNode | undefined, key: string): string | undefined {
  const v = child(node, key)?.value.trim();
  return v && !/^<(none|unset|unknown)>$/i.test(v) ? v : undefined;
}

/** A list-valued key (Labels, Taints, Node-Selectors): its value and every continuation line. */
export function listOf(node: DescribeNode | undefined, key: string): string[] {
  const n = child(node, key);
  if (!n) return [];
  const items = [n.value, ...n.block.map((l) => l.trim())].map((s) => s.trim()).filter((s) => s !== '');
  return items.filter((s) => !/^<(none|unset)>$/i.test(s));
}

/** The table inside a key's block (Events, Conditions). */
export function tableOf(node: DescribeNode | undefined, key: string): TableRow[] {
  const n = child(node, key);
  if (!n || n.block.length === 0) return [];
  return parseTable(n.block);
}

/** `kind/name` (`Pod/kv-store-2`, `StatefulSet/kv-store`) → parts; undefined when not that shape. */
export function splitKindName(ref: string): { kind: string; name: string } | undefined {
  const m = /^([A-Za-z][\w.]*)\/(\S+)$/.exec(ref.trim());
  return m ? { kind: m[1], name: m[2] } : undefined;
}

/** `1/2` → [1, 2]. */
export function readyCounts(ready: string | undefined): [number, number] | undefined {
  const m = /^(\d+)\/(\d+)$/.exec((ready ?? '').trim());
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}
