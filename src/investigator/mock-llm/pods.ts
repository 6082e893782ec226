/**
 * The pods an investigation looks at: those of the signal resource (by the names Kubernetes gives
 * a workload's pods, `<workload>-...`), or every pod of the namespace when the signal is not a
 * workload. Each pod view joins its table row, its describe output and its events.
 */
import type { Evidence } from './evidence.ts';
import { WORKLOAD_KINDS, canonicalKind } from './evidence.ts';
import type { KubeEvent, PodDetail, PodRow } from './kube-objects.ts';

export interface PodView {
  name: string;
  row?: PodRow;
  detail?: PodDetail;
  /** Its describe events and the namespace events about it, oldest first. */
  events: KubeEvent[];
}

const SETTLED = new Set(['Running', 'Completed', 'Succeeded']);

/** Not Running and Ready (completed pods of a Job are fine). */
export function rowIsFailing(row: PodRow): boolean {
  if (row.status === 'Completed' || row.status === 'Succeeded') return false;
  if (!SETTLED.has(row.status)) return true;
  return row.ready !== undefined && row.ready[0] < row.ready[1];
}

export function detailIsFailing(d: PodDetail): boolean {
  if (d.status === 'Succeeded') return false;
  if (d.status !== 'Running') return true;
  return d.containers.some((c) => !c.init && c.ready === false);
}

/** Whether a pod belongs to the signal resource (always true when the signal is not a workload or pod). */
export function isRelated(ev: Evidence, podName: string): boolean {
  const s = ev.signal;
  if (!s) return true;
  const kind = canonicalKind(s.kind);
  if (kind === 'Pod') return podName === s.name;
  if (WORKLOAD_KINDS.has(kind)) return podName.startsWith(`${s.name}-`);
  return true;
}

export function podViews(ev: Evidence): PodView[] {
  const names: string[] = [];
  const add = (n: string) => {
    if (!names.includes(n)) names.push(n);
  };
  for (const r of ev.podTable ?? []) add(r.name);
  for (const n of ev.pods.keys()) add(n);
  return names
    .filter((n) => isRelated(ev, n))
    .map((name) => {
      const detail = ev.pods.get(name);
      const nsEvents = ev.events.filter((e) => e.object?.kind === 'Pod' && e.object.name === name);
      return { name, row: ev.podTable?.find((r) => r.name === name), detail, events: [...(detail?.events ?? []), ...nsEvents] };
    });
}

export function isFailing(p: PodView): boolean {
  if (p.detail) return detailIsFailing(p.detail);
  return p.row ? rowIsFailing(p.row) : false;
}

export function isPending(p: PodView): boolean {
  if (p.detail) return p.detail.status === 'Pending';
  return p.row?.status === 'Pending' || p.row?.status === 'ContainerCreating';
}

/** The newest event of the pod with one of these reasons. */
export function latestEvent(p: PodView, ...reasons: string[]): KubeEvent | undefined {
  const hits = p.events.filter((e) => reasons.includes(e.reason));
  return hits[hits.length - 1];
}

/** Whether every label a pod's nodeSelector asks for is on the node. */
export function selectorMatches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}
