/**
 * An in-process embedded cluster without the simulated control plane, plus a control-plane
 * runtime, so a test can run exactly the components it is about and drive the rest by hand.
 */
import { ScaledClock, type Clock } from '../../src/platform/clock.ts';
import type { ClusterClient } from '../../src/cluster/client/cluster-client.ts';
import type { Component, ControlPlaneContext } from '../../src/cluster/client/component.ts';
import { ControlPlaneRuntime } from '../../src/cluster/control-plane/runtime.ts';
import { EmbeddedCluster } from '../../src/cluster/embedded-cluster.ts';

export interface TestCluster {
  cluster: EmbeddedCluster;
  runtime: ControlPlaneRuntime;
  context: ControlPlaneContext;
  /** An admin client for the test's own reads and writes. */
  client: ClusterClient;
  clock: Clock;
  /** Starts components built with `context` (construct them first, then call this once). */
  start(components: Component[]): Promise<void>;
  close(): Promise<void>;
}

/** `clock` (e.g. a ManualClock the test drives) replaces the real one scaled by `timeScale`. */
export async function startTestCluster(opts: { timeScale?: number; clock?: Clock } = {}): Promise<TestCluster> {
  const clock = opts.clock ?? new ScaledClock(opts.timeScale ?? 1);
  const cluster = await EmbeddedCluster.start({ clock, controlPlane: false });
  const runtime = new ControlPlaneRuntime((ua) => cluster.client(ua), clock);
  return {
    cluster,
    runtime,
    context: runtime.context,
    client: cluster.client('test'),
    clock,
    start: (components) => runtime.start(components),
    async close() {
      runtime.stop();
      await cluster.close();
    },
  };
}
