/**
 * The API server refusing a RemediationRequest as invalid (422, 400) is a permanent answer: the
 * signal is rejected with reason `invalid`. A 5xx stays a failure, so the sender retries.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiException } from '@kubernetes/client-node';
import { ScaledClock } from '../../src/platform/clock.ts';
import { componentLogger } from '../../src/platform/log.ts';
import { SignalPipeline, type SignalPipelineDeps } from '../../src/gateway/signal-pipeline.ts';
import type { NormalizedSignal } from '../../src/gateway/signal.ts';
import { CollectingAuditSink } from './fixtures.ts';

const deployment = { kind: 'Deployment', name: 'web', namespace: 'shop', apiVersion: 'apps/v1' };

function pipelineWhoseCreateAnswers(code: number, audit: CollectingAuditSink): SignalPipeline {
  const managed = { ref: deployment, labels: { 'kubernaut.ai/managed': 'true' } };
  const deps = {
    clock: new ScaledClock(1),
    log: componentLogger('test'),
    audit,
    controllerNamespace: 'kubernaut-system',
    objects: { ownerChain: async () => ({ target: managed, chain: [managed], root: managed }), namespaceLabels: async () => ({}) },
    locks: { tryAcquire: async () => ({ release: async () => {} }) },
    remediationRequests: {
      findActive: async () => undefined,
      create: async () => {
        // client-node hands the Status document over as its JSON text.
        throw new ApiException(code, 'refused', JSON.stringify({ kind: 'Status', message: `RemediationRequest is invalid (HTTP ${code})` }), {});
      },
    },
  } as unknown as SignalPipelineDeps;
  return new SignalPipeline(deps);
}

const signal: NormalizedSignal = {
  source: 'prometheus', name: 'KubeDeploymentReplicasMismatch', severity: 'critical', target: deployment,
  firingTime: new Date(), labels: { alertname: 'KubeDeploymentReplicasMismatch' }, annotations: {}, originalPayload: '{}',
};

for (const code of [422, 400]) {
  test(`an RR create answered ${code} rejects the signal as invalid, audited`, async () => {
    const audit = new CollectingAuditSink();
    const outcome = await pipelineWhoseCreateAnswers(code, audit).process(signal, new Date());
    assert.equal(outcome.status, 'rejected');
    assert.equal(outcome.status === 'rejected' && outcome.reason, 'invalid');
    assert.match(outcome.status === 'rejected' ? outcome.message : '', new RegExp(`RemediationRequest is invalid \\(HTTP ${code}\\)`));
    assert.equal(audit.ofType('gateway.signal.rejected').length, 1);
  });
}

test('an RR create answered 500 stays a failure (the sender retries)', async () => {
  await assert.rejects(pipelineWhoseCreateAnswers(500, new CollectingAuditSink()).process(signal, new Date()));
});
