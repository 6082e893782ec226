/**
 * `pvc-protection-controller`: a claim being deleted keeps its `kubernetes.io/pvc-protection`
 * finalizer while a scheduled, not yet terminated pod in its namespace uses it (the kubelet may
 * be mounting it), and loses it once no such pod is left. Claims that somehow lack the
 * finalizer get it back while they are not being deleted.
 */
import type { Logger } from '../../../platform/log.ts';
import type { KubeObject } from '../../core/types.ts';
import type { ClusterClient } from '../../client/cluster-client.ts';
import type { Informer } from '../../client/informer.ts';
import { PERSISTENT_VOLUME_CLAIMS, PODS } from '../../client/resources.ts';
import type { Component, ControlPlaneContext } from '../../client/component.ts';
import { WorkQueue } from '../../client/workqueue.ts';
import { podClaimNames, PVC_PROTECTION_FINALIZER } from '../../core/volumes.ts';
import { isPodNotTerminated } from '../../core/pods.ts';
import { splitKey } from '../../core/object-keys.ts';

/** Only a scheduled pod can have a kubelet using the claim; an unscheduled one never will (the kubelet refuses terminating claims). */
function podUsesClaim(pod: KubeObject, claimName: string): boolean {
  return !!pod.spec?.nodeName && isPodNotTerminated(pod) && podClaimNames(pod).includes(claimName);
}

export class PvcProtectionController implements Component {
  private readonly client: ClusterClient;
  private readonly log: Logger;
  private readonly queue: WorkQueue;
  private readonly claims: Informer;
  private readonly pods: Informer;

  constructor(context: ControlPlaneContext) {
    this.client = context.client('kube-controller-manager/v1.32.2 (linux/amd64) kubernetes/67a30c0/system:serviceaccount:kube-system:pvc-protection-controller');
    this.log = context.log('pvc-protection-controller');
    this.queue = new WorkQueue(context.clock, (k) => this.sync(k), this.log, { baseDelayMs: 100, maxDelayMs: 30_000, startAfter: context.informers.synced });
    this.claims = context.informers.informer(PERSISTENT_VOLUME_CLAIMS);
    this.pods = context.informers.informer(PODS);
    this.claims.on((type, pvc) => {
      if (type !== 'DELETED') this.queue.add(`${pvc.metadata.namespace}/${pvc.metadata.name}`);
    });
    // A pod that goes away, finishes or changes may have been the last user of a terminating claim.
    this.pods.on((_type, pod, old) => {
      const names = new Set([...podClaimNames(pod), ...(old ? podClaimNames(old) : [])]);
      for (const name of names) {
        const pvc = this.claims.get(pod.metadata.namespace, name);
        if (pvc?.metadata.deletionTimestamp) this.queue.add(`${pod.metadata.namespace}/${name}`);
      }
    });
  }

  async start(): Promise<void> {}

  stop(): void {
    this.queue.stop();
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const cached = this.claims.get(namespace, name);
    if (!cached) return;
    const has = (cached.metadata.finalizers ?? []).includes(PVC_PROTECTION_FINALIZER);
    if (!cached.metadata.deletionTimestamp) {
      if (!has) await this.updateFinalizers(namespace!, name, (f) => [...f, PVC_PROTECTION_FINALIZER]);
      return;
    }
    if (!has) return;
    if (this.pods.list().some((p) => p.metadata.namespace === namespace && podUsesClaim(p, name))) return;
    // The informer may not show a pod scheduled a moment ago: confirm with the server before releasing.
    const live = await this.client.list(PODS, namespace);
    if (live.items.some((p) => podUsesClaim(p, name))) return;
    await this.updateFinalizers(namespace!, name, (f) => f.filter((x) => x !== PVC_PROTECTION_FINALIZER));
    this.log.debug({ claim: key }, 'removed pvc-protection finalizer');
  }

  /** Read-modify-write with the read resourceVersion; a conflict throws and the queue retries. */
  private async updateFinalizers(namespace: string, name: string, change: (f: string[]) => string[]): Promise<void> {
    const pvc = await this.client.find(PERSISTENT_VOLUME_CLAIMS, namespace, name);
    if (!pvc) return;
    const before = pvc.metadata.finalizers ?? [];
    const after = [...new Set(change(before))];
    if (after.length === before.length && after.every((f, i) => f === before[i])) return;
    if (pvc.metadata.deletionTimestamp && after.length > before.length) return;
    pvc.metadata.finalizers = after;
    await this.client.update(PERSISTENT_VOLUME_CLAIMS, pvc);
  }
}
