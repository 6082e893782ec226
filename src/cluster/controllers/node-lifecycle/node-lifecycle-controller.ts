/**
 * The health-monitoring part of kube-controller-manager's `node-lifecycle-controller`: a node whose
 * kubelet has stopped renewing its Lease and posting status for longer than the grace period gets
 * its kubelet-owned conditions set to Unknown ("Kubelet stopped posting node status."), the
 * `node.kubernetes.io/unreachable` NoSchedule and NoExecute taints, and its pods marked not Ready;
 * the taints go again once the kubelet reports Ready. Taint-based eviction (deleting pods after
 * their 300 s unreachable toleration) is not simulated: pods of a dead node stay, not Ready.
 *
 * Like upstream, liveness is judged by when *this controller* last saw the Lease renew time or
 * the Ready heartbeat change, not by the timestamps' values. The clock may be scaled 100x, where
 * a 50 s grace period is half a real second: an event loop stalled for that long must not look
 * like a dead kubelet, so the controller also requires that it has itself looked at the node
 * grace/period times in a row without seeing progress.
 */
import type { Logger } from '../../../platform/log.ts';
import type { Timer } from '../../../platform/clock.ts';
import type { KubeObject } from '../../core/types.ts';
import { isNotFound } from '../shared/controller-utils.ts';
import type { ClusterClient } from '../../client/cluster-client.ts';
import type { Informer } from '../../client/informer.ts';
import { LEASES, NODES, PODS } from '../../client/resources.ts';
import type { Component, ControlPlaneContext } from '../../client/component.ts';
import type { EventRecorder } from '../../client/event-recorder.ts';
import { metaTime } from '../../core/meta-time.ts';

/** `--node-monitor-period` and `--node-monitor-grace-period` of kube-controller-manager v1.32. */
export const NODE_MONITOR_PERIOD_MS = 5_000;
export const NODE_MONITOR_GRACE_PERIOD_MS = 50_000;

export const UNREACHABLE_TAINT_KEY = 'node.kubernetes.io/unreachable';
const LEASE_NAMESPACE = 'kube-node-lease';
const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

interface Health {
  /** Last Lease renewTime and Ready heartbeat seen, to notice progress. */
  renewTime?: string;
  heartbeat?: string;
  /** Local time (clock.nowMs) at which progress was last seen. */
  probeMs: number;
  /** Monitor passes since then. */
  quietPasses: number;
}

export class NodeLifecycleController implements Component {
  private readonly client: ClusterClient;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly nodes: Informer;
  private readonly leases: Informer;
  private readonly pods: Informer;
  private readonly health = new Map<string, Health>();
  private timer: Timer | undefined;
  private running = false;
  private stopped = false;
  private readonly passesNeeded: number;

  constructor(
    private readonly context: ControlPlaneContext,
    private readonly opts: { periodMs?: number; gracePeriodMs?: number } = {},
  ) {
    this.client = context.client('kube-controller-manager/v1.32.2 (node-lifecycle-controller)');
    this.recorder = context.recorder({ component: 'node-controller' });
    this.log = context.log('node-lifecycle-controller');
    this.nodes = context.informers.informer(NODES);
    this.leases = context.informers.informer(LEASES);
    this.pods = context.informers.informer(PODS);
    this.passesNeeded = Math.ceil(this.gracePeriodMs / this.periodMs);
    this.nodes.on((type, node) => {
      if (type === 'DELETED') this.health.delete(node.metadata.name!);
    });
  }

  private get periodMs(): number {
    return this.opts.periodMs ?? NODE_MONITOR_PERIOD_MS;
  }

  private get gracePeriodMs(): number {
    return this.opts.gracePeriodMs ?? NODE_MONITOR_GRACE_PERIOD_MS;
  }

  async start(): Promise<void> {
    void this.context.informers.synced.then(() => {
      if (this.stopped) return;
      this.timer = this.context.clock.setInterval(() => void this.monitor(), this.periodMs);
    });
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  /** One monitor pass over every node; passes never overlap. */
  private async monitor(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      for (const node of this.nodes.list()) {
        try {
          await this.check(node);
        } catch (e) {
          if (!isNotFound(e)) this.log.warn({ node: node.metadata.name, err: (e as Error).message }, 'node health update failed');
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async check(node: KubeObject): Promise<void> {
    const name = node.metadata.name!;
    const now = this.context.clock.nowMs();
    const ready = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
    const renewTime: string | undefined = this.leases.get(LEASE_NAMESPACE, name)?.spec?.renewTime;
    const heartbeat: string | undefined = ready?.lastHeartbeatTime;
    const h = this.health.get(name);
    if (!h || h.renewTime !== renewTime || h.heartbeat !== heartbeat) {
      this.health.set(name, { renewTime, heartbeat, probeMs: now, quietPasses: 0 });
    } else {
      h.quietPasses++;
      // A node that never reported (no Ready condition) is still registering: nothing to judge yet.
      if (ready && ready.status !== 'Unknown' && h.quietPasses >= this.passesNeeded && now - h.probeMs >= this.context.clock.scaled(this.gracePeriodMs)) {
        await this.markUnknown(node);
        return;
      }
    }
    if (ready?.status === 'True' && hasUnreachableTaint(node)) await this.removeUnreachableTaints(name);
  }

  private async markUnknown(node: KubeObject): Promise<void> {
    const name = node.metadata.name!;
    const now = metaTime(this.context.clock.now());
    const conditions = (node.status?.conditions ?? []).map((c: any) =>
      KUBELET_CONDITIONS.includes(c.type) ? { ...c, status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: now } : c,
    );
    await this.client.patch(NODES, undefined, name, { status: { conditions } }, 'merge', 'status');
    this.log.info({ node: name }, 'node stopped posting status: marked Unknown');
    this.recorder.event({ apiVersion: 'v1', kind: 'Node', metadata: { name, uid: name } }, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
    await this.addUnreachableTaints(name, now);
    await this.markPodsNotReady(name, now);
  }

  private async addUnreachableTaints(name: string, now: string): Promise<void> {
    const fresh = await this.client.get(NODES, undefined, name);
    const taints: any[] = fresh.spec?.taints ?? [];
    const wanted = ['NoSchedule', 'NoExecute'].filter((effect) => !taints.some((t) => t.key === UNREACHABLE_TAINT_KEY && t.effect === effect));
    if (wanted.length === 0) return;
    fresh.spec = { ...fresh.spec, taints: [...taints, ...wanted.map((effect) => ({ key: UNREACHABLE_TAINT_KEY, effect, timeAdded: now }))] };
    await this.client.update(NODES, fresh);
  }

  private async removeUnreachableTaints(name: string): Promise<void> {
    const fresh = await this.client.get(NODES, undefined, name);
    fresh.spec = { ...fresh.spec, taints: (fresh.spec?.taints ?? []).filter((t: any) => t.key !== UNREACHABLE_TAINT_KEY) };
    if (fresh.spec.taints.length === 0) delete fresh.spec.taints;
    await this.client.update(NODES, fresh);
    this.log.info({ node: name }, 'node reports Ready again: unreachable taints removed');
  }

  /** What upstream's MarkPodsNotReady does: the Ready condition of every pod on the node goes False. */
  private async markPodsNotReady(nodeName: string, now: string): Promise<void> {
    for (const cached of this.pods.list()) {
      if (cached.spec?.nodeName !== nodeName) continue;
      const ready = (cached.status?.conditions ?? []).find((c: any) => c.type === 'Ready');
      if (!ready || ready.status === 'False') continue;
      try {
        const pod = await this.client.get(PODS, cached.metadata.namespace, cached.metadata.name!);
        pod.status.conditions = (pod.status?.conditions ?? []).map((c: any) => (c.type === 'Ready' ? { ...c, status: 'False', lastTransitionTime: now } : c));
        await this.client.update(PODS, pod, 'status');
        this.recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
      } catch (e) {
        if (!isNotFound(e)) this.log.warn({ pod: `${cached.metadata.namespace}/${cached.metadata.name}`, err: (e as Error).message }, 'cannot mark pod not ready');
      }
    }
  }
}

function hasUnreachableTaint(node: KubeObject): boolean {
  return (node.spec?.taints ?? []).some((t: any) => t.key === UNREACHABLE_TAINT_KEY);
}
