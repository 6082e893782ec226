/** Which resource an alert is about: priority order, monitoring-stack labels skipped, namespaces. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { targetFromLabels } from '../../src/gateway/target-from-labels.ts';
import { alertmanagerSignals } from '../../src/gateway/adapters/alertmanager.ts';

const KSM_SCRAPE_LABELS = { pod: 'kube-state-metrics-6d8f9b7c4-x2x9z', service: 'kube-state-metrics', instance: '10.244.0.5:8080', job: 'kube-state-metrics', container: 'kube-state-metrics' };

test('the reference alert targets the StatefulSet, not kube-state-metrics\' own pod or service', () => {
  assert.deepEqual(targetFromLabels({ alertname: 'KubernautStatefulSetReplicasMismatch', statefulset: 'kv-store', namespace: 'demo-statefulset', ...KSM_SCRAPE_LABELS }),
    { kind: 'StatefulSet', name: 'kv-store', namespace: 'demo-statefulset', apiVersion: 'apps/v1' });
});

test('labels are taken in the fixed priority order', () => {
  const all = { namespace: 'ns', pod: 'p-1', cronjob: 'cj', job_name: 'j', service: 's', node: 'n', replicaset: 'rs', daemonset: 'ds', statefulset: 'ss', deployment: 'd', persistentvolumeclaim: 'pvc', poddisruptionbudget: 'pdb', horizontalpodautoscaler: 'hpa' };
  const order = ['horizontalpodautoscaler', 'poddisruptionbudget', 'persistentvolumeclaim', 'deployment', 'statefulset', 'daemonset', 'replicaset', 'node', 'service', 'job_name', 'cronjob', 'pod'];
  const kinds = ['HorizontalPodAutoscaler', 'PodDisruptionBudget', 'PersistentVolumeClaim', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Node', 'Service', 'Job', 'CronJob', 'Pod'];
  const labels: Record<string, string> = { ...all };
  for (let i = 0; i < order.length; i++) {
    assert.equal(targetFromLabels(labels)?.kind, kinds[i], `with ${Object.keys(labels).join(',')}`);
    delete labels[order[i]];
  }
  assert.equal(targetFromLabels(labels), undefined);
});

test('a node is cluster-scoped; a namespaced kind without a namespace names nothing', () => {
  assert.deepEqual(targetFromLabels({ node: 'kind-worker', instance: 'kind-worker:9100', job: 'node-exporter' }), { kind: 'Node', name: 'kind-worker', namespace: '', apiVersion: 'v1' });
  assert.equal(targetFromLabels({ deployment: 'web' }), undefined);
});

test('exported_* labels are the metric\'s own and win over the scrape target\'s', () => {
  assert.deepEqual(targetFromLabels({ namespace: 'monitoring', exported_namespace: 'shop', exported_pod: 'checkout-1', pod: 'prometheus-0' }),
    { kind: 'Pod', name: 'checkout-1', namespace: 'shop', apiVersion: 'v1' });
});

test('monitoring-stack pods, services and scrape jobs are skipped, application ones are not', () => {
  assert.equal(targetFromLabels({ namespace: 'monitoring', ...KSM_SCRAPE_LABELS }), undefined);
  assert.equal(targetFromLabels({ namespace: 'monitoring', pod: 'alertmanager-main-0', service: 'alertmanager-operated', job: 'alertmanager' }), undefined);
  assert.equal(targetFromLabels({ namespace: 'monitoring', pod: 'prometheus-k8s-0' }), undefined);
  assert.deepEqual(targetFromLabels({ namespace: 'shop', pod: 'checkout-7c9-abcde', container: 'checkout', job: 'kubernetes-pods' }),
    { kind: 'Pod', name: 'checkout-7c9-abcde', namespace: 'shop', apiVersion: 'v1' });
  assert.deepEqual(targetFromLabels({ namespace: 'batch', job_name: 'nightly-report', job: 'kube-state-metrics' }),
    { kind: 'Job', name: 'nightly-report', namespace: 'batch', apiVersion: 'batch/v1' });
  // The scrape job is never a Kubernetes Job, and hints a scraper pod named after it.
  assert.deepEqual(targetFromLabels({ namespace: 'shop', pod: 'checkout-1', job: 'checkout-metrics' }), { kind: 'Pod', name: 'checkout-1', namespace: 'shop', apiVersion: 'v1' });
  assert.equal(targetFromLabels({ namespace: 'monitoring', pod: 'kube-state-metrics-abc', job: 'kube-state-metrics' }), undefined);
});

test('every alert of a webhook batch becomes its own signal', () => {
  const now = new Date();
  const signals = alertmanagerSignals({
    version: '4',
    alerts: [
      { status: 'firing', labels: { alertname: 'A', deployment: 'web', namespace: 'shop', severity: 'critical' }, annotations: {}, startsAt: '2026-01-01T00:00:00.123456789Z' },
      { status: 'resolved', labels: { alertname: 'B', statefulset: 'db', namespace: 'shop' }, startsAt: '2026-01-01T00:00:00+02:00', endsAt: '2026-01-01T01:00:00Z' },
    ],
  }, now);
  assert.deepEqual(signals.map((s) => [s.firing, s.signal.name, s.signal.severity, s.signal.target?.kind]), [[true, 'A', 'critical', 'Deployment'], [false, 'B', 'unknown', 'StatefulSet']]);
  assert.equal(signals[1].signal.firingTime.toISOString(), '2025-12-31T22:00:00.000Z');
});
