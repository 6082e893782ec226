/** How the control plane configures a simulated node and its kubelet. */

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
