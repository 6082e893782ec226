/**
 * Builds the context the simulated components share and runs them: construct (handlers register
 * on the shared informers), `start()` each, then start the informers, whose initial lists feed
 * the work queues.
 */
import type { Clock } from '../../platform/clock.ts';
import { componentLogger } from '../../platform/log.ts';
import type { ClusterClient } from '../client/cluster-client.ts';
import { SharedInformers } from '../client/shared-informers.ts';
import type { Component, ControlPlaneContext } from '../client/component.ts';
import { EventRecorder } from '../client/event-recorder.ts';

export class ControlPlaneRuntime {
  readonly context: ControlPlaneContext;
  private components: Component[] = [];
  private recorders: EventRecorder[] = [];

  constructor(clientFor: (userAgent: string) => ClusterClient, clock: Clock) {
    const informers = new SharedInformers(clientFor('kube-controller-manager/shared-informers'), clock);
    this.context = {
      clock,
      informers,
      client: clientFor,
      recorder: (source) => {
        const r = new EventRecorder(clientFor(`${source.component}/events`), clock, source, componentLogger(`${source.component}-events`));
        this.recorders.push(r);
        return r;
      },
      log: (component) => componentLogger(component),
    };
  }

  /** Starts the given components (already constructed with `this.context`), then the informers. */
  async start(components: Component[]): Promise<void> {
    this.components.push(...components);
    for (const c of components) await c.start();
    await this.context.informers.start();
  }

  /** Waits until every recorded event has been written. */
  async flushEvents(): Promise<void> {
    await Promise.all(this.recorders.map((r) => r.flush()));
  }

  stop(): void {
    for (const c of [...this.components].reverse()) c.stop();
    this.context.informers.stop();
  }
}
