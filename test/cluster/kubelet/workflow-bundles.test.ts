/**
 * The embedded kubelet runs workflow bundle images as real local processes: the container's
 * environment, a kubeconfig for the pod's ServiceAccount (RBAC applies), stdout/stderr as the
 * container log, the exit code as the terminated state (so Jobs complete or fail as on a real
 * cluster), activeDeadlineSeconds and pod deletion stop the process. Other images stay simulated.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedCluster } from '../../../src/cluster/embedded-cluster.ts';
import { JOBS, NAMESPACES, PODS } from '../../../src/cluster/client/resources.ts';
import { CONFIG_MAPS } from '../../../src/cluster/kubelet/volumes.ts';
import type { ClusterClient } from '../../../src/cluster/client/cluster-client.ts';
import type { KubeObject } from '../../../src/cluster/core/types.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { processAlive } from '../../../src/platform/process-alive.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';

const NS = 'wf';
const SERVICE_ACCOUNTS = { group: '', version: 'v1', resource: 'serviceaccounts' };
const BUNDLES = join(import.meta.dirname, 'bundles');
const dir = mkdtempSync(join(tmpdir(), 'wf-bundles-'));
let cluster: EmbeddedCluster;
let client: ClusterClient;
let kubeconfig: string;

function kubectl(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', kubeconfig, '-n', NS, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function kubectlOk(args: string[]): Promise<string> {
  const r = await kubectl(args);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function job(name: string, image: string, env: Array<Record<string, unknown>>, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, namespace: NS },
    spec: {
      backoffLimit: 0,
      template: { spec: { serviceAccountName: 'runner', restartPolicy: 'Never', containers: [{ name: 'workflow', image, env }], ...extra } },
    },
  };
}

async function jobCondition(name: string): Promise<any> {
  return eventually(async () => {
    const j = await client.get(JOBS, NS, name);
    return (j.status?.conditions ?? []).find((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  }, `job ${name} to finish`, 60_000);
}

async function podOf(jobName: string): Promise<KubeObject> {
  const { items } = await client.list(PODS, NS, { labelSelector: `job-name=${jobName}` });
  assert.equal(items.length, 1);
  return items[0];
}

before(async () => {
  const tokenFile = join(dir, 'tokens.csv');
  writeFileSync(tokenFile, 'admin-token,admin,1,"system:masters"\n');
  cluster = await EmbeddedCluster.start({
    clock: new ScaledClock(1),
    tls: true,
    tokenFile,
    requireAuth: true,
    rbac: true,
    kubeconfigToken: 'admin-token',
    bundleDirs: [BUNDLES],
    controlPlane: { kubelet: { imagePullMs: 50, containerStartMs: 50, volumeMountMs: 50 } },
  });
  client = cluster.client('test');
  kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(kubeconfig, cluster.kubeconfig());
  await kubectlOk(['create', 'namespace', NS]);
  await kubectlOk(['create', 'serviceaccount', 'runner']);
  await kubectlOk(['create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods']);
  await kubectlOk(['create', 'rolebinding', 'runner-reads-pods', '--role=pod-reader', '--serviceaccount=wf:runner']);
  await kubectlOk(['create', 'configmap', 'settings', '--from-literal=mode=careful']);
});

after(async () => {
  await cluster.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the bundles are registered: the test folder and the project catalog', () => {
  const images = cluster.bundles.bundles.map((b) => b.image);
  assert.ok(images.includes('example.com/kubernaut-test/report:1.0.0'));
  assert.ok(images.includes('example.com/kubernaut-test/sleeper:1.0.0'));
  assert.ok(images.includes('docker.io/kubernaut/workflow-fix-statefulset-pvc:1.0.0'));
  assert.deepEqual(cluster.bundles.problems, []);
});

test('a bundle runs with the container env and its ServiceAccount; its output is the log; the Job completes', async () => {
  const nasty = `$(touch ${join(dir, 'pwned')}); \`id\` && echo "quoted" | cat; rm -rf * 'single' \\ back > out <in`;
  await client.create(JOBS, NS, job('report', 'example.com/kubernaut-test/report:1.0.0', [
    { name: 'PARAM', value: nasty },
    { name: 'TARGET_RESOURCE', value: `${NS}/Deployment/web` },
    { name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } },
  ]));
  const done = await jobCondition('report');
  assert.equal(done.type, 'Complete');
  const pod = await podOf('report');
  assert.equal(pod.status.phase, 'Succeeded');
  const state = pod.status.containerStatuses[0].state.terminated;
  assert.equal(state.exitCode, 0);
  assert.equal(state.reason, 'Completed');

  const logs = await kubectlOk(['logs', 'job/report']);
  const lines = logs.split('\n');
  assert.ok(lines.includes('args: --default-arg'), logs);
  assert.ok(lines.includes('greeting: hello from the image'), logs);
  assert.ok(lines.includes(`param: ${nasty}`), logs);
  assert.ok(lines.includes(`target: ${NS}/Deployment/web`), logs);
  assert.ok(lines.includes('from-configmap: careful'), logs);
  assert.ok(lines.includes('kubeconfig set: yes'), logs);
  assert.ok(lines.includes('whoami: system:serviceaccount:wf:runner'), logs);
  assert.ok(lines.includes(`pod/${pod.metadata.name}`), 'kubectl get pods lists the pod itself');
  assert.match(logs, /Error from server \(Forbidden\): secrets is forbidden: User "system:serviceaccount:wf:runner" cannot list resource "secrets"/);
  assert.ok(lines.includes('secrets: denied'), logs);
  assert.ok(lines.includes('done'), logs);
  assert.equal(existsSync(join(dir, 'pwned')), false, 'the parameter was never run by a shell');
});

test('a bundle exiting non-zero fails the Job, with the exit code in the pod status', async () => {
  await client.create(JOBS, NS, job('fails', 'example.com/kubernaut-test/fail:1.0.0', [{ name: 'EXIT_CODE', value: '3' }]));
  const done = await jobCondition('fails');
  assert.equal(done.type, 'Failed');
  const pod = await podOf('fails');
  assert.equal(pod.status.phase, 'Failed');
  const state = pod.status.containerStatuses[0].state.terminated;
  assert.equal(state.exitCode, 3);
  assert.equal(state.reason, 'Error');
  assert.match(await kubectlOk(['logs', pod.metadata.name!]), /about to fail/);
});

// The deadline is long enough for the process to be running well before it, even on a busy machine;
// both Jobs run at once so the test waits for it only once.
test('activeDeadlineSeconds stops a bundle (SIGTERM, then SIGKILL after the grace period) and fails the pod DeadlineExceeded', async () => {
  await client.create(JOBS, NS, job('slow', 'example.com/kubernaut-test/sleeper:1.0.0', [], { activeDeadlineSeconds: 8 }));
  await client.create(JOBS, NS, job('stubborn', 'example.com/kubernaut-test/sleeper:1.0.0', [{ name: 'IGNORE_TERM', value: '1' }], { activeDeadlineSeconds: 8, terminationGracePeriodSeconds: 1 }));
  for (const [name, exitCode] of [['slow', 143], ['stubborn', 137]] as const) {
    assert.equal((await jobCondition(name)).type, 'Failed');
    const pod = await eventually(async () => {
      const p = await podOf(name);
      return p.status?.phase === 'Failed' && p.status.containerStatuses?.[0]?.state?.terminated ? p : undefined;
    }, `the pod of ${name} to fail`, 30_000);
    assert.equal(pod.status.reason, 'DeadlineExceeded');
    assert.equal(pod.status.message, 'Pod was active on the node longer than the specified deadline');
    assert.equal(pod.status.containerStatuses[0].state.terminated.exitCode, exitCode, name);
    assert.equal(pod.status.containerStatuses[0].state.terminated.reason, 'Error');
    assert.match(await kubectlOk(['logs', pod.metadata.name!]), /sleeping/);
  }
});

test('deleting the pod kills the process', async () => {
  const pidFile = join(dir, 'sleeper.pid');
  await client.create(PODS, NS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'sleeper', namespace: NS },
    spec: { serviceAccountName: 'runner', terminationGracePeriodSeconds: 5, containers: [{ name: 'sleeper', image: 'example.com/kubernaut-test/sleeper:1.0.0', env: [{ name: 'PID_FILE', value: pidFile }] }] },
  });
  await eventually(async () => (await client.get(PODS, NS, 'sleeper')).status?.phase === 'Running' && existsSync(pidFile), 'the sleeper to run', 30_000);
  const pid = Number(readFileSync(pidFile, 'utf8').trim());
  assert.ok(processAlive(pid));
  await kubectlOk(['delete', 'pod', 'sleeper', '--wait=true', '--timeout=60s']);
  await eventually(() => !processAlive(pid), 'the process to be gone', 30_000);
});

test('a bundle whose ConfigMap is missing waits with CreateContainerConfigError', async () => {
  await client.create(PODS, NS, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'no-config', namespace: NS },
    spec: { serviceAccountName: 'runner', containers: [{ name: 'c', image: 'example.com/kubernaut-test/fail:1.0.0', envFrom: [{ configMapRef: { name: 'absent' } }] }] },
  });
  const waiting = await eventually(async () => {
    const p = await client.get(PODS, NS, 'no-config');
    return p.status?.containerStatuses?.[0]?.state?.waiting?.reason === 'CreateContainerConfigError' ? p : undefined;
  }, 'CreateContainerConfigError', 30_000);
  assert.equal(waiting.status.containerStatuses[0].state.waiting.message, 'configmap "absent" not found');
});

test('an image that is no bundle stays simulated', async () => {
  await client.create(PODS, NS, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: NS }, spec: { serviceAccountName: 'runner', containers: [{ name: 'web', image: 'nginx:1.27' }] } });
  const pod = await eventually(async () => {
    const p = await client.get(PODS, NS, 'web');
    return p.status?.phase === 'Running' ? p : undefined;
  }, 'nginx to run', 30_000);
  assert.ok(pod.status.containerStatuses[0].state.running);
});

test('over a plain-HTTP API server the bundle still authenticates as its ServiceAccount (pods get an HTTPS endpoint)', async () => {
  const plain = await EmbeddedCluster.start({ clock: new ScaledClock(1), rbac: true, bundleDirs: [BUNDLES], controlPlane: { kubelet: { imagePullMs: 50, containerStartMs: 50, volumeMountMs: 50 } } });
  try {
    assert.match(plain.url, /^http:/);
    const admin = plain.client('test');
    await admin.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    await admin.create(SERVICE_ACCOUNTS, NS, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'runner' } });
    await admin.create(CONFIG_MAPS, NS, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'plain' } });
    await admin.create(JOBS, NS, job('report', 'example.com/kubernaut-test/report:1.0.0', [{ name: 'FROM_CM', valueFrom: { configMapKeyRef: { name: 'settings', key: 'mode' } } }]));
    const done = await eventually(async () => ((await admin.get(JOBS, NS, 'report')).status?.conditions ?? []).find((c: any) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True'), 'the job to finish', 60_000);
    assert.equal(done.type, 'Complete');
    const { items } = await admin.list(PODS, NS, { labelSelector: 'job-name=report' });
    const logs: string = await admin.request('GET', `/api/v1/namespaces/${NS}/pods/${items[0].metadata.name}/log`);
    assert.match(logs, /whoami: system:serviceaccount:wf:runner/);
    assert.match(logs, /pods is forbidden: User "system:serviceaccount:wf:runner"/, 'no Role here: RBAC applies to the ServiceAccount');
  } finally {
    await plain.close();
  }
});
