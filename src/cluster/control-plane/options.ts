/** What the embedded control plane runs: its nodes and how fast their kubelets work. */
import type { KubeletTimings, NodeConfig } from '../kubelet/config.ts';
import type { BundleRuntimeConfig } from '../kubelet/bundle-runtime.ts';

export type { KubeletTimings, NodeConfig };

export interface ControlPlaneOptions {
  nodes: NodeConfig[];
  kubelet: KubeletTimings;
  /** Workflow bundles the kubelets run as real processes (see kubelet/bundles.ts). */
  bundles?: BundleRuntimeConfig;
}

export const DEFAULT_CONTROL_PLANE: ControlPlaneOptions = {
  nodes: [{ name: 'kind-control-plane' }],
  kubelet: { imagePullMs: 600, containerStartMs: 300, volumeMountMs: 1500 },
};
