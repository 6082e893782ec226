/**
 * Wiring of the RemediationOrchestrator: informers on RemediationRequests and on each child kind
 * (a child's event reconciles its owner RR, so the RR follows a child's status within a fraction
 * of a second), on RRs again for duplicates waiting for their original, and on WorkflowExecutions
 * for RRs waiting for a busy target. Timers (timeouts, blockedUntil, re-checks, retention) are
 * requeues through the clock.
 *
 *   const ro = await startOrchestrator({ kubeconfig, clock, audit, history });
 *   ...; await ro.stop();
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type {
  AIAnalysis,
  EffectivenessAssessment,
  NotificationRequest,
  RemediationApprovalRequest,
  RemediationRequest,
  SignalProcessing,
  WorkflowExecution,
} from '../../api/v1alpha1/index.ts';
import { NoopAuditSink, type AuditSink } from '../../datastorage/client/audit-sink.ts';
import { ControllerBuilder } from '../../kube/controller.ts';
import { EventRecorder } from '../../kube/event-recorder.ts';
import { Informer } from '../../kube/informer.ts';
import { KubernautClient } from '../../kube/kubernaut-client.ts';
import { KUBERNAUT_RESOURCES } from '../../kube/resource.ts';
import type { Clock } from '../../platform/clock.ts';
import { componentLogger, type Logger } from '../../platform/log.ts';
import { resolveConfig, type OrchestratorConfigOverrides } from './config.ts';
import { orchestratorMetrics } from './metrics.ts';
import {
  INDEX_BLOCKING_EXECUTION,
  INDEX_DUPLICATE_OF,
  INDEX_FINGERPRINT,
  INDEX_TARGET,
  OrchestratorReconciler,
  type OrchestratorCaches,
  type RemediationHistorySource,
} from './reconciler.ts';
import { ClusterTargetObjects } from './target-objects.ts';

export type { RemediationHistorySource } from './reconciler.ts';

export const DEFAULT_CONTROLLER_NAMESPACE = 'kubernaut-system';

export interface OrchestratorOptions {
  kubeconfig: KubeConfig;
  clock: Clock;
  /** Where lifecycle audit events go (default: discarded). */
  audit?: AuditSink;
  /** DataStorage's remediation history; without it routing counts live RemediationRequests only. */
  history?: RemediationHistorySource;
  /**
   * The controller namespace (default kubernaut-system), where the RRs of cluster-scoped targets
   * live. It does not limit what is watched: RRs live in their targets' namespaces.
   */
  namespace?: string;
  /** Only RRs and children of this namespace (a `crNamespace` deployment); default every namespace. */
  watchNamespace?: string;
  /** Overrides of the §2.2/§2.3 defaults (nominal ms). */
  config?: OrchestratorConfigOverrides;
  registry?: Registry;
  log?: Logger;
  /** Reconciles in parallel (default 4). */
  workers?: number;
}

export interface RunningOrchestrator {
  stop(): Promise<void>;
}

const byName = (obj: { metadata?: { name?: string } }) => (obj.metadata?.name ? [obj.metadata.name] : []);

/** Resolves once every cache has synced and the controller is reconciling. */
export async function startOrchestrator(opts: OrchestratorOptions): Promise<RunningOrchestrator> {
  const { kubeconfig: kc, clock } = opts;
  const log = opts.log ?? componentLogger('orchestrator');
  const config = resolveConfig(opts.config);
  const informerOpts = { namespace: opts.watchNamespace, log };
  const caches: OrchestratorCaches = {
    remediationRequests: new Informer<RemediationRequest>(kc, KUBERNAUT_RESOURCES.RemediationRequest, clock, {
      ...informerOpts,
      indexers: {
        [INDEX_FINGERPRINT]: (rr) => (rr.spec?.signalFingerprint ? [rr.spec.signalFingerprint] : []),
        [INDEX_BLOCKING_EXECUTION]: (rr) => (rr.status?.blockingWorkflowExecution ? [rr.status.blockingWorkflowExecution] : []),
        [INDEX_DUPLICATE_OF]: (rr) => (rr.status?.duplicateOf ? [rr.status.duplicateOf] : []),
      },
    }),
    signalProcessings: new Informer<SignalProcessing>(kc, KUBERNAUT_RESOURCES.SignalProcessing, clock, informerOpts),
    aiAnalyses: new Informer<AIAnalysis>(kc, KUBERNAUT_RESOURCES.AIAnalysis, clock, informerOpts),
    approvalRequests: new Informer<RemediationApprovalRequest>(kc, KUBERNAUT_RESOURCES.RemediationApprovalRequest, clock, informerOpts),
    workflowExecutions: new Informer<WorkflowExecution>(kc, KUBERNAUT_RESOURCES.WorkflowExecution, clock, {
      ...informerOpts,
      indexers: { [INDEX_TARGET]: (we) => (we.spec?.targetResource ? [we.spec.targetResource] : []) },
    }),
    effectivenessAssessments: new Informer<EffectivenessAssessment>(kc, KUBERNAUT_RESOURCES.EffectivenessAssessment, clock, informerOpts),
    notifications: new Informer<NotificationRequest>(kc, KUBERNAUT_RESOURCES.NotificationRequest, clock, informerOpts),
  };

  const client = new KubernautClient(kc);
  // Our own writes show in the caches at once: the next reconcile never decides on what we just changed.
  client.reflectInto('RemediationRequest', caches.remediationRequests);
  client.reflectInto('SignalProcessing', caches.signalProcessings);
  client.reflectInto('AIAnalysis', caches.aiAnalyses);
  client.reflectInto('RemediationApprovalRequest', caches.approvalRequests);
  client.reflectInto('WorkflowExecution', caches.workflowExecutions);
  client.reflectInto('EffectivenessAssessment', caches.effectivenessAssessments);
  client.reflectInto('NotificationRequest', caches.notifications);

  const events = new EventRecorder(kc, clock, 'remediation-orchestrator', { log });
  const reconciler = new OrchestratorReconciler({
    caches,
    client,
    objects: new ClusterTargetObjects(kc),
    history: opts.history,
    audit: opts.audit ?? new NoopAuditSink(),
    events,
    clock,
    config,
    metrics: orchestratorMetrics(opts.registry),
    log,
  });

  const OWNER = 'RemediationRequest';
  const controller = ControllerBuilder.named<RemediationRequest>('orchestrator', { clock, registry: opts.registry, log })
    .for(caches.remediationRequests)
    .owns(caches.signalProcessings, OWNER)
    .owns(caches.aiAnalyses, OWNER)
    .owns(caches.approvalRequests, OWNER)
    .owns(caches.workflowExecutions, OWNER)
    .owns(caches.effectivenessAssessments, OWNER)
    .owns(caches.notifications, OWNER)
    // A change of an RR (e.g. it ended) moves its duplicates on.
    .watches(caches.remediationRequests, (rr: RemediationRequest) =>
      byName(rr).flatMap((name) => caches.remediationRequests.byIndex(INDEX_DUPLICATE_OF, name).filter((d) => d.metadata?.namespace === rr.metadata?.namespace)).map((d) => ({ namespace: d.metadata?.namespace ?? '', name: d.metadata?.name ?? '' })),
    )
    // A finished execution frees its target for the RRs blocked as ResourceBusy on it.
    .watches(caches.workflowExecutions, (we: WorkflowExecution) =>
      byName(we).flatMap((name) => caches.remediationRequests.byIndex(INDEX_BLOCKING_EXECUTION, name)).map((rr) => ({ namespace: rr.metadata?.namespace ?? '', name: rr.metadata?.name ?? '' })),
    )
    .workers(opts.workers ?? 4)
    .complete(reconciler);

  try {
    await controller.start();
  } catch (err) {
    await controller.stop().catch(() => undefined);
    events.close();
    throw err;
  }
  log.info({ watchNamespace: opts.watchNamespace ?? '(all)', controllerNamespace: opts.namespace ?? DEFAULT_CONTROLLER_NAMESPACE }, 'orchestrator started');
  return {
    async stop() {
      await controller.stop();
      // The last Events (a failure, a timeout) are worth a moment, not a hang.
      await Promise.race([events.flush(), clock.sleep(2_000)]).catch(() => undefined);
      events.close();
    },
  };
}
