/**
 * The simulated control plane of the embedded cluster, assembled like a kind node: one kubelet per
 * node, kube-scheduler, the kube-controller-manager controllers for workloads and storage, kind's
 * local-path provisioner with its default StorageClass, and kube-state-metrics. Every component
 * is an ordinary API client; nothing here touches the API server's storage.
 */
import type { Clock } from '../../platform/clock.ts';
import type { ClusterClient } from '../client/cluster-client.ts';
import { DaemonSetController } from '../controllers/daemonset/daemonset-controller.ts';
import { DeploymentController } from '../controllers/deployment/deployment-controller.ts';
import { JobController } from '../controllers/job/job-controller.ts';
import { TtlAfterFinishedController } from '../controllers/job/ttl-after-finished-controller.ts';
import { ReplicaSetController } from '../controllers/replicaset/replicaset-controller.ts';
import { StatefulSetController } from '../controllers/statefulset/statefulset-controller.ts';
import { PersistentVolumeController } from '../controllers/volume/persistent-volume-controller.ts';
import { PvProtectionController } from '../controllers/volume/pv-protection-controller.ts';
import { PvcProtectionController } from '../controllers/volume/pvc-protection-controller.ts';
import { NodeLifecycleController } from '../controllers/node-lifecycle/node-lifecycle-controller.ts';
import { KubeStateMetrics } from '../kube-state-metrics/server.ts';
import { Kubelet } from '../kubelet/kubelet.ts';
import { ensureDefaultStorageClass } from '../local-path-provisioner/default-storage-class.ts';
import { LocalPathProvisioner } from '../local-path-provisioner/local-path-provisioner.ts';
import { Scheduler } from '../scheduler/scheduler.ts';
import type { Component } from '../client/component.ts';
import type { ControlPlaneOptions, KubeletTimings } from './options.ts';
import { ControlPlaneRuntime } from './runtime.ts';
import { KubeletSwitch } from './kubelet-switch.ts';

export interface RunningControlPlane {
  runtime: ControlPlaneRuntime;
  /** `http://host:port/metrics` of the embedded kube-state-metrics. */
  kubeStateMetricsUrl: string;
  /**
   * Stops a node's kubelet as if its process died: no more Lease renewals, status posts or pod
   * syncs; its pods stay as they were. The node lifecycle controller then marks the node Unknown.
   */
  stopKubelet(nodeName: string): void;
  /** Starts a stopped node's kubelet again (a restart: it adopts the node and its pods). */
  startKubelet(nodeName: string): Promise<void>;
  stop(): void;
}

export interface StartControlPlaneOptions extends ControlPlaneOptions {
  kubeStateMetrics?: { host?: string; port?: number };
}

export async function startControlPlane(clientFor: (userAgent: string) => ClusterClient, clock: Clock, opts: StartControlPlaneOptions): Promise<RunningControlPlane> {
  const runtime = new ControlPlaneRuntime(clientFor, clock);
  const ctx = runtime.context;
  // kind installs its default StorageClass as an addon when the cluster is created.
  await ensureDefaultStorageClass(clientFor('kubectl/v1.32.2 (kind addon: default-storageclass)'));
  const ksm = new KubeStateMetrics(ctx, opts.kubeStateMetrics);
  // The kubelet waits through the clock in nominal time; its work durations are real time (see
  // KubeletTimings), so hand it nominal values that the clock scales back to the real ones.
  const kubeletTimings: KubeletTimings = {
    imagePullMs: opts.kubelet.imagePullMs * clock.timeScale,
    containerStartMs: opts.kubelet.containerStartMs * clock.timeScale,
    volumeMountMs: opts.kubelet.volumeMountMs * clock.timeScale,
  };
  const kubelets = new Map(opts.nodes.map((node, i) => [node.name, { kubelet: new Kubelet(ctx, node, i, kubeletTimings, opts.bundles), node, index: i, running: true }]));
  const kubeletOf = (nodeName: string) => {
    const k = kubelets.get(nodeName);
    if (!k) throw new Error(`no simulated node named ${nodeName}`);
    return k;
  };
  const stopKubelet = (nodeName: string) => {
    const k = kubeletOf(nodeName);
    if (!k.running) return;
    k.kubelet.stop();
    k.running = false;
  };
  const startKubelet = async (nodeName: string) => {
    const k = kubeletOf(nodeName);
    if (k.running) return;
    k.kubelet = new Kubelet(ctx, k.node, k.index, kubeletTimings, opts.bundles);
    k.running = true;
    await k.kubelet.start();
  };
  const components: Component[] = [
    ...[...kubelets.values()].map((k) => k.kubelet),
    new Scheduler(ctx),
    new NodeLifecycleController(ctx),
    // The `sim.kubernaut.ai/kubelet` Node annotation: stops/starts a kubelet from outside this process.
    new KubeletSwitch(ctx, { has: (name) => kubelets.has(name), stop: stopKubelet, start: startKubelet }),
    new PersistentVolumeController(ctx),
    new PvcProtectionController(ctx),
    new PvProtectionController(ctx),
    new LocalPathProvisioner(ctx),
    new StatefulSetController(ctx),
    new DeploymentController(ctx),
    new ReplicaSetController(ctx),
    new DaemonSetController(ctx),
    new JobController(ctx),
    new TtlAfterFinishedController(ctx),
    ksm,
  ];
  await runtime.start(components);
  return {
    runtime,
    kubeStateMetricsUrl: ksm.url,
    stopKubelet,
    startKubelet,
    stop: () => {
      runtime.stop();
      // A kubelet started again after the runtime's own start is not in its component list.
      for (const k of kubelets.values()) if (k.running && !components.includes(k.kubelet)) k.kubelet.stop();
    },
  };
}
