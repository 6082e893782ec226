/**
 * Which nodes a DaemonSet's pod belongs on, with upstream's rules: the pod's nodeSelector and
 * required node affinity must match the node, and every NoSchedule/NoExecute taint must be
 * tolerated, counting the tolerations the DaemonSet controller adds to every daemon pod. A node
 * whose untolerated taints are all NoSchedule keeps an already running pod ("should continue
 * running"); an untolerated NoExecute taint evicts it.
 */
import type { KubeObject } from '../../core/types.ts';

/** The tolerations upstream adds to daemon pods (AddOrUpdateDaemonPodTolerations). */
export function daemonPodTolerations(podSpec: any): any[] {
  const add = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
    ...(podSpec?.hostNetwork ? [{ key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' }] : []),
  ];
  const existing: any[] = [...(podSpec?.tolerations ?? [])];
  for (const t of add) {
    const same = existing.findIndex((e) => e.key === t.key && e.effect === t.effect);
    if (same >= 0) existing[same] = t;
    else existing.push(t);
  }
  return existing;
}

function tolerates(toleration: any, taint: any): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.operator === 'Exists') return !toleration.key || toleration.key === taint.key;
  return toleration.key === taint.key && (toleration.value ?? '') === (taint.value ?? '');
}

function requirementMatches(req: any, value: string | undefined): boolean {
  const has = value !== undefined;
  const values: string[] = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return has && values.includes(value);
    case 'NotIn':
      return !has || !values.includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
      return has && Number(value) > Number(values[0]);
    case 'Lt':
      return has && Number(value) < Number(values[0]);
    default:
      return false;
  }
}

/** Terms are ORed, requirements inside a term ANDed; an empty term matches nothing. */
export function nodeSelectorTermsMatch(terms: any[], node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  const fields: Record<string, string | undefined> = { 'metadata.name': node.metadata.name };
  return terms.some((term) => {
    const exprs: any[] = term.matchExpressions ?? [];
    const flds: any[] = term.matchFields ?? [];
    if (!exprs.length && !flds.length) return false;
    return exprs.every((r) => requirementMatches(r, labels[r.key])) && flds.every((r) => requirementMatches(r, fields[r.key]));
  });
}

export interface Eligibility {
  /** A new daemon pod should be created here. */
  shouldRun: boolean;
  /** An existing daemon pod may stay here. */
  shouldContinueRunning: boolean;
}

export function nodeEligibility(podSpec: any, node: KubeObject): Eligibility {
  const labels = node.metadata.labels ?? {};
  const selectorOk = Object.entries(podSpec?.nodeSelector ?? {}).every(([k, v]) => labels[k] === v);
  const required = podSpec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  const affinityOk = !required || nodeSelectorTermsMatch(required.nodeSelectorTerms ?? [], node);
  if (!selectorOk || !affinityOk) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonPodTolerations(podSpec);
  const untolerated = (node.spec?.taints ?? []).filter((t: any) => (t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerations.some((tol) => tolerates(tol, t)));
  if (!untolerated.length) return { shouldRun: true, shouldContinueRunning: true };
  return { shouldRun: false, shouldContinueRunning: untolerated.every((t: any) => t.effect !== 'NoExecute') };
}

/** The node a daemon pod is meant for: its nodeName, else the `metadata.name In [node]` affinity the controller pinned. */
export function targetNode(pod: KubeObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  for (const term of pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const f of term.matchFields ?? []) if (f.key === 'metadata.name' && f.operator === 'In' && f.values?.length === 1) return f.values[0];
  }
  return undefined;
}

/** Pins a pod spec to `nodeName` through required node affinity (the default scheduler then binds it there). */
export function pinToNode(podSpec: any, nodeName: string): void {
  const affinity = (podSpec.affinity ??= {});
  const nodeAffinity = (affinity.nodeAffinity ??= {});
  nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = {
    nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }],
  };
}
