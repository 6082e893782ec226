/**
 * The simulated kubelet of one node: registers and heartbeats the Node, runs a worker per pod
 * bound to the node (see pod-worker.ts), and serves container logs to the API server. It is an
 * ordinary API client (user agent kubelet/v1.32.2) reading through the shared informers.
 */
import type { Logger } from '../../platform/log.ts';
import type { KubeObject } from '../core/types.ts';
import { objectKey, splitKey } from '../core/object-keys.ts';
import type { ClusterClient } from '../client/cluster-client.ts';
import type { Informer } from '../client/informer.ts';
import { NODES, PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, PODS } from '../client/resources.ts';
import type { Component, ControlPlaneContext } from '../client/component.ts';
import type { KubeletTimings, NodeConfig } from './config.ts';
import type { EventRecorder } from '../client/event-recorder.ts';
import { WorkQueue } from '../client/workqueue.ts';
import { ImageStore } from './images.ts';
import { PodIpAllocator } from './ip-allocator.ts';
import { KubeletServer } from './kubelet-server.ts';
import { NodeAgent } from './node-agent.ts';
import { KUBELET_VERSION } from './node-status.ts';
import { PodWorker } from './pod-worker.ts';
import { BundleRuntime, type BundleRuntimeConfig } from './bundle-runtime.ts';
import { CONFIG_MAPS, SECRETS } from './volumes.ts';

/** The node's InternalIP: every simulated node lives on this host. */
const HOST_IP = '127.0.0.1';

export class Kubelet implements Component {
  private readonly client: ClusterClient;
  private readonly recorder: EventRecorder;
  private readonly log: Logger;
  private readonly pods: Informer;
  private readonly queue: WorkQueue;
  private readonly images = new ImageStore();
  private readonly ips: PodIpAllocator;
  private readonly server: KubeletServer;
  private readonly agent: NodeAgent;
  /** Workers by `namespace/name`; a same-named pod with a new uid replaces its predecessor. */
  private readonly workers = new Map<string, PodWorker>();
  private readonly bundles: BundleRuntime | undefined;
  private port = 0;

  constructor(
    private readonly context: ControlPlaneContext,
    private readonly node: NodeConfig,
    nodeIndex: number,
    private readonly timings: KubeletTimings,
    /** Workflow bundles this node runs as real processes (none: every container is simulated). */
    bundles?: BundleRuntimeConfig,
  ) {
    this.client = context.client(`kubelet/${KUBELET_VERSION}`);
    this.bundles = bundles ? new BundleRuntime(bundles, this.client) : undefined;
    this.recorder = context.recorder({ component: 'kubelet', host: node.name });
    this.log = context.log(`kubelet-${node.name}`);
    this.ips = PodIpAllocator.forNode(nodeIndex);
    this.server = new KubeletServer((ns, pod, container, previous) => this.workers.get(`${ns}/${pod}`)?.logs(container, previous), () => context.clock.nowMs());
    this.agent = new NodeAgent(node, this.ips.cidr, () => this.port, this.client, context.clock, this.recorder, this.images, this.log);
    this.queue = new WorkQueue(context.clock, (key) => this.syncPod(key), this.log, { baseDelayMs: 200, maxDelayMs: 10_000, startAfter: context.informers.synced });

    this.pods = context.informers.informer(PODS);
    this.pods.on((_type, pod, old) => {
      // Our pods, and pods that stopped being ours or vanished while we ran them.
      const key = objectKey(pod);
      if (pod.spec?.nodeName === node.name || old?.spec?.nodeName === node.name || this.workers.has(key)) this.queue.add(key);
    });
    // A pod waiting for its claims, configMaps or secrets retries as soon as one of them changes.
    const poke = () => {
      for (const w of this.workers.values()) w.volumesChanged();
    };
    for (const gvr of [PERSISTENT_VOLUME_CLAIMS, PERSISTENT_VOLUMES, CONFIG_MAPS, SECRETS]) context.informers.informer(gvr).on(poke);
    context.informers.informer(NODES).on((type, obj) => {
      if (type === 'DELETED' && obj.metadata.name === node.name) this.agent.nodeDeleted();
    });
  }

  async start(): Promise<void> {
    this.port = await this.server.listen();
    await this.agent.start();
    // Informers shared with components that started earlier have already delivered their ADDED events.
    for (const pod of this.pods.list()) if (pod.spec?.nodeName === this.node.name) this.queue.add(objectKey(pod));
    this.log.debug({ node: this.node.name, port: this.port, timings: this.timings }, 'kubelet started');
  }

  stop(): void {
    this.queue.stop();
    for (const w of this.workers.values()) w.drop();
    this.workers.clear();
    this.agent.stop();
    this.server.close();
  }

  /** Level-triggered: make the worker for `namespace/name` match what the informer holds. */
  private async syncPod(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod: KubeObject | undefined = this.pods.get(namespace, name);
    const worker = this.workers.get(key);
    const ours = pod && pod.spec?.nodeName === this.node.name;
    if (worker && (!ours || pod.metadata.uid !== worker.uid)) {
      // Force-deleted (or replaced by a same-named pod): stop at once, free the IP.
      worker.drop();
      this.workers.delete(key);
    }
    if (!ours) return;
    const current = this.workers.get(key);
    if (current) {
      current.update(pod);
      return;
    }
    const created = new PodWorker(
      { nodeName: this.node.name, hostIP: HOST_IP, clock: this.context.clock, client: this.client, recorder: this.recorder, log: this.log, images: this.images, ips: this.ips, timings: this.timings, bundles: this.bundles },
      pod,
    );
    this.workers.set(key, created);
    created.start();
  }
}
