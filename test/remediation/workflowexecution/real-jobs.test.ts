/**
 * Issue 14 acceptance: a workflow that fails leaves its WorkflowExecution Failed with the right
 * reason and log excerpt, and its target untouched. Nothing here is patched: the real
 * WorkflowExecution controller creates the Job, the embedded control plane's Job controller and
 * kubelet run it, and the kubelet runs the test bundles (./bundles, shell scripts) as real processes
 * with a kubeconfig for the pod's ServiceAccount on an API server that enforces RBAC.
 *
 * - exit-3: prints what it found and exits 3 → TaskFailed, exitCode 3, its last line in the summary;
 * - overrun: sleeps past a 3 s execution time limit → DeadlineExceeded;
 * - delete-pod: `kubectl delete pod` with a ServiceAccount that has no RBAC → Forbidden.
 *
 * The WEs are built by the Orchestrator's own `buildWorkflowExecution`; the catalog (DataStorage in
 * the stack) is a stand-in read from each bundle's workflow.yaml.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppsV1Api, BatchV1Api, CoreV1Api, KubeConfig, type V1Deployment, type V1Pod } from '@kubernetes/client-node';
import { parse as parseYaml } from 'yaml';
import { installKubernautCrds } from '../../../src/api/install.ts';
import type { AIAnalysis, RemediationRequest, WorkflowExecution } from '../../../src/api/v1alpha1/index.ts';
import { EmbeddedCluster } from '../../../src/cluster/embedded-cluster.ts';
import { RecordingAuditSink } from '../../../src/datastorage/client/audit-sink.ts';
import { KubernautClient } from '../../../src/kube/kubernaut-client.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { buildWorkflowExecution } from '../../../src/remediation/orchestrator/children.ts';
import { DEFAULT_CONFIG } from '../../../src/remediation/orchestrator/config.ts';
import { startWorkflowExecutionController, type RunningWorkflowExecutionController } from '../../../src/remediation/workflowexecution/controller.ts';
import type { CatalogEntryForExecution } from '../../../src/remediation/workflowexecution/execution-plan.ts';
import { lockName } from '../../../src/remediation/workflowexecution/job-spec.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';

const BUNDLES = join(import.meta.dirname, 'bundles');
const WF_NS = 'kubernaut-workflows';
const NS = 'shop';
const RUNNER = 'test-workflow-runner';
const NO_RBAC_RUNNER = 'test-no-rbac-runner';
/** Long enough for any busy machine: only the overrun bundle is meant to hit its limit. */
const GENEROUS_TIMEOUT_MS = 10 * 60_000;
const WAIT_MS = 90_000;

const dir = mkdtempSync(join(tmpdir(), 'we-real-jobs-'));
const clock = new ScaledClock(1);
const audit = new RecordingAuditSink();
let cluster: EmbeddedCluster;
let kc: KubeConfig;
let client: KubernautClient;
let core: CoreV1Api;
let apps: AppsV1Api;
let batch: BatchV1Api;
let controller: RunningWorkflowExecutionController | undefined;

interface Param {
  name: string;
  type: 'string';
  required: true;
  description: string;
}

/** A catalog entry as DataStorage serves it, from the bundle's workflow.yaml plus its parameters. */
function catalogEntry(folder: string, parameters: string[]): CatalogEntryForExecution {
  const wf = parseYaml(readFileSync(join(BUNDLES, folder, 'workflow.yaml'), 'utf8'));
  return {
    metadata: { workflowId: wf.metadata.workflowId, version: wf.metadata.version, description: { what: folder, whenToUse: folder } },
    execution: { engine: 'job', bundle: wf.execution.bundle, ...(wf.execution.serviceAccountName ? { serviceAccountName: wf.execution.serviceAccountName } : {}) },
    parameters: parameters.map((name): Param => ({ name, type: 'string', required: true, description: name })),
  } as CatalogEntryForExecution;
}

const CATALOG: Record<string, CatalogEntryForExecution> = {
  'cat-exit-3': catalogEntry('exit-3', []),
  'cat-overrun': catalogEntry('overrun', ['TARGET_NAMESPACE', 'TARGET_NAME']),
  'cat-delete-pod': catalogEntry('delete-pod', ['TARGET_NAMESPACE', 'TARGET_POD']),
};

before(async () => {
  const tokenFile = join(dir, 'tokens.csv');
  writeFileSync(tokenFile, 'admin-token,admin,1,"system:masters"\n');
  cluster = await EmbeddedCluster.start({
    clock,
    tls: true,
    tokenFile,
    requireAuth: true,
    rbac: true,
    kubeconfigToken: 'admin-token',
    bundleDirs: [BUNDLES],
    controlPlane: { kubelet: { imagePullMs: 50, containerStartMs: 50, volumeMountMs: 50 } },
  });
  assert.deepEqual(cluster.bundles.problems, []);
  kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig());
  await installKubernautCrds(kc, { clock });
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  batch = kc.makeApiClient(BatchV1Api);
  client = new KubernautClient(kc);
  for (const name of [WF_NS, NS]) await core.createNamespace({ body: { metadata: { name } } });
  // Both exist; neither is bound to any Role, so neither may touch anything in `shop`.
  for (const name of [RUNNER, NO_RBAC_RUNNER]) await core.createNamespacedServiceAccount({ namespace: WF_NS, body: { metadata: { name } } });
  controller = await startWorkflowExecutionController({
    kubeconfig: kc,
    clock,
    audit,
    workflowNamespace: WF_NS,
    catalog: { byCatalogId: async (id) => CATALOG[id] },
  });
});

after(async () => {
  await controller?.stop();
  await cluster?.close();
  rmSync(dir, { recursive: true, force: true });
});

let seq = 0;

/** An RR for `target` and, as the Orchestrator creates it after AIAnalysis chose `catalogId`, its WE. */
async function execute(catalogId: string, target: { kind: string; apiVersion: string; name: string }, parameters: Record<string, string>, timeoutMs = GENEROUS_TIMEOUT_MS): Promise<WorkflowExecution> {
  const entry = CATALOG[catalogId];
  const rrName = `rr-${'c'.repeat(12)}-${String(++seq).padStart(8, '0')}`;
  const now = new Date().toISOString();
  const rr = await client.create('RemediationRequest', {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'RemediationRequest',
    metadata: { name: rrName, namespace: NS },
    spec: {
      signalFingerprint: 'c'.repeat(64),
      signalName: 'KubernautTestSignal',
      severity: 'critical',
      signalType: 'alert',
      signalSource: 'prometheus',
      targetType: 'kubernetes',
      targetResource: { ...target, namespace: NS },
      firingTime: now,
      receivedTime: now,
      signalLabels: {},
      signalAnnotations: {},
    },
  } satisfies RemediationRequest);
  const aa = {
    status: {
      selectedWorkflow: {
        workflowId: entry.metadata.workflowId,
        version: entry.metadata.version,
        catalogId,
        executionBundle: entry.execution.bundle,
        executionEngine: 'job',
        confidence: 0.9,
        rationale: 'test',
        parameters,
      },
    },
  } as AIAnalysis;
  const we = buildWorkflowExecution(rr, aa, { ...target, namespace: NS }, timeoutMs, { ...DEFAULT_CONFIG, workflowServiceAccountName: RUNNER });
  return client.create('WorkflowExecution', we);
}

async function failedWE(we: WorkflowExecution): Promise<WorkflowExecution> {
  const key = { namespace: we.metadata!.namespace!, name: we.metadata!.name! };
  let last: WorkflowExecution | undefined;
  try {
    return await eventually(async () => {
      last = await client.get('WorkflowExecution', key);
      assert.notEqual(last?.status?.phase, 'Completed', `${key.name} completed: ${JSON.stringify(last?.status)}`);
      return last?.status?.phase === 'Failed' ? last : undefined;
    }, `${key.name} to fail`, WAIT_MS, 100);
  } catch (err) {
    throw new Error(`${(err as Error).message}; last status: ${JSON.stringify(last?.status)}`, { cause: err });
  }
}

/** What a workflow could have changed on a Deployment (status aside, which its controller owns). */
function deploymentFacts(d: V1Deployment): unknown {
  return { uid: d.metadata?.uid, generation: d.metadata?.generation, annotations: d.metadata?.annotations ?? {}, labels: d.metadata?.labels ?? {}, spec: d.spec, deleting: !!d.metadata?.deletionTimestamp };
}

function podFacts(p: V1Pod): unknown {
  return { uid: p.metadata?.uid, annotations: p.metadata?.annotations ?? {}, labels: p.metadata?.labels ?? {}, spec: p.spec, deleting: !!p.metadata?.deletionTimestamp };
}

async function createDeployment(name: string): Promise<V1Deployment> {
  return apps.createNamespacedDeployment({
    namespace: NS,
    body: {
      metadata: { name, labels: { app: name } },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
      },
    },
  });
}

async function jobLog(we: WorkflowExecution): Promise<string> {
  const pods = await core.listNamespacedPod({ namespace: WF_NS, labelSelector: `batch.kubernetes.io/job-name=${lockName(we.spec.targetResource)}` });
  assert.equal(pods.items.length, 1, 'one pod ran the workflow');
  return core.readNamespacedPodLog({ namespace: WF_NS, name: pods.items[0].metadata!.name!, container: 'workflow' });
}

test('a workflow exiting 3 fails its WE as TaskFailed with exit code 3 and its last log line; the target is unchanged', async () => {
  const target = await createDeployment('api');
  const before = deploymentFacts(await apps.readNamespacedDeployment({ namespace: NS, name: 'api' }));
  const we = await execute('cat-exit-3', { apiVersion: 'apps/v1', kind: 'Deployment', name: target.metadata!.name! }, {});

  const failed = await failedWE(we);
  const d = failed.status!.failureDetails!;
  assert.equal(d.reason, 'TaskFailed', JSON.stringify(d));
  assert.equal(d.exitCode, 3);
  assert.equal(d.wasExecutionFailure, true);
  const lastLine = `precondition failed: quorum of ${NS}/Deployment/api not reached, refusing to scale`;
  assert.ok(d.naturalLanguageSummary?.includes(lastLine), d.naturalLanguageSummary);
  assert.match(d.naturalLanguageSummary!, /exited with code 3/);
  assert.ok(failed.status!.failureReason?.startsWith('TaskFailed'), failed.status!.failureReason);
  // The excerpt is the real container log: the Job's pod printed exactly these lines.
  const log = await jobLog(failed);
  assert.ok(log.includes(`checking ${NS}/Deployment/api`), log);
  assert.ok(log.trimEnd().endsWith(lastLine), log);

  assert.deepEqual(deploymentFacts(await apps.readNamespacedDeployment({ namespace: NS, name: 'api' })), before);
});

test('a workflow running past its execution timeout fails its WE as DeadlineExceeded; the target is unchanged', async () => {
  await createDeployment('worker');
  const before = deploymentFacts(await apps.readNamespacedDeployment({ namespace: NS, name: 'worker' }));
  const we = await execute('cat-overrun', { apiVersion: 'apps/v1', kind: 'Deployment', name: 'worker' }, { TARGET_NAMESPACE: NS, TARGET_NAME: 'worker' }, 3_000);
  assert.equal(we.spec.executionConfig?.timeout, '3s');

  const failed = await failedWE(we);
  const d = failed.status!.failureDetails!;
  assert.equal(d.reason, 'DeadlineExceeded', JSON.stringify(d));
  assert.match(d.naturalLanguageSummary!, /ran longer than its time limit \(3s\)/);
  const job = await batch.readNamespacedJob({ namespace: WF_NS, name: lockName(failed.spec.targetResource) });
  assert.equal(job.spec?.activeDeadlineSeconds, 3);
  assert.ok(job.status?.conditions?.some((c) => c.type === 'Failed' && c.status === 'True' && c.reason === 'DeadlineExceeded'), JSON.stringify(job.status));
  // The workflow's process is stopped with its pod: nothing is left to restart the target later.
  await eventually(async () => {
    const pods = await core.listNamespacedPod({ namespace: WF_NS, labelSelector: `batch.kubernetes.io/job-name=${job.metadata!.name}` });
    return pods.items.every((p) => !(p.status?.containerStatuses ?? []).some((c) => c.state?.running));
  }, 'the overrun pod to stop', WAIT_MS);

  assert.deepEqual(deploymentFacts(await apps.readNamespacedDeployment({ namespace: NS, name: 'worker' })), before);
});

test('a workflow whose ServiceAccount lacks RBAC fails its WE as Forbidden with the refusal in its summary; the target pod is not deleted', async () => {
  await core.createNamespacedPod({ namespace: NS, body: { metadata: { name: 'cache-0', labels: { app: 'cache' } }, spec: { containers: [{ name: 'cache', image: 'nginx:1.27' }] } } });
  const target = await eventually(async () => {
    const p = await core.readNamespacedPod({ namespace: NS, name: 'cache-0' });
    return p.status?.phase === 'Running' ? p : undefined;
  }, 'the target pod to run', WAIT_MS);
  const before = podFacts(target);
  const we = await execute('cat-delete-pod', { apiVersion: 'v1', kind: 'Pod', name: 'cache-0' }, { TARGET_NAMESPACE: NS, TARGET_POD: 'cache-0' });

  const failed = await failedWE(we);
  const d = failed.status!.failureDetails!;
  assert.equal(d.reason, 'Forbidden', JSON.stringify(d));
  assert.equal(d.exitCode, 1);
  assert.equal(d.wasExecutionFailure, true);
  assert.ok(d.naturalLanguageSummary?.includes(NO_RBAC_RUNNER), d.naturalLanguageSummary);
  assert.ok(
    d.naturalLanguageSummary?.includes(`pods "cache-0" is forbidden: User "system:serviceaccount:${WF_NS}:${NO_RBAC_RUNNER}" cannot delete resource "pods"`),
    d.naturalLanguageSummary,
  );
  const log = await jobLog(failed);
  assert.match(log, /Error from server \(Forbidden\)/);
  assert.ok(!log.includes('deleted'), 'the script stopped at the refusal');

  assert.deepEqual(podFacts(await core.readNamespacedPod({ namespace: NS, name: 'cache-0' })), before);
});

test('each failure is audited as workflow.execution.failed with its reason', async () => {
  const failures = await eventually(() => {
    const events = audit.ofType('workflow.execution.failed');
    return new Set(events.map((e) => e.correlationId)).size >= 3 ? events : undefined;
  }, 'three failure audit events', WAIT_MS);
  // A crash between audit and status write may record one twice: count reasons, not events.
  const reasons = [...new Set(failures.map((e) => String((e.eventData as Record<string, unknown>).failureReason)))].sort();
  assert.deepEqual(reasons, ['DeadlineExceeded', 'Forbidden', 'TaskFailed']);
});
