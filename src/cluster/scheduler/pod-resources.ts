/**
 * Resource arithmetic of the NodeResourcesFit plugin: what a pod requests (app containers plus
 * sidecars, or the largest init step if that is bigger, plus pod overhead), what a node can
 * give (status.allocatable) and how full a node is. Quantities are bigints of nano-units.
 */
import type { KubeObject } from '../core/types.ts';
import { parseQuantity } from '../core/quantity.ts';

export type ResourceAmounts = Map<string, bigint>;

/** What the scorer assumes for a container that requests nothing (upstream's non-zero defaults). */
const NON_ZERO_DEFAULTS: Record<string, bigint> = {
  cpu: parseQuantity('100m')!.nanos,
  memory: parseQuantity('200Mi')!.nanos,
};

function amounts(list: Record<string, unknown> | undefined): ResourceAmounts {
  const out: ResourceAmounts = new Map();
  for (const [k, v] of Object.entries(list ?? {})) {
    const q = parseQuantity(v);
    if (q) out.set(k, q.nanos);
  }
  return out;
}

function addInto(target: ResourceAmounts, add: ResourceAmounts): void {
  for (const [k, v] of add) target.set(k, (target.get(k) ?? 0n) + v);
}

function maxInto(target: ResourceAmounts, other: ResourceAmounts): void {
  for (const [k, v] of other) if (v > (target.get(k) ?? 0n)) target.set(k, v);
}

function containerRequests(c: any, nonZero: boolean): ResourceAmounts {
  const req = amounts(c.resources?.requests);
  if (nonZero) for (const [k, v] of Object.entries(NON_ZERO_DEFAULTS)) if (!req.get(k)) req.set(k, v);
  return req;
}

/**
 * The pod's effective requests. With `nonZero`, containers without a cpu/memory request count
 * upstream's defaults (used for scoring only, never for fitting).
 */
export function podRequests(pod: KubeObject, nonZero = false): ResourceAmounts {
  const total: ResourceAmounts = new Map();
  for (const c of pod.spec?.containers ?? []) addInto(total, containerRequests(c, nonZero));
  // Init containers run one after another; sidecars (restartPolicy Always) keep running.
  const sidecars: ResourceAmounts = new Map();
  const initPeak: ResourceAmounts = new Map();
  for (const c of pod.spec?.initContainers ?? []) {
    const req = containerRequests(c, nonZero);
    if (c.restartPolicy === 'Always') {
      addInto(sidecars, req);
      maxInto(initPeak, sidecars);
    } else {
      const step = new Map(sidecars);
      addInto(step, req);
      maxInto(initPeak, step);
    }
  }
  addInto(total, sidecars);
  maxInto(total, initPeak);
  addInto(total, amounts(pod.spec?.overhead));
  return total;
}

export function nodeAllocatable(node: KubeObject): ResourceAmounts {
  return amounts(node.status?.allocatable ?? node.status?.capacity);
}

/** Sum of the requests of the pods already placed on a node. */
export function sumRequests(pods: KubeObject[], nonZero = false): ResourceAmounts {
  const total: ResourceAmounts = new Map();
  for (const p of pods) addInto(total, podRequests(p, nonZero));
  return total;
}

/** Reasons the pod does not fit, in upstream's order: pod count, cpu, memory, ephemeral storage, others. */
export function insufficientResources(pod: KubeObject, allocatable: ResourceAmounts, placed: KubeObject[]): string[] {
  const reasons: string[] = [];
  const podCount = allocatable.get('pods') ?? 0n;
  // `pods` is a count: compare in whole units.
  if (BigInt(placed.length + 1) * 1_000_000_000n > podCount) reasons.push('Too many pods');
  const want = podRequests(pod);
  const used = sumRequests(placed);
  const order = ['cpu', 'memory', 'ephemeral-storage', ...[...want.keys()].filter((k) => !['cpu', 'memory', 'ephemeral-storage', 'pods'].includes(k)).sort()];
  for (const name of order) {
    const w = want.get(name) ?? 0n;
    if (w === 0n) continue;
    if ((used.get(name) ?? 0n) + w > (allocatable.get(name) ?? 0n)) reasons.push(`Insufficient ${name}`);
  }
  return reasons;
}

/** LeastAllocated score in [0, 100]: the mean free share of cpu and memory after placing the pod. */
export function leastAllocatedScore(pod: KubeObject, allocatable: ResourceAmounts, placed: KubeObject[]): number {
  const want = podRequests(pod, true);
  const used = sumRequests(placed, true);
  let sum = 0;
  for (const name of ['cpu', 'memory']) {
    const cap = allocatable.get(name) ?? 0n;
    const req = (used.get(name) ?? 0n) + (want.get(name) ?? 0n);
    sum += cap === 0n || req > cap ? 0 : Number(((cap - req) * 100n) / cap);
  }
  return sum / 2;
}
