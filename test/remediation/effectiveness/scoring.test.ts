/**
 * The EffectivenessMonitor's pure parts, table by table: the health scoring table (every row) and
 * how pods are read into it; alert relevance and score; metric improvement ratios; the weighted
 * overall score renormalised over what was assessed; how an assessment ends; the timeline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import type { EffectivenessAssessment } from '../../../src/api/v1alpha1/index.ts';
import { alertScore, podsNamed } from '../../../src/remediation/effectiveness/alerts.ts';
import { selectorString } from '../../../src/remediation/effectiveness/cluster-reader.ts';
import { desiredReplicas, hasPods, healthScore, isLivePod, podHealth, type PodHealth } from '../../../src/remediation/effectiveness/health.ts';
import { improvementRatio, meanOfSamples, metricsScore } from '../../../src/remediation/effectiveness/metrics-score.ts';
import { assessed, endingAtDeadline, endingOnDrift, endingWhenSettled, notApplicable, overallScore, stateOf } from '../../../src/remediation/effectiveness/scoring.ts';
import { timelineOf, windowsOf } from '../../../src/remediation/effectiveness/timeline.ts';
import { deterministicUuid } from '../../../src/remediation/effectiveness/audit.ts';

const pod = (over: Partial<PodHealth> = {}): PodHealth => ({ name: 'p', ready: true, crashLooping: false, oomKilledSince: false, restartedSince: false, ...over });

test('health: every row of the scoring table, first match wins', () => {
  const rows: Array<[string, Parameters<typeof healthScore>[0], number]> = [
    ['target missing', { targetFound: false, desiredReplicas: 3, pods: [pod(), pod(), pod()] }, 0],
    ['desired replicas 0', { targetFound: true, desiredReplicas: 0, pods: [] }, 0],
    ['a pod in CrashLoopBackOff (even with the others ready)', { targetFound: true, desiredReplicas: 2, pods: [pod(), pod(), pod({ ready: false, crashLooping: true })] }, 0],
    ['0 ready', { targetFound: true, desiredReplicas: 3, pods: [pod({ ready: false }), pod({ ready: false })] }, 0],
    ['no pods at all', { targetFound: true, desiredReplicas: 1, pods: [] }, 0],
    ['partially ready', { targetFound: true, desiredReplicas: 3, pods: [pod(), pod(), pod({ ready: false })] }, 0.5],
    ['partially ready beats an OOMKill', { targetFound: true, desiredReplicas: 3, pods: [pod({ oomKilledSince: true }), pod()] }, 0.5],
    ['all ready, an OOMKill since the remediation', { targetFound: true, desiredReplicas: 2, pods: [pod({ oomKilledSince: true, restartedSince: true }), pod()] }, 0.25],
    ['all ready, restarts since the remediation', { targetFound: true, desiredReplicas: 2, pods: [pod({ restartedSince: true }), pod()] }, 0.75],
    ['all ready, no restarts', { targetFound: true, desiredReplicas: 3, pods: [pod(), pod(), pod()] }, 1],
  ];
  for (const [name, facts, score] of rows) assert.equal(healthScore(facts).score, score, name);
  assert.match(healthScore(rows[5][1]).reason, /2\/3 ready/);
});

test('health applies to workloads and pods only', () => {
  for (const kind of ['StatefulSet', 'Deployment', 'DaemonSet', 'ReplicaSet', 'Pod']) assert.ok(hasPods(kind), kind);
  for (const kind of ['PersistentVolumeClaim', 'ConfigMap', 'Node', 'Service', 'Certificate']) assert.ok(!hasPods(kind), kind);
  assert.equal(desiredReplicas('Deployment', { spec: {} }, 5), 1);
  assert.equal(desiredReplicas('StatefulSet', { spec: { replicas: 3 } }, 1), 3);
  assert.equal(desiredReplicas('DaemonSet', { status: { desiredNumberScheduled: 4 } }, 2), 4);
  assert.equal(desiredReplicas('DaemonSet', {}, 2), 2);
  assert.equal(desiredReplicas('Pod', {}, 0), 1);
});

test('pods are read into the facts relative to the remediation start', () => {
  const since = Date.parse('2026-11-26T12:00:00Z');
  const base = (status: V1Pod['status'], created = '2026-11-26T11:00:00Z'): V1Pod => ({ metadata: { name: 'kv-0', creationTimestamp: new Date(created) }, status });
  const ready = [{ type: 'Ready', status: 'True' }];
  const healthy = podHealth(base({ phase: 'Running', conditions: ready, containerStatuses: [{ name: 'kv', image: 'i', imageID: '', ready: true, restartCount: 4, lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: new Date('2026-11-26T11:30:00Z') } } }] }), since);
  assert.deepEqual(healthy, { name: 'kv-0', ready: true, crashLooping: false, oomKilledSince: false, restartedSince: false }, 'restarts before the remediation do not count');
  const oom = podHealth(base({ phase: 'Running', conditions: ready, containerStatuses: [{ name: 'kv', image: 'i', imageID: '', ready: true, restartCount: 5, lastState: { terminated: { exitCode: 137, reason: 'OOMKilled', finishedAt: new Date('2026-11-26T12:01:00Z') } } }] }), since);
  assert.ok(oom.oomKilledSince && oom.restartedSince);
  const young = podHealth(base({ phase: 'Running', conditions: ready, containerStatuses: [{ name: 'kv', image: 'i', imageID: '', ready: true, restartCount: 1 }] }, '2026-11-26T12:02:00Z'), since);
  assert.ok(young.restartedSince && !young.oomKilledSince, 'a pod born after the remediation: any restart counts');
  const crashing = podHealth(base({ phase: 'Running', containerStatuses: [{ name: 'kv', image: 'i', imageID: '', ready: false, restartCount: 3, state: { waiting: { reason: 'CrashLoopBackOff' } } }] }), since);
  assert.ok(crashing.crashLooping && !crashing.ready);
  assert.ok(!isLivePod({ metadata: { deletionTimestamp: new Date() } }));
  assert.ok(!isLivePod({ status: { phase: 'Failed' } }));
  assert.ok(isLivePod({ status: { phase: 'Pending' } }));
});

test('alerts: none relevant scores 1, a firing one 0; stale pods and other objects are ignored', () => {
  const targets = [
    { kind: 'StatefulSet', name: 'kv-store' },
    { kind: 'Pod', name: 'kv-store-2' },
  ];
  const existingPods = new Set(['kv-store-0', 'kv-store-1', 'kv-store-2']);
  const cases: Array<[string, Array<Record<string, string>>, number, number]> = [
    ['no alert', [], 1, 0],
    ['the alert about the target', [{ alertname: 'A', namespace: 'ns', statefulset: 'kv-store' }], 0, 0],
    ['an alert without target labels', [{ alertname: 'A', namespace: 'ns' }], 0, 0],
    ['an alert about a pod that no longer exists', [{ alertname: 'A', namespace: 'ns', pod: 'kv-store-2-old' }], 1, 1],
    ['an alert about a live pod', [{ alertname: 'A', namespace: 'ns', pod: 'kv-store-1' }], 0, 0],
    ['an alert about another StatefulSet', [{ alertname: 'A', namespace: 'ns', statefulset: 'other' }], 1, 1],
    ['one stale, one live', [{ alertname: 'A', pod: 'gone' }, { alertname: 'A', statefulset: 'kv-store' }], 0, 1],
  ];
  for (const [name, labels, score, ignored] of cases) {
    const v = alertScore(labels.map((l) => ({ labels: l })), { targets, existingPods });
    assert.equal(v.score, score, name);
    assert.equal(v.ignored, ignored, name);
  }
  assert.deepEqual(podsNamed([{ labels: { pod: 'a' } }, { labels: { pod: 'a' } }, { labels: {} }]), ['a']);
});

test('metrics: improvement ratios clamped to [0, 1], no data means not assessed', () => {
  assert.equal(improvementRatio(100, 50, 'lower'), 1, 'lower is better and it fell');
  assert.equal(improvementRatio(100, 100, 'lower'), 1, 'held');
  assert.equal(improvementRatio(100, 200, 'lower'), 0.5, 'doubled');
  assert.equal(improvementRatio(0, 5, 'lower'), 0, 'from nothing to something');
  assert.equal(improvementRatio(0, 0, 'lower'), 1);
  assert.equal(improvementRatio(10, 20, 'higher'), 1, 'throughput rose');
  assert.equal(improvementRatio(10, 5, 'higher'), 0.5, 'throughput halved');
  assert.equal(improvementRatio(10, 0, 'higher'), 0);
  assert.equal(improvementRatio(Number.NaN, 1, 'lower'), 0);
  for (const [b, a] of [[1, 1e9], [1e9, 1], [3, 7]]) {
    for (const better of ['lower', 'higher'] as const) {
      const r = improvementRatio(b, a, better);
      assert.ok(r >= 0 && r <= 1, `${b} -> ${a} ${better}: ${r}`);
    }
  }
  const v = metricsScore([
    { name: 'cpu', better: 'lower', before: 1, after: 2 },
    { name: 'memory', better: 'lower', before: 100, after: 90 },
    { name: 'latency_p95', better: 'lower', before: 0.2 },
    { name: 'throughput', better: 'higher' },
  ]);
  assert.deepEqual(v, { score: 0.75, ratios: { cpu: 0.5, memory: 1 } });
  assert.deepEqual(metricsScore([{ name: 'cpu', better: 'lower' }]), { score: null, ratios: {} });
  assert.equal(meanOfSamples([{ values: [[1, '1'], [2, '3'], [3, 'NaN']] }]), 2);
  assert.equal(meanOfSamples([]), undefined);
});

test('overall score: weights 0.40/0.35/0.25 renormalised over the assessed components', () => {
  assert.equal(overallScore({ health: 1, alert: 1, metrics: 1 }), 1);
  assert.equal(overallScore({ health: 1, alert: 0, metrics: 1 }), 0.65);
  assert.equal(overallScore({ health: 0.5, alert: 1 }), Math.round(((0.4 * 0.5 + 0.35) / 0.75) * 10_000) / 10_000);
  assert.equal(overallScore({ alert: 0 }), 0);
  assert.equal(overallScore({ metrics: 0.5 }), 0.5);
  assert.equal(overallScore({ health: 0.75, metrics: 0.5 }), Math.round(((0.4 * 0.75 + 0.25 * 0.5) / 0.65) * 10_000) / 10_000);
  assert.equal(overallScore({}), undefined);
});

test('endings: settled → full; deadline → partial, metrics_timed_out or expired; drift forces 0', () => {
  let c = assessed(undefined, 'health', 1);
  assert.equal(stateOf(c, 'health'), 'assessed');
  assert.equal(stateOf(c, 'alert'), 'pending');
  assert.equal(endingWhenSettled(c), undefined, 'alert and metrics still pending');
  c = notApplicable(assessed(c, 'alert', 1), 'metrics');
  assert.equal(stateOf(c, 'metrics'), 'notApplicable');
  assert.deepEqual(endingWhenSettled(c), { reason: 'full', score: 1 });
  assert.deepEqual(endingWhenSettled(notApplicable(notApplicable(notApplicable(undefined, 'health'), 'alert'), 'metrics')), { reason: 'partial' });

  assert.deepEqual(endingAtDeadline(assessed(assessed(undefined, 'health', 1), 'alert', 0)), { reason: 'metrics_timed_out', score: Math.round((0.4 / 0.75) * 10_000) / 10_000 });
  assert.deepEqual(endingAtDeadline(assessed(undefined, 'health', 1)), { reason: 'partial', score: 1 });
  assert.deepEqual(endingAtDeadline(notApplicable(undefined, 'health')), { reason: 'expired' });
  assert.deepEqual(endingAtDeadline(undefined), { reason: 'expired' });
  assert.deepEqual(endingOnDrift(), { reason: 'spec_drift', score: 0 });
});

const ea = (config: NonNullable<EffectivenessAssessment['spec']['config']> | undefined, signalMode?: 'reactive' | 'proactive'): EffectivenessAssessment => ({
  spec: {
    remediationRequestRef: { name: 'rr', namespace: 'ns' },
    correlationID: 'rr',
    signalTarget: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv', namespace: 'ns' },
    remediationTarget: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv', namespace: 'ns' },
    ...(config ? { config } : {}),
    ...(signalMode ? { signalMode } : {}),
  },
});

test('timeline: the windows of §6 with their defaults, bounds and anchor', () => {
  const plain = { gitOpsManaged: false, customResource: false };
  assert.deepEqual(windowsOf(ea(undefined), plain), { hashComputeDelayMs: 0, stabilizationWindowMs: 300_000, validityWindowMs: 1_800_000, alertCheckDelayMs: 0 });
  assert.equal((windowsOf(ea(undefined), { gitOpsManaged: true, customResource: true }) as { hashComputeDelayMs: number }).hashComputeDelayMs, 180_000);
  assert.equal((windowsOf(ea(undefined), { gitOpsManaged: false, customResource: true }) as { hashComputeDelayMs: number }).hashComputeDelayMs, 60_000);
  assert.equal((windowsOf(ea(undefined, 'proactive'), plain) as { alertCheckDelayMs: number }).alertCheckDelayMs, 300_000);
  assert.equal((windowsOf(ea({ hashComputeDelay: '0s' }), { gitOpsManaged: true, customResource: false }) as { hashComputeDelayMs: number }).hashComputeDelayMs, 0, 'the spec wins');
  assert.match((windowsOf(ea({ stabilizationWindow: '10s' }), plain) as { error: string }).error, /stabilizationWindow must be between 30s and 3600s/);
  assert.match((windowsOf(ea({ validityWindow: '25h' }), plain) as { error: string }).error, /validityWindow/);

  const w = { hashComputeDelayMs: 60_000, stabilizationWindowMs: 300_000, validityWindowMs: 1_800_000, alertCheckDelayMs: 300_000 };
  const t0 = Date.parse('2026-11-26T12:00:00Z');
  assert.deepEqual(timelineOf(t0, w, (ms) => ms), { createdAt: t0, anchor: t0 + 60_000, stabilizedAt: t0 + 360_000, alertCheckAfter: t0 + 660_000, validityDeadline: t0 + 1_800_000 });
  assert.deepEqual(timelineOf(t0, w, (ms) => ms / 60), { createdAt: t0, anchor: t0 + 1_000, stabilizedAt: t0 + 6_000, alertCheckAfter: t0 + 11_000, validityDeadline: t0 + 30_000 }, 'scaled by the clock');
});

test('selectors and event ids', () => {
  assert.equal(selectorString({ matchLabels: { app: 'kv' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['a', 'b'] }, { key: 'x', operator: 'Exists' }, { key: 'y', operator: 'DoesNotExist' }] }), 'app=kv,tier in (a,b),x,!y');
  assert.equal(selectorString({}), undefined);
  assert.equal(selectorString(undefined), undefined);
  const id = deterministicUuid('a', 'b');
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.equal(id, deterministicUuid('a', 'b'));
  assert.notEqual(id, deterministicUuid('a', 'c'));
});
