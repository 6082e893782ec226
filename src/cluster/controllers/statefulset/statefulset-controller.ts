/**
 * The StatefulSet controller (kube-controller-manager's `statefulset-controller`): keeps pods
 * `<set>-<ordinal>` with stable identity and storage, creates them in order (OrderedReady) or all
 * at once (Parallel), scales down from the highest ordinal, rolls template changes out from the
 * highest ordinal down (respecting the partition), records the template history as
 * ControllerRevisions and reports status.
 */
import type { Logger } from '../../../platform/log.ts';
import type { KubeObject } from '../../core/types.ts';
import { matchesLabelSelectorObject } from '../../core/selectors.ts';
import type { ClusterClient } from '../../client/cluster-client.ts';
import type { Informer } from '../../client/informer.ts';
import { CONTROLLER_REVISIONS, PERSISTENT_VOLUME_CLAIMS, PODS, STATEFUL_SETS } from '../../client/resources.ts';
import type { Component, ControlPlaneContext } from '../../client/component.ts';
import type { EventRecorder } from '../../client/event-recorder.ts';
import { listRevisions, truncateHistory } from '../shared/history.ts';
import { controllerRef } from '../../core/owner-refs.ts';
import { splitKey } from '../../core/object-keys.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { claimObjects } from '../shared/claim-objects.ts';
import { StatefulPodControl } from './pod-control.ts';
import { reconcilePods } from './reconcile-pods.ts';
import { resolveRevisions } from './revisions.ts';
import { completeRollingUpdate, computeStatus, statusChanged } from './status.ts';
import { isMemberOf, podRevision, withTypeMeta } from './identity.ts';

export const STATEFULSET_USER_AGENT = 'kube-controller-manager/v1.32.2 (statefulset-controller)';

export class StatefulSetController implements Component {
  private readonly sets: Informer;
  private readonly pods: Informer;
  private readonly claims: Informer;
  private readonly revisions: Informer;
  private readonly client: ClusterClient;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly queue: WorkQueue;
  private readonly podControl: StatefulPodControl;

  constructor(private readonly context: ControlPlaneContext) {
    this.client = context.client(STATEFULSET_USER_AGENT);
    this.recorder = context.recorder({ component: 'statefulset-controller' });
    this.log = context.log('statefulset-controller');
    this.sets = context.informers.informer(STATEFUL_SETS);
    this.pods = context.informers.informer(PODS);
    this.claims = context.informers.informer(PERSISTENT_VOLUME_CLAIMS);
    this.revisions = context.informers.informer(CONTROLLER_REVISIONS);
    this.podControl = new StatefulPodControl(this.client, this.recorder, this.claims);
    this.queue = new WorkQueue(context.clock, (key) => this.sync(key), this.log, { baseDelayMs: 50, maxDelayMs: 30_000, startAfter: context.informers.synced });

    this.sets.on((_type, set) => this.queue.add(keyOf(set)));
    this.pods.on((_type, pod, old) => {
      this.enqueueOwnersOf(pod);
      // A pod whose labels or owner changed may concern the sets of its old self too.
      if (old) this.enqueueOwnersOf(old);
    });
    this.claims.on((_type, claim, old) => {
      this.enqueueOwnersOf(claim);
      if (old) this.enqueueOwnersOf(old);
    });
    this.revisions.on((_type, rev) => this.enqueueOwnersOf(rev));
  }

  async start(): Promise<void> {}

  stop(): void {
    this.queue.stop();
  }

  /** The controlling set, or for an orphan every set whose selector matches (it may be adopted). */
  private enqueueOwnersOf(obj: KubeObject): void {
    const ref = controllerRef(obj);
    if (ref) {
      if (ref.kind === 'StatefulSet') {
        const set = this.sets.get(obj.metadata.namespace, ref.name);
        if (set && set.metadata.uid === ref.uid) this.queue.add(keyOf(set));
        return;
      }
      // Claims owned by a pod (retention policy) still matter to the set named in their labels.
      if (ref.kind !== 'Pod') return;
    }
    for (const set of this.sets.list()) {
      if (set.metadata.namespace === obj.metadata.namespace && matchesLabelSelectorObject(set.spec?.selector, obj.metadata.labels)) this.queue.add(keyOf(set));
    }
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.sets.get(namespace, name);
    if (!cached || cached.metadata.deletionTimestamp) return;
    const set = withTypeMeta(cached);
    const minReadySeconds: number = set.spec?.minReadySeconds ?? 0;
    // Ready timestamps are real time, so availability is judged against the scaled duration.
    const realMinReadySeconds = this.context.clock.scaled(minReadySeconds * 1000) / 1000;

    const selected = (o: KubeObject) => matchesLabelSelectorObject(set.spec?.selector, o.metadata.labels);
    await claimObjects(this.client, CONTROLLER_REVISIONS, set, this.revisions.list(), selected);
    const pods = await claimObjects(this.client, PODS, set, this.pods.list(), (p) => selected(p) && isMemberOf(set, p));
    const { current, update, collisionCount, revisions } = await resolveRevisions(this.client, set, listRevisions(this.revisions, set));

    const status = computeStatus(set, pods, current.metadata.name!, update.metadata.name!, collisionCount, this.context.clock.nowMs(), realMinReadySeconds);
    let failure: unknown;
    try {
      await reconcilePods({ set, pods, current, update, status, control: this.podControl, nowMs: this.context.clock.nowMs(), minReadySeconds: realMinReadySeconds });
    } catch (e) {
      failure = e;
    }
    completeRollingUpdate(set, status);
    if (statusChanged(set, status)) await this.client.patch(STATEFUL_SETS, namespace, name, { status }, 'merge', 'status');

    const live = new Set([current.metadata.name!, update.metadata.name!, ...pods.map(podRevision).filter((r): r is string => !!r)]);
    await truncateHistory(this.client, revisions, live, set.spec?.revisionHistoryLimit ?? 10);

    if (failure) throw failure;
    // Pods ready but not yet available count as available after minReadySeconds: look again then.
    if (minReadySeconds > 0 && status.readyReplicas !== status.availableReplicas) this.queue.addAfter(key, minReadySeconds * 1000);
  }
}

function keyOf(obj: KubeObject): string {
  return `${obj.metadata.namespace}/${obj.metadata.name}`;
}
