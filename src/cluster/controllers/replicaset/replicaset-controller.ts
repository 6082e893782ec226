/**
 * The ReplicaSet controller (kube-controller-manager's `replicaset-controller`): keeps
 * `spec.replicas` active pods for each ReplicaSet, adopting matching orphans and releasing pods
 * that stop matching, creating in slow-start batches and deleting surplus pods cheapest first,
 * and reports replicas / fullyLabeled / ready / available counts through the status subresource.
 */
import type { Logger } from '../../../platform/log.ts';
import type { KubeObject } from '../../core/types.ts';
import type { ClusterClient } from '../../client/cluster-client.ts';
import type { Informer } from '../../client/informer.ts';
import { PODS, REPLICA_SETS } from '../../client/resources.ts';
import type { Component, ControlPlaneContext } from '../../client/component.ts';
import type { EventRecorder } from '../../client/event-recorder.ts';
import { isPodActive, isPodReady } from '../../core/pods.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { errorMessage, Expectations, isNamespaceTerminating, isNotFound, isPodAvailableScaled, omitZero, podFromTemplate, removeCondition, selectorMatches, setCondition, slowStartBatch } from '../shared/controller-utils.ts';
import { rankPodsForDeletion } from '../shared/pod-ranking.ts';
import { controllerRef } from '../../core/owner-refs.ts';
import { claimObjects } from '../shared/claim-objects.ts';
import { metaTime } from '../../core/meta-time.ts';
import { objectKey, splitKey } from '../../core/object-keys.ts';

/** Upstream's BurstReplicas: at most this many creates or deletes per sync. */
const BURST_REPLICAS = 500;

export class ReplicaSetController implements Component {
  private readonly client: ClusterClient;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly replicaSets: Informer;
  private readonly pods: Informer;
  private readonly queue: WorkQueue;
  private readonly expectations: Expectations;

  constructor(private readonly context: ControlPlaneContext) {
    this.client = context.client('kube-controller-manager/v1.32.2 (replicaset-controller)');
    this.recorder = context.recorder({ component: 'replicaset-controller' });
    this.log = context.log('replicaset-controller');
    this.expectations = new Expectations(context.clock);
    this.replicaSets = context.informers.informer(REPLICA_SETS);
    this.pods = context.informers.informer(PODS);
    this.queue = new WorkQueue(context.clock, (key) => this.sync(key), this.log, { baseDelayMs: 50, maxDelayMs: 30_000, startAfter: context.informers.synced });
    this.replicaSets.on((type, rs) => {
      if (type === 'DELETED') this.expectations.forget(objectKey(rs));
      this.queue.add(objectKey(rs));
    });
    this.pods.on((_type, pod, old) => this.onPod(pod, old));
  }

  async start(): Promise<void> {}

  stop(): void {
    this.queue.stop();
  }

  /** A pod changed: wake its controller, or (an orphan) every ReplicaSet that might adopt it. */
  private onPod(pod: KubeObject, old?: KubeObject): void {
    const ns = pod.metadata.namespace;
    for (const p of old ? [pod, old] : [pod]) {
      const ref = controllerRef(p);
      if (ref?.kind === 'ReplicaSet') this.queue.add(`${ns}/${ref.name}`);
    }
    if (controllerRef(pod)) return;
    for (const rs of this.replicaSets.list()) {
      if (rs.metadata.namespace === ns && selectorMatches(rs.spec?.selector, pod.metadata.labels)) this.queue.add(objectKey(rs));
    }
  }

  private async sync(key: string): Promise<void> {
    const { namespace: ns, name } = splitKey(key);
    const rs = this.replicaSets.get(ns, name);
    if (!rs) {
      this.expectations.forget(key);
      return;
    }
    const candidates = this.pods.list().filter((p) => p.metadata.namespace === ns && isPodActive(p));
    const owned = await claimObjects(this.client, PODS, rs, candidates, (p) => selectorMatches(rs.spec?.selector, p.metadata.labels));
    const satisfied = this.expectations.satisfied(key, (podName) => {
      const p = this.pods.get(ns, podName);
      return { present: !!p, terminating: !!p?.metadata.deletionTimestamp };
    });
    let manageError: unknown;
    if (satisfied && !rs.metadata.deletionTimestamp) manageError = await this.manageReplicas(rs, owned);
    await this.updateStatus(rs, owned, manageError);
    if (manageError) throw manageError;
  }

  /** Creates or deletes pods toward spec.replicas; returns the first error (after recording it). */
  private async manageReplicas(rs: KubeObject, pods: KubeObject[]): Promise<unknown> {
    const key = objectKey(rs);
    const diff = pods.length - (rs.spec?.replicas ?? 1);
    if (diff < 0) {
      const want = Math.min(-diff, BURST_REPLICAS);
      const { error } = await slowStartBatch(want, 1, async () => {
        const created = await this.client.create(PODS, rs.metadata.namespace, podForReplicaSet(rs));
        this.expectations.expectCreate(key, created.metadata.name!);
        this.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata.name}`);
      }).catch((e: unknown) => ({ error: e }));
      if (error) {
        if (isNamespaceTerminating(error)) return undefined;
        this.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(error)}`);
        return error;
      }
      return undefined;
    }
    if (diff > 0) {
      const victims = this.podsToDelete(rs, pods, Math.min(diff, BURST_REPLICAS));
      const results = await Promise.allSettled(
        victims.map(async (pod) => {
          this.expectations.expectDelete(key, pod.metadata.name!);
          try {
            await this.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!);
            this.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
          } catch (e) {
            this.expectations.deleteFailed(key, pod.metadata.name!);
            if (isNotFound(e)) return;
            this.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${errorMessage(e)}`);
            throw e;
          }
        }),
      );
      const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult | undefined;
      return failed?.reason;
    }
    return undefined;
  }

  /** The `count` cheapest pods to lose, ranked with co-location among pods of related ReplicaSets (same owner). */
  private podsToDelete(rs: KubeObject, pods: KubeObject[], count: number): KubeObject[] {
    const owner = controllerRef(rs)?.uid;
    const related = new Set([rs.metadata.uid]);
    if (owner) for (const other of this.replicaSets.list()) if (controllerRef(other)?.uid === owner) related.add(other.metadata.uid);
    const perNode = new Map<string, number>();
    for (const p of this.pods.list()) {
      if (p.metadata.namespace !== rs.metadata.namespace || !isPodActive(p) || !p.spec?.nodeName) continue;
      if (!related.has(controllerRef(p)?.uid)) continue;
      perNode.set(p.spec.nodeName, (perNode.get(p.spec.nodeName) ?? 0) + 1);
    }
    const rank = (p: KubeObject) => (p.spec?.nodeName ? (perNode.get(p.spec.nodeName) ?? 0) : 0);
    return rankPodsForDeletion(pods, rank, this.context.clock.nowMs()).slice(0, count);
  }

  private async updateStatus(rs: KubeObject, pods: KubeObject[], manageError: unknown): Promise<void> {
        const minReady = rs.spec?.minReadySeconds ?? 0;
    const templateLabels: Record<string, string> = rs.spec?.template?.metadata?.labels ?? {};
    const fullyLabeled = pods.filter((p) => Object.entries(templateLabels).every(([k, v]) => p.metadata.labels?.[k] === v)).length;
    const ready = pods.filter(isPodReady).length;
    const available = pods.filter((p) => isPodAvailableScaled(p, minReady, this.context.clock)).length;
    let conditions: any[] = rs.status?.conditions ?? [];
    const wanted = rs.spec?.replicas ?? 1;
    if (manageError && pods.length < wanted) {
      conditions = setCondition(conditions, { type: 'ReplicaFailure', status: 'True', lastTransitionTime: metaTime(this.context.clock.now()), reason: 'FailedCreate', message: errorMessage(manageError) });
    } else if (!manageError) {
      conditions = removeCondition(conditions, 'ReplicaFailure');
    }
    const status: Record<string, unknown> = omitZero(
      {
        replicas: pods.length,
        fullyLabeledReplicas: fullyLabeled,
        readyReplicas: ready,
        availableReplicas: available,
        observedGeneration: rs.metadata.generation,
        ...(conditions.length ? { conditions } : {}),
      },
      ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'],
    );
    const current = rs.status ?? {};
    const keys = ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration', 'conditions'];
    const changed = keys.some((k) => JSON.stringify(current[k] ?? (k === 'conditions' ? [] : 0)) !== JSON.stringify(status[k] ?? (k === 'conditions' ? [] : 0)));
    if (changed) {
      try {
        await this.client.update(REPLICA_SETS, { ...rs, status }, 'status');
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    // Pods become available minReadySeconds after turning ready: look again then.
    if (minReady > 0 && ready !== available) this.queue.addAfter(objectKey(rs), minReady * 1000 + 1000);
  }
}

/** A pod for `rs`: its template, generateName `<rs>-`, controlled by it. */
export function podForReplicaSet(rs: KubeObject): KubeObject {
  return podFromTemplate(rs.spec?.template, rs);
}
