/**
 * What every simulated control-plane component (controllers, scheduler, kubelets, provisioner)
 * gets: the clock, shared informers, its own API client and event recorder. Components talk to
 * the API server only through these, exactly as they would to a remote cluster.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import type { ClusterClient } from './cluster-client.ts';
import type { SharedInformers } from './shared-informers.ts';
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
