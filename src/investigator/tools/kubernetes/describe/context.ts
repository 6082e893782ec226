/** What a describer may read besides its object: related objects and the object's events. */
import type { KubeObject, KubeReader } from '../client.ts';
import { selectorString } from '../format.ts';
import type { CoreEvent } from './writer.ts';

export interface DescribeContext {
  reader: KubeReader;
  nowMs: number;
}

export type Describer = (obj: KubeObject, ctx: DescribeContext) => Promise<string>;

/** The events of exactly this object (kind, name, namespace and uid), as kubectl describe selects them. */
export async function eventsOf(ctx: DescribeContext, obj: KubeObject, kind: string): Promise<CoreEvent[]> {
  const ns = obj.metadata.namespace ?? '';
  const fields = [`involvedObject.kind=${kind}`, `involvedObject.name=${obj.metadata.name}`, `involvedObject.namespace=${ns}`];
  if (obj.metadata.uid) fields.push(`involvedObject.uid=${obj.metadata.uid}`);
  const path = ns ? `/api/v1/namespaces/${encodeURIComponent(ns)}/events` : '/api/v1/events';
  return ctx.reader.listOrEmpty<CoreEvent>(path, { fieldSelector: fields.join(',') }, 2000);
}

/** Pods selected by a workload's selector and controlled by it, counted by phase. */
export async function podPhases(ctx: DescribeContext, obj: KubeObject, selector: unknown): Promise<{ running: number; waiting: number; succeeded: number; failed: number }> {
  const counts = { running: 0, waiting: 0, succeeded: 0, failed: 0 };
  const ns = obj.metadata.namespace ?? '';
  const pods = await ctx.reader.listOrEmpty(`/api/v1/namespaces/${encodeURIComponent(ns)}/pods`, { labelSelector: selectorString(selector as any) || undefined });
  for (const pod of pods) {
    const owner = pod.metadata.ownerReferences?.find((r) => r.controller);
    if (!owner || owner.uid !== obj.metadata.uid) continue;
    switch (pod.status?.phase) {
      case 'Running':
        counts.running++;
        break;
      case 'Pending':
        counts.waiting++;
        break;
      case 'Succeeded':
        counts.succeeded++;
        break;
      case 'Failed':
        counts.failed++;
        break;
    }
  }
  return counts;
}
