/**
 * Wiring of the EffectivenessMonitor: an informer on EffectivenessAssessments (all namespaces, or
 * one), the reconciler, the cluster reader, the Alertmanager and Prometheus clients, Events and
 * metrics.
 *
 *   const em = await startEffectivenessController({ kubeconfig, clock, audit, prometheusUrl, alertmanagerUrl });
 *   ...; await em.stop();
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { EffectivenessAssessment } from '../../api/v1alpha1/index.ts';
import { NoopAuditSink, type AuditSink } from '../../datastorage/client/audit-sink.ts';
import { ControllerBuilder } from '../../kube/controller.ts';
import { EventRecorder } from '../../kube/event-recorder.ts';
import { Informer } from '../../kube/informer.ts';
import { KubernautClient } from '../../kube/kubernaut-client.ts';
import { KUBERNAUT_RESOURCES } from '../../kube/resource.ts';
import type { Clock } from '../../platform/clock.ts';
import { componentLogger, type Logger } from '../../platform/log.ts';
import { KubeClusterReader } from './cluster-reader.ts';
import { effectivenessMetrics } from './metrics.ts';
import { EffectivenessReconciler } from './reconciler.ts';
import { AlertmanagerClient, PrometheusClient, type AlertSource, type MetricSource } from './sources.ts';

/** A reconcile makes a handful of short reads; 8 workers keep many assessments moving. */
export const DEFAULT_WORKERS = 8;

export interface EffectivenessControllerOptions {
  kubeconfig: KubeConfig;
  clock: Clock;
  /** Where audit events go (default: discarded). */
  audit?: AuditSink;
  /** Only EffectivenessAssessments of this namespace (default: every namespace). */
  namespace?: string;
  /** Prometheus query API base URL; without it (and without `prometheus`) metrics are not assessed. */
  prometheusUrl?: string;
  /** Alertmanager API base URL (the embedded alerting serves one); without it alerts are not assessed. */
  alertmanagerUrl?: string;
  /** Bearer token for both, asked on every request (the embedded alerting with auth needs one). */
  sourceToken?: () => string | undefined;
  /** Real milliseconds one request to Prometheus or Alertmanager may take (default 10 000). */
  sourceTimeoutMs?: number;
  /** Sources of your own (tests), instead of the URLs. */
  prometheus?: MetricSource;
  alertmanager?: AlertSource;
  registry?: Registry;
  log?: Logger;
  workers?: number;
}

export interface RunningEffectivenessController {
  stop(): Promise<void>;
}

/** Resolves once the informer has synced and the controller is reconciling. */
export async function startEffectivenessController(opts: EffectivenessControllerOptions): Promise<RunningEffectivenessController> {
  const { kubeconfig: kc, clock } = opts;
  const log = opts.log ?? componentLogger('effectiveness');
  const metrics = effectivenessMetrics(opts.registry);
  const events = new EventRecorder(kc, clock, 'effectiveness-controller', { log });
  const client = new KubernautClient(kc);
  const source = (baseUrl: string) => ({ baseUrl, bearerToken: opts.sourceToken, timeoutMs: opts.sourceTimeoutMs });
  const prometheus = opts.prometheus ?? (opts.prometheusUrl ? new PrometheusClient(source(opts.prometheusUrl)) : undefined);
  const alerts = opts.alertmanager ?? (opts.alertmanagerUrl ? new AlertmanagerClient(source(opts.alertmanagerUrl)) : undefined);

  const informer = new Informer<EffectivenessAssessment>(kc, KUBERNAUT_RESOURCES.EffectivenessAssessment, clock, { namespace: opts.namespace, log });
  // Our own status writes show in the cache at once, so the next step never reads a stale phase.
  client.reflectInto('EffectivenessAssessment', informer);
  const reconciler = new EffectivenessReconciler({
    store: {
      get: (key) => informer.get(key),
      updateStatus: (key, mutate) => client.updateStatus('EffectivenessAssessment', key, mutate, { from: informer.get(key) }),
    },
    reader: new KubeClusterReader(kc, client),
    alerts,
    prometheus,
    audit: opts.audit ?? new NoopAuditSink(),
    clock,
    events,
    log,
    metrics,
  });
  const controller = ControllerBuilder.named<EffectivenessAssessment>('effectiveness', { clock, registry: opts.registry, log })
    .for(informer)
    .workers(opts.workers ?? DEFAULT_WORKERS)
    .complete(reconciler);

  try {
    await controller.start();
  } catch (err) {
    await controller.stop().catch(() => undefined);
    events.close();
    throw err;
  }
  log.info({ namespace: opts.namespace ?? '(all)', prometheus: opts.prometheusUrl ?? (opts.prometheus ? '(custom)' : 'none'), alertmanager: opts.alertmanagerUrl ?? (opts.alertmanager ? '(custom)' : 'none') }, 'effectiveness controller started');
  return {
    async stop() {
      await controller.stop();
      // The last Events (an expired or drifted assessment) are worth a moment, not a hang.
      await Promise.race([events.flush(), clock.sleep(2_000)]).catch(() => undefined);
      events.close();
    },
  };
}
