/**
 * Pod and container families. Pod series carry `namespace`, `pod` and `uid`;
 * container series add `container`.
 */
import type { KubeObject } from '../core/types.ts';
import { arr, bool01, conditionSeries, gauge, num, obj, sortedObjects, str, type ClusterSnapshot, type Labels, type MetricFamily, type Sample } from './model.ts';

const POD_PHASES = ['Pending', 'Succeeded', 'Failed', 'Unknown', 'Running'] as const;
const NONE = '<none>';

function podIdentity(p: KubeObject): Labels {
  return [
    ['namespace', str(p.metadata?.namespace)],
    ['pod', str(p.metadata?.name)],
    ['uid', str(p.metadata?.uid)],
  ];
}

/** Runs `emit` for every pod in namespace/name order and concatenates the samples. */
function perPod(emit: (p: KubeObject, base: Labels) => Sample[]): (s: ClusterSnapshot) => Sample[] {
  return (s) => sortedObjects(s.pods).flatMap((p) => emit(p, podIdentity(p)));
}

/** Runs `emit` for every (regular) container status of every pod. */
function perContainer(emit: (cs: Record<string, any>, base: Labels) => Sample[]): (s: ClusterSnapshot) => Sample[] {
  return perPod((p, base) =>
    arr(obj(p.status).containerStatuses).flatMap((raw) => {
      const cs = obj(raw);
      return emit(cs, [...base, ['container', str(cs.name)]]);
    }),
  );
}

function condition(p: KubeObject, type: string): Record<string, any> | undefined {
  const found = arr(obj(p.status).conditions).find((c) => obj(c).type === type);
  return found === undefined ? undefined : obj(found);
}

function controllerOwner(p: KubeObject): { kind: string; name: string } | undefined {
  const ref = (p.metadata?.ownerReferences ?? []).find((r) => r.controller === true);
  return ref ? { kind: ref.kind, name: ref.name } : undefined;
}

/** A "reason" family: one series with value 1 when `reasonOf` yields a non-empty reason. */
function reasonFamily(name: string, help: string, reasonOf: (cs: Record<string, any>) => unknown): MetricFamily {
  return gauge(
    name,
    help,
    perContainer((cs, base) => {
      const reason = str(reasonOf(cs));
      return reason ? [{ labels: [...base, ['reason', reason]], value: 1 }] : [];
    }),
  );
}

export const podFamilies: MetricFamily[] = [
  gauge(
    'kube_pod_info',
    'Information about pod.',
    perPod((p, base) => {
      const spec = obj(p.spec);
      const status = obj(p.status);
      const owner = controllerOwner(p);
      return [
        {
          labels: [
            ...base,
            ['host_ip', str(status.hostIP)],
            ['pod_ip', str(status.podIP)],
            ['node', str(spec.nodeName)],
            ['created_by_kind', owner?.kind ?? NONE],
            ['created_by_name', owner?.name ?? NONE],
            ['priority_class', str(spec.priorityClassName)],
            ['host_network', String(spec.hostNetwork === true)],
          ],
          value: 1,
        },
      ];
    }),
  ),
  gauge(
    'kube_pod_owner',
    "Information about the Pod's owner.",
    perPod((p, base) => {
      const refs = p.metadata?.ownerReferences ?? [];
      if (refs.length === 0) {
        return [{ labels: [...base, ['owner_kind', NONE], ['owner_name', NONE], ['owner_is_controller', NONE]], value: 1 }];
      }
      return refs.map((r) => ({
        labels: [...base, ['owner_kind', str(r.kind)], ['owner_name', str(r.name)], ['owner_is_controller', String(r.controller === true)]],
        value: 1,
      }));
    }),
  ),
  gauge(
    'kube_pod_status_phase',
    'The pods current phase.',
    perPod((p, base) => {
      const phase = str(obj(p.status).phase);
      if (!phase) return [];
      return POD_PHASES.map((ph) => ({ labels: [...base, ['phase', ph]], value: bool01(ph === phase) }));
    }),
  ),
  gauge(
    'kube_pod_status_ready',
    'Describes whether the pod is ready to serve requests.',
    perPod((p, base) => {
      const c = condition(p, 'Ready');
      return c ? conditionSeries(base, 'condition', c.status) : [];
    }),
  ),
  gauge(
    'kube_pod_status_scheduled',
    'Describes the status of the scheduling process for the pod.',
    perPod((p, base) => {
      const c = condition(p, 'PodScheduled');
      return c ? conditionSeries(base, 'condition', c.status) : [];
    }),
  ),
  {
    name: 'kube_pod_container_status_restarts_total',
    help: 'The number of container restarts per container.',
    type: 'counter',
    collect: perContainer((cs, base) => [{ labels: base, value: num(cs.restartCount) }]),
  },
  gauge(
    'kube_pod_container_status_waiting',
    'Describes whether the container is currently in waiting state.',
    perContainer((cs, base) => [{ labels: base, value: bool01(obj(cs.state).waiting !== undefined) }]),
  ),
  reasonFamily(
    'kube_pod_container_status_waiting_reason',
    'Describes the reason the container is currently in waiting state.',
    (cs) => obj(obj(cs.state).waiting).reason,
  ),
  gauge(
    'kube_pod_container_status_running',
    'Describes whether the container is currently in running state.',
    perContainer((cs, base) => [{ labels: base, value: bool01(obj(cs.state).running !== undefined) }]),
  ),
  reasonFamily(
    'kube_pod_container_status_terminated_reason',
    'Describes the reason the container is currently in terminated state.',
    (cs) => obj(obj(cs.state).terminated).reason,
  ),
  reasonFamily(
    'kube_pod_container_status_last_terminated_reason',
    'Describes the last reason the container was in terminated state.',
    (cs) => obj(obj(cs.lastState).terminated).reason,
  ),
  gauge(
    'kube_pod_container_status_ready',
    'Describes whether the containers readiness check succeeded.',
    perContainer((cs, base) => [{ labels: base, value: bool01(cs.ready === true) }]),
  ),
];
