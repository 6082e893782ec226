/**
 * Scripted container behaviours of the simulated kubelet, seen the way kubectl users see them:
 * crash loops, OOM kills, failing readiness, image pull failures and logs (current and previous).
 * The stack runs at --time-scale 10 so the kubelet's back-offs (10 s, 20 s, ...) pass quickly.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';

const NS = 'behaviours';
let k: RunningKubernaut;

const pod = (name: string, behavior: string, extra = '') => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  namespace: ${NS}
  annotations:
    sim.kubernaut.ai/behavior: |
${behavior
  .split('\n')
  .map((l) => `      ${l}`)
  .join('\n')}
spec:
  containers:
    - name: app
      image: busybox:1.36
${extra}`;

const get = (name: string) => JSON.parse(k.kubectlOk(['get', 'pod', name, '-n', NS, '-o', 'json']));
/** The pod's row in `kubectl get pods`: NAME READY STATUS RESTARTS AGE. */
const row = (name: string) => k.kubectlOk(['get', 'pod', name, '-n', NS, '--no-headers']).trim().split(/\s+/);

before(async () => {
  k = await startKubernaut({ args: ['--ephemeral', '--no-gateway', '--no-datastorage', '--time-scale', '10', '--kubelet-delays', '50ms'] });
  k.kubectlOk(['create', 'namespace', NS]);
});
after(async () => {
  await k?.stop();
});

test('a crash-looping container: CrashLoopBackOff, growing RESTARTS, logs of the previous run', async () => {
  k.kubectlOk(['apply', '-f', '-'], { input: pod('crash', 'app:\n  logs: ["starting", "fatal: config missing"]\n  crashLoop: true') });
  await eventually(() => {
    const [, ready, status, restarts] = row('crash');
    return ready === '0/1' && status === 'CrashLoopBackOff' && Number(restarts) >= 2;
  }, 'CrashLoopBackOff with 2+ restarts', 30_000, 200);
  const p = get('crash');
  const cs = p.status.containerStatuses[0];
  assert.equal(cs.lastState.terminated.reason, 'Error');
  assert.equal(cs.lastState.terminated.exitCode, 1);
  assert.equal(p.status.phase, 'Running');
  assert.equal(k.kubectlOk(['logs', 'crash', '-n', NS, '--previous']), 'starting\nfatal: config missing\n');
  const describe = k.kubectlOk(['describe', 'pod', 'crash', '-n', NS]);
  assert.match(describe, /Back-off restarting failed container app in pod crash_behaviours/);
  assert.match(describe, /Last State:\s+Terminated\n\s+Reason:\s+Error\n\s+Exit Code:\s+1/);
});

test('an OOM-killed container shows OOMKilled as its last state and restarts', async () => {
  k.kubectlOk(['apply', '-f', '-'], { input: pod('oom', 'app:\n  oomKillAfterSeconds: 1') });
  const cs = await eventually(() => {
    const s = get('oom').status.containerStatuses?.[0];
    return s?.restartCount >= 1 && s.lastState?.terminated?.reason === 'OOMKilled' && s;
  }, 'OOMKilled restart', 30_000, 200);
  assert.equal(cs.lastState.terminated.exitCode, 137);
  assert.match(k.kubectlOk(['describe', 'pod', 'oom', '-n', NS]), /Reason:\s+OOMKilled/);
});

test('a failing readiness probe: Running but never Ready, Unhealthy events', async () => {
  const probe = '      readinessProbe:\n        httpGet: { path: /healthz, port: 8080 }\n        periodSeconds: 2\n';
  k.kubectlOk(['apply', '-f', '-'], { input: pod('unready', 'app:\n  readiness: fail', probe) });
  await eventually(() => {
    const r = k.kubectl(['get', 'events', '-n', NS, '--field-selector', 'involvedObject.name=unready,reason=Unhealthy', '-o', 'json']);
    return r.code === 0 && JSON.parse(r.stdout).items.some((e: any) => /^Readiness probe failed/.test(e.message));
  }, 'Unhealthy event', 30_000, 200);
  const [, ready, status, restarts] = row('unready');
  assert.deepEqual([ready, status, restarts], ['0/1', 'Running', '0']);
  const ready_ = get('unready').status.conditions.find((c: any) => c.type === 'Ready');
  assert.equal(ready_.status, 'False');
});

test('an image that cannot be pulled: ErrImagePull then ImagePullBackOff, never started', async () => {
  k.kubectlOk(['apply', '-f', '-'], { input: pod('badimage', 'app:\n  imagePull: fail') });
  const seen = new Set<string>();
  await eventually(() => {
    seen.add(row('badimage')[2]);
    return seen.has('ImagePullBackOff');
  }, 'ImagePullBackOff', 30_000, 100);
  const p = get('badimage');
  assert.equal(p.status.phase, 'Pending');
  assert.equal(p.status.containerStatuses[0].restartCount, 0);
  assert.match(k.kubectlOk(['describe', 'pod', 'badimage', '-n', NS]), /Failed to pull image "busybox:1.36"/);
  const logs = k.kubectl(['logs', 'badimage', '-n', NS]);
  assert.notEqual(logs.code, 0);
  assert.match(logs.stderr, /is waiting to start: (ErrImagePull|ImagePullBackOff)/);
});

test('a healthy container prints its scripted logs; kubectl logs reads them through the kubelet', async () => {
  k.kubectlOk(['apply', '-f', '-'], { input: pod('talker', 'app:\n  logs: ["listening on :8080", "ready"]') });
  await eventually(() => row('talker')[2] === 'Running', 'talker running', 20_000, 100);
  assert.equal(k.kubectlOk(['logs', 'talker', '-n', NS]), 'listening on :8080\nready\n');
  assert.equal(k.kubectlOk(['logs', 'talker', '-n', NS, '--tail=1']), 'ready\n');
  assert.match(k.kubectl(['logs', 'talker', '-n', NS, '--previous']).stderr, /previous terminated container "app" in pod "talker" not found/);
});
