/**
 * Wiring of the WorkflowExecution controller: an informer on WorkflowExecutions (all namespaces, or
 * one), an informer on the workflow Jobs of the workflow namespace (events of a Job reconcile the
 * WE it runs for), the reconciler, the catalog client, Events and metrics.
 *
 *   const we = await startWorkflowExecutionController({ kubeconfig, clock, audit, dataStorageUrl });
 *   ...; await we.stop();
 */
import type { KubeConfig, V1Job } from '@kubernetes/client-node';
import type { Registry } from 'prom-client';
import type { WorkflowExecution } from '../../api/v1alpha1/index.ts';
import { NoopAuditSink, type AuditSink } from '../../datastorage/client/audit-sink.ts';
import { WorkflowCatalogClient } from '../../datastorage/client/workflow-catalog-client.ts';
import { ControllerBuilder } from '../../kube/controller.ts';
import { EventRecorder } from '../../kube/event-recorder.ts';
import { Informer } from '../../kube/informer.ts';
import { KubernautClient } from '../../kube/kubernaut-client.ts';
import { CORE_RESOURCES, KUBERNAUT_RESOURCES } from '../../kube/resource.ts';
import type { Clock } from '../../platform/clock.ts';
import { componentLogger, type Logger } from '../../platform/log.ts';
import { KubeWorkflowClusterAccess, type WorkflowClusterAccess } from './cluster-access.ts';
import { DEFAULT_WORKFLOW_NAMESPACE, executionOfJob, LABELS } from './job-spec.ts';
import { workflowExecutionMetrics } from './metrics.ts';
import { WorkflowExecutionReconciler, type CatalogReader } from './reconciler.ts';

export const DEFAULT_COOLDOWN_MS = 5 * 60_000;
/** A reconcile makes a few short API calls and never waits for a Job to finish. */
export const DEFAULT_WORKERS = 8;

export interface WorkflowExecutionControllerOptions {
  kubeconfig: KubeConfig;
  clock: Clock;
  /** Where audit events go (default: discarded). */
  audit?: AuditSink;
  /** Only WorkflowExecutions of this namespace (default: every namespace). */
  namespace?: string;
  /** Where workflow Jobs run (default kubernaut-workflows). */
  workflowNamespace?: string;
  /** Nominal ms a finished Job keeps its target locked (default 5 min). */
  cooldownMs?: number;
  /** DataStorage, to read the chosen catalog version (parameters, dependencies, ServiceAccount). */
  dataStorageUrl?: string;
  /** Bearer token for DataStorage, asked on every call. */
  dataStorageToken?: string | (() => string | undefined);
  /** A catalog reader of your own (tests), instead of `dataStorageUrl`. */
  catalog?: CatalogReader;
  /** Every execution is a dry run: nothing is created, what would have run is audited. */
  dryRun?: boolean;
  /** Nominal ms a workflow container may wait for its image before the execution fails (default 2 min). */
  imagePullGraceMs?: number;
  registry?: Registry;
  log?: Logger;
  workers?: number;
  /** Cluster reads and writes of your own (tests); default: client-node on `kubeconfig`. */
  cluster?: WorkflowClusterAccess;
}

export interface RunningWorkflowExecutionController {
  stop(): Promise<void>;
}

/** Resolves once both caches are synced and the controller is reconciling. */
export async function startWorkflowExecutionController(opts: WorkflowExecutionControllerOptions): Promise<RunningWorkflowExecutionController> {
  const { kubeconfig: kc, clock } = opts;
  const log = opts.log ?? componentLogger('workflowexecution');
  const workflowNamespace = opts.workflowNamespace ?? DEFAULT_WORKFLOW_NAMESPACE;
  const cooldownMs = opts.cooldownMs ?? DEFAULT_COOLDOWN_MS;
  const metrics = workflowExecutionMetrics(opts.registry);
  const events = new EventRecorder(kc, clock, 'workflowexecution-controller', { log });
  const catalog = opts.catalog ?? (opts.dataStorageUrl ? new WorkflowCatalogClient({ baseUrl: opts.dataStorageUrl, bearerToken: opts.dataStorageToken }) : undefined);

  const client = new KubernautClient(kc);
  const executions = new Informer<WorkflowExecution>(kc, KUBERNAUT_RESOURCES.WorkflowExecution, clock, { namespace: opts.namespace, log });
  client.reflectInto('WorkflowExecution', executions);
  // Only Jobs this controller made: they carry the execution label.
  const jobs = new Informer<V1Job>(kc, CORE_RESOURCES.jobs, clock, { namespace: workflowNamespace, labelSelector: LABELS.workflowExecution, log });

  const reconciler = new WorkflowExecutionReconciler({
    store: {
      get: async (key) => executions.get(key),
      updateStatus: (key, mutate) => client.updateStatus('WorkflowExecution', key, mutate, { from: executions.get(key) }),
    },
    cluster: opts.cluster ?? new KubeWorkflowClusterAccess(kc),
    jobs: {
      get: (namespace, name) => jobs.get({ namespace, name }),
      reflect: (job) => jobs.reflectWrite({ ...job, apiVersion: 'batch/v1', kind: 'Job' }),
    },
    catalog,
    audit: opts.audit ?? new NoopAuditSink(),
    clock,
    events,
    log,
    metrics,
    workflowNamespace,
    cooldownMs,
    dryRun: opts.dryRun ?? false,
    imagePullGraceMs: opts.imagePullGraceMs,
  });
  const controller = ControllerBuilder.named<WorkflowExecution>('workflowexecution', { clock, registry: opts.registry, log })
    .for(executions)
    .watches(jobs, (job: V1Job) => {
      const we = executionOfJob(job);
      return we && (!opts.namespace || we.namespace === opts.namespace) ? [we] : [];
    })
    .workers(opts.workers ?? DEFAULT_WORKERS)
    .complete(reconciler);

  try {
    await controller.start();
  } catch (err) {
    await controller.stop().catch(() => undefined);
    events.close();
    throw err;
  }
  log.info({ namespace: opts.namespace ?? '(all)', workflowNamespace, cooldownMs, catalog: opts.dataStorageUrl ?? (catalog ? '(custom)' : '(none)'), dryRun: opts.dryRun ?? false }, 'workflowexecution controller started');
  return {
    async stop() {
      await controller.stop();
      await Promise.race([events.flush(), clock.sleep(2_000)]).catch(() => undefined);
      events.close();
    },
  };
}
