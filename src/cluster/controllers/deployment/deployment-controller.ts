/**
 * The Deployment controller (kube-controller-manager's `deployment-controller`): owns one
 * ReplicaSet per pod template (`<deploy>-<pod-template-hash>`), rolls from old to new with the
 * RollingUpdate (maxSurge/maxUnavailable) or Recreate strategy, scales proportionally, keeps
 * revisions and history annotations for `kubectl rollout history/undo`, honours pause, prunes
 * old ReplicaSets past revisionHistoryLimit and reports Available/Progressing conditions.
 */
import type { Logger } from '../../../platform/log.ts';
import type { KubeObject } from '../../core/types.ts';
import type { ClusterClient } from '../../client/cluster-client.ts';
import type { Informer } from '../../client/informer.ts';
import { DEPLOYMENTS, PODS, REPLICA_SETS } from '../../client/resources.ts';
import type { Component, ControlPlaneContext } from '../../client/component.ts';
import type { EventRecorder } from '../../client/event-recorder.ts';
import { computeHash } from '../shared/hashing.ts';
import { byCreation, isConflict, isNotFound, omitZero, selectorMatches, withoutNulls } from '../shared/controller-utils.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { condition, deploymentComplete, deploymentProgressing, DESIRED_REPLICAS, hasProgressDeadline, MAX_REPLICAS, maxRevision, maxSurge, maxUnavailable, newCondition, newRSReplicas, POD_TEMPLATE_HASH, removeDeploymentCondition, replicas, REVISION, revisionOf, setDeploymentCondition, setNewReplicaSetAnnotations, setReplicasAnnotations, splitReplicaSets, sumSpecReplicas, sumStatus, templatesEqualIgnoringHash } from './deployment-util.ts';
import { controllerRef, isControlledBy, newControllerRef } from '../../core/owner-refs.ts';
import { claimObjects } from '../shared/claim-objects.ts';
import { metaTime } from '../../core/meta-time.ts';
import { objectKey, splitKey } from '../../core/object-keys.ts';

const NEW_RS_AVAILABLE = 'NewReplicaSetAvailable';
const TIMED_OUT = 'ProgressDeadlineExceeded';
const PAUSED = 'DeploymentPaused';
const RESUMED = 'DeploymentResumed';

export class DeploymentController implements Component {
  private readonly client: ClusterClient;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly deployments: Informer;
  private readonly replicaSets: Informer;
  private readonly pods: Informer;
  private readonly queue: WorkQueue;

  constructor(private readonly context: ControlPlaneContext) {
    this.client = context.client('kube-controller-manager/v1.32.2 (deployment-controller)');
    this.recorder = context.recorder({ component: 'deployment-controller' });
    this.log = context.log('deployment-controller');
    this.deployments = context.informers.informer(DEPLOYMENTS);
    this.replicaSets = context.informers.informer(REPLICA_SETS);
    this.pods = context.informers.informer(PODS);
    this.queue = new WorkQueue(context.clock, (key) => this.sync(key), this.log, { baseDelayMs: 50, maxDelayMs: 30_000, startAfter: context.informers.synced });
    this.deployments.on((_type, d) => this.queue.add(objectKey(d)));
    this.replicaSets.on((_type, rs, old) => this.onReplicaSet(rs, old));
    // Recreate waits for the old pods to be gone: a pod deletion may unblock it.
    this.pods.on((type, pod) => {
      if (type !== 'DELETED') return;
      const ref = controllerRef(pod);
      if (ref?.kind !== 'ReplicaSet') return;
      const rs = this.replicaSets.get(pod.metadata.namespace, ref.name);
      const dRef = rs && controllerRef(rs);
      if (dRef?.kind === 'Deployment') this.queue.add(`${pod.metadata.namespace}/${dRef.name}`);
    });
  }

  async start(): Promise<void> {}

  stop(): void {
    this.queue.stop();
  }

  private onReplicaSet(rs: KubeObject, old?: KubeObject): void {
    const ns = rs.metadata.namespace;
    for (const x of old ? [rs, old] : [rs]) {
      const ref = controllerRef(x);
      if (ref?.kind === 'Deployment') this.queue.add(`${ns}/${ref.name}`);
    }
    if (controllerRef(rs)) return;
    for (const d of this.deployments.list()) {
      if (d.metadata.namespace === ns && selectorMatches(d.spec?.selector, rs.metadata.labels)) this.queue.add(objectKey(d));
    }
  }

  private now(): string {
    return metaTime(this.context.clock.now());
  }

  // --- the sync loop -------------------------------------------------------------------------

  private async sync(key: string): Promise<void> {
    const { namespace: ns, name } = splitKey(key);
    const cached = this.deployments.get(ns, name);
    if (!cached) return;
    const d = structuredClone(cached);
    const sel = d.spec?.selector;
    if (!Object.keys(sel?.matchLabels ?? {}).length && !(sel?.matchExpressions ?? []).length) {
      // An empty selector would select every ReplicaSet: upstream refuses to act on it.
      this.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      return;
    }
    const candidates = this.replicaSets.list().filter((rs) => rs.metadata.namespace === ns);
    const rses = await claimObjects(this.client, REPLICA_SETS, d, candidates, (rs) => selectorMatches(d.spec.selector, rs.metadata.labels));
    if (d.metadata.deletionTimestamp) {
      await this.syncStatusOnly(d, rses);
      return;
    }
    await this.checkPausedConditions(d);
    if (d.spec?.paused) {
      await this.syncScaleOnly(d, rses);
      return;
    }
    if (this.isScalingEvent(d, rses)) {
      await this.syncScaleOnly(d, rses);
      return;
    }
    if (d.spec?.strategy?.type === 'Recreate') await this.rolloutRecreate(d, rses);
    else await this.rolloutRolling(d, rses);
  }

  /** A scale of the Deployment (not a template change): some active ReplicaSet still records another desired count. */
  private isScalingEvent(d: KubeObject, rses: KubeObject[]): boolean {
    const { newRS, oldRSes } = splitReplicaSets(d, rses);
    for (const rs of [newRS, ...oldRSes]) {
      if (!rs || replicas(rs) === 0) continue;
      const desired = rs.metadata.annotations?.[DESIRED_REPLICAS];
      if (desired !== undefined && Number(desired) !== replicas(d)) return true;
    }
    return false;
  }

  private async checkPausedConditions(d: KubeObject): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const cond = condition(d.status, 'Progressing');
    if (cond?.reason === TIMED_OUT) return;
    const pausedCond = cond?.reason === PAUSED;
    const status = structuredClone(d.status ?? {});
    if (d.spec?.paused && !pausedCond) {
      setDeploymentCondition(status, newCondition('Progressing', 'Unknown', PAUSED, 'Deployment is paused', this.now()));
    } else if (!d.spec?.paused && pausedCond) {
      setDeploymentCondition(status, newCondition('Progressing', 'Unknown', RESUMED, 'Deployment is resumed', this.now()));
    } else {
      return;
    }
    d.status = await this.writeStatus(d, status);
  }

  // --- finding and creating the new ReplicaSet -----------------------------------------------

  /**
   * Splits the Deployment's ReplicaSets into new and old, syncs revision annotations onto the new
   * one (and the Deployment), and creates the new one when asked and missing.
   */
  private async getAllReplicaSetsAndSyncRevision(d: KubeObject, rses: KubeObject[], create: boolean): Promise<{ newRS?: KubeObject; oldRSes: KubeObject[] }> {
    const { newRS, oldRSes } = splitReplicaSets(d, rses);
    const newRevision = maxRevision(oldRSes) + 1;
    if (newRS) return { newRS: await this.syncExistingNewRS(d, newRS, newRevision), oldRSes };
    if (!create) return { oldRSes };
    return { newRS: await this.createNewRS(d, oldRSes, newRevision), oldRSes };
  }

  private async syncExistingNewRS(d: KubeObject, existing: KubeObject, newRevision: number): Promise<KubeObject> {
    let rs = structuredClone(existing);
    const annotationsChanged = setNewReplicaSetAnnotations(d, rs, newRevision, true);
    const minReadyChanged = (rs.spec.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
    if (annotationsChanged || minReadyChanged) {
      rs.spec.minReadySeconds = d.spec?.minReadySeconds ?? 0;
      rs = await this.client.update(REPLICA_SETS, rs);
    }
    await this.setDeploymentRevision(d, rs.metadata.annotations?.[REVISION]);
    if (!condition(d.status, 'Progressing')) {
      const status = structuredClone(d.status ?? {});
      setDeploymentCondition(status, newCondition('Progressing', 'True', 'FoundNewReplicaSet', `Found new replica set "${rs.metadata.name}"`, this.now()));
      d.status = await this.writeStatus(d, status);
    }
    return rs;
  }

  /** The Deployment's revision annotation follows its new ReplicaSet's (a spec write, not a status one). */
  private async setDeploymentRevision(d: KubeObject, revision: string | undefined): Promise<void> {
    if (revision === undefined || d.metadata.annotations?.[REVISION] === revision) return;
    const updated = await this.client.patch(DEPLOYMENTS, d.metadata.namespace, d.metadata.name!, { metadata: { annotations: { [REVISION]: revision } } }, 'merge');
    d.metadata = updated.metadata;
  }

  private async createNewRS(d: KubeObject, oldRSes: KubeObject[], newRevision: number): Promise<KubeObject> {
    const collisionCount: number = d.status?.collisionCount ?? 0;
    const template = structuredClone(d.spec.template);
    const hash = computeHash(withoutNulls(template), collisionCount || undefined);
    template.metadata ??= {};
    template.metadata.labels = { ...(template.metadata.labels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const selector = structuredClone(d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH]: hash };
    const rs: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: { name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace, labels: template.metadata.labels, ownerReferences: [newControllerRef(d)] },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    const count = newRSReplicas(d, oldRSes, undefined);
    rs.spec.replicas = count;
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    let created: KubeObject;
    try {
      created = await this.client.create(REPLICA_SETS, d.metadata.namespace, rs);
    } catch (e) {
      if (!isConflict(e)) throw e;
      // The name is taken: ours (stale cache) or a hash collision with another template.
      const existing = await this.client.find(REPLICA_SETS, d.metadata.namespace, rs.metadata.name!);
      if (existing && isControlledBy(existing, d) && templatesEqualIgnoringHash(existing.spec?.template, d.spec.template)) return existing;
      const status = structuredClone(d.status ?? {});
      status.collisionCount = collisionCount + 1;
      await this.writeStatus(d, status);
      throw new Error(`hash collision for the new ReplicaSet of ${objectKey(d)}; retrying with collisionCount ${collisionCount + 1}`, { cause: e });
    }
    if (count > 0) this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${count}`);
    await this.setDeploymentRevision(d, String(newRevision));
    const status = structuredClone(d.status ?? {});
    setDeploymentCondition(status, newCondition('Progressing', 'True', 'NewReplicaSetCreated', `Created new replica set "${created.metadata.name}"`, this.now()));
    d.status = await this.writeStatus(d, status);
    return created;
  }

  // --- scaling ---------------------------------------------------------------------------------

  /** Sets a ReplicaSet's replicas (and desired/max annotations); records ScalingReplicaSet. Returns the updated RS. */
  private async scaleReplicaSet(rs: KubeObject, newScale: number, d: KubeObject): Promise<{ scaled: boolean; rs: KubeObject }> {
    const copy = structuredClone(rs);
    const sizeChanged = replicas(rs) !== newScale;
    const annotationsChanged = setReplicasAnnotations(copy, replicas(d), replicas(d) + maxSurge(d));
    if (!sizeChanged && !annotationsChanged) return { scaled: false, rs };
    copy.spec.replicas = newScale;
    const updated = await this.client.update(REPLICA_SETS, copy);
    if (sizeChanged) {
      const direction = newScale > replicas(rs) ? 'up' : 'down';
      this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${direction} replica set ${rs.metadata.name} from ${replicas(rs)} to ${newScale}`);
    }
    return { scaled: sizeChanged, rs: updated };
  }

  /** Paused or a plain scale: resize the ReplicaSets without rolling. */
  private async syncScaleOnly(d: KubeObject, rses: KubeObject[]): Promise<void> {
    let { newRS, oldRSes } = await this.getAllReplicaSetsAndSyncRevision(d, rses, false);
    ({ newRS, oldRSes } = await this.scale(d, newRS, oldRSes));
    if (d.spec?.paused) await this.cleanupOldReplicaSets(d, oldRSes);
    await this.syncDeploymentStatus(d, [...oldRSes, ...(newRS ? [newRS] : [])], newRS);
  }

  private async syncStatusOnly(d: KubeObject, rses: KubeObject[]): Promise<void> {
    const { newRS, oldRSes } = await this.getAllReplicaSetsAndSyncRevision(d, rses, false);
    await this.syncDeploymentStatus(d, [...oldRSes, ...(newRS ? [newRS] : [])], newRS);
  }

  /** Upstream `scale`: one active RS takes the whole size; otherwise spread the difference proportionally. */
  private async scale(d: KubeObject, newRS: KubeObject | undefined, oldRSes: KubeObject[]): Promise<{ newRS?: KubeObject; oldRSes: KubeObject[] }> {
    const replace = (rs: KubeObject, updated: KubeObject) => {
      if (rs === newRS) newRS = updated;
      else oldRSes = oldRSes.map((o) => (o === rs ? updated : o));
    };
    const all = [...(newRS ? [newRS] : []), ...oldRSes];
    const active = all.filter((rs) => replicas(rs) > 0);
    const newestFirst = [...all].sort((a, b) => byCreation(b, a));
    const activeOrLatest = active.length === 0 ? (newRS ?? newestFirst[0]) : active.length === 1 ? active[0] : undefined;
    if (activeOrLatest) {
      if (replicas(activeOrLatest) !== replicas(d)) replace(activeOrLatest, (await this.scaleReplicaSet(activeOrLatest, replicas(d), d)).rs);
      return { newRS, oldRSes };
    }
    // The new RS already has everything and is fully available: the old ones go to zero.
    if (newRS && replicas(newRS) === replicas(d) && Number(newRS.metadata.annotations?.[DESIRED_REPLICAS]) === replicas(d) && (newRS.status?.availableReplicas ?? 0) === replicas(d)) {
      for (const rs of oldRSes.filter((o) => replicas(o) > 0)) replace(rs, (await this.scaleReplicaSet(rs, 0, d)).rs);
      return { newRS, oldRSes };
    }
    if (d.spec?.strategy?.type !== 'RollingUpdate') return { newRS, oldRSes };
    const allowed = replicas(d) > 0 ? replicas(d) + maxSurge(d) : 0;
    const toAdd = allowed - sumSpecReplicas(active);
    // Growing favours the biggest (then newest) ReplicaSets, shrinking the biggest (then oldest).
    const ordered = [...active].sort((a, b) => replicas(b) - replicas(a) || (toAdd > 0 ? byCreation(b, a) : byCreation(a, b)));
    const sizes = new Map<KubeObject, number>();
    let added = 0;
    for (const rs of ordered) {
      const proportion = this.proportion(rs, d, toAdd, added);
      sizes.set(rs, replicas(rs) + proportion);
      added += proportion;
    }
    if (ordered.length && toAdd !== added) {
      // Rounding leftovers go to the first (largest) ReplicaSet, never below zero.
      const first = ordered[0];
      sizes.set(first, Math.max(0, sizes.get(first)! + toAdd - added));
    }
    for (const rs of ordered) replace(rs, (await this.scaleReplicaSet(rs, sizes.get(rs)!, d)).rs);
    return { newRS, oldRSes };
  }

  private proportion(rs: KubeObject, d: KubeObject, toAdd: number, added: number): number {
    if (replicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
    let fraction: number;
    if (replicas(d) === 0) {
      fraction = -replicas(rs);
    } else {
      const deploymentReplicas = replicas(d) + maxSurge(d);
      const annotated = Number(rs.metadata.annotations?.[MAX_REPLICAS]);
      const base = Number.isInteger(annotated) && annotated > 0 ? annotated : (d.status?.replicas ?? 0) || deploymentReplicas;
      fraction = Math.round((replicas(rs) * deploymentReplicas) / base) - replicas(rs);
    }
    const allowed = toAdd - added;
    return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
  }

  // --- strategies ----------------------------------------------------------------------------

  private async rolloutRolling(d: KubeObject, rses: KubeObject[]): Promise<void> {
    const found = await this.getAllReplicaSetsAndSyncRevision(d, rses, true);
    let newRS = found.newRS!;
    let oldRSes = found.oldRSes;
    // Scale up the new ReplicaSet as far as maxSurge allows.
    if (replicas(newRS) !== replicas(d)) {
      const target = replicas(newRS) > replicas(d) ? replicas(d) : newRSReplicas(d, [...oldRSes, newRS], newRS);
      const r = await this.scaleReplicaSet(newRS, target, d);
      newRS = r.rs;
      if (r.scaled) return this.syncRolloutStatus(d, [...oldRSes, newRS], newRS);
    }
    // Scale down old ReplicaSets as far as maxUnavailable allows.
    const down = await this.reconcileOldReplicaSets(d, oldRSes, newRS);
    oldRSes = down.oldRSes;
    if (down.scaled) return this.syncRolloutStatus(d, [...oldRSes, newRS], newRS);
    if (deploymentComplete(d, d.status ?? {})) await this.cleanupOldReplicaSets(d, oldRSes);
    await this.syncRolloutStatus(d, [...oldRSes, newRS], newRS);
  }

  private async reconcileOldReplicaSets(d: KubeObject, oldRSes: KubeObject[], newRS: KubeObject): Promise<{ scaled: boolean; oldRSes: KubeObject[] }> {
    const oldCount = sumSpecReplicas(oldRSes);
    if (oldCount === 0) return { scaled: false, oldRSes };
    const allCount = oldCount + replicas(newRS);
    const minAvailable = replicas(d) - maxUnavailable(d);
    const newUnavailable = replicas(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = allCount - minAvailable - newUnavailable;
    if (maxScaledDown <= 0) return { scaled: false, oldRSes };
    let current = [...oldRSes].sort(byCreation);
    const put = (updated: KubeObject) => (current = current.map((o) => (o.metadata.uid === updated.metadata.uid ? updated : o)));

    // First remove old replicas that are not available anyway: losing them costs nothing.
    let cleaned = 0;
    for (const rs of [...current]) {
      if (cleaned >= maxScaledDown) break;
      const unavailable = replicas(rs) - (rs.status?.availableReplicas ?? 0);
      if (replicas(rs) === 0 || unavailable <= 0) continue;
      const n = Math.min(maxScaledDown - cleaned, unavailable);
      put((await this.scaleReplicaSet(rs, replicas(rs) - n, d)).rs);
      cleaned += n;
    }
    // Then available ones, as long as minAvailable stays available.
    const available = sumStatus([...current, newRS], 'availableReplicas');
    let scaledDown = 0;
    if (available > minAvailable) {
      const total = available - minAvailable;
      for (const rs of [...current]) {
        if (scaledDown >= total) break;
        if (replicas(rs) === 0) continue;
        const n = Math.min(replicas(rs), total - scaledDown);
        put((await this.scaleReplicaSet(rs, replicas(rs) - n, d)).rs);
        scaledDown += n;
      }
    }
    return { scaled: cleaned + scaledDown > 0, oldRSes: current };
  }

  private async rolloutRecreate(d: KubeObject, rses: KubeObject[]): Promise<void> {
    let { newRS, oldRSes } = await this.getAllReplicaSetsAndSyncRevision(d, rses, false);
    const all = () => [...oldRSes, ...(newRS ? [newRS] : [])];
    let scaledDown = false;
    for (const rs of oldRSes.filter((o) => replicas(o) > 0)) {
      const r = await this.scaleReplicaSet(rs, 0, d);
      oldRSes = oldRSes.map((o) => (o === rs ? r.rs : o));
      scaledDown ||= r.scaled;
    }
    if (scaledDown) return this.syncRolloutStatus(d, all(), newRS);
    // The new pods start only once every old pod is gone.
    if (this.oldPodsRunning(oldRSes)) return this.syncRolloutStatus(d, all(), newRS);
    if (!newRS) ({ newRS, oldRSes } = await this.getAllReplicaSetsAndSyncRevision(d, rses, true));
    if (replicas(newRS!) !== replicas(d)) newRS = (await this.scaleReplicaSet(newRS!, replicas(d), d)).rs;
    if (deploymentComplete(d, d.status ?? {})) await this.cleanupOldReplicaSets(d, oldRSes);
    await this.syncRolloutStatus(d, all(), newRS);
  }

  private oldPodsRunning(oldRSes: KubeObject[]): boolean {
    if (sumStatus(oldRSes, 'replicas') > 0) return true;
    const uids = new Set(oldRSes.map((rs) => rs.metadata.uid));
    return this.pods.list().some((p) => uids.has(controllerRef(p)?.uid) && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed');
  }

  /** Deletes the oldest ReplicaSets that have no pods left, beyond revisionHistoryLimit. */
  private async cleanupOldReplicaSets(d: KubeObject, oldRSes: KubeObject[]): Promise<void> {
    const limit = d.spec?.revisionHistoryLimit;
    if (limit === undefined || limit === null) return;
    const cleanable = oldRSes.filter((rs) => replicas(rs) === 0 && (rs.status?.replicas ?? 0) === 0 && (rs.status?.observedGeneration ?? 0) >= (rs.metadata.generation ?? 0) && !rs.metadata.deletionTimestamp);
    const excess = cleanable.length - limit;
    if (excess <= 0) return;
    const byRevision = [...cleanable].sort((a, b) => revisionOf(a) - revisionOf(b) || byCreation(a, b));
    for (const rs of byRevision.slice(0, excess)) {
      try {
        await this.client.delete(REPLICA_SETS, rs.metadata.namespace, rs.metadata.name!);
      } catch (e) {
        if (!isNotFound(e)) throw e;
      }
    }
  }

  // --- status ----------------------------------------------------------------------------------

  private calculateStatus(d: KubeObject, allRSes: KubeObject[], newRS: KubeObject | undefined): any {
    const available = sumStatus(allRSes, 'availableReplicas');
    const status: any = {
      observedGeneration: d.metadata.generation,
      replicas: sumStatus(allRSes, 'replicas'),
      updatedReplicas: newRS?.status?.replicas ?? 0,
      readyReplicas: sumStatus(allRSes, 'readyReplicas'),
      availableReplicas: available,
      unavailableReplicas: Math.max(0, sumSpecReplicas(allRSes) - available),
      conditions: structuredClone(d.status?.conditions ?? []),
    };
    if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
    if (available >= replicas(d) - maxUnavailable(d)) {
      setDeploymentCondition(status, newCondition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', this.now()));
    } else {
      setDeploymentCondition(status, newCondition('Available', 'False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.', this.now()));
    }
    return status;
  }

  private async syncDeploymentStatus(d: KubeObject, allRSes: KubeObject[], newRS: KubeObject | undefined): Promise<void> {
    const status = this.calculateStatus(d, allRSes, newRS);
    if (!sameStatus(d.status, status)) await this.writeStatus(d, status);
  }

  /** Status plus the Progressing condition, and a wake-up for the progress deadline. */
  private async syncRolloutStatus(d: KubeObject, allRSes: KubeObject[], newRS: KubeObject | undefined): Promise<void> {
    const status = this.calculateStatus(d, allRSes, newRS);
    if (!hasProgressDeadline(d)) removeDeploymentCondition(status, 'Progressing');
    const current = condition(status, 'Progressing');
    const complete = status.replicas === status.updatedReplicas && current?.reason === NEW_RS_AVAILABLE;
    if (hasProgressDeadline(d) && !complete) {
      if (deploymentComplete(d, status)) {
        setDeploymentCondition(status, newCondition('Progressing', 'True', NEW_RS_AVAILABLE, `ReplicaSet "${newRS?.metadata.name}" has successfully progressed.`, this.now()));
      } else if (deploymentProgressing(d, status)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" is progressing.` : 'Deployment is progressing.';
        const cond = newCondition('Progressing', 'True', 'ReplicaSetUpdated', msg, this.now());
        // Progress refreshes lastUpdateTime (the deadline counts from it) but not the transition time.
        if (current?.status === 'True') cond.lastTransitionTime = current.lastTransitionTime;
        removeDeploymentCondition(status, 'Progressing');
        setDeploymentCondition(status, cond);
      } else if (this.timedOut(d, status)) {
        const msg = newRS ? `ReplicaSet "${newRS.metadata.name}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
        setDeploymentCondition(status, newCondition('Progressing', 'False', TIMED_OUT, msg, this.now()));
      }
    }
    const failure = allRSes.map((rs) => (rs.status?.conditions ?? []).find((c: any) => c.type === 'ReplicaFailure' && c.status === 'True')).find(Boolean);
    if (failure) setDeploymentCondition(status, { type: 'ReplicaFailure', status: failure.status, reason: failure.reason, message: failure.message, lastUpdateTime: this.now(), lastTransitionTime: failure.lastTransitionTime ?? this.now() });
    else removeDeploymentCondition(status, 'ReplicaFailure');
    if (!sameStatus(d.status, status)) await this.writeStatus(d, status);
    this.requeueForDeadline(d, status);
  }

  private timedOut(d: KubeObject, status: any): boolean {
    const cond = condition(status, 'Progressing');
    if (!cond || cond.reason === NEW_RS_AVAILABLE) return false;
    if (cond.reason === TIMED_OUT) return true;
    const from = Date.parse(cond.lastUpdateTime ?? '');
    if (!Number.isFinite(from)) return false;
    return this.context.clock.nominal(this.context.clock.nowMs() - from) > d.spec.progressDeadlineSeconds * 1000;
  }

  /** A rollout still in progress is looked at again when its deadline would pass. */
  private requeueForDeadline(d: KubeObject, status: any): void {
    const cond = condition(status, 'Progressing');
    if (!hasProgressDeadline(d) || !cond || cond.reason === NEW_RS_AVAILABLE || cond.reason === TIMED_OUT || cond.status !== 'True') return;
    if (deploymentComplete(d, status)) return;
    const from = Date.parse(cond.lastUpdateTime ?? '');
    const elapsed = this.context.clock.nominal(this.context.clock.nowMs() - from);
    const remaining = d.spec.progressDeadlineSeconds * 1000 - elapsed;
    this.queue.addAfter(objectKey(d), Math.max(0, remaining) + 1000);
  }

  private async writeStatus(d: KubeObject, status: any): Promise<any> {
    omitZero(status, ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas']);
    const updated = await this.client.update(DEPLOYMENTS, { ...d, status }, 'status');
    d.metadata = updated.metadata;
    d.status = updated.status;
    return updated.status;
  }
}

function sameStatus(a: any, b: any): boolean {
  return JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
}

function normalize(s: any): any {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(s ?? {}).sort()) {
    const v = s[k];
    if (v === undefined || v === 0 || (Array.isArray(v) && v.length === 0)) continue;
    out[k] = k === 'conditions' ? [...v].sort((x: any, y: any) => (x.type < y.type ? -1 : 1)) : v;
  }
  return out;
}
