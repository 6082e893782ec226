/**
 * The DaemonSet controller (kube-controller-manager's `daemonset-controller`): one pod per
 * eligible node, pinned there by required node affinity (`metadata.name In [node]`) and bound by
 * the default scheduler; pods on nodes that no longer qualify are removed. Each distinct pod
 * template is a ControllerRevision whose hash labels the pods (`controller-revision-hash`);
 * RollingUpdate replaces old pods at most `maxUnavailable` at a time, OnDelete waits for users.
 */
import type { Logger } from '../../../platform/log.ts';
import type { KubeObject } from '../../core/types.ts';
import type { ClusterClient } from '../../client/cluster-client.ts';
import type { Informer } from '../../client/informer.ts';
import { CONTROLLER_REVISIONS, DAEMON_SETS, NODES, PODS } from '../../client/resources.ts';
import type { Component, ControlPlaneContext } from '../../client/component.ts';
import type { EventRecorder } from '../../client/event-recorder.ts';
import { createRevision, findEqualRevision, listRevisions, nextRevisionNumber, truncateHistory, updateRevisionNumber } from '../shared/history.ts';
import { isPodReady } from '../../core/pods.ts';
import { byCreation, errorMessage, Expectations, isNotFound, isPodAvailableScaled, omitZero, podFromTemplate, selectorMatches, slowStartBatch, withoutNulls } from '../shared/controller-utils.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { daemonPodTolerations, nodeEligibility, pinToNode, targetNode } from './node-eligibility.ts';
import { controllerRef } from '../../core/owner-refs.ts';
import { claimObjects } from '../shared/claim-objects.ts';
import { objectKey, splitKey } from '../../core/object-keys.ts';
import { scaledValue } from '../../core/int-or-string.ts';

export const REVISION_HASH = 'controller-revision-hash';
/** Deprecated but still set by upstream on daemon pods. */
const TEMPLATE_GENERATION = 'pod-template-generation';

export class DaemonSetController implements Component {
  private readonly client: ClusterClient;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly daemonSets: Informer;
  private readonly nodes: Informer;
  private readonly pods: Informer;
  private readonly revisions: Informer;
  private readonly queue: WorkQueue;
  private readonly expectations: Expectations;
  /** Per `<ds key>/<node>`: failed daemon pods killed there and when, so a pod that keeps failing is not recreated in a hot loop. */
  private readonly failedBackoff = new Map<string, { count: number; untilMs: number }>();

  constructor(private readonly context: ControlPlaneContext) {
    this.client = context.client('kube-controller-manager/v1.32.2 (daemonset-controller)');
    this.recorder = context.recorder({ component: 'daemonset-controller' });
    this.log = context.log('daemonset-controller');
    this.expectations = new Expectations(context.clock);
    this.daemonSets = context.informers.informer(DAEMON_SETS);
    this.nodes = context.informers.informer(NODES);
    this.pods = context.informers.informer(PODS);
    this.revisions = context.informers.informer(CONTROLLER_REVISIONS);
    this.queue = new WorkQueue(context.clock, (key) => this.sync(key), this.log, { baseDelayMs: 50, maxDelayMs: 30_000, startAfter: context.informers.synced });
    this.daemonSets.on((type, ds) => {
      if (type === 'DELETED') {
        this.expectations.forget(objectKey(ds));
        for (const k of [...this.failedBackoff.keys()]) if (k.startsWith(`${objectKey(ds)}/`)) this.failedBackoff.delete(k);
      }
      this.queue.add(objectKey(ds));
    });
    // Any node change (labels, taints, new node) may change where daemon pods belong.
    this.nodes.on(() => {
      for (const ds of this.daemonSets.list()) this.queue.add(objectKey(ds));
    });
    this.pods.on((_type, pod, old) => {
      const ns = pod.metadata.namespace;
      for (const p of old ? [pod, old] : [pod]) {
        const ref = controllerRef(p);
        if (ref?.kind === 'DaemonSet') this.queue.add(`${ns}/${ref.name}`);
      }
      if (controllerRef(pod)) return;
      for (const ds of this.daemonSets.list()) {
        if (ds.metadata.namespace === ns && selectorMatches(ds.spec?.selector, pod.metadata.labels)) this.queue.add(objectKey(ds));
      }
    });
  }

  async start(): Promise<void> {}

  stop(): void {
    this.queue.stop();
  }

  private async sync(key: string): Promise<void> {
    const { namespace: ns, name } = splitKey(key);
    const cached = this.daemonSets.get(ns, name);
    if (!cached) {
      this.expectations.forget(key);
      return;
    }
    const ds = structuredClone(cached);
    const candidates = this.pods.list().filter((p) => p.metadata.namespace === ns);
    const pods = await claimObjects(this.client, PODS, ds, candidates, (p) => selectorMatches(ds.spec?.selector, p.metadata.labels));
    if (ds.metadata.deletionTimestamp) return;
    const { hash, collisionCount } = await this.currentRevision(ds, pods);
    const byNode = this.podsByNode(pods);
    const nodes = this.nodes.list();
    const satisfied = this.expectations.satisfied(key, (n) => {
      const p = this.pods.get(ns, n);
      return { present: !!p, terminating: !!p?.metadata.deletionTimestamp };
    });
    if (satisfied) {
      await this.manage(ds, nodes, byNode, hash);
      if (ds.spec?.updateStrategy?.type !== 'OnDelete') await this.rollingUpdate(ds, nodes, byNode, hash);
    }
    await this.updateStatus(ds, nodes, this.podsByNode(pods.filter((p) => this.pods.get(ns, p.metadata.name!))), hash, collisionCount);
  }

  /** The current template's ControllerRevision (created, or an old one re-numbered on rollback); old ones trimmed. */
  private async currentRevision(ds: KubeObject, pods: KubeObject[]): Promise<{ hash: string; collisionCount: number }> {
    // Nulls dropped so a template written back by a Go client (creationTimestamp: null) matches its revision.
    const data = withoutNulls({ spec: { template: { ...structuredClone(ds.spec.template), $patch: 'replace' } } });
    const history = listRevisions(this.revisions, ds);
    let current = findEqualRevision(history, data);
    let collisionCount: number = ds.status?.collisionCount ?? 0;
    const next = nextRevisionNumber(history);
    if (current) {
      // A template seen before (e.g. `kubectl rollout undo`) becomes the newest revision again.
      if (current !== history.at(-1)) current = await updateRevisionNumber(this.client, current, next);
    } else {
      const created = await createRevision(this.client, ds, data, next, collisionCount, { hashLabelKey: REVISION_HASH });
      current = created.revision;
      collisionCount = created.collisionCount;
    }
    const hash = current.metadata.labels?.[REVISION_HASH] ?? current.metadata.name!.slice(ds.metadata.name!.length + 1);
    const live = new Set<string>([current.metadata.name!]);
    for (const p of pods) {
      const h = p.metadata.labels?.[REVISION_HASH];
      if (h) live.add(`${ds.metadata.name}-${h}`);
    }
    const limit = ds.spec?.revisionHistoryLimit ?? 10;
    if (history.length > limit) await truncateHistory(this.client, history.filter((r) => r.metadata.uid !== current!.metadata.uid), live, limit);
    return { hash, collisionCount };
  }

  /** Active (not terminating) daemon pods by the node they are meant for, oldest first. */
  private podsByNode(pods: KubeObject[]): Map<string, KubeObject[]> {
    const map = new Map<string, KubeObject[]>();
    for (const p of [...pods].sort(byCreation)) {
      if (p.metadata.deletionTimestamp) continue;
      const node = targetNode(p);
      if (!node) continue;
      map.set(node, [...(map.get(node) ?? []), p]);
    }
    return map;
  }

  /** Creates missing daemon pods and deletes misplaced, failed or duplicate ones. */
  private async manage(ds: KubeObject, nodes: KubeObject[], byNode: Map<string, KubeObject[]>, hash: string): Promise<void> {
    const needPods: string[] = [];
    const toDelete: KubeObject[] = [];
    const nodeNames = new Set(nodes.map((n) => n.metadata.name!));
    const clock = this.context.clock;
    for (const node of nodes) {
      const { shouldRun, shouldContinueRunning } = nodeEligibility(ds.spec?.template?.spec, node);
      const here = byNode.get(node.metadata.name!) ?? [];
      const backoffKey = `${objectKey(ds)}/${node.metadata.name}`;
      if (shouldRun && here.length === 0) {
        const backoff = this.failedBackoff.get(backoffKey);
        const waitMs = backoff ? clock.nominal(backoff.untilMs - clock.nowMs()) : 0;
        if (waitMs > 0) this.queue.addAfter(objectKey(ds), waitMs);
        else needPods.push(node.metadata.name!);
      } else if (shouldContinueRunning) {
        const failed = here.filter((p) => p.status?.phase === 'Failed');
        for (const p of failed) this.recorder.event(ds, 'Warning', 'FailedDaemonPod', `Found failed daemon pod ${p.metadata.namespace}/${p.metadata.name} on node ${node.metadata.name}, will try to kill it`);
        if (failed.length) {
          // 1 s doubling up to 15 min (nominal) before the next pod on this node, like upstream's failedPodsBackoff.
          const count = (this.failedBackoff.get(backoffKey)?.count ?? 0) + 1;
          this.failedBackoff.set(backoffKey, { count, untilMs: clock.nowMs() + clock.scaled(Math.min(1000 * 2 ** (count - 1), 15 * 60_000)) });
        }
        toDelete.push(...failed);
        const healthy = here.filter((p) => p.status?.phase !== 'Failed');
        if (this.maxSurge(ds, nodes) > 0) {
          // Surging: an old and a new pod may share a node for a while; extra copies of either go.
          const olds = healthy.filter((p) => p.metadata.labels?.[REVISION_HASH] !== hash);
          const news = healthy.filter((p) => p.metadata.labels?.[REVISION_HASH] === hash);
          toDelete.push(...olds.slice(1), ...news.slice(1));
        } else {
          // More than one healthy pod on a node: keep the oldest.
          toDelete.push(...healthy.slice(1));
        }
      } else {
        toDelete.push(...here);
      }
    }
    // Pods meant for nodes that no longer exist go too.
    for (const [node, here] of byNode) if (!nodeNames.has(node)) toDelete.push(...here);
    await this.deletePods(ds, toDelete);
    await this.createPods(ds, needPods, hash);
  }

  /** maxSurge resolved against the number of nodes that should run the pod (0 unless RollingUpdate). */
  private maxSurge(ds: KubeObject, nodes: KubeObject[]): number {
    if (ds.spec?.updateStrategy?.type === 'OnDelete') return 0;
    const surge = ds.spec?.updateStrategy?.rollingUpdate?.maxSurge ?? 0;
    const desired = nodes.filter((n) => nodeEligibility(ds.spec?.template?.spec, n).shouldRun).length;
    return scaledValue(surge, desired, true);
  }

  private async createPods(ds: KubeObject, nodeNames: string[], hash: string): Promise<void> {
    const key = objectKey(ds);
    const queue = [...nodeNames];
    const { error } = await slowStartBatch(queue.length, 1, async () => {
      const nodeName = queue.shift()!;
      const pod = await this.client.create(PODS, ds.metadata.namespace, this.podFor(ds, nodeName, hash));
      this.expectations.expectCreate(key, pod.metadata.name!);
      this.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
    });
    if (error) {
      this.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${errorMessage(error)}`);
      throw error;
    }
  }

  private podFor(ds: KubeObject, nodeName: string, hash: string): KubeObject {
    const spec = structuredClone(ds.spec.template.spec ?? {});
    pinToNode(spec, nodeName);
    spec.tolerations = daemonPodTolerations(spec);
    return podFromTemplate(ds.spec.template, ds, { labels: { [REVISION_HASH]: hash, [TEMPLATE_GENERATION]: String(ds.metadata.generation ?? 1) }, spec });
  }

  private async deletePods(ds: KubeObject, pods: KubeObject[]): Promise<void> {
    const key = objectKey(ds);
    for (const pod of pods) {
      this.expectations.expectDelete(key, pod.metadata.name!);
      try {
        await this.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!);
        this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
      } catch (e) {
        this.expectations.deleteFailed(key, pod.metadata.name!);
        if (!isNotFound(e)) throw e;
      }
    }
  }

  /**
   * RollingUpdate. Without surge: old pods that are not available anyway go at once; available
   * old pods go only while fewer than maxUnavailable nodes lack an available daemon pod, and
   * `manage` then creates the new-revision pod on each emptied node. With maxSurge: a new pod
   * starts next to an available old one (at most maxSurge nodes at a time) and the old one goes
   * once the new one is available.
   */
  private async rollingUpdate(ds: KubeObject, nodes: KubeObject[], byNode: Map<string, KubeObject[]>, hash: string): Promise<void> {
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const surge = this.maxSurge(ds, nodes);
    if (surge > 0) return this.surgingUpdate(ds, nodes, byNode, hash, surge);
    const eligible = nodes.filter((n) => nodeEligibility(ds.spec?.template?.spec, n).shouldRun);
    const maxUnavailableSetting = ds.spec?.updateStrategy?.rollingUpdate?.maxUnavailable ?? 1;
    const maxUnavailable = Math.max(1, scaledValue(maxUnavailableSetting, eligible.length, true)) || 1;
    let unavailable = 0;
    const oldAvailable: KubeObject[] = [];
    const oldUnavailable: KubeObject[] = [];
    for (const node of eligible) {
      const pod = byNode.get(node.metadata.name!)?.[0];
      const available = !!pod && isPodAvailableScaled(pod, minReady, this.context.clock);
      if (!pod || !available) unavailable++;
      if (!pod || pod.metadata.labels?.[REVISION_HASH] === hash) continue;
      (available ? oldAvailable : oldUnavailable).push(pod);
    }
    const budget = Math.max(0, maxUnavailable - unavailable);
    await this.deletePods(ds, [...oldUnavailable, ...oldAvailable.slice(0, budget)]);
  }

  private async surgingUpdate(ds: KubeObject, nodes: KubeObject[], byNode: Map<string, KubeObject[]>, hash: string, surge: number): Promise<void> {
    const minReady = ds.spec?.minReadySeconds ?? 0;
    const available = (p: KubeObject) => isPodAvailableScaled(p, minReady, this.context.clock);
    const eligible = nodes.filter((n) => nodeEligibility(ds.spec?.template?.spec, n).shouldRun);
    const toDelete: KubeObject[] = [];
    const toCreate: string[] = [];
    const pairs = eligible.map((n) => {
      const here = byNode.get(n.metadata.name!) ?? [];
      return { node: n.metadata.name!, oldPod: here.find((p) => p.metadata.labels?.[REVISION_HASH] !== hash), newPod: here.find((p) => p.metadata.labels?.[REVISION_HASH] === hash) };
    });
    let surging = pairs.filter((x) => x.oldPod && x.newPod && !available(x.newPod)).length;
    for (const { node, oldPod, newPod } of pairs) {
      if (!oldPod) continue;
      if (newPod) {
        if (available(newPod)) toDelete.push(oldPod);
      } else if (!available(oldPod)) {
        toDelete.push(oldPod);
      } else if (surging < surge) {
        toCreate.push(node);
        surging++;
      }
    }
    await this.deletePods(ds, toDelete);
    await this.createPods(ds, toCreate, hash);
  }

  private async updateStatus(ds: KubeObject, nodes: KubeObject[], byNode: Map<string, KubeObject[]>, hash: string, collisionCount: number): Promise<void> {
    const minReady = ds.spec?.minReadySeconds ?? 0;
    let desired = 0;
    let current = 0;
    let misscheduled = 0;
    let ready = 0;
    let available = 0;
    let updated = 0;
    for (const node of nodes) {
      const { shouldRun } = nodeEligibility(ds.spec?.template?.spec, node);
      const pod = byNode.get(node.metadata.name!)?.[0];
      if (shouldRun) {
        desired++;
        if (!pod) continue;
        current++;
        if (isPodReady(pod)) ready++;
        if (isPodAvailableScaled(pod, minReady, this.context.clock)) available++;
        if (pod.metadata.labels?.[REVISION_HASH] === hash) updated++;
      } else if (pod) {
        misscheduled++;
      }
    }
    const status: Record<string, number> = {
      currentNumberScheduled: current,
      numberMisscheduled: misscheduled,
      desiredNumberScheduled: desired,
      numberReady: ready,
      observedGeneration: ds.metadata.generation ?? 0,
      updatedNumberScheduled: updated,
      numberAvailable: available,
      numberUnavailable: Math.max(0, desired - available),
      ...(collisionCount ? { collisionCount } : {}),
    };
    omitZero(status, ['observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable']);
    const old = ds.status ?? {};
    const keys = ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'];
    const changed = keys.some((k) => (old[k] ?? 0) !== (status[k] ?? 0));
    if (changed) {
      try {
        await this.client.update(DAEMON_SETS, { ...ds, status: { ...(old.conditions ? { conditions: old.conditions } : {}), ...status } }, 'status');
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
    if (minReady > 0 && ready !== available) this.queue.addAfter(objectKey(ds), minReady * 1000 + 1000);
  }
}
