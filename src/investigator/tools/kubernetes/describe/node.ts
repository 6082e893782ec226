/** `kubectl describe node`, with the node's non-terminated pods and what they request. */
import { ageSince, rfc1123z } from '../format.ts';
import { ZERO, addQuantities, formatQuantity, maxQuantity, milliValue, parseQuantity, unitValue, type Quantity } from '../quantity.ts';
import type { KubeObject } from '../client.ts';
import { eventsOf, type DescribeContext } from './context.ts';
import { DescribeWriter, cmp, printAnnotations, printEvents, printLabels, printTaints, type Writer } from './writer.ts';

type Json = any;
type Resources = Map<string, Quantity>;

export async function describeNode(node: KubeObject, ctx: DescribeContext): Promise<string> {
  const name = node.metadata.name;
  const [lease, pods, events] = await Promise.all([
    ctx.reader.optional(`/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${encodeURIComponent(name)}`).catch(() => undefined),
    ctx.reader.listOrEmpty('/api/v1/pods', { fieldSelector: `spec.nodeName=${name},status.phase!=Failed,status.phase!=Succeeded` }),
    eventsOf(ctx, node, 'Node'),
  ]);
  const spec: Json = node.spec ?? {};
  const st: Json = node.status ?? {};
  const w = new DescribeWriter();
  w.write(0, `Name:\t${name}\n`);
  const roles = nodeRoles(node.metadata.labels ?? {});
  w.write(0, `Roles:\t${roles.length ? roles.join(',') : '<none>'}\n`);
  printLabels(w, 'Labels', node.metadata.labels);
  printAnnotations(w, 'Annotations', node.metadata.annotations);
  w.write(0, `CreationTimestamp:\t${rfc1123z(node.metadata.creationTimestamp)}\n`);
  printTaints(w, 'Taints', spec.taints);
  w.write(0, `Unschedulable:\t${spec.unschedulable === true}\n`);
  if (lease) {
    const ls: Json = lease.spec ?? {};
    w.write(0, 'Lease:\n');
    w.write(1, `HolderIdentity:\t${ls.holderIdentity ?? '<unset>'}\n`);
    w.write(1, `AcquireTime:\t${ls.acquireTime ? rfc1123z(ls.acquireTime) : '<unset>'}\n`);
    w.write(1, `RenewTime:\t${ls.renewTime ? rfc1123z(ls.renewTime) : '<unset>'}\n`);
  }
  if (st.conditions?.length) {
    w.write(0, 'Conditions:\n  Type\tStatus\tLastHeartbeatTime\tLastTransitionTime\tReason\tMessage\n');
    w.write(1, '----\t------\t-----------------\t------------------\t------\t-------\n');
    for (const c of st.conditions) w.write(1, `${c.type} \t${c.status} \t${rfc1123z(c.lastHeartbeatTime)} \t${rfc1123z(c.lastTransitionTime)} \t${c.reason ?? ''} \t${c.message ?? ''}\n`);
  }
  w.write(0, 'Addresses:\n');
  for (const a of st.addresses ?? []) w.write(1, `${a.type}:\t${a.address}\n`);
  for (const [title, list] of [
    ['Capacity', st.capacity],
    ['Allocatable', st.allocatable],
  ] as const) {
    const keys = Object.keys(list ?? {}).sort(cmp);
    if (keys.length === 0) continue;
    w.write(0, `${title}:\n`);
    for (const k of keys) w.write(0, `  ${k}:\t${formatQuantity(parseQuantity(list[k]) ?? ZERO)}\n`);
  }
  const info: Json = st.nodeInfo ?? {};
  w.write(0, 'System Info:\n');
  for (const [label, field] of [
    ['Machine ID', 'machineID'],
    ['System UUID', 'systemUUID'],
    ['Boot ID', 'bootID'],
    ['Kernel Version', 'kernelVersion'],
    ['OS Image', 'osImage'],
    ['Operating System', 'operatingSystem'],
    ['Architecture', 'architecture'],
    ['Container Runtime Version', 'containerRuntimeVersion'],
    ['Kubelet Version', 'kubeletVersion'],
    ['Kube-Proxy Version', 'kubeProxyVersion'],
  ]) {
    w.write(0, `  ${label}:\t${info[field] ?? ''}\n`);
  }
  if (spec.podCIDR) w.write(0, `PodCIDR:\t${spec.podCIDR}\n`);
  if (spec.podCIDRs?.length) w.write(0, `PodCIDRs:\t${spec.podCIDRs.join(',')}\n`);
  if (spec.providerID) w.write(0, `ProviderID:\t${spec.providerID}\n`);
  describeNodeResources(w, node, pods, ctx.nowMs);
  printEvents(w, events, ctx.nowMs);
  return w.toString();
}

/** Roles from `node-role.kubernetes.io/<role>` labels and the older `kubernetes.io/role`, sorted. */
function nodeRoles(labels: Record<string, string>): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) roles.add(v);
  }
  return [...roles].sort(cmp);
}

const STANDARD = new Set(['cpu', 'memory', 'ephemeral-storage', 'storage', 'pods']);

function describeNodeResources(w: Writer, node: KubeObject, pods: KubeObject[], nowMs: number): void {
  const st: Json = node.status ?? {};
  const allocatableRaw: Record<string, string> = Object.keys(st.allocatable ?? {}).length ? st.allocatable : (st.capacity ?? {});
  const allocatable = toResources(allocatableRaw);
  const alloc = (r: string): Quantity => allocatable.get(r) ?? ZERO;
  const pct = (used: Quantity, total: Quantity, milli: boolean): number => {
    const t = milli ? milliValue(total) : unitValue(total);
    if (t === 0) return 0;
    return Math.trunc(((milli ? milliValue(used) : unitValue(used)) / t) * 100);
  };
  w.write(0, `Non-terminated Pods:\t(${pods.length} in total)\n`);
  w.write(1, 'Namespace\tName\t\tCPU Requests\tCPU Limits\tMemory Requests\tMemory Limits\tAge\n');
  w.write(1, '---------\t----\t\t------------\t----------\t---------------\t-------------\t---\n');
  const totalReq: Resources = new Map();
  const totalLim: Resources = new Map();
  for (const pod of pods) {
    const { requests, limits } = podRequestsAndLimits(pod);
    for (const [k, v] of requests) totalReq.set(k, addQuantities(totalReq.get(k) ?? ZERO, v));
    for (const [k, v] of limits) totalLim.set(k, addQuantities(totalLim.get(k) ?? ZERO, v));
    const cell = (q: Quantity | undefined, r: string, milli: boolean): string => `${formatQuantity(q ?? ZERO)} (${pct(q ?? ZERO, alloc(r), milli)}%)`;
    w.write(
      1,
      `${pod.metadata.namespace ?? ''}\t${pod.metadata.name}\t\t${cell(requests.get('cpu'), 'cpu', true)}\t${cell(limits.get('cpu'), 'cpu', true)}\t${cell(requests.get('memory'), 'memory', false)}\t${cell(limits.get('memory'), 'memory', false)}\t${ageSince(pod.metadata.creationTimestamp, nowMs)}\n`,
    );
  }
  w.write(0, 'Allocated resources:\n  (Total limits may be over 100 percent, i.e., overcommitted.)\n');
  w.write(1, 'Resource\tRequests\tLimits\n');
  w.write(1, '--------\t--------\t------\n');
  const row = (r: string, milli: boolean): void => {
    const req = totalReq.get(r) ?? ZERO;
    const lim = totalLim.get(r) ?? ZERO;
    w.write(1, `${r}\t${formatQuantity(req)} (${pct(req, alloc(r), milli)}%)\t${formatQuantity(lim)} (${pct(lim, alloc(r), milli)}%)\n`);
  };
  row('cpu', true);
  row('memory', false);
  row('ephemeral-storage', false);
  const names = [...allocatable.keys()].sort(cmp);
  for (const r of names.filter((n) => n.startsWith('hugepages-'))) row(r, false);
  for (const r of names.filter((n) => !n.startsWith('hugepages-') && !STANDARD.has(n) && !n.startsWith('requests.') && !n.startsWith('limits.'))) {
    w.write(1, `${r}\t${formatQuantity(totalReq.get(r) ?? ZERO)}\t${formatQuantity(totalLim.get(r) ?? ZERO)}\n`);
  }
}

function toResources(list: Record<string, unknown> | undefined): Resources {
  const out: Resources = new Map();
  for (const [k, v] of Object.entries(list ?? {})) {
    const q = parseQuantity(v);
    if (q) out.set(k, q);
  }
  return out;
}

/**
 * What a pod asks of its node: the sum over its containers and sidecars, or the largest init
 * container (plus the sidecars started before it) if that is more, plus the pod overhead.
 */
export function podRequestsAndLimits(pod: KubeObject): { requests: Resources; limits: Resources } {
  const spec: Json = pod.spec ?? {};
  const compute = (field: 'requests' | 'limits'): Resources => {
    const sum: Resources = new Map();
    const add = (into: Resources, list: Resources): void => {
      for (const [k, v] of list) into.set(k, addQuantities(into.get(k) ?? ZERO, v));
    };
    for (const c of spec.containers ?? []) add(sum, toResources(c.resources?.[field]));
    const sidecars: Resources = new Map();
    const initMax: Resources = new Map();
    for (const c of spec.initContainers ?? []) {
      const own = toResources(c.resources?.[field]);
      if (c.restartPolicy === 'Always') {
        add(sum, own);
        add(sidecars, own);
      } else {
        const during: Resources = new Map(sidecars);
        add(during, own);
        for (const [k, v] of during) initMax.set(k, maxQuantity(initMax.get(k) ?? ZERO, v));
      }
    }
    for (const [k, v] of initMax) sum.set(k, maxQuantity(sum.get(k) ?? ZERO, v));
    add(sum, toResources(spec.overhead));
    return sum;
  };
  return { requests: compute('requests'), limits: compute('limits') };
}
