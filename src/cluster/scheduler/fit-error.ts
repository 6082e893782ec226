/**
 * The text of a scheduling failure as kube-scheduler v1.32 prints it in the PodScheduled
 * condition and the FailedScheduling event:
 *   `0/3 nodes are available: 1 Insufficient cpu, 2 node(s) had untolerated taint {dedicated: gpu}.
 *    preemption: 0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.`
 * Reasons are counted over nodes ("<count> <reason>"), sorted as strings and joined with ", ".
 */
import type { NodeRejection } from './node-filters.ts';

export const NO_NODES_AVAILABLE = 'no nodes available to schedule pods';
const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
const NO_VICTIMS = 'No preemption victims found for incoming pod';

function histogram(reasons: string[]): string {
  const counts = new Map<string, number>();
  for (const r of reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const parts = [...counts].map(([r, n]) => `${n} ${r}`);
  // Go's sort.Strings: byte order, which for these ASCII strings is JS's default order.
  parts.sort();
  return parts.join(', ');
}

/**
 * `rejections` has one entry per node; `preFilterMessage` is set when a PreFilter plugin
 * rejected the pod for every node at once. The preemption part assumes there are no
 * lower-priority pods worth evicting (the simulation does not preempt).
 */
export function fitErrorMessage(nodeCount: number, rejections: NodeRejection[], preFilterMessage?: string): string {
  let msg = `0/${nodeCount} nodes are available:`;
  msg += preFilterMessage ? ` ${preFilterMessage}.` : ` ${histogram(rejections.flatMap((r) => r.reasons))}.`;
  const preemption = preFilterMessage
    ? Array.from({ length: nodeCount }, () => PREEMPTION_NOT_HELPFUL)
    : rejections.map((r) => (r.resolvable ? NO_VICTIMS : PREEMPTION_NOT_HELPFUL));
  msg += ` preemption: 0/${nodeCount} nodes are available: ${histogram(preemption)}.`;
  return msg;
}
