/**
 * Enrichment: what the cluster says about the signal's target. The namespace (labels,
 * annotations), the target and its controller owners up to the root (at most five hops: Pod ->
 * ReplicaSet -> Deployment, Pod -> StatefulSet, Job -> CronJob ...), which becomes the workload,
 * and the node (`kubernetesContext.node`): the one a Pod target is scheduled on, or a Node target
 * itself.
 *
 * Claims and pods of a StatefulSet are mapped to it by name when no ownerReference links them,
 * also when they no longer exist (statefulset-claims.ts). A target that does not exist is not an
 * error: enrichment records it and goes on with what is known. A read that fails for another
 * reason (API server down, forbidden, too slow for the configured timeout) turns on degraded
 * mode: the context is partial, and classification works with it.
 */
import type { KubernetesObject, V1Node } from '@kubernetes/client-node';
import { messageOf } from '../../kube/api-errors.ts';
import type { Clock } from '../../platform/clock.ts';
import type { ClusterReader, ObjectRef } from './cluster-reader.ts';
import { copyAnnotations, copyLabels } from './object-copy.ts';
import type { KubernetesContext } from './policy-input.ts';
import { statefulSetOfClaim, statefulSetOfPod } from './statefulset-claims.ts';

export const MAX_OWNER_DEPTH = 5;

export interface TargetRef {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** status.kubernetesContext.node: name, labels, readiness, conditions (type, status, reason), cordon. */
export type NodeSummary = NonNullable<KubernetesContext['node']>;
type NodeCondition = NonNullable<NodeSummary['conditions']>[number];

/** The limits of the CRD schema (SP and AIAnalysis alike). */
export const MAX_NODE_CONDITIONS = 20;
const MAX_CONDITION_TYPE = 316;
const MAX_CONDITION_REASON = 1024;

export interface EnrichmentResult {
  /** What goes into status.kubernetesContext (customLabels are added by categorization). */
  context: KubernetesContext;
  targetFound: boolean;
  /** What an operator should know: a missing target, a mapping by name, a failed read. */
  findings: string[];
}

export interface EnrichmentOptions {
  clock: Clock;
  /** Nominal ms the whole enrichment may take; then it stops with what it has, degraded. */
  timeoutMs: number;
  /** false: only the namespace is read (spec.enrichmentConfig.enableClusterState). */
  clusterState?: boolean;
}

export async function enrich(reader: ClusterReader, target: TargetRef, opts: EnrichmentOptions): Promise<EnrichmentResult> {
  const work = new Enrichment(reader, target, opts.clusterState ?? true);
  const stop = new AbortController();
  const timedOut = opts.clock.sleep(opts.timeoutMs, stop.signal).then(
    () => true,
    () => false,
  );
  const outOfTime = await Promise.race([work.run(stop.signal).then(() => false), timedOut]);
  stop.abort();
  if (outOfTime) work.degrade(`enrichment did not finish within ${opts.timeoutMs / 1000}s; the context is partial`);
  return work.result();
}

interface ChainEntry {
  ref: ObjectRef;
  obj?: KubernetesObject;
}

/** One enrichment under way; `result()` may be taken at any point (on timeout, it is partial). */
class Enrichment {
  private namespace?: KubernetesContext['namespace'];
  private readonly chain: ChainEntry[] = [];
  private targetFound = false;
  private node?: NodeSummary;
  private degraded = false;
  private readonly findings: string[] = [];
  private abort?: AbortSignal;

  constructor(
    private readonly reader: ClusterReader,
    private readonly target: TargetRef,
    private readonly clusterState: boolean,
  ) {}

  async run(abort: AbortSignal): Promise<void> {
    this.abort = abort;
    const ns = this.target.namespace;
    if (ns) {
      // Its name is known whatever the read gives (policies classify by it too).
      this.namespace = { name: ns, labels: {}, annotations: {} };
      const namespace = await this.read(`Namespace ${ns}`, () => this.reader.namespace(ns));
      if (namespace.ok && namespace.value) {
        this.namespace = { name: ns, labels: copyLabels(namespace.value.metadata?.labels), annotations: copyAnnotations(namespace.value.metadata?.annotations) };
      } else if (namespace.ok) {
        this.findings.push(`Namespace ${ns} not found`);
      }
    }
    if (!this.clusterState) return;

    const targetRef: ObjectRef = { ...this.target, namespace: ns ?? '' };
    const read = await this.read(describe(targetRef), () => this.reader.object(targetRef));
    if (!read.ok) return;
    const obj = read.value && (!read.value.kind || read.value.kind === this.target.kind) ? read.value : undefined;
    this.targetFound = !!obj;
    if (!obj) this.findings.push(`${describe(targetRef)} not found`);
    this.chain.push({ ref: targetRef, obj });
    if (obj) await this.followOwners(obj);
    // Only what has no controller of its own (or no longer exists) is mapped by name.
    const owned = obj?.metadata?.ownerReferences?.some((o) => o.controller);
    if (ns && !owned) await this.mapToStatefulSet(ns);
    if (obj && this.target.kind === 'Pod') await this.readNode(obj);
    if (obj && this.target.kind === 'Node') this.node = nodeSummary(obj as V1Node);
  }

  degrade(finding: string): void {
    this.degraded = true;
    this.findings.push(finding);
  }

  result(): EnrichmentResult {
    // The workload is the root of the chain: an object that exists (a missing target is none).
    const root = this.chain.length > 0 ? this.chain[this.chain.length - 1] : undefined;
    const context: KubernetesContext = {
      ...(this.namespace ? { namespace: this.namespace } : {}),
      ...(root?.obj
        ? {
            workload: {
              apiVersion: root.ref.apiVersion,
              kind: root.ref.kind,
              name: root.ref.name,
              labels: copyLabels(root.obj.metadata?.labels),
              annotations: copyAnnotations(root.obj.metadata?.annotations),
            },
          }
        : {}),
      // A missing target that nothing was mapped to has no chain at all.
      ownerChain: (this.targetFound || this.chain.length > 1 ? this.chain : []).map((e) => ({
        apiVersion: e.ref.apiVersion,
        kind: e.ref.kind,
        name: e.ref.name,
        ...(e.ref.namespace ? { namespace: e.ref.namespace } : {}),
      })),
      ...(this.node ? { node: this.node } : {}),
      degradedMode: this.degraded,
    };
    return { context, targetFound: this.targetFound, findings: [...this.findings] };
  }

  /** Controller ownerReferences, at most MAX_OWNER_DEPTH hops; owners live in the dependent's namespace. */
  private async followOwners(start: KubernetesObject): Promise<void> {
    let current = start;
    for (let depth = 0; depth < MAX_OWNER_DEPTH && this.chain.length <= MAX_OWNER_DEPTH; depth++) {
      const owner = current.metadata?.ownerReferences?.find((o) => o.controller);
      if (!owner) return;
      const ref: ObjectRef = { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.name, namespace: this.target.namespace ?? '' };
      const read = await this.read(describe(ref), () => this.reader.object(ref));
      if (!read.ok) return;
      if (!read.value) {
        // A dangling reference (the owner is being deleted): the last object found is the root.
        this.findings.push(`owner ${describe(ref)} of ${current.kind} ${current.metadata?.name} not found`);
        return;
      }
      this.chain.push({ ref, obj: read.value });
      current = read.value;
    }
  }

  /** An unowned (or missing) claim or pod named after a StatefulSet of the namespace joins that set. */
  private async mapToStatefulSet(namespace: string): Promise<void> {
    const { kind, name } = this.target;
    if (kind !== 'PersistentVolumeClaim' && kind !== 'Pod') return;
    const list = await this.read(`StatefulSets in ${namespace}`, () => this.reader.statefulSets(namespace));
    if (!list.ok) return;
    const match = kind === 'PersistentVolumeClaim' ? statefulSetOfClaim(name, list.value) : statefulSetOfPod(name, list.value);
    if (!match) return;
    const sts = match.statefulSet;
    const ref: ObjectRef = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: sts.metadata!.name!, namespace };
    this.chain.push({ ref, obj: { ...sts, apiVersion: 'apps/v1', kind: 'StatefulSet' } });
    const how = match.template ? `its volumeClaimTemplate ${match.template}` : 'its name';
    this.findings.push(`${kind} ${name}${this.targetFound ? '' : ' (missing)'} belongs to StatefulSet ${ref.name} by ${how}`);
    await this.followOwners(this.chain[this.chain.length - 1].obj!);
  }

  private async readNode(pod: KubernetesObject): Promise<void> {
    const nodeName = (pod as { spec?: { nodeName?: string } }).spec?.nodeName;
    if (!nodeName) return;
    const read = await this.read(`Node ${nodeName}`, () => this.reader.node(nodeName));
    if (read.ok && read.value) this.node = nodeSummary(read.value);
    else if (read.ok) this.findings.push(`Node ${nodeName} of the pod not found`);
  }

  /** Runs one read; a failure (not a 404) turns on degraded mode and is recorded. */
  private async read<T>(what: string, fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> {
    if (this.abort?.aborted) return { ok: false };
    try {
      const value = await fn();
      // Finished after the timeout: the result was already taken, so the value is not used.
      return this.abort?.aborted ? { ok: false } : { ok: true, value };
    } catch (err) {
      if (!this.abort?.aborted) this.degrade(`could not read ${what}: ${messageOf(err)}`);
      return { ok: false };
    }
  }
}

/**
 * What the CRD holds of a node. Conditions are unique by type (the first of a type is kept), a
 * status other than True/False is Unknown, and at most MAX_NODE_CONDITIONS are kept, Ready among them.
 */
export function nodeSummary(node: V1Node): NodeSummary {
  const byType = new Map<string, NodeCondition>();
  for (const c of node.status?.conditions ?? []) {
    const type = (c.type ?? '').slice(0, MAX_CONDITION_TYPE);
    if (!type || byType.has(type)) continue;
    const status = c.status === 'True' || c.status === 'False' ? c.status : 'Unknown';
    byType.set(type, { type, status, ...(c.reason ? { reason: c.reason.slice(0, MAX_CONDITION_REASON) } : {}) });
  }
  const ready = byType.get('Ready');
  let conditions = [...byType.values()];
  if (conditions.length > MAX_NODE_CONDITIONS) {
    conditions = ready ? [ready, ...conditions.filter((c) => c !== ready)] : conditions;
    conditions = conditions.slice(0, MAX_NODE_CONDITIONS);
  }
  return {
    name: node.metadata?.name ?? '',
    labels: copyLabels(node.metadata?.labels),
    ready: ready?.status === 'True',
    conditions,
    unschedulable: node.spec?.unschedulable === true,
  };
}

function describe(ref: ObjectRef): string {
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}
