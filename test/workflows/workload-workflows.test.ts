/**
 * The starter workflows for workloads, each run as its own ServiceAccount against its fault in the
 * embedded cluster: rollback-deployment-v1, restart-workload-pods-v1, increase-memory-limits-v1.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually } from '../helpers/kubernaut-process.ts';
import { describeRun, isReady, startWorkflowCluster, summaryOf, type WorkflowCluster } from './harness.ts';

let w: WorkflowCluster;
before(async () => {
  w = await startWorkflowCluster({ volumeMountMs: 300 });
});
after(async () => {
  await w?.close();
});

const BEHAVIOR = 'sim.kubernaut.ai/behavior';

/** A Deployment `name` in its own namespace, rolled out and available. */
async function deployment(ns: string, name: string, opts: { replicas?: number; memory?: string; behavior?: string } = {}): Promise<void> {
  await w.kubectlOk(['create', 'namespace', ns]);
  const manifest = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas: opts.replicas ?? 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name }, ...(opts.behavior ? { annotations: { [BEHAVIOR]: opts.behavior } } : {}) },
        spec: {
          containers: [
            {
              name: 'app',
              image: 'registry.example.com/shop/app:1.0.0',
              readinessProbe: { httpGet: { path: '/healthz', port: 8080 }, periodSeconds: 1 },
              resources: { requests: { memory: opts.memory ?? '128Mi' }, limits: { memory: opts.memory ?? '128Mi' } },
            },
          ],
        },
      },
    },
  };
  await w.kubectlOk(['apply', '-f', '-'], { input: JSON.stringify(manifest) });
  await w.kubectlOk(['rollout', 'status', `deployment/${name}`, '-n', ns, '--timeout=180s'], { timeoutMs: 190_000 });
}

const podsOf = async (ns: string, app: string) => ((await w.getJson(['get', 'pods', '-n', ns, '-l', `app=${app}`]))?.items ?? []).filter((p: any) => !p.metadata.deletionTimestamp);

test('rollback-deployment-v1: a rollout to an image that cannot be pulled is rolled back; available again', async () => {
  await deployment('wf-rollback', 'shop');
  // The bad rollout: a new image the registry does not have, in one template change (revision 2).
  await w.kubectlOk(['patch', 'deployment', 'shop', '-n', 'wf-rollback', '--type', 'merge', '-p', JSON.stringify({
    spec: { template: { metadata: { annotations: { [BEHAVIOR]: JSON.stringify({ '*': { imagePull: 'fail' } }) } }, spec: { containers: [{ name: 'app', image: 'registry.example.com/shop/app:1.1.0-typo' }] } } },
  })]);
  await eventually(async () => (await podsOf('wf-rollback', 'shop')).some((p: any) => /ErrImagePull|ImagePullBackOff/.test(p.status?.containerStatuses?.[0]?.state?.waiting?.reason ?? '')), 'the new revision cannot pull its image', 60_000, 250);

  const r = await w.runWorkflow('rollback-deployment-v1', { TARGET_NAMESPACE: 'wf-rollback', TARGET_DEPLOYMENT: 'shop' });
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stdout, /^validate: revision 2: .*older revisions: 1$/m);
  assert.match(summaryOf(r), /^summary: rolled back deployment wf-rollback\/shop from revision 2 \(now revision 3\); 2\/2 available$/);
  const d = await w.getJson(['get', 'deployment', 'shop', '-n', 'wf-rollback']);
  assert.equal(d.spec.template.spec.containers[0].image, 'registry.example.com/shop/app:1.0.0');
  assert.equal(d.status.availableReplicas, 2);
  await eventually(async () => {
    const pods = await podsOf('wf-rollback', 'shop');
    return pods.length === 2 && pods.every((p: any) => isReady(p) && p.spec.containers[0].image.endsWith(':1.0.0'));
  }, 'only pods of the good revision, Ready', 60_000, 250);

  // Again: nothing to do. Bad input: exit 2.
  const again = await w.runWorkflow('rollback-deployment-v1', { TARGET_RESOURCE: 'wf-rollback/Deployment/shop' });
  assert.equal(again.code, 0, describeRun(again));
  assert.match(summaryOf(again), /nothing to do/);
  for (const env of [{}, { TARGET_NAMESPACE: 'wf-rollback', TARGET_DEPLOYMENT: 'nope' }, { TARGET_NAMESPACE: 'wf-rollback', TARGET_DEPLOYMENT: 'shop', TO_REVISION: '9' }] as Array<Record<string, string>>) {
    const bad = await w.runWorkflow('rollback-deployment-v1', env);
    assert.equal(bad.code, 2, `${JSON.stringify(env)}: ${describeRun(bad)}`);
  }
});

test('restart-workload-pods-v1: a pod stuck unready (bad runtime state) is replaced, one pod at a time', async () => {
  await deployment('wf-restart', 'cache', { replicas: 3 });
  const before = await podsOf('wf-restart', 'cache');
  // The runtime state a fresh start clears: this pod (not the template) stops passing readiness.
  await w.kubectlOk(['annotate', 'pod', before[0].metadata.name, '-n', 'wf-restart', `${BEHAVIOR}={"*":{"readiness":"fail"}}`]);
  await eventually(async () => (await podsOf('wf-restart', 'cache')).filter(isReady).length === 2, 'one pod unready', 60_000, 250);

  const r = await w.runWorkflow('restart-workload-pods-v1', { TARGET_NAMESPACE: 'wf-restart', TARGET_KIND: 'Deployment', TARGET_NAME: 'cache', READY_TIMEOUT_SECONDS: '120' });
  assert.equal(r.code, 0, describeRun(r));
  assert.equal(summaryOf(r), 'summary: restarted Deployment wf-restart/cache: 3 pods replaced, 3/3 Ready');
  const after = await podsOf('wf-restart', 'cache');
  const oldUids = new Set(before.map((p: any) => p.metadata.uid));
  assert.ok(after.every((p: any) => !oldUids.has(p.metadata.uid)), 'every pod replaced');
  assert.equal(after.filter(isReady).length, 3);

  const bad = await w.runWorkflow('restart-workload-pods-v1', { TARGET_NAMESPACE: 'wf-restart', TARGET_KIND: 'CronJob', TARGET_NAME: 'cache' });
  assert.equal(bad.code, 2, describeRun(bad));
  assert.match(summaryOf(bad), /TARGET_KIND 'CronJob' is not Deployment, StatefulSet or DaemonSet/);
});

test('increase-memory-limits-v1: the OOMKilled container gets a 50% higher limit (and request), rolled out', async () => {
  // The simulated OOM kill does not depend on the limit, so the fault here is the limit itself:
  // the workflow must raise it in the template and roll it out.
  await deployment('wf-memory', 'report', { replicas: 1, memory: '128Mi' });
  const r = await w.runWorkflow('increase-memory-limits-v1', { TARGET_NAMESPACE: 'wf-memory', TARGET_KIND: 'Deployment', TARGET_NAME: 'report', TARGET_CONTAINER: 'app', INCREASE_PERCENT: '50' });
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stdout, /^validate: container app: limit 128Mi, request 128Mi -> limit 192Mi$/m);
  assert.equal(summaryOf(r), 'summary: raised the memory limit of app in Deployment wf-memory/report from 128Mi to 192Mi; rollout complete');
  const d = await w.getJson(['get', 'deployment', 'report', '-n', 'wf-memory']);
  assert.deepEqual(d.spec.template.spec.containers[0].resources, { limits: { memory: '192Mi' }, requests: { memory: '192Mi' } });
  const pods = await podsOf('wf-memory', 'report');
  assert.ok(pods.some((p: any) => p.spec.containers[0].resources.limits.memory === '192Mi' && isReady(p)));

  const cases: Array<[Record<string, string>, RegExp]> = [
    [{ TARGET_CONTAINER: 'sidecar' }, /has no container named sidecar/],
    [{ MEMORY_LIMIT: '128Mi' }, /would not raise the current limit 192Mi/],
    [{ MEMORY_LIMIT: '1Ti' }, /is not like 512Mi or 2Gi/],
    [{ INCREASE_PERCENT: '5' }, /INCREASE_PERCENT '5' is not a whole number from 10 to 300/],
  ];
  for (const [env, message] of cases) {
    const bad = await w.runWorkflow('increase-memory-limits-v1', { TARGET_NAMESPACE: 'wf-memory', TARGET_KIND: 'Deployment', TARGET_NAME: 'report', TARGET_CONTAINER: 'app', ...env });
    assert.equal(bad.code, 2, `${JSON.stringify(env)}: ${describeRun(bad)}`);
    assert.match(summaryOf(bad), message);
  }
});
