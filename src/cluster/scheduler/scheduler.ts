/**
 * kube-scheduler (`default-scheduler`): takes pending pods one at a time from the scheduling
 * queue, filters the nodes (unschedulable, taints, node affinity, host ports, resources,
 * volumes), picks the least allocated feasible node (ties: by name) and binds the pod there.
 *
 * A pod whose WaitForFirstConsumer claims still need volumes stays "assumed" on its node (its
 * requests count there) while the claims are annotated with the selected node and provisioned;
 * other pods are scheduled meanwhile, and the pod is bound once every claim is Bound, or fails
 * after upstream's 600 s bind timeout. A pod that cannot be placed gets PodScheduled=False and a
 * FailedScheduling event with upstream's message, then waits in the queue for a cluster change.
 */
import type { Timer } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import type { KubeObject } from '../core/types.ts';
import { ClientError, type ClusterClient } from '../client/cluster-client.ts';
import type { Informer, InformerEvent } from '../client/informer.ts';
import { NODES, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, PODS, STORAGE_CLASSES } from '../client/resources.ts';
import type { Component, ControlPlaneContext } from '../client/component.ts';
import type { EventRecorder } from '../client/event-recorder.ts';
import { ANN_SELECTED_NODE, isClaimFullyBound } from '../core/volumes.ts';
import { isPodNotTerminated } from '../core/pods.ts';
import { metaTime } from '../core/meta-time.ts';
import { objectKey, splitKey } from '../core/object-keys.ts';
import { fitErrorMessage, NO_NODES_AVAILABLE } from './fit-error.ts';
import { filterNode, type NodeRejection } from './node-filters.ts';
import { leastAllocatedScore, nodeAllocatable } from './pod-resources.ts';
import { SchedulingQueue } from './scheduling-queue.ts';
import { filterNodeVolumes, preFilterVolumes, type PodVolumeClaims, type VolumeLookups } from './volume-binding.ts';

export const SCHEDULER_NAME = 'default-scheduler';
/** Upstream's VolumeBinding bindTimeoutSeconds. */
const VOLUME_BIND_TIMEOUT_MS = 600_000;

export interface SchedulerOptions {
  /** How long (nominal ms) to wait for WaitForFirstConsumer claims to be bound; upstream 600 s. */
  volumeBindTimeoutMs?: number;
}

type FailureReason = 'Unschedulable' | 'SchedulerError';

type Decision = { node: KubeObject; claims: PodVolumeClaims } | { reason: FailureReason; message: string };

interface VolumeWait {
  pod: KubeObject;
  node: string;
  claims: string[];
  cycle: number;
  timer: Timer;
  binding: boolean;
}

function isResponsibleFor(pod: KubeObject): boolean {
  return (pod.spec?.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME;
}

/** Changes a pending pod's scheduling may depend on (our own status writes are not among them). */
function podSchedulingInputsChanged(old: KubeObject | undefined, pod: KubeObject): boolean {
  if (!old) return true;
  const pick = (p: KubeObject) => JSON.stringify([p.spec, p.metadata.labels, p.metadata.annotations]);
  return pick(old) !== pick(pod);
}

/** Node changes that can turn a rejection into a fit; kubelet heartbeats are not among them. */
function nodeSchedulingInputsChanged(old: KubeObject | undefined, node: KubeObject): boolean {
  if (!old) return true;
  const ready = (n: KubeObject) => (n.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status;
  const pick = (n: KubeObject) => JSON.stringify([n.spec?.unschedulable, n.spec?.taints, n.metadata.labels, n.status?.allocatable, ready(n)]);
  return pick(old) !== pick(node);
}

export class Scheduler implements Component {
  private readonly client: ClusterClient;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly pods: Informer;
  private readonly nodes: Informer;
  private readonly claims: Informer;
  private readonly volumes: Informer;
  private readonly classes: Informer;
  private readonly queue: SchedulingQueue;
  /** Pods placed by this scheduler that the pod informer does not show on their node yet. */
  private readonly assumed = new Map<string, { pod: KubeObject; node: string }>();
  private readonly volumeWaits = new Map<string, VolumeWait>();
  private readonly lookups: VolumeLookups;
  private running = false;
  private stopped = false;
  private synced = false;

  private readonly volumeBindTimeoutMs: number;

  constructor(
    private readonly context: ControlPlaneContext,
    opts: SchedulerOptions = {},
  ) {
    this.volumeBindTimeoutMs = opts.volumeBindTimeoutMs ?? VOLUME_BIND_TIMEOUT_MS;
    this.client = context.client('kube-scheduler/v1.32.2');
    this.recorder = context.recorder({ component: SCHEDULER_NAME });
    this.log = context.log('kube-scheduler');
    this.pods = context.informers.informer(PODS);
    this.nodes = context.informers.informer(NODES);
    this.claims = context.informers.informer(PERSISTENT_VOLUME_CLAIMS);
    this.volumes = context.informers.informer(PERSISTENT_VOLUMES);
    this.classes = context.informers.informer(STORAGE_CLASSES);
    this.lookups = {
      claim: (ns, name) => this.claims.get(ns, name),
      volume: (name) => this.volumes.get(undefined, name),
      storageClass: (name) => this.classes.get(undefined, name),
    };
    this.queue = new SchedulingQueue(
      context.clock,
      (key) => {
        const { namespace, name } = splitKey(key);
        return this.pods.get(namespace, name)?.spec?.priority ?? 0;
      },
      () => this.kick(),
    );

    this.pods.on((type, pod, old) => this.onPod(type, pod, old));
    this.nodes.on((type, node, old) => {
      if (type !== 'DELETED' && nodeSchedulingInputsChanged(old, node)) this.queue.moveAll();
    });
    const storageChanged = () => {
      this.queue.moveAll();
      for (const key of [...this.volumeWaits.keys()]) this.checkVolumeWait(key);
    };
    this.claims.on(storageChanged);
    this.volumes.on(storageChanged);
    this.classes.on(storageChanged);
    void context.informers.synced.then(() => {
      this.synced = true;
      this.kick();
    });
  }

  async start(): Promise<void> {
    this.queue.start();
  }

  stop(): void {
    this.stopped = true;
    this.queue.stop();
    for (const w of this.volumeWaits.values()) w.timer.cancel();
    this.volumeWaits.clear();
  }

  // ---- events ------------------------------------------------------------------------------

  private onPod(type: InformerEvent, pod: KubeObject, old: KubeObject | undefined): void {
    const key = objectKey(pod);
    if (type === 'DELETED') {
      this.queue.forget(key);
      if (this.assumed.get(key)?.pod.metadata.uid === pod.metadata.uid) this.forgetAssumed(key);
      this.cancelVolumeWait(key, pod.metadata.uid);
      // A pod leaving a node frees its resources and ports.
      if (pod.spec?.nodeName) this.queue.moveAll();
      return;
    }
    if (pod.spec?.nodeName) {
      this.queue.forget(key);
      if (this.assumed.get(key)?.pod.metadata.uid === pod.metadata.uid) this.assumed.delete(key);
      if (old?.spec?.nodeName && isPodNotTerminated(old) && !isPodNotTerminated(pod)) this.queue.moveAll();
      return;
    }
    if (!isResponsibleFor(pod)) return;
    if (pod.metadata.deletionTimestamp) {
      this.queue.forget(key);
      return;
    }
    if (type === 'ADDED' || podSchedulingInputsChanged(old, pod)) this.queue.add(key);
  }

  // ---- the scheduling loop -----------------------------------------------------------------

  private kick(): void {
    if (this.running || this.stopped || !this.synced) return;
    this.running = true;
    queueMicrotask(() => void this.drain());
  }

  private async drain(): Promise<void> {
    try {
      for (let key = this.queue.pop(); key !== undefined && !this.stopped; key = this.queue.pop()) {
        try {
          await this.scheduleOne(key);
        } catch (e) {
          // Unexpected (e.g. the API server refused a status write): retry after backoff.
          this.log.warn({ pod: key, err: (e as Error).message }, 'scheduling attempt failed');
          if (!this.volumeWaits.has(key)) this.forgetAssumed(key);
          this.queue.failed(key, this.queue.cycle(), true);
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async scheduleOne(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    if (!pod || pod.spec?.nodeName || pod.metadata.deletionTimestamp || !isResponsibleFor(pod)) {
      this.queue.forget(key);
      return;
    }
    // Already placed and waiting for its volumes or its binding.
    if (this.assumed.get(key)?.pod.metadata.uid === pod.metadata.uid) return;
    const cycle = this.queue.cycle();
    const decision = this.decide(pod);
    if ('reason' in decision) {
      await this.recordFailure(pod, decision.reason, decision.message);
      this.queue.failed(key, cycle, decision.reason === 'SchedulerError');
      return;
    }
    const node = decision.node.metadata.name!;
    this.assumed.set(key, { pod, node });
    if (decision.claims.delayed.length > 0) {
      await this.startVolumeBinding(pod, node, decision.claims.delayed, cycle);
      return;
    }
    await this.bind(pod, node, cycle);
  }

  /** Filter and score: the node to use, or why there is none. */
  private decide(pod: KubeObject): Decision {
    const nodes = [...this.nodes.list()].sort((a, b) => a.metadata.name!.localeCompare(b.metadata.name!));
    if (nodes.length === 0) return { reason: 'Unschedulable', message: NO_NODES_AVAILABLE };
    const pre = preFilterVolumes(pod, this.lookups);
    if (pre.outcome === 'unresolvable') return { reason: 'Unschedulable', message: fitErrorMessage(nodes.length, [], pre.message) };

    const placed = this.podsByNode();
    const rejections: NodeRejection[] = [];
    let best: { node: KubeObject; score: number } | undefined;
    for (const node of nodes) {
      const onNode = placed.get(node.metadata.name!) ?? [];
      const rejection = filterNode(pod, node, onNode) ?? filterNodeVolumes(pre.claims, node, this.lookups);
      if (rejection) {
        rejections.push(rejection);
        continue;
      }
      const score = leastAllocatedScore(pod, nodeAllocatable(node), onNode);
      // Nodes come sorted by name, so `>` keeps the first name among equal scores.
      if (!best || score > best.score) best = { node, score };
    }
    if (!best) return { reason: 'Unschedulable', message: fitErrorMessage(nodes.length, rejections) };
    return { node: best.node, claims: pre.claims };
  }

  /** Pods occupying each node: bound, not finished (terminating ones still hold their resources), plus assumed ones. */
  private podsByNode(): Map<string, KubeObject[]> {
    const byNode = new Map<string, KubeObject[]>();
    const add = (node: string, pod: KubeObject) => {
      const list = byNode.get(node);
      if (list) list.push(pod);
      else byNode.set(node, [pod]);
    };
    for (const p of this.pods.list()) if (p.spec?.nodeName && isPodNotTerminated(p)) add(p.spec.nodeName, p);
    for (const [key, a] of this.assumed) {
      const { namespace, name } = splitKey(key);
      const current = this.pods.get(namespace, name);
      if (current?.spec?.nodeName && current.metadata.uid === a.pod.metadata.uid) continue;
      add(a.node, a.pod);
    }
    return byNode;
  }

  // ---- binding -----------------------------------------------------------------------------

  /** Un-reserves a pod placed but not bound: its node's room may let waiting pods in (upstream moves them all). */
  private forgetAssumed(key: string): void {
    if (this.assumed.delete(key)) this.queue.moveAll();
  }

  private async bind(pod: KubeObject, node: string, cycle: number): Promise<void> {
    const key = objectKey(pod);
    try {
      await this.client.request('POST', `/api/v1/namespaces/${encodeURIComponent(pod.metadata.namespace!)}/pods/${encodeURIComponent(pod.metadata.name!)}/binding`, {
        body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: pod.metadata.name, uid: pod.metadata.uid }, target: { apiVersion: 'v1', kind: 'Node', name: node } },
      });
    } catch (e) {
      this.forgetAssumed(key);
      // The pod is gone or someone else bound it: nothing left to do.
      if (e instanceof ClientError && (e.code === 404 || e.code === 409)) {
        this.queue.forget(key);
        return;
      }
      await this.recordFailure(pod, 'SchedulerError', `running Bind plugin "DefaultBinder": ${(e as Error).message}`);
      this.queue.failed(key, cycle, true);
      return;
    }
    this.queue.forget(key);
    this.recorder.event(pod, 'Normal', 'Scheduled', `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`);
  }

  /** PreBind of VolumeBinding: ask for provisioning on `node`, then wait for the claims to be bound. */
  private async startVolumeBinding(pod: KubeObject, node: string, delayed: KubeObject[], cycle: number): Promise<void> {
    const key = objectKey(pod);
    try {
      for (const pvc of delayed) {
        if (pvc.metadata.annotations?.[ANN_SELECTED_NODE] === node) continue;
        await this.client.patch(PERSISTENT_VOLUME_CLAIMS, pvc.metadata.namespace, pvc.metadata.name!, { metadata: { annotations: { [ANN_SELECTED_NODE]: node } } });
      }
    } catch (e) {
      this.forgetAssumed(key);
      await this.recordFailure(pod, 'SchedulerError', `running PreBind plugin "VolumeBinding": binding volumes: ${(e as Error).message}`);
      this.queue.failed(key, cycle, true);
      return;
    }
    const timer = this.context.clock.setTimeout(() => void this.failVolumeWait(key, 'binding volumes: context deadline exceeded'), this.volumeBindTimeoutMs);
    this.volumeWaits.set(key, { pod, node, claims: delayed.map((c) => c.metadata.name!), cycle, timer, binding: false });
    this.checkVolumeWait(key);
  }

  private checkVolumeWait(key: string): void {
    const wait = this.volumeWaits.get(key);
    if (!wait || wait.binding) return;
    const { namespace, name } = splitKey(key);
    const pod = this.pods.get(namespace, name);
    if (!pod || pod.metadata.uid !== wait.pod.metadata.uid || pod.metadata.deletionTimestamp || pod.spec?.nodeName) {
      // Deleted (or bound elsewhere) meanwhile: forget it.
      this.cancelVolumeWait(key, wait.pod.metadata.uid);
      return;
    }
    for (const claimName of wait.claims) {
      const pvc = this.claims.get(namespace, claimName);
      if (!pvc) {
        void this.failVolumeWait(key, `binding volumes: persistentvolumeclaim "${claimName}" not found`);
        return;
      }
      if (!isClaimFullyBound(pvc)) {
        // The provisioner gives a node back by removing the annotation: schedule again.
        if (pvc.metadata.annotations?.[ANN_SELECTED_NODE] === undefined) {
          void this.failVolumeWait(key, `binding volumes: selectedNode annotation reset for PVC "${claimName}"`);
        }
        return;
      }
      if (!this.volumes.get(undefined, pvc.spec.volumeName)) return;
    }
    wait.binding = true;
    wait.timer.cancel();
    this.volumeWaits.delete(key);
    void this.bind(pod, wait.node, wait.cycle);
  }

  private cancelVolumeWait(key: string, uid: string | undefined): void {
    const wait = this.volumeWaits.get(key);
    if (!wait || wait.pod.metadata.uid !== uid) return;
    wait.timer.cancel();
    this.volumeWaits.delete(key);
    if (this.assumed.get(key)?.pod.metadata.uid === uid) this.forgetAssumed(key);
  }

  private async failVolumeWait(key: string, message: string): Promise<void> {
    const wait = this.volumeWaits.get(key);
    if (!wait || wait.binding) return;
    wait.timer.cancel();
    this.volumeWaits.delete(key);
    this.forgetAssumed(key);
    await this.recordFailure(wait.pod, 'SchedulerError', `running PreBind plugin "VolumeBinding": ${message}`);
    this.queue.failed(key, wait.cycle, true);
  }

  // ---- failures ----------------------------------------------------------------------------

  /** FailedScheduling event, then PodScheduled=False on the pod (skipped when nothing changed). */
  private async recordFailure(pod: KubeObject, reason: FailureReason, message: string): Promise<void> {
    this.recorder.event(pod, 'Warning', 'FailedScheduling', message);
    const current = this.pods.get(pod.metadata.namespace, pod.metadata.name!);
    if (!current || current.metadata.uid !== pod.metadata.uid || current.spec?.nodeName) return;
    const existing = (current.status?.conditions ?? []).find((c: any) => c.type === 'PodScheduled');
    if (existing?.status === 'False' && existing.reason === reason && existing.message === message) return;
    const condition = {
      type: 'PodScheduled',
      status: 'False',
      lastProbeTime: null,
      lastTransitionTime: existing?.status === 'False' && existing.lastTransitionTime ? existing.lastTransitionTime : metaTime(this.context.clock.now()),
      reason,
      message,
    };
    try {
      await this.client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, { status: { conditions: [condition] } }, 'strategic', 'status');
    } catch (e) {
      if (!(e instanceof ClientError && (e.code === 404 || e.code === 409))) this.log.warn({ pod: objectKey(pod), err: (e as Error).message }, 'could not update pod condition');
    }
  }
}
