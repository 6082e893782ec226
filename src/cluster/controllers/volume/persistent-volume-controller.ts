/**
 * kube-controller-manager's PersistentVolume binder (`persistentvolume-controller`): binds claims
 * and volumes both ways, drives their phases, asks external provisioners for new volumes, fills
 * in the default StorageClass retroactively and marks volumes whose claim is gone Released.
 *
 * Both sides are level-triggered: a claim sync and a volume sync each converge what they can and
 * enqueue the other side; every write is an update carrying the resourceVersion it read, so a
 * conflict just retries. Deleting Released volumes of external provisioners is the provisioner's job.
 */
import type { Logger } from '../../../platform/log.ts';
import type { Timer } from '../../../platform/clock.ts';
import type { KubeObject } from '../../core/types.ts';
import type { ClusterClient } from '../../client/cluster-client.ts';
import type { Informer } from '../../client/informer.ts';
import { PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, STORAGE_CLASSES } from '../../client/resources.ts';
import type { Component, ControlPlaneContext } from '../../client/component.ts';
import type { EventRecorder } from '../../client/event-recorder.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { FreshObjects } from './fresh-objects.ts';
import { findBestVolumeForClaim } from './volume-matching.ts';
import { ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_PROVISIONED_BY, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, claimClassName, claimClassUnset, pickDefaultClass } from '../../core/volumes.ts';
import { metaTime } from '../../core/meta-time.ts';
import { splitKey } from '../../core/object-keys.ts';

/** Upstream's `--pvclaimbinder-sync-period`: every claim and volume is re-synced this often. */
const RESYNC_PERIOD_MS = 15_000;
/** In-tree "provisioner" of statically provisioned local volumes: nothing to ask. */
const NO_PROVISIONER = 'kubernetes.io/no-provisioner';

export const CLAIM_LOST_MESSAGE = 'Bound claim has lost its PersistentVolume. Data on the volume is lost!';

export function externalProvisioningMessage(provisioner: string): string {
  return (
    `Waiting for a volume to be created either by the external provisioner '${provisioner}' or manually by the system administrator. ` +
    'If volume creation is delayed, please verify that the provisioner is running and correctly registered.'
  );
}

export class PersistentVolumeController implements Component {
  private readonly client: ClusterClient;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly claims: FreshObjects;
  private readonly volumes: FreshObjects;
  private readonly classes: Informer;
  private readonly claimQueue: WorkQueue;
  private readonly volumeQueue: WorkQueue;
  private resync: Timer | undefined;

  constructor(private readonly context: ControlPlaneContext) {
    this.client = context.client('kube-controller-manager/v1.32.2 (linux/amd64) kubernetes/67a30c0/system:serviceaccount:kube-system:persistent-volume-binder');
    this.recorder = context.recorder({ component: 'persistentvolume-controller' });
    this.log = context.log('persistentvolume-controller');
    const opts = { baseDelayMs: 100, maxDelayMs: 30_000, startAfter: context.informers.synced };
    this.claimQueue = new WorkQueue(context.clock, (k) => this.syncClaim(k), this.log, opts);
    this.volumeQueue = new WorkQueue(context.clock, (k) => this.syncVolume(k), this.log, opts);

    const claimInformer = context.informers.informer(PERSISTENT_VOLUME_CLAIMS);
    const volumeInformer = context.informers.informer(PERSISTENT_VOLUMES);
    this.classes = context.informers.informer(STORAGE_CLASSES);
    this.claims = new FreshObjects(claimInformer);
    this.volumes = new FreshObjects(volumeInformer);

    claimInformer.on((type, pvc) => {
      this.claimQueue.add(`${pvc.metadata.namespace}/${pvc.metadata.name}`);
      if (pvc.spec?.volumeName) this.volumeQueue.add(pvc.spec.volumeName);
      // A deleted claim releases every volume that points at it.
      if (type === 'DELETED') {
        for (const pv of volumeInformer.list()) {
          const ref = pv.spec?.claimRef;
          if (ref?.namespace === pvc.metadata.namespace && ref?.name === pvc.metadata.name) this.volumeQueue.add(pv.metadata.name!);
        }
      }
    });
    volumeInformer.on((type, pv) => {
      if (type !== 'DELETED') this.volumeQueue.add(pv.metadata.name!);
      const ref = pv.spec?.claimRef;
      if (ref?.namespace && ref?.name) this.claimQueue.add(`${ref.namespace}/${ref.name}`);
    });
    // A class appearing (or becoming the default) can unblock claims that were waiting for it.
    this.classes.on(() => {
      for (const pvc of claimInformer.list()) if (!pvc.spec?.volumeName) this.claimQueue.add(`${pvc.metadata.namespace}/${pvc.metadata.name}`);
    });
  }

  async start(): Promise<void> {
    this.resync = this.context.clock.setInterval(() => {
      for (const pvc of this.claims.list()) this.claimQueue.add(`${pvc.metadata.namespace}/${pvc.metadata.name}`);
      for (const pv of this.volumes.list()) this.volumeQueue.add(pv.metadata.name!);
    }, RESYNC_PERIOD_MS);
  }

  stop(): void {
    this.resync?.cancel();
    this.claimQueue.stop();
    this.volumeQueue.stop();
  }

  // ---- claims ------------------------------------------------------------------------------

  private async syncClaim(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pvc = this.claims.get(namespace, name);
    if (!pvc) return;
    // Retroactive default StorageClass (GA in 1.28): an unbound claim created before any default existed.
    if (claimClassUnset(pvc) && !pvc.spec?.volumeName) {
      const def = pickDefaultClass(this.classes.list());
      if (def) {
        pvc.spec.storageClassName = def.metadata.name;
        this.claims.wrote(await this.client.update(PERSISTENT_VOLUME_CLAIMS, pvc));
        return;
      }
    }
    if (pvc.metadata.annotations?.[ANN_BIND_COMPLETED] === undefined) await this.syncUnboundClaim(pvc);
    else await this.syncBoundClaim(pvc);
  }

  private async syncUnboundClaim(pvc: KubeObject): Promise<void> {
    const volumeName: string | undefined = pvc.spec?.volumeName;
    if (volumeName) {
      // Pre-bound by the user to a specific volume.
      const pv = this.volumes.get(undefined, volumeName);
      if (!pv) {
        await this.setClaimPhase(pvc, 'Pending');
        return;
      }
      const ref = pv.spec?.claimRef;
      if (!ref || this.refersTo(ref, pvc)) {
        await this.bind(pv, pvc);
        return;
      }
      await this.setClaimPhase(pvc, 'Pending');
      this.recorder.event(pvc, 'Warning', 'FailedBinding', `volume "${volumeName}" already bound to a different claim.`);
      return;
    }

    const className = claimClassName(pvc);
    const cls = className ? this.classes.get(undefined, className) : undefined;
    const delayed = cls?.volumeBindingMode === 'WaitForFirstConsumer';
    const pv = findBestVolumeForClaim(pvc, this.volumes.list(), delayed);
    if (pv) {
      await this.bind(pv, pvc);
      return;
    }
    await this.setClaimPhase(pvc, 'Pending');
    if (!className) {
      this.recorder.event(pvc, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      return;
    }
    if (!cls) {
      this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      return;
    }
    if (delayed && !pvc.metadata.annotations?.[ANN_SELECTED_NODE]) {
      this.recorder.event(pvc, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
      return;
    }
    if (!cls.provisioner || cls.provisioner === NO_PROVISIONER) return;
    await this.requestExternalProvisioning(pvc, cls.provisioner);
  }

  /** Hands the claim to its external provisioner: annotate it, then wait for a volume to appear. */
  private async requestExternalProvisioning(pvc: KubeObject, provisioner: string): Promise<void> {
    const ann = (pvc.metadata.annotations ??= {});
    if (ann[ANN_STORAGE_PROVISIONER] !== provisioner || ann[ANN_BETA_STORAGE_PROVISIONER] !== provisioner) {
      ann[ANN_STORAGE_PROVISIONER] = provisioner;
      ann[ANN_BETA_STORAGE_PROVISIONER] = provisioner;
      pvc = this.claims.wrote(await this.client.update(PERSISTENT_VOLUME_CLAIMS, pvc));
    }
    this.recorder.event(pvc, 'Normal', 'ExternalProvisioning', externalProvisioningMessage(provisioner));
  }

  private async syncBoundClaim(pvc: KubeObject): Promise<void> {
    const volumeName: string | undefined = pvc.spec?.volumeName;
    // The informer may not have the volume yet: only the server's word declares it lost.
    const pv = volumeName ? (this.volumes.get(undefined, volumeName) ?? (await this.client.find(PERSISTENT_VOLUMES, undefined, volumeName))) : undefined;
    if (!pv) {
      await this.markClaimLost(pvc, 'ClaimLost', CLAIM_LOST_MESSAGE);
      return;
    }
    const ref = pv.spec?.claimRef;
    if (!ref || this.refersTo(ref, pvc)) {
      await this.bind(pv, pvc);
      return;
    }
    await this.markClaimLost(pvc, 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
  }

  private async markClaimLost(pvc: KubeObject, reason: string, message: string): Promise<void> {
    if (pvc.status?.phase === 'Lost') return;
    await this.setClaimPhase(pvc, 'Lost');
    this.recorder.event(pvc, 'Warning', reason, message);
  }

  private async setClaimPhase(pvc: KubeObject, phase: string, extra: Record<string, unknown> = {}): Promise<KubeObject> {
    const status = pvc.status ?? {};
    const same = status.phase === phase && Object.entries(extra).every(([k, v]) => JSON.stringify(status[k]) === JSON.stringify(v));
    if (same) return pvc;
    pvc.status = { ...status, phase, ...extra };
    return this.claims.wrote(await this.client.update(PERSISTENT_VOLUME_CLAIMS, pvc, 'status'));
  }

  /** Whether a volume's claimRef names this claim (a ref without uid is a pre-binding by name). */
  private refersTo(ref: any, pvc: KubeObject): boolean {
    return ref.namespace === pvc.metadata.namespace && ref.name === pvc.metadata.name && (!ref.uid || ref.uid === pvc.metadata.uid);
  }

  /**
   * Completes a binding in upstream's order: volume → claim reference, volume phase Bound, claim
   * → volume name and bind-completed, claim phase Bound. Each step is skipped when already done,
   * so a sync interrupted halfway resumes where it stopped.
   */
  private async bind(pv: KubeObject, pvc: KubeObject): Promise<void> {
    const ref = pv.spec?.claimRef;
    if (!ref || ref.uid !== pvc.metadata.uid || ref.namespace !== pvc.metadata.namespace || ref.name !== pvc.metadata.name) {
      if (!ref) (pv.metadata.annotations ??= {})[ANN_BOUND_BY_CONTROLLER] = 'yes';
      pv.spec.claimRef = {
        kind: 'PersistentVolumeClaim',
        namespace: pvc.metadata.namespace,
        name: pvc.metadata.name,
        uid: pvc.metadata.uid,
        apiVersion: 'v1',
        resourceVersion: pvc.metadata.resourceVersion,
      };
      pv = this.volumes.wrote(await this.client.update(PERSISTENT_VOLUMES, pv));
    }
    await this.setVolumePhase(pv, 'Bound');

    const ann = (pvc.metadata.annotations ??= {});
    if (pvc.spec.volumeName !== pv.metadata.name || ann[ANN_BIND_COMPLETED] === undefined) {
      if (pvc.spec.volumeName !== pv.metadata.name) {
        pvc.spec.volumeName = pv.metadata.name;
        ann[ANN_BOUND_BY_CONTROLLER] = 'yes';
      }
      ann[ANN_BIND_COMPLETED] = 'yes';
      pvc = this.claims.wrote(await this.client.update(PERSISTENT_VOLUME_CLAIMS, pvc));
    }
    await this.setClaimPhase(pvc, 'Bound', { accessModes: pv.spec.accessModes, capacity: pv.spec.capacity });
  }

  // ---- volumes -----------------------------------------------------------------------------

  private async setVolumePhase(pv: KubeObject, phase: string, message?: string): Promise<KubeObject> {
    if (pv.status?.phase === phase && (message === undefined || pv.status?.message === message)) return pv;
    const status: Record<string, unknown> = { ...(pv.status ?? {}), phase };
    if (pv.status?.phase !== phase) status.lastPhaseTransitionTime = metaTime(this.context.clock.now());
    if (message !== undefined) status.message = message;
    else delete status.message;
    pv.status = status;
    return this.volumes.wrote(await this.client.update(PERSISTENT_VOLUMES, pv, 'status'));
  }

  private async syncVolume(name: string): Promise<void> {
    let pv = this.volumes.get(undefined, name);
    if (!pv) return;
    const ref = pv.spec?.claimRef;
    if (!ref) {
      await this.setVolumePhase(pv, 'Available');
      return;
    }
    if (!ref.uid) {
      // Pre-bound by name to a claim that may not exist yet: offered to that claim only.
      await this.setVolumePhase(pv, 'Available');
      this.claimQueue.add(`${ref.namespace}/${ref.name}`);
      return;
    }
    let pvc = this.claims.get(ref.namespace, ref.name);
    // The informer may lag behind a claim just created: ask the server before releasing.
    if (!pvc || pvc.metadata.uid !== ref.uid) pvc = await this.client.find(PERSISTENT_VOLUME_CLAIMS, ref.namespace, ref.name);
    if (!pvc || pvc.metadata.uid !== ref.uid) {
      pv = await this.setVolumePhaseUnlessFailed(pv, 'Released');
      await this.reclaim(pv);
      return;
    }
    if (!pvc.spec?.volumeName) {
      // Bound on the volume side only (e.g. just provisioned): the claim sync finishes the bind.
      this.claimQueue.add(`${ref.namespace}/${ref.name}`);
      return;
    }
    if (pvc.spec.volumeName === pv.metadata.name) {
      await this.setVolumePhase(pv, 'Bound');
      return;
    }
    // The claim went to another volume. Undo our own binding; a user's pre-binding is left alone.
    if (pv.metadata.annotations?.[ANN_BOUND_BY_CONTROLLER] !== undefined) {
      delete pv.spec.claimRef;
      delete pv.metadata.annotations[ANN_BOUND_BY_CONTROLLER];
      pv = this.volumes.wrote(await this.client.update(PERSISTENT_VOLUMES, pv));
      await this.setVolumePhase(pv, 'Available');
    }
  }

  private async setVolumePhaseUnlessFailed(pv: KubeObject, phase: string): Promise<KubeObject> {
    if (pv.status?.phase === 'Failed') return pv;
    return this.setVolumePhase(pv, phase);
  }

  /** What happens to a Released volume, by its reclaim policy. */
  private async reclaim(pv: KubeObject): Promise<void> {
    const policy = pv.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain' || pv.status?.phase === 'Failed') return;
    if (policy === 'Delete') {
      // Volumes made by an external provisioner are deleted by it; in-tree deleters are not simulated.
      if (pv.metadata.annotations?.[ANN_PROVISIONED_BY]) return;
      const message = `error getting deleter volume plugin for volume "${pv.metadata.name}": no deletable volume plugin matched`;
      await this.setVolumePhase(pv, 'Failed', message);
      this.recorder.event(pv, 'Warning', 'VolumeFailedDelete', message);
      return;
    }
    const message = 'No recycler plugin found for the volume!';
    await this.setVolumePhase(pv, 'Failed', message);
    this.recorder.event(pv, 'Warning', 'VolumeFailedRecycle', message);
  }
}
