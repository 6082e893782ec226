/**
 * `pv-protection-controller`: a volume being deleted keeps its `kubernetes.io/pv-protection`
 * finalizer while it is Bound to a claim, and loses it once it is not (Released, Available,
 * Failed). Volumes that lack the finalizer get it back while they are not being deleted.
 */
import type { Logger } from '../../../platform/log.ts';
import type { ClusterClient } from '../../client/cluster-client.ts';
import type { Informer } from '../../client/informer.ts';
import { PERSISTENT_VOLUMES } from '../../client/resources.ts';
import type { Component, ControlPlaneContext } from '../../client/component.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { PV_PROTECTION_FINALIZER } from '../../core/volumes.ts';

export class PvProtectionController implements Component {
  private readonly client: ClusterClient;
  private readonly log: Logger;
  private readonly queue: WorkQueue;
  private readonly volumes: Informer;

  constructor(context: ControlPlaneContext) {
    this.client = context.client('kube-controller-manager/v1.32.2 (linux/amd64) kubernetes/67a30c0/system:serviceaccount:kube-system:pv-protection-controller');
    this.log = context.log('pv-protection-controller');
    this.queue = new WorkQueue(context.clock, (k) => this.sync(k), this.log, { baseDelayMs: 100, maxDelayMs: 30_000, startAfter: context.informers.synced });
    this.volumes = context.informers.informer(PERSISTENT_VOLUMES);
    this.volumes.on((type, pv) => {
      if (type !== 'DELETED') this.queue.add(pv.metadata.name!);
    });
  }

  async start(): Promise<void> {}

  stop(): void {
    this.queue.stop();
  }

  private async sync(name: string): Promise<void> {
    const cached = this.volumes.get(undefined, name);
    if (!cached) return;
    const has = (cached.metadata.finalizers ?? []).includes(PV_PROTECTION_FINALIZER);
    const deleting = !!cached.metadata.deletionTimestamp;
    if (deleting ? !has || cached.status?.phase === 'Bound' : has) return;
    // Read-modify-write with the read resourceVersion; a conflict throws and the queue retries.
    const pv = await this.client.find(PERSISTENT_VOLUMES, undefined, name);
    if (!pv) return;
    const fins = pv.metadata.finalizers ?? [];
    if (!pv.metadata.deletionTimestamp) {
      if (fins.includes(PV_PROTECTION_FINALIZER)) return;
      pv.metadata.finalizers = [...fins, PV_PROTECTION_FINALIZER];
    } else {
      if (!fins.includes(PV_PROTECTION_FINALIZER) || pv.status?.phase === 'Bound') return;
      pv.metadata.finalizers = fins.filter((f) => f !== PV_PROTECTION_FINALIZER);
    }
    await this.client.update(PERSISTENT_VOLUMES, pv);
    this.log.debug({ volume: name, deleting: !!pv.metadata.deletionTimestamp }, 'updated pv-protection finalizer');
  }
}
