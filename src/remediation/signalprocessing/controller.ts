/**
 * Wiring of the SignalProcessing controller: an informer on SignalProcessings (all namespaces, or
 * one), the reconciler, the policy ConfigMap watcher, the policy sandbox, Events and metrics.
 *
 *   const sp = await startSignalProcessingController({ kubeconfig, clock, audit });
 *   ...; await sp.stop();
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { SignalProcessing } from '../../api/v1alpha1/index.ts';
import { NoopAuditSink, type AuditSink } from '../../datastorage/client/audit-sink.ts';
import { ControllerBuilder } from '../../kube/controller.ts';
import { EventRecorder } from '../../kube/event-recorder.ts';
import { Informer } from '../../kube/informer.ts';
import { KubernautClient } from '../../kube/kubernaut-client.ts';
import { KUBERNAUT_RESOURCES } from '../../kube/resource.ts';
import type { Clock } from '../../platform/clock.ts';
import { componentLogger, type Logger } from '../../platform/log.ts';
import { KubeClusterReader } from './cluster-reader.ts';
import { signalProcessingMetrics } from './metrics.ts';
import { DEFAULT_POLICY_CONFIGMAP, PolicyConfigMapWatcher } from './policy-configmap.ts';
import { PolicySandbox, type PolicySandboxOptions } from './policy-sandbox.ts';
import { PolicyStore } from './policy-store.ts';
import { SignalProcessingReconciler } from './reconciler.ts';

export const DEFAULT_POLICY_NAMESPACE = 'kubernaut-system';

export interface SignalProcessingControllerOptions {
  kubeconfig: KubeConfig;
  clock: Clock;
  /** Where audit events go (default: discarded). */
  audit?: AuditSink;
  /** Only SignalProcessings of this namespace (default: every namespace). */
  namespace?: string;
  /** Namespace of the policy ConfigMap (default kubernaut-system). */
  policyNamespace?: string;
  /** Name of the policy ConfigMap (default kubernaut-signalprocessing-policies). */
  policyConfigMap?: string;
  registry?: Registry;
  log?: Logger;
  /** Reconciles in parallel (default 4). */
  workers?: number;
  /** Limits of policy evaluation. */
  sandbox?: PolicySandboxOptions;
}

export interface RunningSignalProcessingController {
  stop(): Promise<void>;
}

/** Resolves once the policy overrides are loaded and the controller is reconciling. */
export async function startSignalProcessingController(opts: SignalProcessingControllerOptions): Promise<RunningSignalProcessingController> {
  const { kubeconfig: kc, clock } = opts;
  const log = opts.log ?? componentLogger('signalprocessing');
  const policyNamespace = opts.policyNamespace ?? DEFAULT_POLICY_NAMESPACE;
  const policyConfigMap = opts.policyConfigMap ?? DEFAULT_POLICY_CONFIGMAP;
  const metrics = signalProcessingMetrics(opts.registry);
  const events = new EventRecorder(kc, clock, 'signalprocessing-controller', { log });
  const sandbox = new PolicySandbox(clock, { log, ...opts.sandbox });
  const policies = new PolicyStore(sandbox, `ConfigMap ${policyNamespace}/${policyConfigMap}`);
  const watcher = new PolicyConfigMapWatcher(kc, policies, {
    namespace: policyNamespace,
    name: policyConfigMap,
    clock,
    log,
    events,
    onRejected: (r) => metrics.policyRejections.inc({ policy: r.name }),
  });

  const client = new KubernautClient(kc);
  const informer = new Informer<SignalProcessing>(kc, KUBERNAUT_RESOURCES.SignalProcessing, clock, { namespace: opts.namespace, log });
  // Our own status writes show in the cache at once, so the next step never reads a stale phase.
  client.reflectInto('SignalProcessing', informer);
  const reconciler = new SignalProcessingReconciler({
    store: {
      get: async (key) => informer.get(key),
      // Starting from the cache saves a read per phase; a stale copy costs a 409 and a fresh read.
      updateStatus: (key, mutate) => client.updateStatus('SignalProcessing', key, mutate, { from: informer.get(key) }),
    },
    reader: new KubeClusterReader(kc),
    policies,
    audit: opts.audit ?? new NoopAuditSink(),
    clock,
    events,
    log,
    onFinished: (outcome, durationMs) => {
      metrics.processed.inc({ outcome });
      metrics.duration.observe({ outcome }, durationMs / 1000);
    },
  });
  const controller = ControllerBuilder.named<SignalProcessing>('signalprocessing', { clock, registry: opts.registry, log })
    .for(informer)
    .workers(opts.workers ?? 4)
    .complete(reconciler);

  try {
    await Promise.all([sandbox.warmUp(), watcher.start()]);
    await controller.start();
  } catch (err) {
    await Promise.allSettled([controller.stop(), watcher.stop(), sandbox.close()]);
    events.close();
    throw err;
  }
  log.info({ namespace: opts.namespace ?? '(all)', policyConfigMap: `${policyNamespace}/${policyConfigMap}` }, 'signalprocessing controller started');
  return {
    async stop() {
      await controller.stop();
      await watcher.stop();
      await sandbox.close();
      // The last Events (a Failed SP, a rejected policy) are worth a moment, not a hang.
      await Promise.race([events.flush(), clock.sleep(2_000)]).catch(() => undefined);
      events.close();
    },
  };
}
