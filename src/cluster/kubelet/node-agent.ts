/**
 * The kubelet's node bookkeeping: registers the Node (or takes over an existing one after a
 * restart without undoing users' labels, taints or cordon), posts node status through
 * nodes/status, renews the node Lease every 10 s and refreshes the condition heartbeats every
 * 60 s, the cadence upstream uses since node leases carry liveness.
 */
import type { Clock, Timer } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import type { KubeObject } from '../core/types.ts';
import { ClientError, type ClusterClient } from '../client/cluster-client.ts';
import { LEASES, NODES } from '../client/resources.ts';
import type { NodeConfig } from './config.ts';
import type { EventRecorder } from '../client/event-recorder.ts';
import type { ImageStore } from './images.ts';
import { HEALTHY_CONDITIONS, kubeletLabels, nodeStatus } from './node-status.ts';
import { metaTime } from '../core/meta-time.ts';

const LEASE_RENEW_MS = 10_000;
const LEASE_DURATION_SECONDS = 40;
const STATUS_HEARTBEAT_MS = 60_000;
const LEASE_NAMESPACE = 'kube-node-lease';

/** metav1.MicroTime, as Lease renewTime carries it. */
function microTime(d: Date): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

export class NodeAgent {
  private timers: Timer[] = [];
  private stopped = false;
  private nodeUid: string | undefined;
  /** Status writes run one at a time; a request during a write triggers one more. */
  private statusWrite: Promise<void> | undefined;
  private statusAgain = false;

  constructor(
    private readonly node: NodeConfig,
    private readonly podCidr: string,
    private readonly port: () => number,
    private readonly client: ClusterClient,
    private readonly clock: Clock,
    private readonly recorder: EventRecorder,
    private readonly images: ImageStore,
    private readonly log: Logger,
  ) {
    images.onChange(() => this.postStatus());
  }

  /** Upstream records node events with the node name as UID (kubectl describe node looks for that). */
  private get nodeRef(): KubeObject {
    return { apiVersion: 'v1', kind: 'Node', metadata: { name: this.node.name, uid: this.node.name } };
  }

  async start(): Promise<void> {
    this.recorder.event(this.nodeRef, 'Normal', 'Starting', 'Starting kubelet.');
    const previous = await this.register();
    this.recorder.event(this.nodeRef, 'Normal', 'NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods');
    // A condition event when the node did not already show that status (first registration, recovery).
    const before = new Map((previous?.status?.conditions ?? []).map((c: any) => [c.type, c.status]));
    for (const c of HEALTHY_CONDITIONS) {
      if (before.get(c.type) === c.status) continue;
      const reason = c.type === 'Ready' ? 'NodeReady' : c.reason.replace(/^Kubelet/, 'Node');
      this.recorder.event(this.nodeRef, 'Normal', reason, `Node ${this.node.name} status is now: ${reason}`);
    }
    await this.renewLease();
    this.timers.push(this.clock.setInterval(() => void this.renewLease().catch((e) => this.log.warn({ err: (e as Error).message }, 'lease renewal failed')), LEASE_RENEW_MS));
    this.timers.push(this.clock.setInterval(() => this.postStatus(), STATUS_HEARTBEAT_MS));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers) t.cancel();
  }

  /** The Node was deleted by someone: a running kubelet registers it again. */
  nodeDeleted(): void {
    if (this.stopped) return;
    this.nodeUid = undefined;
    void this.register().catch((e) => this.log.warn({ err: (e as Error).message }, 'node re-registration failed'));
  }

  /** Creates or adopts the Node object, then posts its status; returns the node as it was before. */
  private async register(): Promise<KubeObject | undefined> {
    const existing = await this.client.find(NODES, undefined, this.node.name);
    // Images the node reported before a restart are still on its disk.
    this.images.restore(existing?.status?.images);
    let current: KubeObject;
    if (!existing) {
      current = await this.client.create(NODES, undefined, {
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: this.node.name, labels: kubeletLabels(this.node), annotations: { 'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock', 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } },
        spec: {
          podCIDR: this.podCidr,
          podCIDRs: [this.podCidr],
          providerID: `kind://docker/kind/${this.node.name}`,
          ...(this.node.taints?.length ? { taints: this.node.taints.map((t) => ({ ...t })) } : {}),
        },
      });
    } else {
      // Restart: re-assert our labels and spec fields, but users' taints, cordon and extra labels stay.
      const spec: Record<string, unknown> = { providerID: `kind://docker/kind/${this.node.name}` };
      if (!existing.spec?.podCIDR) Object.assign(spec, { podCIDR: this.podCidr, podCIDRs: [this.podCidr] });
      current = await this.client.patch(NODES, undefined, this.node.name, { metadata: { labels: kubeletLabels(this.node) }, spec });
    }
    this.nodeUid = current.metadata.uid;
    await this.writeStatus(existing?.status?.conditions);
    return existing;
  }

  /** Posts the node status (heartbeat, new images); coalesces overlapping requests. */
  postStatus(): void {
    if (this.stopped) return;
    if (this.statusWrite) {
      this.statusAgain = true;
      return;
    }
    this.statusWrite = (async () => {
      try {
        const current = await this.client.find(NODES, undefined, this.node.name);
        if (!current) return; // re-registration handles it
        await this.writeStatus(current.status?.conditions);
      } catch (e) {
        this.log.warn({ err: (e as Error).message }, 'node status update failed');
      }
    })().finally(() => {
      this.statusWrite = undefined;
      if (this.statusAgain) {
        this.statusAgain = false;
        this.postStatus();
      }
    });
  }

  private async writeStatus(previousConditions: any[] | undefined): Promise<void> {
    const status = nodeStatus(this.node, { port: this.port(), previousConditions, images: this.images.nodeImages(), now: metaTime(this.clock.now()) });
    await this.client.patch(NODES, undefined, this.node.name, { status }, 'merge', 'status');
  }

  private async renewLease(): Promise<void> {
    if (this.stopped) return;
    const now = microTime(this.clock.now());
    const existing = await this.client.find(LEASES, LEASE_NAMESPACE, this.node.name);
    const ownerReferences = this.nodeUid ? [{ apiVersion: 'v1', kind: 'Node', name: this.node.name, uid: this.nodeUid }] : undefined;
    if (!existing) {
      try {
        await this.client.create(LEASES, LEASE_NAMESPACE, {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: this.node.name, namespace: LEASE_NAMESPACE, ...(ownerReferences ? { ownerReferences } : {}) },
          spec: { holderIdentity: this.node.name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now },
        });
      } catch (e) {
        if (!(e instanceof ClientError && e.code === 409)) throw e;
      }
      return;
    }
    existing.spec = { ...existing.spec, holderIdentity: this.node.name, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now };
    if (ownerReferences) existing.metadata.ownerReferences = ownerReferences;
    await this.client.update(LEASES, existing);
  }
}
