/**
 * A simulation switch for one fault no API call can cause: a node's kubelet dying. Annotating a
 * Node `sim.kubernaut.ai/kubelet: stopped` stops the simulated kubelet of that node as if its
 * process died (no more Lease renewals or status posts; the node lifecycle controller marks the node
 * Unknown after its grace period); removing the annotation (or any other value) starts it again, as
 * a kubelet restart would. It lets a client in another process (the demo, kubectl) cause the fault
 * through the API, like `sim.kubernaut.ai/behavior` does for containers. Only the embedded cluster
 * honours it; a real cluster keeps the annotation as an inert string.
 */
import type { Logger } from '../../platform/log.ts';
import type { Component, ControlPlaneContext } from '../client/component.ts';
import { NODES } from '../client/resources.ts';
import type { KubeObject } from '../core/types.ts';

export const KUBELET_SIMULATION_ANNOTATION = 'sim.kubernaut.ai/kubelet';

export interface KubeletControl {
  /** Whether this node has a simulated kubelet at all. */
  has(nodeName: string): boolean;
  stop(nodeName: string): void;
  start(nodeName: string): Promise<void>;
}

export class KubeletSwitch implements Component {
  private readonly log: Logger;
  /** The state last asked for per node, so repeated events act once. */
  private readonly wanted = new Map<string, 'stopped' | 'running'>();
  /** Starts run one after another per node: a quick stop/start/stop must end stopped. */
  private chain: Promise<void> = Promise.resolve();
  private stopped = false;

  constructor(context: ControlPlaneContext, private readonly kubelets: KubeletControl) {
    this.log = context.log('kubelet-switch');
    context.informers.informer(NODES).on((type, node) => {
      if (type !== 'DELETED') this.observe(node);
    });
  }

  async start(): Promise<void> {}

  stop(): void {
    this.stopped = true;
  }

  private observe(node: KubeObject): void {
    const name = node.metadata.name!;
    if (this.stopped || !this.kubelets.has(name)) return;
    const want = node.metadata.annotations?.[KUBELET_SIMULATION_ANNOTATION] === 'stopped' ? 'stopped' : 'running';
    // A node first seen running needs nothing: its kubelet is running already.
    if ((this.wanted.get(name) ?? 'running') === want) return;
    this.wanted.set(name, want);
    this.chain = this.chain.then(async () => {
      if (this.stopped) return;
      try {
        if (want === 'stopped') this.kubelets.stop(name);
        else await this.kubelets.start(name);
        this.log.info({ node: name, kubelet: want }, `simulated kubelet ${want} (${KUBELET_SIMULATION_ANNOTATION})`);
      } catch (e) {
        this.log.warn({ node: name, err: (e as Error).message }, 'kubelet switch failed');
      }
    });
  }
}
