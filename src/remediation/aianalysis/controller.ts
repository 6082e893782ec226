/**
 * Wiring of the AIAnalysis controller: an informer on AIAnalyses (all namespaces, or one), the
 * reconciler, the investigator client, the approval policy ConfigMap watcher and its sandbox,
 * Events and metrics.
 *
 *   const aa = await startAIAnalysisController({ kubeconfig, clock, audit, investigatorUrl });
 *   ...; await aa.stop();
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { AIAnalysis } from '../../api/v1alpha1/index.ts';
import { NoopAuditSink, type AuditSink } from '../../datastorage/client/audit-sink.ts';
import { ControllerBuilder } from '../../kube/controller.ts';
import { EventRecorder } from '../../kube/event-recorder.ts';
import { Informer } from '../../kube/informer.ts';
import { KubernautClient } from '../../kube/kubernaut-client.ts';
import { KUBERNAUT_RESOURCES } from '../../kube/resource.ts';
import type { Clock } from '../../platform/clock.ts';
import { componentLogger, type Logger } from '../../platform/log.ts';
import { CEL_ENVIRONMENT_OPTIONS } from '../signalprocessing/policy-definitions.ts';
import { PolicyConfigMapWatcher } from '../signalprocessing/policy-configmap.ts';
import { PolicySandbox, type PolicySandboxOptions } from '../signalprocessing/policy-sandbox.ts';
import { APPROVAL_KEYS, APPROVAL_POLICY, APPROVAL_VARIABLES, DEFAULT_APPROVAL_CONFIGMAP } from './approval-definitions.ts';
import { ApprovalPolicyStore } from './approval-policy-store.ts';
import { InvestigatorClient, type Investigator } from './investigator-client.ts';
import { aiAnalysisMetrics } from './metrics.ts';
import { AIAnalysisReconciler } from './reconciler.ts';

export const DEFAULT_POLICY_NAMESPACE = 'kubernaut-system';
/**
 * Reconciles in parallel. A reconcile makes one short call to the investigator and never waits for
 * the analysis itself, so workers are busy only for the length of an HTTP exchange; 16 leave
 * room for an investigator that answers slowly under load.
 */
export const DEFAULT_WORKERS = 16;

export interface AIAnalysisControllerOptions {
  kubeconfig: KubeConfig;
  clock: Clock;
  /** The investigator's base URL (or `investigator`, a client of your own). */
  investigatorUrl?: string;
  /** Bearer token for the investigator, asked on every call (a rotated token file is picked up). */
  investigatorToken?: () => string | undefined;
  investigator?: Investigator;
  /** Real milliseconds one call to the investigator may take (default 180 000). */
  investigatorTimeoutMs?: number;
  /** Where audit events go (default: discarded). */
  audit?: AuditSink;
  /** Only AIAnalyses of this namespace (default: every namespace). */
  namespace?: string;
  /** Namespace of the policy ConfigMap (default kubernaut-system). */
  policyNamespace?: string;
  /** Name of the policy ConfigMap (default kubernaut-aianalysis-policies). */
  policyConfigMap?: string;
  registry?: Registry;
  log?: Logger;
  workers?: number;
  /** Limits of policy evaluation. */
  sandbox?: PolicySandboxOptions;
  /**
   * The clock of the policy sandbox's CPU limits (default `clock`). A test that drives `clock` by
   * hand passes a real one: an evaluation's time limit is real time.
   */
  sandboxClock?: Clock;
}

export interface RunningAIAnalysisController {
  stop(): Promise<void>;
}

/** Resolves once the policy overrides are loaded and the controller is reconciling. */
export async function startAIAnalysisController(opts: AIAnalysisControllerOptions): Promise<RunningAIAnalysisController> {
  const { kubeconfig: kc, clock } = opts;
  const log = opts.log ?? componentLogger('aianalysis');
  if (!opts.investigator && !opts.investigatorUrl) throw new Error('the AIAnalysis controller needs the investigator\'s URL');
  const investigator = opts.investigator ?? new InvestigatorClient({ baseUrl: opts.investigatorUrl!, bearerToken: opts.investigatorToken, timeoutMs: opts.investigatorTimeoutMs });
  const policyNamespace = opts.policyNamespace ?? DEFAULT_POLICY_NAMESPACE;
  const policyConfigMap = opts.policyConfigMap ?? DEFAULT_APPROVAL_CONFIGMAP;
  const metrics = aiAnalysisMetrics(opts.registry);
  const events = new EventRecorder(kc, clock, 'aianalysis-controller', { log });
  const sandbox = new PolicySandbox(opts.sandboxClock ?? clock, {
    log,
    ...opts.sandbox,
    declarations: { variables: { [APPROVAL_POLICY]: APPROVAL_VARIABLES }, options: CEL_ENVIRONMENT_OPTIONS },
  });
  const approval = new ApprovalPolicyStore(sandbox, `ConfigMap ${policyNamespace}/${policyConfigMap}`);
  const keys = Object.values(APPROVAL_KEYS);
  const watcher = new PolicyConfigMapWatcher(kc, approval, {
    namespace: policyNamespace,
    name: policyConfigMap,
    clock,
    log,
    events,
    keyOf: (name) => name,
    keys,
    onRejected: (r) => metrics.policyRejections.inc({ key: r.key }),
  });

  const client = new KubernautClient(kc);
  const informer = new Informer<AIAnalysis>(kc, KUBERNAUT_RESOURCES.AIAnalysis, clock, { namespace: opts.namespace, log });
  // Our own status writes show in the cache at once, so the next step never reads a stale phase.
  client.reflectInto('AIAnalysis', informer);
  const reconciler = new AIAnalysisReconciler({
    store: {
      get: async (key) => informer.get(key),
      // Starting from the cache saves a read per step; a stale copy costs a 409 and a fresh read.
      updateStatus: (key, mutate) => client.updateStatus('AIAnalysis', key, mutate, { from: informer.get(key) }),
      // Read once per submission: only the request body needs the RR.
      getRemediationRequest: (key) => client.get('RemediationRequest', key),
    },
    investigator,
    approval,
    audit: opts.audit ?? new NoopAuditSink(),
    clock,
    events,
    log,
    metrics,
  });
  const controller = ControllerBuilder.named<AIAnalysis>('aianalysis', { clock, registry: opts.registry, log })
    .for(informer)
    .workers(opts.workers ?? DEFAULT_WORKERS)
    .complete(reconciler);

  try {
    await Promise.all([sandbox.warmUp(), watcher.start()]);
    await controller.start();
  } catch (err) {
    await Promise.allSettled([controller.stop(), watcher.stop(), sandbox.close()]);
    events.close();
    throw err;
  }
  log.info({ namespace: opts.namespace ?? '(all)', investigator: investigator.endpoint, policyConfigMap: `${policyNamespace}/${policyConfigMap}` }, 'aianalysis controller started');
  return {
    async stop() {
      await controller.stop();
      await watcher.stop();
      await sandbox.close();
      // The last Events (a failed analysis, a rejected policy) are worth a moment, not a hang.
      await Promise.race([events.flush(), clock.sleep(2_000)]).catch(() => undefined);
      events.close();
    },
  };
}
