/**
 * The per-node Filter plugins of the default scheduler profile, in its order: NodeUnschedulable,
 * TaintToleration, NodeAffinity, NodePorts, NodeResourcesFit. The first plugin that rejects a
 * node decides its reasons. `resolvable` tells preemption whether evicting pods could help
 * (only for port and resource conflicts, as upstream).
 */
import type { KubeObject } from '../core/types.ts';
import { podMatchesNodeAffinity } from './node-affinity.ts';
import { insufficientResources, nodeAllocatable } from './pod-resources.ts';

export interface NodeRejection {
  reasons: string[];
  /** Upstream `Unschedulable` (preemption may help) vs `UnschedulableAndUnresolvable`. */
  resolvable: boolean;
}

export const UNSCHEDULABLE_TAINT = 'node.kubernetes.io/unschedulable';
const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';

interface Taint {
  key: string;
  value?: string;
  effect: string;
}

export function tolerates(toleration: any, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.operator === 'Exists') return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

/**
 * The node's taints, plus the one the node lifecycle controller would add for a node whose
 * Ready condition is not True (so a not-ready node is filtered even before that controller runs).
 */
export function effectiveTaints(node: KubeObject): Taint[] {
  const taints: Taint[] = [...(node.spec?.taints ?? [])];
  const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  if (ready?.status !== 'True') {
    const key = ready?.status === 'False' ? NOT_READY_TAINT : UNREACHABLE_TAINT;
    if (!taints.some((t) => t.key === key && t.effect === 'NoSchedule')) taints.push({ key, effect: 'NoSchedule' });
  }
  return taints;
}

function hostPorts(pod: KubeObject): Array<{ port: number; protocol: string; ip: string }> {
  const out: Array<{ port: number; protocol: string; ip: string }> = [];
  for (const c of [...(pod.spec?.initContainers ?? []), ...(pod.spec?.containers ?? [])]) {
    for (const p of c.ports ?? []) if (p.hostPort) out.push({ port: p.hostPort, protocol: p.protocol ?? 'TCP', ip: p.hostIP || '0.0.0.0' });
  }
  return out;
}

function portsConflict(pod: KubeObject, placed: KubeObject[]): boolean {
  const wanted = hostPorts(pod);
  if (wanted.length === 0) return false;
  const used = placed.flatMap(hostPorts);
  return wanted.some((w) => used.some((u) => u.port === w.port && u.protocol === w.protocol && (u.ip === w.ip || u.ip === '0.0.0.0' || w.ip === '0.0.0.0')));
}

/** Runs the node filters; undefined when the node passes them all. `placed` = pods already on the node. */
export function filterNode(pod: KubeObject, node: KubeObject, placed: KubeObject[]): NodeRejection | undefined {
  const tolerations: any[] = pod.spec?.tolerations ?? [];
  if (node.spec?.unschedulable && !tolerations.some((t) => tolerates(t, { key: UNSCHEDULABLE_TAINT, effect: 'NoSchedule' }))) {
    return { reasons: ['node(s) were unschedulable'], resolvable: false };
  }
  const untolerated = effectiveTaints(node).find((t) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerations.some((tol) => tolerates(tol, t)));
  if (untolerated) return { reasons: [`node(s) had untolerated taint {${untolerated.key}: ${untolerated.value ?? ''}}`], resolvable: false };
  if (!podMatchesNodeAffinity(pod, node)) return { reasons: ["node(s) didn't match Pod's node affinity/selector"], resolvable: false };
  if (portsConflict(pod, placed)) return { reasons: ["node(s) didn't have free ports for the requested pod ports"], resolvable: true };
  const insufficient = insufficientResources(pod, nodeAllocatable(node), placed);
  if (insufficient.length) return { reasons: insufficient, resolvable: true };
  return undefined;
}
