/**
 * The building blocks every describer shares: a writer that indents by level (two spaces each)
 * and aligns tab-separated cells as kubectl's does, and the multi-line printers for labels,
 * annotations, taints, tolerations and events that kubectl uses across kinds.
 */
import { DESCRIBE_TABS, alignTabs } from '../tabwriter.ts';
import { LAST_APPLIED } from '../sanitize.ts';
import { ageSince, parseTime } from '../format.ts';
import type { KubeObject } from '../client.ts';

/**
 * Where describe text goes. `write` indents by `level` (two spaces each); `writeLine` ends a line
 * the way kubectl's Fprintln-based WriteLine does (no indentation of its own). Every multi-line
 * printer below writes in the same fragments kubectl does, which matters for the nested writer.
 */
export interface Writer {
  write(level: number, s: string): void;
  writeLine(s: string): void;
}

export class DescribeWriter implements Writer {
  private text = '';

  write(level: number, s: string): void {
    this.text += '  '.repeat(level) + s;
  }

  writeLine(s: string): void {
    this.text += `${s}\n`;
  }

  toString(): string {
    return alignTabs(this.text, DESCRIBE_TABS);
  }
}

/**
 * A writer that indents every fragment by `indent` more levels, continuation fragments included:
 * how kubectl prints a claim template nested in a volume (hence its peculiar inner spacing).
 */
export class NestedWriter implements Writer {
  constructor(
    private readonly parent: Writer,
    private readonly indent: number,
  ) {}

  write(level: number, s: string): void {
    this.parent.write(level + this.indent, s);
  }

  writeLine(s: string): void {
    this.parent.write(this.indent, `${s}\n`);
  }
}

/** Annotation values longer than this are cut, with `...`, as kubectl does. */
const MAX_ANNOTATION_LEN = 140;

/** `Title:\tk=v` then one `\tk=v` line per further label, sorted; `<none>` when empty. */
export function printLabels(w: Writer, title: string, labels: Record<string, string> | undefined, initialIndent = ''): void {
  w.write(0, `${initialIndent}${title}:\t`);
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  keys.forEach((key, i) => {
    if (i > 0) {
      w.write(0, initialIndent);
      w.write(0, '\t');
    }
    w.write(0, `${key}=${labels![key]}\n`);
  });
}

/** Like printLabels, with `key: value`; long or multi-line values go below their key, shortened. */
export function printAnnotations(w: Writer, title: string, annotations: Record<string, string> | undefined): void {
  w.write(0, `${title}:\t`);
  const keys = Object.keys(annotations ?? {})
    .filter((k) => k !== LAST_APPLIED)
    .sort();
  if (keys.length === 0) {
    w.writeLine('<none>');
    return;
  }
  keys.forEach((key, i) => {
    if (i > 0) w.write(0, '\t');
    const value = annotations![key].replace(/\n$/, '');
    if (value.length + key.length + 2 > MAX_ANNOTATION_LEN || value.includes('\n')) {
      w.write(0, `${key}:\n`);
      for (const part of value.split('\n')) w.write(0, `\t  ${shorten(part, MAX_ANNOTATION_LEN - 2)}\n`);
    } else {
      w.write(0, `${key}: ${value}\n`);
    }
  });
}

function shorten(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

/** Names one per line, sorted (`Used By:` of a claim). */
export function printNames(w: Writer, title: string, names: string[]): void {
  w.write(0, `${title}:\t`);
  if (names.length === 0) {
    w.writeLine('<none>');
    return;
  }
  [...names].sort().forEach((name, i) => {
    if (i > 0) w.write(0, '\t');
    w.write(0, `${name}\n`);
  });
}

export interface Toleration {
  key?: string;
  operator?: string;
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** `key=value:Effect op=Exists for 300s`, one per line, sorted by key. */
export function printTolerations(w: Writer, title: string, tolerations: Toleration[] | undefined): void {
  w.write(0, `${title}:\t`);
  const list = [...(tolerations ?? [])].sort((a, b) => cmp(a.key ?? '', b.key ?? ''));
  if (list.length === 0) {
    w.writeLine('<none>');
    return;
  }
  list.forEach((t, i) => {
    if (i > 0) w.write(0, '\t');
    let s = t.key ?? '';
    if (t.value) s += `=${t.value}`;
    if (t.effect) s += `:${t.effect}`;
    // An Exists toleration without a value: spelled out, since a bare one tolerates everything.
    if (t.operator === 'Exists' && !t.value) s += t.key || t.effect ? ' op=Exists' : 'op=Exists';
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null) s += ` for ${t.tolerationSeconds}s`;
    w.write(0, `${s}\n`);
  });
}

export interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export const taintString = (t: Taint): string => (t.value ? `${t.key}=${t.value}:${t.effect}` : `${t.key}:${t.effect}`);

/** One taint per line, sorted by effect then key. */
export function printTaints(w: Writer, title: string, taints: Taint[] | undefined): void {
  w.write(0, `${title}:\t`);
  const list = [...(taints ?? [])].sort((a, b) => cmp(`${a.effect},${a.key}`, `${b.effect},${b.key}`));
  if (list.length === 0) {
    w.writeLine('<none>');
    return;
  }
  list.forEach((t, i) => {
    if (i > 0) w.write(0, '\t');
    w.write(0, `${taintString(t)}\n`);
  });
}

export const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** `Kind/name` of the controller owner, or undefined. */
export function controllerOf(obj: KubeObject): string | undefined {
  const ref = obj.metadata.ownerReferences?.find((r) => r.controller);
  return ref ? `${ref.kind}/${ref.name}` : undefined;
}

export interface CoreEvent {
  metadata: { name: string; namespace?: string };
  involvedObject: { kind?: string; name?: string; namespace?: string; uid?: string };
  reason?: string;
  message?: string;
  type?: string;
  count?: number;
  firstTimestamp?: string;
  lastTimestamp?: string;
  eventTime?: string;
  series?: { count?: number; lastObservedTime?: string };
  source?: { component?: string; host?: string };
  reportingComponent?: string;
}

/** When an event last happened, for ordering (series, then lastTimestamp, then eventTime). */
export function eventTime(e: CoreEvent): number {
  return parseTime(e.series?.lastObservedTime) ?? parseTime(e.lastTimestamp) ?? parseTime(e.eventTime) ?? 0;
}

/** Oldest first; events of the same second keep the order the server listed them in. */
export function sortEvents(events: CoreEvent[]): CoreEvent[] {
  return [...events].sort((a, b) => eventTime(a) - eventTime(b));
}

/** `4s`, or `12s (x3 over 2m)` for a repeated event. */
export function eventInterval(e: CoreEvent, nowMs: number): string {
  const first = e.eventTime ? ageSince(e.eventTime, nowMs) : ageSince(e.firstTimestamp, nowMs);
  if (e.series) return `${ageSince(e.series.lastObservedTime, nowMs)} (x${e.series.count ?? 0} over ${first})`;
  if ((e.count ?? 0) > 1) return `${ageSince(e.lastTimestamp, nowMs)} (x${e.count} over ${first})`;
  return first;
}

/** The most recent events a describe shows. */
export const DESCRIBE_EVENTS_MAX = 50;

/** The `Events:` section ending every describe: `<none>` or the Type/Reason/Age/From/Message table. */
export function printEvents(w: Writer, events: CoreEvent[], nowMs: number): void {
  if (events.length === 0) {
    w.write(0, 'Events:\t<none>\n');
    return;
  }
  const sorted = sortEvents(events);
  const shown = sorted.slice(-DESCRIBE_EVENTS_MAX);
  w.write(0, 'Events:\n  Type\tReason\tAge\tFrom\tMessage\n');
  w.write(1, '----\t------\t----\t----\t-------\n');
  for (const e of shown) {
    const from = e.source?.component || e.reportingComponent || '';
    w.write(1, `${e.type ?? ''}\t${e.reason ?? ''}\t${eventInterval(e, nowMs)}\t${from}\t${(e.message ?? '').trim()}\n`);
  }
  if (shown.length < sorted.length) w.write(1, `(${sorted.length - shown.length} older events not shown)\n`);
}
