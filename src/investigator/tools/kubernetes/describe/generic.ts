/**
 * `kubectl describe` of any other kind (Kubernaut's CRDs among them): name, namespace, labels,
 * annotations, then every other field as a nested outline with human labels (`apiVersion` →
 * `API Version`), keys sorted, then the object's events.
 */
import { formatFloatShortest } from '../../../../platform/go-format.ts';
import type { KubeObject } from '../client.ts';
import { eventsOf, type DescribeContext } from './context.ts';
import { DescribeWriter, printAnnotations, printEvents, printLabels, type Writer } from './writer.ts';

const SKIPPED = new Set(['.metadata.managedFields', '.metadata.name', '.metadata.namespace', '.metadata.labels', '.metadata.annotations']);

export async function describeGeneric(obj: KubeObject, ctx: DescribeContext, kind: string): Promise<string> {
  const events = await eventsOf(ctx, obj, kind);
  const w = new DescribeWriter();
  w.write(0, `Name:\t${obj.metadata.name}\n`);
  w.write(0, `Namespace:\t${obj.metadata.namespace ?? ''}\n`);
  printLabels(w, 'Labels', obj.metadata.labels);
  printAnnotations(w, 'Annotations', obj.metadata.annotations);
  printContent(w, 0, obj, '');
  printEvents(w, events, ctx.nowMs);
  return w.toString();
}

function printContent(w: Writer, level: number, content: Record<string, unknown>, path: string): void {
  for (const field of Object.keys(content).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const value = content[field];
    const here = `${path}.${field}`;
    if (SKIPPED.has(here)) continue;
    if (Array.isArray(value)) {
      w.write(level, `${smartLabel(field)}:\n`);
      for (const item of value) {
        if (isMap(item)) printContent(w, level + 1, item, here);
        else w.write(level + 1, `${scalar(item)}\n`);
      }
    } else if (isMap(value)) {
      w.write(level, `${smartLabel(field)}:\n`);
      printContent(w, level + 1, value, here);
    } else {
      w.write(level, `${smartLabel(field)}:\t${scalar(value)}\n`);
    }
  }
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's `%v` of a JSON value as kubectl decodes it (integers as int64, other numbers as float64). */
function scalar(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? v.toFixed(0) : formatFloatShortest(v);
  return String(v);
}

const ACRONYMS = new Set(['API', 'URL', 'UID', 'OSB', 'GUID']);

/** `creationTimestamp` → `Creation Timestamp`, `apiVersion` → `API Version`; names with other characters stay as they are. */
export function smartLabel(field: string): string {
  if (/[^\p{L}-]/u.test(field)) return field;
  return splitCamelCase(field)
    .filter((part) => part !== '_')
    .map((part) => (ACRONYMS.has(part.toUpperCase()) ? part.toUpperCase() : titleCase(part)))
    .join(' ');
}

function titleCase(s: string): string {
  return s.replace(/(^|[^\p{L}\p{N}_])(\p{L})/gu, (_m, before: string, letter: string) => before + letter.toUpperCase());
}

/** Runs of lower-case, upper-case, digits and other characters; an upper-case run's last letter starts the following lower-case word. */
function splitCamelCase(s: string): string[] {
  const classOf = (ch: string): number => (/\p{Ll}/u.test(ch) ? 1 : /\p{Lu}/u.test(ch) ? 2 : /\p{Nd}/u.test(ch) ? 3 : 4);
  const runs: string[][] = [];
  let last = 0;
  for (const ch of s) {
    const c = classOf(ch);
    if (c === last && runs.length) runs[runs.length - 1].push(ch);
    else runs.push([ch]);
    last = c;
  }
  for (let i = 0; i < runs.length - 1; i++) {
    if (classOf(runs[i][0]) === 2 && classOf(runs[i + 1][0]) === 1) {
      runs[i + 1].unshift(runs[i].pop()!);
    }
  }
  return runs.map((r) => r.join('')).filter((r) => r.length > 0);
}
