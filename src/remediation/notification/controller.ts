/**
 * Wiring of the Notification controller: an informer on NotificationRequests (all namespaces, or
 * one), the reconciler, the channels, the routing ConfigMap watcher, Events and metrics.
 *
 *   const n = await startNotificationController({ kubeconfig, clock, audit });
 *   ...; await n.stop();
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { NotificationRequest } from '../../api/v1alpha1/index.ts';
import { NoopAuditSink, type AuditSink } from '../../datastorage/client/audit-sink.ts';
import { ControllerBuilder } from '../../kube/controller.ts';
import { EventRecorder } from '../../kube/event-recorder.ts';
import { Informer } from '../../kube/informer.ts';
import { KubernautClient } from '../../kube/kubernaut-client.ts';
import { KUBERNAUT_RESOURCES } from '../../kube/resource.ts';
import type { Clock } from '../../platform/clock.ts';
import { componentLogger, type Logger } from '../../platform/log.ts';
import { PolicyConfigMapWatcher } from '../signalprocessing/policy-configmap.ts';
import { Deliverer } from './channels/deliverer.ts';
import type { PostLimits } from './channels/http-post.ts';
import type { LineWriter } from './channels/local-channels.ts';
import { notificationMetrics } from './metrics.ts';
import { NotificationReconciler } from './reconciler.ts';
import { DEFAULT_ROUTING_CONFIG, parseRoutingConfig, parseRoutingYaml, type RoutingConfig, type RoutingConfigInput } from './routing-config.ts';
import { DEFAULT_ROUTING_CONFIGMAP, ROUTING_KEY, RoutingStore } from './routing-store.ts';

export const DEFAULT_ROUTING_NAMESPACE = 'kubernaut-system';
/** A reconcile waits for at most one round of deliveries (10 s each at worst), in parallel per channel. */
export const DEFAULT_WORKERS = 8;

export interface NotificationControllerOptions {
  kubeconfig: KubeConfig;
  clock: Clock;
  /** Where audit events go (default: discarded). */
  audit?: AuditSink;
  /** Only NotificationRequests of this namespace (default: every namespace). */
  namespace?: string;
  /**
   * The routing in force while the ConfigMap has no `routing.yaml` (an object or YAML text;
   * default: every notification to the console and the structured log).
   */
  config?: RoutingConfigInput | RoutingConfig | string;
  /** Namespace of the routing ConfigMap (default kubernaut-system). */
  routingNamespace?: string;
  /** Name of the routing ConfigMap (default kubernaut-notification-routing). */
  routingConfigMap?: string;
  registry?: Registry;
  /** The controller's own log. */
  log?: Logger;
  /** The log the `log` channel writes notifications to (default: component `notification-delivery`). */
  deliveryLog?: Logger;
  /** Where console lines go (default stdout). */
  console?: LineWriter;
  /** Time and size limits of the HTTP channels (default 10 s, 1 MiB), and a fetch of your own. */
  http?: PostLimits;
  workers?: number;
}

export interface RunningNotificationController {
  stop(): Promise<void>;
}

function startupConfig(config: NotificationControllerOptions['config']): RoutingConfig {
  if (config === undefined) return DEFAULT_ROUTING_CONFIG;
  return typeof config === 'string' ? parseRoutingYaml(config) : parseRoutingConfig(config);
}

/** Resolves once the routing ConfigMap is loaded and the controller is reconciling; a bad `config` throws. */
export async function startNotificationController(opts: NotificationControllerOptions): Promise<RunningNotificationController> {
  const { kubeconfig: kc, clock } = opts;
  const log = opts.log ?? componentLogger('notification');
  const routing = new RoutingStore(startupConfig(opts.config));
  const routingNamespace = opts.routingNamespace ?? DEFAULT_ROUTING_NAMESPACE;
  const routingConfigMap = opts.routingConfigMap ?? DEFAULT_ROUTING_CONFIGMAP;
  const metrics = notificationMetrics(opts.registry);
  const events = new EventRecorder(kc, clock, 'notification-controller', { log });
  const watcher = new PolicyConfigMapWatcher(kc, routing, {
    namespace: routingNamespace,
    name: routingConfigMap,
    clock,
    log,
    events,
    keyOf: (name) => name,
    keys: [ROUTING_KEY],
    onRejected: () => metrics.routingRejections.inc(),
  });
  const deliverer = new Deliverer({ log: opts.deliveryLog ?? componentLogger('notification-delivery'), console: opts.console, http: opts.http, now: () => clock.now() });

  const client = new KubernautClient(kc);
  const informer = new Informer<NotificationRequest>(kc, KUBERNAUT_RESOURCES.NotificationRequest, clock, { namespace: opts.namespace, log });
  // Our own status writes show in the cache at once, so the next step never reads a stale phase.
  client.reflectInto('NotificationRequest', informer);
  const reconciler = new NotificationReconciler({
    store: {
      get: async (key) => informer.get(key),
      updateStatus: (key, mutate) => client.updateStatus('NotificationRequest', key, mutate, { from: informer.get(key) }),
    },
    routing,
    deliverer,
    audit: opts.audit ?? new NoopAuditSink(),
    clock,
    log,
    events,
    metrics,
  });
  const controller = ControllerBuilder.named<NotificationRequest>('notification', { clock, registry: opts.registry, log })
    .for(informer)
    .workers(opts.workers ?? DEFAULT_WORKERS)
    .complete(reconciler);

  try {
    await watcher.start();
    await controller.start();
  } catch (err) {
    await Promise.allSettled([controller.stop(), watcher.stop()]);
    events.close();
    throw err;
  }
  log.info({ namespace: opts.namespace ?? '(all)', routingConfigMap: `${routingNamespace}/${routingConfigMap}` }, 'notification controller started');
  return {
    async stop() {
      await controller.stop();
      await watcher.stop();
      // The last Events (a failed delivery) are worth a moment, not a hang.
      await Promise.race([events.flush(), clock.sleep(2_000)]).catch(() => undefined);
      events.close();
    },
  };
}
