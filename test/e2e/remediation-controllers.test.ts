/**
 * `kubernaut controllers` as its own process beside `kubernaut up --no-controllers`, as on a real
 * cluster: two replicas elect one leader per controller, a leader killed with SIGKILL mid-remediation
 * is replaced and the RR finishes without a second child, the metrics are served; and the
 * Orchestrator's timeouts (time scaled 30x).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { eventually, ROOT, startKubernaut, startService, type RunningKubernaut, type RunningService } from '../helpers/kubernaut-process.ts';
import {
  childrenOf, completeAnalysisWithWorkflow, createRR, getObject, patchStatus, waitForObject, waitForPhase, waitForRR,
} from '../helpers/remediation.ts';

const NS = 'demo-statefulset';
const MANIFESTS = `${ROOT}deploy/demo/scenarios/statefulset-pvc-failure/manifests`;
const PATIENT = { global: '100h', processing: '100h', analyzing: '100h', awaitingApproval: '100h', executing: '100h', verifying: '100h' };

let k: RunningKubernaut;
let dataStorage: string;
const running: RunningService[] = [];

before(async () => {
  k = await startKubernaut({ args: ['--ephemeral', '--no-controllers', '--no-investigator', '--time-scale', '30', '--kubelet-delays', '0', '--prometheus', 'none'] });
  dataStorage = JSON.parse(readFileSync(join(k.dataDir, 'endpoints.json'), 'utf8')).dataStorage;
  k.kubectlOk(['apply', '-f', `${MANIFESTS}/namespace.yaml`, '-f', `${MANIFESTS}/statefulset.yaml`]);
});
async function stopAll(): Promise<void> {
  await Promise.all(running.splice(0).map((s) => s.stop('SIGKILL')));
}

after(async () => {
  await stopAll();
  await k?.stop();
});

/** The Orchestrator and SignalProcessing by default: these tests play the later stages by hand. */
async function startControllers(only = 'sp,ro'): Promise<RunningService & { identity: string; metrics: string }> {
  const s = await startService(
    ['controllers', '--kubeconfig', k.kubeconfig, '--port', '0', '--time-scale', '30', '--datastorage-url', dataStorage, '--only', only],
    /^controllers: .*\(identity (\S+); metrics (\S+)\/metrics\)/m,
  );
  running.push(s);
  const [, identity, metrics] = /identity (\S+); metrics (\S+)\/metrics/.exec(s.output())!;
  return { ...s, identity, metrics };
}

function leaseHolder(name: string): string | undefined {
  const lease = getObject(k, 'lease', 'kubernaut-system', name);
  return lease?.spec?.holderIdentity || undefined;
}

test('two replicas: one leader per controller; the leader killed mid-remediation is replaced and the RR finishes with one child of each kind', async () => {
  const a = await startControllers();
  const b = await startControllers();
  const holder = await eventually(() => leaseHolder('kubernaut-orchestrator-leader'), 'an orchestrator leader');
  assert.ok([a.identity, b.identity].includes(holder));
  assert.ok([a.identity, b.identity].includes(await eventually(() => leaseHolder('kubernaut-signalprocessing-leader'), 'a signalprocessing leader')));
  const leaderOf = async (s: { metrics: string }) => ((await (await fetch(`${s.metrics}/leadership`)).json()) as { leading: string[] }).leading;
  // A replica reports a controller as led once it has started it (informers synced), a moment after winning its Lease.
  const bothLed = async () => {
    const leading = [...(await leaderOf(a)), ...(await leaderOf(b))].sort();
    return leading.join(',') === 'ro,sp' ? leading : undefined;
  };
  assert.deepEqual(await eventually(bothLed, 'each controller led by exactly one replica'), ['ro', 'sp']);

  const rr = createRR(k, { timeouts: PATIENT });
  await waitForPhase(k, NS, rr, 'Analyzing');

  // Kill whoever leads the Orchestrator, without a chance to hand over.
  const leader = holder === a.identity ? a : b;
  const survivor = leader === a ? b : a;
  await leader.stop('SIGKILL');
  completeAnalysisWithWorkflow(k, NS, rr, { approvalRequired: false });
  // The Lease (15 s, 0.5 s at 30x) expires and the survivor carries on.
  await waitForPhase(k, NS, rr, 'Executing');
  assert.equal(await eventually(() => (leaseHolder('kubernaut-orchestrator-leader') === survivor.identity ? survivor.identity : undefined), 'the survivor leads'), survivor.identity);

  // Kill the survivor too, and restart: the RR still finishes and nothing is created twice.
  await survivor.stop('SIGKILL');
  patchStatus(k, 'workflowexecution', NS, `we-${rr}`, { phase: 'Completed', completionTime: new Date().toISOString() });
  const restarted = await startControllers();
  await waitForPhase(k, NS, rr, 'Verifying');
  patchStatus(k, 'effectivenessassessment', NS, `ea-${rr}`, { phase: 'Completed', assessmentReason: 'full', overallScore: 1 });
  const done = await waitForPhase(k, NS, rr, 'Completed');
  assert.equal(done.status.outcome, 'Remediated');
  for (const kind of ['signalprocessing', 'aianalysis', 'workflowexecution', 'effectivenessassessment']) {
    assert.equal(childrenOf(k, kind, NS, rr).length, 1, `one ${kind}`);
  }

  const metrics = await (await fetch(`${restarted.metrics}/metrics`)).text();
  for (const name of ['workqueue_depth', 'workqueue_queue_duration_seconds', 'workqueue_retries_total']) assert.match(metrics, new RegExp(`^# TYPE ${name} `, 'm'), name);
  assert.match(metrics, /^workqueue_depth\{.*name="orchestrator"/m);
});

test('timeouts: Processing, Analyzing, Executing and global end TimedOut with an escalation; Verifying ends VerificationTimedOut', async () => {
  // Only the Orchestrator: SignalProcessing never completes, so Processing times out.
  await stopAll();
  await startControllers('ro');
  const processing = createRR(k, { timeouts: { ...PATIENT, processing: '1m' } });
  const analyzing = createRR(k, { timeouts: { ...PATIENT, analyzing: '1m' } });
  const global = createRR(k, { timeouts: { ...PATIENT, global: '1m' } });

  const timedOut = await waitForPhase(k, NS, processing, 'TimedOut');
  assert.equal(timedOut.status.timeoutPhase, 'Processing');
  assert.ok(timedOut.status.timeoutTime);
  await waitForObject(k, 'notificationrequest', NS, `nr-escalation-${processing}`, (o) => o.spec.type === 'escalation');
  assert.equal((await waitForPhase(k, NS, global, 'TimedOut')).status.timeoutPhase, 'Processing');

  // The rest need SignalProcessing: mark the SP done by hand, as its controller would.
  const finishSP = (rr: string) => patchStatus(k, 'signalprocessing', NS, `sp-${rr}`, { phase: 'Completed', severity: 'critical', environmentClassification: { environment: 'production', source: 'namespace-labels' }, priorityAssignment: { priority: 'P0', source: 'score-based' }, signalMode: 'reactive' });
  await waitForObject(k, 'signalprocessing', NS, `sp-${analyzing}`);
  finishSP(analyzing);
  assert.equal((await waitForPhase(k, NS, analyzing, 'TimedOut')).status.timeoutPhase, 'Analyzing');

  const executing = createRR(k, { timeouts: { ...PATIENT, executing: '1m' } });
  const verifying = createRR(k, { timeouts: { ...PATIENT, verifying: '1m' } });
  // Each remediates a Deployment of its own, so neither waits for the other's execution (ResourceBusy).
  for (const [rr, target] of [[executing, 'timeout-executing'], [verifying, 'timeout-verifying']]) {
    k.kubectlOk(['create', 'deployment', target, '-n', NS, '--image=registry.k8s.io/pause:3.10']);
    await waitForObject(k, 'signalprocessing', NS, `sp-${rr}`);
    finishSP(rr);
    await waitForPhase(k, NS, rr, 'Analyzing');
    completeAnalysisWithWorkflow(k, NS, rr, { workflowId: `timeout-wf-${target}`, affected: { apiVersion: 'apps/v1', kind: 'Deployment', name: target, namespace: NS } });
  }
  assert.equal((await waitForPhase(k, NS, executing, 'TimedOut')).status.timeoutPhase, 'Executing');
  await waitForPhase(k, NS, verifying, 'Executing');
  patchStatus(k, 'workflowexecution', NS, `we-${verifying}`, { phase: 'Completed', completionTime: new Date().toISOString() });
  const unverified = await waitForRR(k, NS, verifying, (o) => o.status?.overallPhase === 'Completed', 'Completed after the verification deadline');
  assert.equal(unverified.status.outcome, 'VerificationTimedOut');
});
