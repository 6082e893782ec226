// Matching and scoring rules of workflow-schema.md §4, on the parsed incident context.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDiscoveryQuery, type IncidentContext } from '../../../src/datastorage/workflows/context.ts';
import { matchesContext, rankWorkflows, scoreWorkflow, type MatchableWorkflow } from '../../../src/datastorage/workflows/matching.ts';

function ctx(query: Record<string, unknown>): IncidentContext {
  const r = parseDiscoveryQuery(Object.fromEntries(Object.entries(query).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)])));
  assert.ok(r.ok, JSON.stringify(!r.ok && r.errors));
  return r.context;
}

const anyLabels = { severity: '*', environment: '*', component: '*', priority: '*' } as MatchableWorkflow['labels'];
const wf = (workflowId: string, extra: Partial<MatchableWorkflow> = {}): MatchableWorkflow => ({ workflowId, labels: anyLabels, ...extra });

const reference = wf('fix-statefulset-pvc-v1', {
  labels: { severity: ['critical', 'high'], environment: ['production', 'staging'], component: 'StatefulSet', priority: '*' },
  detectedLabels: { stateful: 'true' },
});

test('the reference incident matches the reference workflow with score 0.502', () => {
  const c = ctx({ severity: 'critical', component: 'StatefulSet', environment: 'production', detected_labels: { stateful: true } });
  assert.equal(matchesContext(reference, c), true);
  assert.deepEqual(scoreWorkflow(reference, c), { score: 0.502, explanation: ['base 5.0', '+0.02 detected stateful matches'] });
});

test('label dimensions: value lists, wildcards, Kind comparison, omitted dimensions', () => {
  assert.equal(matchesContext(reference, ctx({ severity: 'medium' })), false);
  assert.equal(matchesContext(reference, ctx({ environment: 'development' })), false);
  assert.equal(matchesContext(reference, ctx({ component: 'Deployment' })), false);
  assert.equal(matchesContext(reference, ctx({ component: 'apps/v1/statefulset' })), true);
  assert.equal(matchesContext(reference, ctx({ priority: 'P3' })), true);
  assert.equal(matchesContext(reference, ctx({})), true);
  const gvk = wf('gvk', { labels: { ...anyLabels, component: ['apps/v1/Deployment', 'DaemonSet'], priority: ['P0', 'P1'] } });
  assert.equal(matchesContext(gvk, ctx({ component: 'deployment' })), true);
  assert.equal(matchesContext(gvk, ctx({ component: 'DaemonSet', priority: 'P2' })), false);
  assert.equal(matchesContext(wf('single', { labels: { ...anyLabels, priority: 'P1' } }), ctx({ priority: 'P1' })), true);
});

test('detected labels: true in the incident excludes "false", false imposes nothing, failed detections are ignored', () => {
  const noPdb = wf('no-pdb', { detectedLabels: { pdbProtected: 'false' } });
  assert.equal(matchesContext(noPdb, ctx({ detected_labels: { pdbProtected: true } })), false);
  assert.equal(matchesContext(noPdb, ctx({ detected_labels: { pdbProtected: 'false' } })), true);
  assert.equal(matchesContext(noPdb, ctx({ detected_labels: { pdbProtected: true, failedDetections: ['pdbProtected'] } })), true);
  assert.equal(matchesContext(reference, ctx({ detected_labels: { stateful: false } })), true);
  assert.equal(scoreWorkflow(reference, ctx({ detected_labels: { stateful: false } })).score, 0.5);

  const istio = wf('istio', { detectedLabels: { serviceMesh: 'istio' } });
  assert.equal(matchesContext(istio, ctx({ detected_labels: { serviceMesh: 'linkerd' } })), false);
  assert.equal(matchesContext(istio, ctx({ detected_labels: { serviceMesh: '' } })), true);
  assert.equal(matchesContext(wf('mesh-any', { detectedLabels: { serviceMesh: '*' } }), ctx({ detected_labels: { serviceMesh: 'linkerd' } })), true);
});

test('boosts, custom labels and penalties add up as in §4.3, capped at 1.0', () => {
  const everything = wf('everything', {
    detectedLabels: { gitOpsManaged: 'true', gitOpsTool: 'argocd', pdbProtected: 'true', serviceMesh: '*', networkIsolated: 'true', helmManaged: 'true', stateful: 'true', hpaEnabled: 'true' },
  });
  const c = ctx({
    detected_labels: { gitOpsManaged: true, gitOpsTool: 'argocd', pdbProtected: true, serviceMesh: 'istio', networkIsolated: true, helmManaged: true, stateful: true, hpaEnabled: true },
  });
  // 5 + .10 + .10 + .05 + .025 + .03 + .02 * 3 = 5.365 -> 0.5365 -> 0.537 (half up)
  assert.equal(scoreWorkflow(everything, c).score, 0.537);

  const custom = wf('custom', { customLabels: { team: ['payments', 'search'], tier: '*' } });
  const cc = ctx({ custom_labels: { team: ['payments', 'search', 'ads'], tier: ['gold'], region: ['eu'] } });
  // 5 + .15 + .15 + .075 = 5.375
  assert.equal(scoreWorkflow(custom, cc).score, 0.538);
  const many = wf('many', { customLabels: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, ['v']])) });
  const manyCtx = ctx({ custom_labels: Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`k${i}`, ['v']])) });
  assert.equal(scoreWorkflow(many, manyCtx).score, 1);

  const penalised = scoreWorkflow(wf('plain'), ctx({ detected_labels: { gitOpsManaged: true, gitOpsTool: 'flux' } }));
  assert.equal(penalised.score, 0.48);
  assert.equal(penalised.explanation.filter((l) => l.startsWith('-0.1 ')).length, 2);
});

test('ranking: score descending, then workflow id ascending; non-matching dropped', () => {
  const c = ctx({ detected_labels: { stateful: true, hpaEnabled: true } });
  const ranked = rankWorkflows(
    [wf('b-plain'), wf('a-plain'), wf('stateful', { detectedLabels: { stateful: 'true' } }), wf('both', { detectedLabels: { stateful: 'true', hpaEnabled: 'true' } }), wf('no-hpa', { detectedLabels: { hpaEnabled: 'false' } })],
    c,
  );
  assert.deepEqual(
    ranked.map((r) => [r.item.workflowId, r.score]),
    [['both', 0.504], ['stateful', 0.502], ['a-plain', 0.5], ['b-plain', 0.5]],
  );
});
