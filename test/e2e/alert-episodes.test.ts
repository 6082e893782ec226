/**
 * The episode rule (crds.md §2.1, §12) across the Gateway and the Orchestrator of a real
 * `kubernaut up`: an analysis that finds nothing to fix suppresses re-investigation of the same
 * alert episode only. The same alert re-sent (same startsAt) is counted into the finished RR; the
 * alert resolving and firing again (a later startsAt) is a new episode and a new RR at once.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';
import { getObject, patchStatus, waitForPhase } from '../helpers/remediation.ts';

const NS = 'demo-statefulset';
const MANIFESTS = join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure/manifests');
let k: RunningKubernaut;
let gateway: string;

before(async () => {
  k = await startKubernaut({ args: ['--ephemeral', '--no-investigator', '--only-controllers', 'sp,ro', '--time-scale', '30', '--kubelet-delays', '0', '--prometheus', 'none'] });
  gateway = JSON.parse(readFileSync(join(k.dataDir, 'endpoints.json'), 'utf8')).gateway;
  k.kubectlOk(['apply', '-f', join(MANIFESTS, 'namespace.yaml'), '-f', join(MANIFESTS, 'statefulset.yaml')]);
});
after(async () => {
  await k?.stop();
});

async function sendAlert(status: 'firing' | 'resolved', startsAt: string): Promise<{ code: number; body: any }> {
  const alert = {
    status,
    labels: { alertname: 'KubernautStatefulSetReplicasMismatch', severity: 'critical', namespace: NS, statefulset: 'kv-store' },
    annotations: { summary: 'StatefulSet kv-store has fewer ready replicas than desired' },
    startsAt,
    endsAt: status === 'resolved' ? new Date().toISOString() : '0001-01-01T00:00:00Z',
  };
  const res = await fetch(`${gateway}/api/v1/signals/prometheus`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ version: '4', status, receiver: 'kubernaut', groupLabels: {}, commonLabels: {}, commonAnnotations: {}, externalURL: 'http://alertmanager', alerts: [alert] }),
  });
  return { code: res.status, body: await res.json() };
}

const rrNames = () => (JSON.parse(k.kubectlOk(['get', 'rr', '-n', NS, '-o', 'json'])).items as Array<{ metadata: { name: string } }>).map((r) => r.metadata.name).sort();

test('NoActionRequired holds for its episode only: a repeat is counted, a new episode is a new RR', async () => {
  const firstEpisode = new Date(Date.now() - 60_000).toISOString();
  const created = await sendAlert('firing', firstEpisode);
  assert.equal(created.code, 201, JSON.stringify(created.body));
  const rr1 = created.body.results?.[0]?.remediationRequest ?? created.body.remediationRequest;
  assert.ok(rr1, JSON.stringify(created.body));

  await waitForPhase(k, NS, rr1, 'Analyzing');
  patchStatus(k, 'aianalysis', NS, `ai-${rr1}`, { phase: 'Completed', reason: 'WorkflowNotNeeded', subReason: 'ProblemResolved', investigationOutcome: 'resolved', confidence: 0.9, completedAt: new Date().toISOString() });
  const finished = await waitForPhase(k, NS, rr1, 'Completed');
  assert.equal(finished.status.outcome, 'NoActionRequired');

  // The same alert, still firing (Alertmanager re-sends it every repeat_interval): counted, no second RR.
  const repeat = await sendAlert('firing', firstEpisode);
  assert.equal(repeat.code, 202, JSON.stringify(repeat.body));
  assert.deepEqual(rrNames(), [rr1]);
  assert.equal(getObject(k, 'remediationrequest', NS, rr1)!.status.deduplication.occurrenceCount, 2);

  // It resolves, then fires again: a new episode, investigated at once.
  assert.equal((await sendAlert('resolved', firstEpisode)).code, 200);
  const secondEpisode = new Date().toISOString();
  const again = await sendAlert('firing', secondEpisode);
  assert.equal(again.code, 201, JSON.stringify(again.body));
  const rr2 = again.body.results?.[0]?.remediationRequest ?? again.body.remediationRequest;
  assert.notEqual(rr2, rr1);
  assert.deepEqual(rrNames(), [rr1, rr2].sort());
  // Not held back by the first episode's suppression.
  await waitForPhase(k, NS, rr2, 'Analyzing');
});
