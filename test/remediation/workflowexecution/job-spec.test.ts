/**
 * Job construction (workflow-schema.md §6) and the execution plan, as pure functions: lock name,
 * label sanitising, digest pinning, ServiceAccount choice, env, security context, Job spec,
 * dependency mounts, and the re-validation of parameters against the catalog version.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { WorkflowExecution } from '../../../src/api/v1alpha1/index.ts';
import { planExecution, type CatalogEntryForExecution } from '../../../src/remediation/workflowexecution/execution-plan.ts';
import {
  buildWorkflowJob,
  executionOfJob,
  jobBelongsTo,
  labelValue,
  lockName,
  pinnedImage,
  targetLabelValue,
  type WorkflowJobInput,
} from '../../../src/remediation/workflowexecution/job-spec.ts';

const DIGEST = `sha256:${'c'.repeat(64)}`;
const LABEL_VALUE_RE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function we(over: Partial<WorkflowExecution['spec']> = {}): WorkflowExecution {
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'WorkflowExecution',
    metadata: { name: 'we-rr-abc', namespace: 'demo' },
    spec: {
      remediationRequestRef: { name: 'rr-abc', namespace: 'demo' },
      workflowRef: { workflowId: 'fix-statefulset-pvc-v1', version: '1.0.0', catalogId: 'cat-1', executionBundle: 'kubernaut/workflow-fix-statefulset-pvc:1.0.0' },
      targetResource: 'demo/StatefulSet/kv-store',
      targetRef: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: 'demo' },
      parameters: { TARGET_NAMESPACE: 'demo', TARGET_STATEFULSET: 'kv-store' },
      executionEngine: 'job',
      executionConfig: { timeout: '10m' },
      ...over,
    },
  };
}

function entry(over: Partial<CatalogEntryForExecution> = {}): CatalogEntryForExecution {
  return {
    metadata: { workflowId: 'fix-statefulset-pvc-v1', version: '1.0.0', description: { what: 'w', whenToUse: 'w' } },
    execution: { engine: 'job', bundle: 'kubernaut/workflow-fix-statefulset-pvc:1.0.0', serviceAccountName: 'fix-statefulset-pvc-v1-runner' },
    parameters: [
      { name: 'TARGET_NAMESPACE', type: 'string', required: true, description: 'ns' },
      { name: 'TARGET_STATEFULSET', type: 'string', required: true, description: 'sts' },
      { name: 'WAIT_SECONDS', type: 'integer', required: false, description: 'wait', default: 30, minimum: 1 },
    ],
    ...over,
  };
}

test('the lock name is wfe- and the first 16 hex of sha256(target): one per target', () => {
  const hex = createHash('sha256').update('demo/StatefulSet/kv-store').digest('hex');
  assert.equal(lockName('demo/StatefulSet/kv-store'), `wfe-${hex.slice(0, 16)}`);
  assert.notEqual(lockName('demo/StatefulSet/kv-store'), lockName('demo/StatefulSet/kv-store2'));
  assert.match(lockName('Node/worker-1'), /^wfe-[0-9a-f]{16}$/);
});

test('the target label turns / into . and stays a valid label value; long ones get a hashed suffix', () => {
  assert.equal(targetLabelValue('demo/StatefulSet/kv-store'), 'demo.StatefulSet.kv-store');
  assert.equal(targetLabelValue('Node/worker-1'), 'Node.worker-1');
  assert.equal(targetLabelValue('ns/ClusterRole/system:controller'), 'ns.ClusterRole.system_controller');
  const long = `demo/ConfigMap/${'x'.repeat(80)}`;
  const v = targetLabelValue(long);
  assert.ok(v.length <= 63, v);
  assert.match(v, LABEL_VALUE_RE);
  assert.match(v, /-[0-9a-f]{10}$/);
  // Same start, different ends: still different labels.
  assert.notEqual(v, targetLabelValue(`${long}y`));
  assert.match(labelValue('-.edge_'), LABEL_VALUE_RE);
  assert.equal(labelValue('rr-abc'), 'rr-abc');
});

test('the image is pinned to the digest when one is known', () => {
  assert.equal(pinnedImage('kubernaut/wf:1.0.0'), 'kubernaut/wf:1.0.0');
  assert.equal(pinnedImage('kubernaut/wf:1.0.0', DIGEST), `kubernaut/wf:1.0.0@${DIGEST}`);
  assert.equal(pinnedImage(`kubernaut/wf@sha256:${'a'.repeat(64)}`, DIGEST), `kubernaut/wf@${DIGEST}`);
});

test('the Job: namespace, name, ServiceAccount, one non-root container, env, limits, labels, annotation, mounts', () => {
  const input: WorkflowJobInput = {
    name: lockName('demo/StatefulSet/kv-store'),
    namespace: 'kubernaut-workflows',
    workflowExecution: { name: 'we-rr-abc', namespace: 'demo' },
    remediationRequest: 'rr-abc',
    workflowId: 'fix-statefulset-pvc-v1',
    targetResource: 'demo/StatefulSet/kv-store',
    image: `kubernaut/wf:1.0.0@${DIGEST}`,
    serviceAccountName: 'runner',
    parameters: [['TARGET_NAMESPACE', 'demo'], ['TARGET_STATEFULSET', 'kv-store']],
    activeDeadlineSeconds: 600,
    dependencies: { secrets: ['creds'], configMaps: ['settings'] },
  };
  const job = buildWorkflowJob(input);
  assert.equal(job.metadata?.name, input.name);
  assert.equal(job.metadata?.namespace, 'kubernaut-workflows');
  assert.deepEqual(job.metadata?.labels, {
    'kubernaut.ai/workflow-execution': 'we-rr-abc',
    'kubernaut.ai/remediation-request': 'rr-abc',
    'kubernaut.ai/workflow-id': 'fix-statefulset-pvc-v1',
    'kubernaut.ai/target-resource': 'demo.StatefulSet.kv-store',
    'kubernaut.ai/source-namespace': 'demo',
    'kubernaut.ai/execution-engine': 'job',
  });
  assert.equal(job.metadata?.annotations?.['kubernaut.ai/target-resource'], 'demo/StatefulSet/kv-store');
  assert.equal(job.spec?.backoffLimit, 0);
  assert.equal(job.spec?.activeDeadlineSeconds, 600);
  assert.equal(job.spec?.ttlSecondsAfterFinished, 600);
  const pod = job.spec!.template.spec!;
  assert.equal(pod.serviceAccountName, 'runner');
  assert.equal(pod.restartPolicy, 'Never');
  assert.equal(pod.securityContext?.runAsNonRoot, true);
  assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault');
  assert.equal(pod.containers.length, 1);
  const c = pod.containers[0];
  assert.equal(c.name, 'workflow');
  assert.equal(c.image, `kubernaut/wf:1.0.0@${DIGEST}`);
  assert.equal(c.securityContext?.allowPrivilegeEscalation, false);
  assert.equal(c.securityContext?.runAsNonRoot, true);
  assert.deepEqual(c.securityContext?.capabilities?.drop, ['ALL']);
  assert.equal(c.securityContext?.seccompProfile?.type, 'RuntimeDefault');
  assert.deepEqual(c.env, [
    { name: 'TARGET_NAMESPACE', value: 'demo' },
    { name: 'TARGET_STATEFULSET', value: 'kv-store' },
    { name: 'TARGET_RESOURCE', value: 'demo/StatefulSet/kv-store' },
    { name: 'KUBERNAUT_REMEDIATION_ID', value: 'rr-abc' },
    { name: 'KUBERNAUT_WORKFLOW_ID', value: 'fix-statefulset-pvc-v1' },
  ]);
  assert.deepEqual(c.volumeMounts, [
    { name: 'secret-0', mountPath: '/run/kubernaut/secrets/creds', readOnly: true },
    { name: 'configmap-0', mountPath: '/run/kubernaut/configmaps/settings', readOnly: true },
  ]);
  assert.deepEqual(pod.volumes, [
    { name: 'secret-0', secret: { secretName: 'creds' } },
    { name: 'configmap-0', configMap: { name: 'settings' } },
  ]);
  // The pods carry the same labels, so `kubectl get pods -l kubernaut.ai/remediation-request=...` finds them.
  assert.deepEqual(job.spec?.template.metadata?.labels, job.metadata?.labels);
  assert.ok(jobBelongsTo(job, { name: 'we-rr-abc', namespace: 'demo' }));
  assert.ok(!jobBelongsTo(job, { name: 'we-rr-abc', namespace: 'other' }));
  assert.deepEqual(executionOfJob(job), { namespace: 'demo', name: 'we-rr-abc' });
  // Same input, same Job: a restart or a dry run builds exactly this.
  assert.deepEqual(buildWorkflowJob(input), job);
});

test('the plan takes the catalog ServiceAccount, dependencies and digest, applies defaults and keeps declared order', () => {
  const plan = planExecution(we(), { workflowNamespace: 'kubernaut-workflows', entry: entry({ execution: { engine: 'job', bundle: 'x', bundleDigest: DIGEST, serviceAccountName: 'fix-runner' }, dependencies: { secrets: [{ name: 'creds' }] } }) });
  assert.ok(plan.ok);
  assert.equal(plan.job.serviceAccountName, 'fix-runner');
  assert.equal(plan.job.image, `kubernaut/workflow-fix-statefulset-pvc:1.0.0@${DIGEST}`);
  assert.deepEqual(plan.job.parameters, [['TARGET_NAMESPACE', 'demo'], ['TARGET_STATEFULSET', 'kv-store'], ['WAIT_SECONDS', '30']]);
  assert.deepEqual(plan.job.dependencies, { secrets: ['creds'], configMaps: [] });
  assert.equal(plan.job.activeDeadlineSeconds, 600);
  assert.equal(plan.job.name, lockName('demo/StatefulSet/kv-store'));
  assert.equal(plan.job.namespace, 'kubernaut-workflows');
});

test('the plan: the WE digest wins, the default ServiceAccount without a catalog one, 30 min without a timeout', () => {
  const spec = we({ workflowRef: { workflowId: 'fix-statefulset-pvc-v1', executionBundle: 'repo/wf:1', executionBundleDigest: DIGEST }, executionConfig: {} });
  const withEntry = planExecution(spec, { workflowNamespace: 'wf', entry: entry({ execution: { engine: 'job', bundle: 'repo/wf:1', bundleDigest: `sha256:${'d'.repeat(64)}` } }) });
  assert.ok(withEntry.ok);
  assert.equal(withEntry.job.image, `repo/wf:1@${DIGEST}`);
  assert.equal(withEntry.job.serviceAccountName, 'kubernaut-workflow-runner');
  assert.equal(withEntry.job.activeDeadlineSeconds, 1800);
  const withoutCatalog = planExecution(we({ executionConfig: { serviceAccountName: 'from-spec' } }), { workflowNamespace: 'wf' });
  assert.ok(withoutCatalog.ok);
  assert.equal(withoutCatalog.job.serviceAccountName, 'from-spec');
  assert.deepEqual(withoutCatalog.job.parameters, [['TARGET_NAMESPACE', 'demo'], ['TARGET_STATEFULSET', 'kv-store']]);
});

test('the plan refuses parameters the catalog version does not accept, reporting every problem', () => {
  const plan = planExecution(we({ parameters: { TARGET_NAMESPACE: 'demo', WAIT_SECONDS: 'soon', EXTRA: 'x' } }), { workflowNamespace: 'wf', entry: entry() });
  assert.ok(!plan.ok);
  assert.match(plan.message, /EXTRA.*unknown_parameter/);
  assert.match(plan.message, /TARGET_STATEFULSET.*missing_required/);
  assert.match(plan.message, /WAIT_SECONDS.*type_mismatch/);
  const wrongEntry = planExecution(we(), { workflowNamespace: 'wf', entry: entry({ metadata: { workflowId: 'other', version: '1', description: { what: 'w', whenToUse: 'w' } } }) });
  assert.ok(!wrongEntry.ok);
  assert.match(wrongEntry.message, /is workflow other/);
});

test('without a catalog, names that could pass for the executor variables are refused', () => {
  for (const name of ['TARGET_RESOURCE', 'KUBERNAUT_WORKFLOW_ID', 'lower', 'PATH=/x']) {
    const plan = planExecution(we({ parameters: { [name]: 'v' } }), { workflowNamespace: 'wf' });
    assert.ok(!plan.ok, name);
  }
  const nul = planExecution(we({ parameters: { A: 'x\0y' } }), { workflowNamespace: 'wf' });
  assert.ok(!nul.ok);
});
