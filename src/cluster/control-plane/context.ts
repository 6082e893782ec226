/**
 * What every simulated control-plane component (controllers, scheduler, kubelets, provisioner)
 * gets: the clock, shared informers, its own API client and event recorder. Components talk to
 * the API server only through these, exactly as they would to a remote cluster.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import type { ClusterClient } from '../client/cluster-client.ts';
import type { SharedInformers } from '../client/shared-informers.ts';
import type { EventRecorder, EventSource } from './event-recorder.ts';

export interface Component {
  /** Called before the informers start: register nodes, open ports, create bootstrap objects. */
  start(): Promise<void>;
  stop(): void;
}

export interface ControlPlaneContext {
  clock: Clock;
  informers: SharedInformers;
  /** An API client identifying itself as `userAgent` (e.g. `kube-scheduler`). */
  client(userAgent: string): ClusterClient;
  recorder(source: EventSource): EventRecorder;
  log(component: string): Logger;
}

/** A simulated node and the kubelet that runs it. */
export interface NodeConfig {
  name: string;
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute' }>;
  /** Capacity, e.g. `{cpu: '8', memory: '16Gi', pods: '110', 'ephemeral-storage': '100Gi'}`. */
  capacity?: Record<string, string>;
}

/**
 * How long the simulated kubelet takes to do its work, in real milliseconds. These model the node
 * doing work, not the story waiting, so `--time-scale` does not shrink them: the race that makes
 * the reference fault (a claim deleted while the kubelet is still mounting it) plays out the same
 * at every time scale. Probe delays, back-offs and grace periods are waits and do scale.
 */
export interface KubeletTimings {
  /** Nominal time to "pull" an image that is not yet on the node (ms). */
  imagePullMs: number;
  /** Nominal time from mounting volumes to a started container (ms). */
  containerStartMs: number;
  /** Nominal time for the volume manager to mount a pod's volumes (ms). */
  volumeMountMs: number;
}

export interface ControlPlaneOptions {
  nodes: NodeConfig[];
  kubelet: KubeletTimings;
}

export const DEFAULT_CONTROL_PLANE: ControlPlaneOptions = {
  nodes: [{ name: 'kind-control-plane' }],
  kubelet: { imagePullMs: 600, containerStartMs: 300, volumeMountMs: 1500 },
};
