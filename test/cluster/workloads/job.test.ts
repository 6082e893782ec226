import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestCluster, type TestCluster } from '../../helpers/test-cluster.ts';
import { driveUntil, ManualClock } from '../../helpers/manual-clock.ts';
import type { Clock } from '../../../src/platform/clock.ts';
import type { KubeObject } from '../../../src/cluster/core/types.ts';
import { JOBS, PODS } from '../../../src/cluster/client/resources.ts';
import { JobController } from '../../../src/cluster/controllers/job/job-controller.ts';
import { TtlAfterFinishedController } from '../../../src/cluster/controllers/job/ttl-after-finished-controller.ts';
import { activePods, container, createNamespace, eventsFor, finishPod, listPods, markReady, waitFor } from './fake-kubelet.ts';

const ns = 'job-test';

function job(name: string, spec: Record<string, unknown> = {}) {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: ns },
    spec: { template: { spec: { restartPolicy: 'Never', containers: [container] } }, ...spec },
  };
}

async function setup(opts: { clock?: Clock } = {}): Promise<TestCluster> {
  const t = await startTestCluster({ timeScale: 20, ...opts });
  await createNamespace(t.client, ns);
  await t.start([new JobController(t.context), new TtlAfterFinishedController(t.context)]);
  return t;
}

async function running(t: TestCluster, name: string, count: number): Promise<KubeObject[]> {
  return waitFor(async () => {
    const p = await activePods(t.client, ns, `batch.kubernetes.io/job-name=${name}`);
    return p.length === count ? p : undefined;
  }, `${count} active pods of ${name}`);
}

async function jobWhere(t: TestCluster, name: string, pred: (j: KubeObject) => boolean, what: string): Promise<KubeObject> {
  return waitFor(async () => {
    const j = await t.client.get(JOBS, ns, name);
    return pred(j) ? j : undefined;
  }, what);
}

const conditionTypes = (j: KubeObject) => (j.status?.conditions ?? []).filter((c: any) => c.status === 'True').map((c: any) => c.type);

test('Job: parallel NonIndexed completion, pod tracking finalizer, two-step Complete', async () => {
  const t = await setup();
  try {
    const created = await t.client.create(JOBS, ns, job('calc', { completions: 3, parallelism: 2 }));
    const pods = await running(t, 'calc', 2);
    for (const p of pods) {
      assert.match(p.metadata.name!, /^calc-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
      assert.equal(p.metadata.labels!['job-name'], 'calc');
      assert.equal(p.metadata.labels!['batch.kubernetes.io/controller-uid'], created.metadata.uid);
      assert.equal(p.metadata.ownerReferences![0].kind, 'Job');
    }
    await markReady(t.client, ns, pods[0].metadata.name!);
    await jobWhere(t, 'calc', (j) => j.status?.active === 2 && j.status.ready === 1 && !!j.status.startTime, 'active 2 ready 1');

    for (const p of pods) await finishPod(t.client, ns, p.metadata.name!, 'Succeeded');
    const [third] = await running(t, 'calc', 1);
    await jobWhere(t, 'calc', (j) => j.status?.succeeded === 2 && j.status.active === 1, 'two counted');
    for (const p of pods) assert.deepEqual((await t.client.get(PODS, ns, p.metadata.name!)).metadata.finalizers ?? [], [], 'finalizer removed once counted');

    await finishPod(t.client, ns, third.metadata.name!, 'Succeeded');
    const done = await jobWhere(t, 'calc', (j) => conditionTypes(j).includes('Complete'), 'Complete');
    assert.deepEqual(conditionTypes(done), ['SuccessCriteriaMet', 'Complete']);
    for (const c of done.status.conditions) assert.deepEqual([c.reason, c.message], ['CompletionsReached', 'Reached expected number of succeeded pods']);
    assert.deepEqual([done.status.succeeded, done.status.failed, done.status.active, done.status.ready, done.status.terminating], [3, undefined, undefined, 0, 0]);
    assert.ok(done.status.completionTime);
    assert.equal((await listPods(t.client, ns, 'job-name=calc')).length, 3, 'finished pods are kept');
    await t.runtime.flushEvents();
    const events = await eventsFor(t.client, ns, 'calc');
    assert.equal(events.filter((e) => e.reason === 'SuccessfulCreate' && /^Created pod: calc-/.test(e.message)).length, 3);
    assert.ok(events.some((e) => e.type === 'Normal' && e.reason === 'Completed' && e.message === 'Job completed' && e.source.component === 'job-controller'));
  } finally {
    await t.close();
  }
});

test('Job: backoffLimit exceeded fails the Job', async () => {
  const t = await setup();
  try {
    await t.client.create(JOBS, ns, job('flaky', { backoffLimit: 1 }));
    const [first] = await running(t, 'flaky', 1);
    await finishPod(t.client, ns, first.metadata.name!, 'Failed');
    // The replacement comes after the (scaled) 10 s pod-failure backoff.
    const [second] = await waitFor(async () => {
      const p = await activePods(t.client, ns, 'job-name=flaky');
      return p.length === 1 && p[0].metadata.name !== first.metadata.name ? p : undefined;
    }, 'replacement pod');
    await jobWhere(t, 'flaky', (j) => j.status?.failed === 1, 'one failure counted');
    await finishPod(t.client, ns, second.metadata.name!, 'Failed');
    const failed = await jobWhere(t, 'flaky', (j) => conditionTypes(j).includes('Failed'), 'Failed');
    assert.deepEqual(conditionTypes(failed), ['FailureTarget', 'Failed']);
    const c = failed.status.conditions.find((x: any) => x.type === 'Failed');
    assert.deepEqual([c.reason, c.message], ['BackoffLimitExceeded', 'Job has reached the specified backoff limit']);
    assert.equal(failed.status.failed, 2);
    assert.equal(failed.status.completionTime, undefined);
    await t.runtime.flushEvents();
    assert.ok((await eventsFor(t.client, ns, 'flaky')).some((e) => e.type === 'Warning' && e.reason === 'BackoffLimitExceeded' && e.message === 'Job has reached the specified backoff limit'));
  } finally {
    await t.close();
  }
});

test('Job: Indexed completion mode', async () => {
  const t = await setup();
  try {
    await t.client.create(JOBS, ns, job('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }));
    const pods = await running(t, 'idx', 3);
    const byIndex = new Map(pods.map((p) => [p.metadata.labels!['batch.kubernetes.io/job-completion-index'], p]));
    assert.deepEqual([...byIndex.keys()].sort(), ['0', '1', '2']);
    for (const [i, p] of byIndex) {
      assert.equal(p.metadata.annotations!['batch.kubernetes.io/job-completion-index'], i);
      assert.match(p.metadata.name!, new RegExp(`^idx-${i}-[a-z0-9]{5}$`));
      assert.equal(p.spec.hostname, `idx-${i}`);
      assert.ok(p.spec.containers[0].env.some((e: any) => e.name === 'JOB_COMPLETION_INDEX'));
    }
    await finishPod(t.client, ns, byIndex.get('1')!.metadata.name!, 'Succeeded');
    await finishPod(t.client, ns, byIndex.get('0')!.metadata.name!, 'Failed');
    await jobWhere(t, 'idx', (j) => j.status?.completedIndexes === '1' && j.status.succeeded === 1 && j.status.failed === 1, 'index 1 done');
    // Index 0 is retried with a new pod for the same index.
    const retry = await waitFor(async () => {
      const p = await activePods(t.client, ns, 'job-name=idx,batch.kubernetes.io/job-completion-index=0');
      return p.length === 1 && p[0].metadata.name !== byIndex.get('0')!.metadata.name ? p[0] : undefined;
    }, 'index 0 retried');
    await finishPod(t.client, ns, retry.metadata.name!, 'Succeeded');
    await finishPod(t.client, ns, byIndex.get('2')!.metadata.name!, 'Succeeded');
    const done = await jobWhere(t, 'idx', (j) => conditionTypes(j).includes('Complete'), 'Complete');
    assert.equal(done.status.completedIndexes, '0-2');
    assert.equal(done.status.succeeded, 3);
  } finally {
    await t.close();
  }
});

test('Job: activeDeadlineSeconds, suspend/resume and ttlSecondsAfterFinished', async () => {
  // On a clock the test drives: the deadline and the TTL pass only when the test says so, so the
  // running pod is seen before the deadline however slow the machine (a real-time window raced).
  const clock = new ManualClock();
  const t = await setup({ clock });
  const drive = (check: () => unknown, what: string) => driveUntil(clock, check, what, { deadlineMs: 60_000 });
  const activeOf = async (name: string) => activePods(t.client, ns, `batch.kubernetes.io/job-name=${name}`);
  const jobNow = (name: string) => t.client.get(JOBS, ns, name);
  try {
    // 10 minutes: far more nominal time than the 50 ms steps of driveUntil can use up before the pod shows.
    await t.client.create(JOBS, ns, job('slow', { activeDeadlineSeconds: 600 }));
    await drive(async () => (await activeOf('slow')).length === 1, '1 active pod of slow');
    assert.equal((await jobNow('slow')).status?.conditions, undefined, 'not failed before its deadline');
    await clock.advance(600_000);
    await drive(async () => conditionTypes(await jobNow('slow')).includes('Failed'), 'deadline exceeded');
    const failed = await jobNow('slow');
    const c = failed.status.conditions.find((x: any) => x.type === 'Failed');
    assert.deepEqual([c.reason, c.message], ['DeadlineExceeded', 'Job was active longer than specified deadline']);
    await drive(async () => (await activeOf('slow')).length === 0, 'running pod deleted');

    await t.client.create(JOBS, ns, job('later', { suspend: true }));
    await drive(async () => conditionTypes(await jobNow('later')).includes('Suspended'), 'suspended');
    assert.equal((await jobNow('later')).status.conditions[0].reason, 'JobSuspended');
    assert.equal((await listPods(t.client, ns, 'job-name=later')).length, 0);
    await t.client.patch(JOBS, ns, 'later', { spec: { suspend: false } }, 'merge');
    await drive(async () => (await activeOf('later')).length === 1, '1 active pod of later');
    const [p] = await activeOf('later');
    await drive(async () => (await jobNow('later')).status?.conditions?.some((x: any) => x.type === 'Suspended' && x.status === 'False'), 'resumed');
    assert.equal((await jobNow('later')).status.conditions.find((x: any) => x.type === 'Suspended').reason, 'JobResumed');

    // Finished with a 60 s TTL: the TTL controller deletes the Job (and with it its pods) once it has passed, not before.
    await t.client.patch(JOBS, ns, 'later', { spec: { ttlSecondsAfterFinished: 60 } }, 'merge');
    await finishPod(t.client, ns, p.metadata.name!, 'Succeeded');
    await drive(async () => conditionTypes(await jobNow('later')).includes('Complete'), 'Complete');
    // The TTL counts from the Complete condition's time (second precision), whenever the test saw it.
    const finishedAt = Date.parse((await jobNow('later')).status.conditions.find((x: any) => x.type === 'Complete').lastTransitionTime);
    await clock.advance(Math.max(0, finishedAt + 55_000 - clock.nowMs()));
    assert.ok(await t.client.find(JOBS, ns, 'later'), 'still there before its TTL');
    await drive(async () => !(await t.client.find(JOBS, ns, 'later')), 'job deleted after its TTL');
    assert.ok(clock.nowMs() >= finishedAt + 60_000, `deleted ${clock.nowMs() - finishedAt} ms after finishing`);
  } finally {
    await t.close();
  }
});

test('Job: work-queue mode (parallelism without completions) completes when all pods are done after one success', async () => {
  const t = await setup();
  try {
    await t.client.create(JOBS, ns, job('queue', { parallelism: 2 }));
    const [a, b] = await running(t, 'queue', 2);
    await finishPod(t.client, ns, a.metadata.name!, 'Succeeded');
    await jobWhere(t, 'queue', (j) => j.status?.succeeded === 1 && j.status.active === 1, 'one success, no replacement');
    assert.equal((await listPods(t.client, ns, 'job-name=queue')).length, 2);
    await finishPod(t.client, ns, b.metadata.name!, 'Succeeded');
    const done = await jobWhere(t, 'queue', (j) => conditionTypes(j).includes('Complete'), 'Complete');
    assert.equal(done.status.succeeded, 2);
  } finally {
    await t.close();
  }
});
