/**
 * The `rancher.io/local-path` external provisioner a kind cluster runs: for every claim the PV
 * controller hands to it (annotation `volume.kubernetes.io/storage-provisioner`), it creates a
 * hostPath PersistentVolume `pvc-<claim uid>` pinned to the node the claim was scheduled to, and
 * deletes the volumes it made once they are Released with reclaim policy Delete.
 * No directory is made on any disk: the volume exists only as an API object.
 */
import type { Logger } from '../../platform/log.ts';
import type { KubeObject } from '../core/types.ts';
import { ClientError, type ClusterClient } from '../client/cluster-client.ts';
import type { Informer } from '../client/informer.ts';
import { NODES, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, STORAGE_CLASSES } from '../client/resources.ts';
import type { Component, ControlPlaneContext } from '../client/component.ts';
import type { EventRecorder } from '../client/event-recorder.ts';
import { WorkQueue } from '../client/workqueue.ts';
import { ANN_BETA_STORAGE_PROVISIONER, ANN_PROVISIONED_BY, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, claimClassName } from '../core/volumes.ts';
import { LOCAL_PATH_PROVISIONER } from './default-storage-class.ts';
import { splitKey } from '../core/object-keys.ts';

export const LOCAL_PATH_ROOT = '/var/local-path-provisioner';
const ANN_LOCAL_PATH_SELECTED_NODE = 'local.path.provisioner/selected-node';
/** Access modes a node-local directory can honour. */
const SUPPORTED_ACCESS_MODES = new Set(['ReadWriteOnce', 'ReadWriteOncePod']);

export interface LocalPathProvisionerOptions {
  /**
   * The event source, as sig-storage's provisioner library names it: `<provisioner>_<pod>_<uuid>`.
   * The default mimics the local-path-provisioner pod of a kind cluster.
   */
  component?: string;
}

function claimProvisioner(pvc: KubeObject): string | undefined {
  const a = pvc.metadata.annotations ?? {};
  return a[ANN_STORAGE_PROVISIONER] ?? a[ANN_BETA_STORAGE_PROVISIONER];
}

function isNodeReadyAndSchedulable(node: KubeObject): boolean {
  const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
  return ready?.status === 'True' && !node.spec?.unschedulable;
}

export class LocalPathProvisioner implements Component {
  private readonly client: ClusterClient;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly queue: WorkQueue;
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;
  private readonly nodes: Informer;

  constructor(context: ControlPlaneContext, opts: LocalPathProvisionerOptions = {}) {
    this.client = context.client('local-path-provisioner/v0.0.30');
    this.recorder = context.recorder({ component: opts.component ?? 'rancher.io/local-path_local-path-provisioner-7dc846544d-4gfxd_0b5c7ba3-1b5e-4a0c-9d5e-6f2a0c3e8d41' });
    this.log = context.log('local-path-provisioner');
    this.queue = new WorkQueue(context.clock, (k) => this.sync(k), this.log, { baseDelayMs: 500, maxDelayMs: 60_000, startAfter: context.informers.synced });
    this.claims = context.informers.informer(PERSISTENT_VOLUME_CLAIMS);
    this.volumes = context.informers.informer(PERSISTENT_VOLUMES);
    this.classes = context.informers.informer(STORAGE_CLASSES);
    this.nodes = context.informers.informer(NODES);

    this.claims.on((type, pvc) => {
      if (type !== 'DELETED' && claimProvisioner(pvc) === LOCAL_PATH_PROVISIONER) this.queue.add(`claim:${pvc.metadata.namespace}/${pvc.metadata.name}`);
    });
    this.volumes.on((type, pv) => {
      if (type !== 'DELETED' && pv.metadata.annotations?.[ANN_PROVISIONED_BY] === LOCAL_PATH_PROVISIONER) this.queue.add(`volume:${pv.metadata.name}`);
    });
    // A node becoming ready can unblock claims of Immediate classes.
    this.nodes.on(() => this.requeueWaitingClaims());
    this.classes.on(() => this.requeueWaitingClaims());
  }

  async start(): Promise<void> {}

  stop(): void {
    this.queue.stop();
  }

  private requeueWaitingClaims(): void {
    for (const pvc of this.claims.list()) {
      if (!pvc.spec?.volumeName && claimProvisioner(pvc) === LOCAL_PATH_PROVISIONER) this.queue.add(`claim:${pvc.metadata.namespace}/${pvc.metadata.name}`);
    }
  }

  private async sync(key: string): Promise<void> {
    if (key.startsWith('claim:')) await this.syncClaim(key.slice('claim:'.length));
    else await this.syncVolume(key.slice('volume:'.length));
  }

  private async syncClaim(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pvc = this.claims.get(namespace, name);
    if (!pvc || pvc.metadata.deletionTimestamp || pvc.spec?.volumeName || claimProvisioner(pvc) !== LOCAL_PATH_PROVISIONER) return;
    const pvName = `pvc-${pvc.metadata.uid}`;
    // Idempotent across restarts and informer lag: an existing volume means the work is done.
    if (this.volumes.get(undefined, pvName) || (await this.client.find(PERSISTENT_VOLUMES, undefined, pvName))) return;
    const className = claimClassName(pvc);
    const cls = this.classes.get(undefined, className);
    if (!cls || cls.provisioner !== LOCAL_PATH_PROVISIONER) return;

    let node: string | undefined = pvc.metadata.annotations?.[ANN_SELECTED_NODE];
    if (!node) {
      // WaitForFirstConsumer: the scheduler has not picked a node yet.
      if (cls.volumeBindingMode === 'WaitForFirstConsumer') return;
      // Deviation: the real local-path provisioner refuses Immediate claims without a selected
      // node; here an Immediate class gets the first ready, schedulable node by name.
      node = this.nodes
        .list()
        .filter(isNodeReadyAndSchedulable)
        .map((n) => n.metadata.name!)
        .sort()[0];
      if (!node) {
        this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": no ready node to place the volume on`);
        return;
      }
    }
    const badMode = (pvc.spec?.accessModes ?? []).find((m: string) => !SUPPORTED_ACCESS_MODES.has(m));
    if (badMode) {
      this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": Only support ReadWriteOnce access mode`);
      return;
    }

    this.recorder.event(pvc, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${namespace}/${name}"`);
    try {
      await this.client.create(PERSISTENT_VOLUMES, undefined, this.volumeFor(pvc, cls, pvName, node));
    } catch (e) {
      if (!(e instanceof ClientError && e.code === 409)) {
        this.recorder.event(pvc, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${className}": ${(e as Error).message}`);
        throw e;
      }
    }
    this.recorder.event(pvc, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`);
  }

  private volumeFor(pvc: KubeObject, cls: KubeObject, pvName: string, node: string): KubeObject {
    const ns = pvc.metadata.namespace!;
    return {
      apiVersion: 'v1',
      kind: 'PersistentVolume',
      metadata: {
        name: pvName,
        annotations: { [ANN_LOCAL_PATH_SELECTED_NODE]: node, [ANN_PROVISIONED_BY]: LOCAL_PATH_PROVISIONER },
      },
      spec: {
        accessModes: pvc.spec?.accessModes ?? ['ReadWriteOnce'],
        capacity: { storage: pvc.spec?.resources?.requests?.storage },
        claimRef: {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          namespace: ns,
          name: pvc.metadata.name,
          uid: pvc.metadata.uid,
          resourceVersion: pvc.metadata.resourceVersion,
        },
        hostPath: { path: `${LOCAL_PATH_ROOT}/${pvName}_${ns}_${pvc.metadata.name}`, type: 'DirectoryOrCreate' },
        nodeAffinity: {
          required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [node] }] }] },
        },
        persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
        storageClassName: cls.metadata.name,
        volumeMode: pvc.spec?.volumeMode ?? 'Filesystem',
      },
    };
  }

  /** Released volumes it made with reclaim policy Delete are deleted (the directory would be removed too). */
  private async syncVolume(name: string): Promise<void> {
    const pv = this.volumes.get(undefined, name);
    if (!pv || pv.metadata.annotations?.[ANN_PROVISIONED_BY] !== LOCAL_PATH_PROVISIONER) return;
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete' || pv.metadata.deletionTimestamp) return;
    try {
      await this.client.delete(PERSISTENT_VOLUMES, undefined, name, { preconditions: { uid: pv.metadata.uid } });
      this.log.debug({ volume: name }, 'deleted released volume');
    } catch (e) {
      if (!(e instanceof ClientError && (e.code === 404 || e.code === 409))) throw e;
    }
  }
}
