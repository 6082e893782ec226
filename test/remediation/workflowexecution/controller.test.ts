/**
 * The WorkflowExecution controller against an in-process embedded API server without the simulated
 * control plane: nothing runs the Jobs it creates, so each test plays the Job controller and the
 * kubelet, writing the Job's terminal conditions (and the pod's container state) through the
 * status subresources exactly as they would. The controller runs on a ManualClock the tests drive,
 * so the 5-minute cooldown passes in a moment; the catalog is a fake standing in for DataStorage.
 *
 * Covered: a run to Completed (the Job as built, audit, Events, the lock released after the
 * cooldown); a failure with an exit code; a target locked by another running execution; a cooldown
 * (Pending CooldownActive, then the old Job replaced after expiry); a restarted controller adopting
 * its Job; an unsupported engine; a missing dependency; bad parameters; dry runs (RR annotation and
 * namespace label) creating nothing.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { BatchV1Api, CoreV1Api, KubeConfig, PatchStrategy, setHeaderOptions, type V1Job } from '@kubernetes/client-node';
import { installKubernautCrds } from '../../../src/api/install.ts';
import type { WorkflowExecution } from '../../../src/api/v1alpha1/index.ts';
import { RecordingAuditSink } from '../../../src/datastorage/client/audit-sink.ts';
import { KubernautClient } from '../../../src/kube/kubernaut-client.ts';
import { startWorkflowExecutionController, type RunningWorkflowExecutionController } from '../../../src/remediation/workflowexecution/controller.ts';
import type { CatalogEntryForExecution } from '../../../src/remediation/workflowexecution/execution-plan.ts';
import { lockName } from '../../../src/remediation/workflowexecution/job-spec.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';
import { driveUntil, ManualClock } from '../../helpers/manual-clock.ts';
import { startTestCluster, type TestCluster } from '../../helpers/test-cluster.ts';

const WF_NS = 'kubernaut-workflows';
const NS = 'wfe-demo';
const DRY_NS = 'wfe-dry';
const COOLDOWN_MS = 5 * 60_000;
const DIGEST = `sha256:${'e'.repeat(64)}`;

let cluster: TestCluster;
let kc: KubeConfig;
let client: KubernautClient;
let batch: BatchV1Api;
let core: CoreV1Api;
let controller: RunningWorkflowExecutionController | undefined;
const clock = new ManualClock(Date.now());
const audit = new RecordingAuditSink();
let seq = 0;

const CATALOG: Record<string, CatalogEntryForExecution> = {
  'cat-fix': {
    metadata: { workflowId: 'fix-statefulset-pvc-v1', version: '1.0.0', description: { what: 'w', whenToUse: 'w' } },
    execution: { engine: 'job', bundle: 'kubernaut/workflow-fix-statefulset-pvc:1.0.0', bundleDigest: DIGEST, serviceAccountName: 'fix-statefulset-pvc-v1-runner' },
    dependencies: { configMaps: [{ name: 'fix-settings' }] },
    parameters: [
      { name: 'TARGET_NAMESPACE', type: 'string', required: true, description: 'ns' },
      { name: 'TARGET_STATEFULSET', type: 'string', required: true, description: 'sts' },
      { name: 'WAIT_SECONDS', type: 'integer', required: false, description: 'wait', default: 30 },
    ],
  },
  'cat-needs-secret': {
    metadata: { workflowId: 'fix-statefulset-pvc-v1', version: '1.0.1', description: { what: 'w', whenToUse: 'w' } },
    execution: { engine: 'job', bundle: 'kubernaut/workflow-fix-statefulset-pvc:1.0.1' },
    dependencies: { secrets: [{ name: 'no-such-secret' }] },
    parameters: [],
  },
};

async function startController(opts: { dryRun?: boolean } = {}): Promise<void> {
  controller = await startWorkflowExecutionController({
    kubeconfig: kc,
    clock,
    audit,
    workflowNamespace: WF_NS,
    cooldownMs: COOLDOWN_MS,
    catalog: { byCatalogId: async (id) => CATALOG[id] },
    dryRun: opts.dryRun,
  });
}

async function stopController(): Promise<void> {
  const c = controller;
  controller = undefined;
  if (!c) return;
  let done = false;
  const stopping = c.stop().finally(() => (done = true));
  await driveUntil(clock, () => done, 'the controller to stop', { stepMs: 500 });
  await stopping;
}

before(async () => {
  cluster = await startTestCluster();
  kc = new KubeConfig();
  kc.loadFromString(cluster.cluster.kubeconfig());
  await installKubernautCrds(kc, { clock: cluster.clock });
  core = kc.makeApiClient(CoreV1Api);
  batch = kc.makeApiClient(BatchV1Api);
  await core.createNamespace({ body: { metadata: { name: WF_NS } } });
  await core.createNamespace({ body: { metadata: { name: NS } } });
  await core.createNamespace({ body: { metadata: { name: DRY_NS, labels: { 'kubernaut.ai/dry-run': 'true' } } } });
  await core.createNamespacedConfigMap({ namespace: WF_NS, body: { metadata: { name: 'fix-settings' }, data: { mode: 'safe' } } });
  client = new KubernautClient(kc);
  await startController();
});

after(async () => {
  await stopController();
  await cluster?.close();
});

interface ExecutionOptions {
  target?: string;
  namespace?: string;
  catalogId?: string;
  engine?: 'job' | 'tekton' | 'ansible';
  parameters?: Record<string, string>;
  rrAnnotations?: Record<string, string>;
}

/** A fresh RR and its WE, as the Orchestrator creates them; returns the WE name and target. */
async function createExecution(o: ExecutionOptions = {}): Promise<{ name: string; namespace: string; target: string }> {
  const namespace = o.namespace ?? NS;
  const n = String(++seq).padStart(8, '0');
  const rrName = `rr-bbbbbbbbbbbb-${n}`;
  const sts = o.target ?? `kv-store-${n}`;
  const rr = await client.create('RemediationRequest', {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'RemediationRequest',
    metadata: { name: rrName, namespace, ...(o.rrAnnotations ? { annotations: o.rrAnnotations } : {}) },
    spec: {
      signalFingerprint: 'b'.repeat(64),
      signalName: 'KubernautStatefulSetReplicasMismatch',
      severity: 'critical',
      signalType: 'alert',
      signalSource: 'prometheus',
      targetType: 'kubernetes',
      targetResource: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: sts, namespace },
      firingTime: new Date().toISOString(),
      receivedTime: new Date().toISOString(),
      signalLabels: {},
      signalAnnotations: {},
    },
  });
  const target = `${namespace}/StatefulSet/${sts}`;
  const we: WorkflowExecution = {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'WorkflowExecution',
    metadata: {
      name: `we-${rrName}`,
      namespace,
      labels: { 'kubernaut.ai/remediation-request': rrName },
      ownerReferences: [{ apiVersion: 'kubernaut.ai/v1alpha1', kind: 'RemediationRequest', name: rrName, uid: rr.metadata!.uid!, controller: true, blockOwnerDeletion: true }],
    },
    spec: {
      remediationRequestRef: { name: rrName, namespace, uid: rr.metadata!.uid },
      workflowRef: { workflowId: 'fix-statefulset-pvc-v1', version: '1.0.0', catalogId: o.catalogId ?? 'cat-fix', executionBundle: 'kubernaut/workflow-fix-statefulset-pvc:1.0.0' },
      targetResource: target,
      targetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: sts, namespace },
      parameters: o.parameters ?? { TARGET_NAMESPACE: namespace, TARGET_STATEFULSET: sts },
      executionEngine: o.engine ?? 'job',
      executionConfig: { timeout: '15m' },
    },
  };
  await client.create('WorkflowExecution', we);
  return { name: we.metadata!.name!, namespace, target };
}

async function getWE(namespace: string, name: string): Promise<WorkflowExecution> {
  const we = await client.get('WorkflowExecution', { namespace, name });
  assert.ok(we, `${name} exists`);
  return we;
}

/** Drives the clock (in small steps) until the WE satisfies `check`. */
async function waitWE(w: { name: string; namespace: string }, what: string, check: (we: WorkflowExecution) => unknown): Promise<WorkflowExecution> {
  let last: WorkflowExecution | undefined;
  try {
    await driveUntil(clock, async () => check((last = await getWE(w.namespace, w.name))), `${w.name}: ${what}`, { stepMs: 10, deadlineMs: 30_000 });
  } catch (err) {
    throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last?.status)}`, { cause: err });
  }
  return last!;
}

async function jobOf(target: string): Promise<V1Job | undefined> {
  try {
    return await batch.readNamespacedJob({ namespace: WF_NS, name: lockName(target) });
  } catch {
    return undefined;
  }
}

async function jobsOfExecution(name: string): Promise<V1Job[]> {
  return (await batch.listNamespacedJob({ namespace: WF_NS, labelSelector: `kubernaut.ai/workflow-execution=${name}` })).items;
}

/** What the Job controller writes when the Job ends: the interim condition, then the terminal one. */
async function finishJob(target: string, outcome: 'Complete' | 'Failed', reason = outcome === 'Complete' ? 'CompletionsReached' : 'BackoffLimitExceeded'): Promise<void> {
  const at = clock.now().toISOString();
  const interim = outcome === 'Complete' ? 'SuccessCriteriaMet' : 'FailureTarget';
  const status = {
    startTime: at,
    ...(outcome === 'Complete' ? { completionTime: at, succeeded: 1 } : { failed: 1 }),
    conditions: [
      { type: interim, status: 'True', reason, message: reason, lastTransitionTime: at, lastProbeTime: at },
      { type: outcome, status: 'True', reason, message: reason, lastTransitionTime: at, lastProbeTime: at },
    ],
  };
  await batch.patchNamespacedJobStatus({ namespace: WF_NS, name: lockName(target), body: { status } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
}

/** The Job's pod as the Job controller and the kubelet leave it after the container exited. */
async function podTerminated(target: string, exitCode: number, message: string): Promise<void> {
  const job = await jobOf(target);
  assert.ok(job);
  const name = `${job.metadata!.name}-abcde`;
  await core.createNamespacedPod({
    namespace: WF_NS,
    body: {
      metadata: {
        name,
        labels: { 'batch.kubernetes.io/job-name': job.metadata!.name!, 'job-name': job.metadata!.name! },
        ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: job.metadata!.name!, uid: job.metadata!.uid!, controller: true }],
      },
      spec: job.spec!.template.spec!,
    },
  });
  const at = new Date().toISOString();
  await core.patchNamespacedPodStatus(
    {
      namespace: WF_NS,
      name,
      body: { status: { phase: 'Failed', containerStatuses: [{ name: 'workflow', image: job.spec!.template.spec!.containers[0].image, imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, reason: 'Error', message, startedAt: at, finishedAt: at } } }] } },
    },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
  );
}

const conditionOf = (we: WorkflowExecution, type: string) => we.status?.conditions?.find((c) => c.type === type);

test('a run to Completed: the Job as built, started/completed audit, then the lock released after the cooldown', async () => {
  const w = await createExecution();
  const running = await waitWE(w, 'Running', (we) => we.status?.phase === 'Running');
  assert.equal(running.status?.executionRef?.name, lockName(w.target));
  assert.equal(running.status?.executionRef?.namespace, WF_NS);
  assert.equal(conditionOf(running, 'ExecutionCreated')?.status, 'True');
  assert.ok(running.status?.startTime);

  const job = await jobOf(w.target);
  assert.ok(job, 'the Job exists');
  const pod = job.spec!.template.spec!;
  assert.equal(pod.serviceAccountName, 'fix-statefulset-pvc-v1-runner');
  assert.equal(pod.containers[0].image, `kubernaut/workflow-fix-statefulset-pvc:1.0.0@${DIGEST}`);
  const env = Object.fromEntries((pod.containers[0].env ?? []).map((e) => [e.name, e.value]));
  assert.deepEqual(env, {
    TARGET_NAMESPACE: NS,
    TARGET_STATEFULSET: w.target.split('/')[2],
    WAIT_SECONDS: '30',
    TARGET_RESOURCE: w.target,
    KUBERNAUT_REMEDIATION_ID: w.name.slice(3),
    KUBERNAUT_WORKFLOW_ID: 'fix-statefulset-pvc-v1',
  });
  assert.equal(job.spec?.activeDeadlineSeconds, 900);
  assert.equal(job.spec?.backoffLimit, 0);
  assert.deepEqual(pod.containers[0].volumeMounts?.map((m) => ({ ...m })), [{ name: 'configmap-0', mountPath: '/run/kubernaut/configmaps/fix-settings', readOnly: true }]);
  assert.equal(job.metadata?.labels?.['kubernaut.ai/target-resource'], w.target.replace(/\//g, '.'));
  assert.equal(job.metadata?.labels?.['kubernaut.ai/source-namespace'], NS);

  await finishJob(w.target, 'Complete');
  const done = await waitWE(w, 'Completed and audited', (we) => we.status?.phase === 'Completed' && conditionOf(we, 'AuditRecorded')?.status === 'True');
  assert.equal(conditionOf(done, 'ExecutionComplete')?.status, 'True');
  assert.equal(conditionOf(done, 'Ready')?.status, 'True');
  assert.equal(done.status?.executionStatus?.status, 'Succeeded');
  assert.ok(done.status?.completionTime);
  assert.match(done.status?.duration ?? '', /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/);
  const started = audit.events.find((e) => e.eventType === 'workflow.execution.started' && e.resourceName === w.name);
  const completed = audit.events.find((e) => e.eventType === 'workflow.execution.completed' && e.resourceName === w.name);
  assert.ok(started && completed, 'started and completed are audited');
  assert.equal(completed.eventCategory, 'workflow');
  assert.equal(completed.correlationId, w.name.slice(3));
  assert.equal(completed.eventData.jobName, lockName(w.target));

  // The Job holds the target for the cooldown, then goes.
  assert.ok(await jobOf(w.target), 'kept during the cooldown');
  await clock.advance(COOLDOWN_MS + 1000);
  await driveUntil(clock, async () => !(await jobOf(w.target)), 'the Job deleted after the cooldown', { stepMs: 10, deadlineMs: 30_000 });
});

test('a failing workflow: Failed TaskFailed with the exit code and the container message as summary', async () => {
  const w = await createExecution();
  await waitWE(w, 'Running', (we) => we.status?.phase === 'Running');
  await podTerminated(w.target, 3, 'error: claim data-kv-store-2 is still Terminating');
  await finishJob(w.target, 'Failed');
  const failed = await waitWE(w, 'Failed and audited', (we) => we.status?.phase === 'Failed' && conditionOf(we, 'AuditRecorded')?.status === 'True');
  const d = failed.status?.failureDetails;
  assert.equal(d?.reason, 'TaskFailed');
  assert.equal(d?.exitCode, 3);
  assert.equal(d?.wasExecutionFailure, true);
  assert.match(d?.naturalLanguageSummary ?? '', /exited with code 3.*still Terminating/);
  assert.ok(d?.failedAt);
  assert.equal(conditionOf(failed, 'Ready')?.reason, 'TaskFailed');
  const ev = audit.events.find((e) => e.eventType === 'workflow.execution.failed' && e.resourceName === w.name);
  assert.ok(ev);
  assert.equal(ev.eventOutcome, 'failure');
  assert.equal(ev.eventData.exitCode, 3);
  assert.equal(ev.eventData.wasExecutionFailure, true);
});

test('a target locked by another running execution: Failed, wasExecutionFailure false, the other Job untouched', async () => {
  const a = await createExecution();
  await waitWE(a, 'Running', (we) => we.status?.phase === 'Running');
  const jobA = await jobOf(a.target);
  const b = await createExecution({ target: a.target.split('/')[2] });
  const failed = await waitWE(b, 'Failed', (we) => we.status?.phase === 'Failed');
  assert.match(failed.status?.failureReason ?? '', /target resource locked/);
  assert.equal(failed.status?.failureDetails?.wasExecutionFailure, false);
  assert.equal(conditionOf(failed, 'ExecutionCreated')?.status, 'False');
  assert.equal(failed.status?.executionRef, undefined);
  const after = await jobOf(a.target);
  assert.equal(after?.metadata?.uid, jobA?.metadata?.uid, 'the running Job is still there');
  assert.equal((await getWE(a.namespace, a.name)).status?.phase, 'Running');
  await finishJob(a.target, 'Complete');
  await waitWE(a, 'Completed', (we) => we.status?.phase === 'Completed');
});

test('a cooldown: Pending CooldownActive while the finished Job is young, then the next execution runs', async () => {
  const a = await createExecution();
  await waitWE(a, 'Running', (we) => we.status?.phase === 'Running');
  const jobA = await jobOf(a.target);
  await finishJob(a.target, 'Complete');
  await waitWE(a, 'Completed', (we) => we.status?.phase === 'Completed' && conditionOf(we, 'AuditRecorded')?.status === 'True');

  const b = await createExecution({ target: a.target.split('/')[2] });
  // No clock steps here: the cooldown must not pass while we look.
  const waiting = await eventually(async () => {
    const we = await getWE(b.namespace, b.name);
    return conditionOf(we, 'Ready')?.reason === 'CooldownActive' ? we : undefined;
  }, `${b.name} in its cooldown`, 30_000);
  assert.equal(waiting.status?.phase, 'Pending');
  assert.equal(conditionOf(waiting, 'ExecutionCreated')?.reason, 'CooldownActive');
  assert.equal((await jobOf(a.target))?.metadata?.uid, jobA?.metadata?.uid);

  await clock.advance(COOLDOWN_MS + 1000);
  const running = await waitWE(b, 'Running', (we) => we.status?.phase === 'Running');
  assert.equal(running.status?.executionRef?.name, lockName(a.target));
  const jobB = await jobOf(a.target);
  assert.notEqual(jobB?.metadata?.uid, jobA?.metadata?.uid, 'a new Job');
  assert.equal(jobB?.metadata?.labels?.['kubernaut.ai/workflow-execution'], b.name);
  await finishJob(a.target, 'Complete');
  await waitWE(b, 'Completed', (we) => we.status?.phase === 'Completed');
});

test('a restarted controller adopts the Job it created instead of creating a second one', async () => {
  const w = await createExecution();
  await waitWE(w, 'Running', (we) => we.status?.phase === 'Running');
  const job = await jobOf(w.target);
  await stopController();
  // As if the controller had died between creating the Job and recording it.
  await client.updateStatus('WorkflowExecution', w, (cur) => ({ ...cur.status, phase: 'Pending', executionRef: undefined, startTime: undefined }));
  await startController();
  const adopted = await waitWE(w, 'Running again', (we) => we.status?.phase === 'Running');
  assert.equal(adopted.status?.executionStatus?.reason, 'JobAdopted');
  assert.equal(adopted.status?.executionRef?.name, job?.metadata?.name);
  const jobs = await jobsOfExecution(w.name);
  assert.equal(jobs.length, 1);
  assert.equal(jobs[0].metadata?.uid, job?.metadata?.uid);
  await finishJob(w.target, 'Complete');
  await waitWE(w, 'Completed', (we) => we.status?.phase === 'Completed');
});

test('an unsupported engine fails before anything is created', async () => {
  const w = await createExecution({ engine: 'tekton' });
  const failed = await waitWE(w, 'Failed', (we) => we.status?.phase === 'Failed' && conditionOf(we, 'AuditRecorded')?.status === 'True');
  assert.equal(failed.status?.failureDetails?.reason, 'UnsupportedEngine');
  assert.equal(failed.status?.failureDetails?.wasExecutionFailure, false);
  assert.equal(await jobOf(w.target), undefined);
});

test('a missing dependency or parameters the catalog refuses: ConfigurationError, no Job', async () => {
  const missing = await createExecution({ catalogId: 'cat-needs-secret', parameters: {} });
  const f1 = await waitWE(missing, 'Failed', (we) => we.status?.phase === 'Failed');
  assert.equal(f1.status?.failureDetails?.reason, 'ConfigurationError');
  assert.match(f1.status?.failureDetails?.message ?? '', /Secret no-such-secret/);
  assert.equal(f1.status?.failureDetails?.wasExecutionFailure, false);
  assert.equal(await jobOf(missing.target), undefined);

  const bad = await createExecution({ parameters: { TARGET_NAMESPACE: NS, TARGET_STATEFULSET: 'x', WAIT_SECONDS: 'later', INJECTED: 'x' } });
  const f2 = await waitWE(bad, 'Failed', (we) => we.status?.phase === 'Failed');
  assert.equal(f2.status?.failureDetails?.reason, 'ConfigurationError');
  assert.match(f2.status?.failureDetails?.message ?? '', /INJECTED.*unknown_parameter.*|WAIT_SECONDS.*type_mismatch/);
  assert.equal(await jobOf(bad.target), undefined);

  const unknown = await createExecution({ catalogId: 'cat-unknown' });
  const f3 = await waitWE(unknown, 'Failed', (we) => we.status?.phase === 'Failed');
  assert.match(f3.status?.failureDetails?.message ?? '', /catalog entry cat-unknown .*does not exist/);
});

test('dry run (RR annotation, namespace label): Completed DryRun, no Job, the Job it would have created audited', async () => {
  const byAnnotation = await createExecution({ rrAnnotations: { 'kubernaut.ai/dry-run': 'true' } });
  const byLabel = await createExecution({ namespace: DRY_NS });
  for (const w of [byAnnotation, byLabel]) {
    const done = await waitWE(w, 'Completed (dry run)', (we) => we.status?.phase === 'Completed');
    assert.equal(done.status?.executionStatus?.reason, 'DryRun');
    assert.equal(conditionOf(done, 'Ready')?.reason, 'DryRun');
    assert.equal(conditionOf(done, 'ExecutionCreated')?.status, 'False');
    assert.equal(done.status?.executionRef, undefined);
    assert.equal(await jobOf(w.target), undefined);
    const ev = audit.events.find((e) => e.eventType === 'workflow.execution.dry_run' && e.resourceName === w.name);
    assert.ok(ev, 'the dry run is audited');
    const job = ev.eventData.job as V1Job;
    assert.equal(job.metadata?.name, lockName(w.target));
    assert.equal(job.spec?.template.spec?.containers[0].image, `kubernaut/workflow-fix-statefulset-pvc:1.0.0@${DIGEST}`);
  }
  assert.match(String(audit.events.find((e) => e.resourceName === byLabel.name && e.eventType === 'workflow.execution.dry_run')?.eventData.requestedBy), /namespace wfe-dry/);
});

test('the global dryRun setting', async () => {
  await stopController();
  await startController({ dryRun: true });
  try {
    const w = await createExecution();
    const done = await waitWE(w, 'Completed (dry run)', (we) => we.status?.phase === 'Completed');
    assert.equal(done.status?.executionStatus?.reason, 'DryRun');
    assert.equal(await jobOf(w.target), undefined);
  } finally {
    await stopController();
    await startController();
  }
});
