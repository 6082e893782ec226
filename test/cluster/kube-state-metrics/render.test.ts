import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject } from '../../../src/cluster/core/types.ts';
import { FAMILIES, emptySnapshot, renderMetrics, type ClusterSnapshot } from '../../../src/cluster/kube-state-metrics/render.ts';
import { findSamples, parseExposition, sampleValue } from '../../helpers/prometheus-text.ts';

const find = findSamples;
const valueOf = sampleValue;

// ---------------------------------------------------------------------------
// Fixtures
// ---------------------------------------------------------------------------

function snapshot(partial: Partial<ClusterSnapshot>): ClusterSnapshot {
  return { ...emptySnapshot(), ...partial };
}

const kvStore: KubeObject = {
  apiVersion: 'apps/v1',
  kind: 'StatefulSet',
  metadata: { name: 'kv-store', namespace: 'demo-statefulset', uid: 'sts-1', generation: 4 },
  spec: { replicas: 3 },
  status: { replicas: 3, readyReplicas: 2, currentReplicas: 3, updatedReplicas: 1, availableReplicas: 2, observedGeneration: 3 },
};

function pod(name: string, ns: string, status: Record<string, any>, extra: Partial<KubeObject['metadata']> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: ns, uid: `uid-${name}`, ...extra },
    spec: { nodeName: 'node-a', containers: [{ name: 'app', image: 'x' }] },
    status,
  };
}

const cond = (type: string, status: string) => ({ type, status });
const rsOwner = { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d8f', uid: 'rs-1', controller: true };

const pendingPod = pod('pending-0', 'demo', { phase: 'Pending', conditions: [cond('PodScheduled', 'False')] });
const runningPod = pod(
  'web-5d8f-abcde',
  'demo',
  {
    phase: 'Running',
    hostIP: '10.0.0.1',
    podIP: '10.244.0.5',
    conditions: [cond('PodScheduled', 'True'), cond('Ready', 'True')],
    containerStatuses: [{ name: 'app', ready: true, restartCount: 0, state: { running: { startedAt: '2024-01-01T00:00:00Z' } } }],
  },
  { ownerReferences: [rsOwner] },
);
const crashPod = pod('crash-1', 'demo', {
  phase: 'Running',
  conditions: [cond('PodScheduled', 'True'), cond('Ready', 'False')],
  containerStatuses: [
    {
      name: 'app',
      ready: false,
      restartCount: 7,
      state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container' } },
      lastState: { terminated: { reason: 'Error', exitCode: 1 } },
    },
  ],
});
const oomPod = pod('oom-2', 'demo', {
  phase: 'Running',
  conditions: [cond('PodScheduled', 'True'), cond('Ready', 'False')],
  containerStatuses: [{ name: 'app', ready: false, restartCount: 1, state: { terminated: { reason: 'OOMKilled', exitCode: 137 } } }],
});

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

test('statefulset families carry namespace/statefulset labels and status values', async () => {
  const text = await renderMetrics(snapshot({ statefulSets: [kvStore] }));
  assert.match(text, /^kube_statefulset_status_replicas_ready\{namespace="demo-statefulset",statefulset="kv-store"\} 2$/m);
  assert.match(text, /^kube_statefulset_status_replicas\{namespace="demo-statefulset",statefulset="kv-store"\} 3$/m);
  const p = parseExposition(text);
  const id = { namespace: 'demo-statefulset', statefulset: 'kv-store' };
  assert.equal(valueOf(p, 'kube_statefulset_replicas', id), 3);
  assert.equal(valueOf(p, 'kube_statefulset_status_replicas_current', id), 3);
  assert.equal(valueOf(p, 'kube_statefulset_status_replicas_updated', id), 1);
  assert.equal(valueOf(p, 'kube_statefulset_status_replicas_available', id), 2);
  assert.equal(valueOf(p, 'kube_statefulset_status_observed_generation', id), 3);
  assert.equal(valueOf(p, 'kube_statefulset_metadata_generation', id), 4);
});

test('missing status fields read as 0 and missing spec.replicas defaults to 1', async () => {
  const fresh: KubeObject = { metadata: { name: 'new', namespace: 'ns' }, spec: {} };
  const p = parseExposition(await renderMetrics(snapshot({ statefulSets: [fresh], deployments: [fresh] })));
  assert.equal(valueOf(p, 'kube_statefulset_replicas', { statefulset: 'new' }), 1);
  assert.equal(valueOf(p, 'kube_statefulset_status_replicas_ready', { statefulset: 'new' }), 0);
  assert.equal(valueOf(p, 'kube_deployment_spec_replicas', { deployment: 'new' }), 1);
  assert.equal(valueOf(p, 'kube_deployment_status_replicas_unavailable', { deployment: 'new' }), 0);
});

test('pod phase: one series per phase, exactly one set', async () => {
  const p = parseExposition(await renderMetrics(snapshot({ pods: [pendingPod, runningPod] })));
  const pending = find(p, 'kube_pod_status_phase', { pod: 'pending-0' });
  assert.deepEqual(pending.map((s) => s.labels.phase).sort(), ['Failed', 'Pending', 'Running', 'Succeeded', 'Unknown']);
  assert.deepEqual(pending.filter((s) => s.value === 1).map((s) => s.labels.phase), ['Pending']);
  assert.equal(valueOf(p, 'kube_pod_status_phase', { pod: 'web-5d8f-abcde', phase: 'Running' }), 1);
  assert.equal(valueOf(p, 'kube_pod_status_phase', { pod: 'web-5d8f-abcde', phase: 'Pending' }), 0);
  assert.equal(pending[0].labels.uid, 'uid-pending-0');
});

test('pod scheduled/ready conditions expand to true/false/unknown', async () => {
  const p = parseExposition(await renderMetrics(snapshot({ pods: [pendingPod, runningPod, crashPod] })));
  assert.equal(valueOf(p, 'kube_pod_status_scheduled', { pod: 'pending-0', condition: 'false' }), 1);
  assert.equal(valueOf(p, 'kube_pod_status_scheduled', { pod: 'pending-0', condition: 'true' }), 0);
  assert.equal(find(p, 'kube_pod_status_ready', { pod: 'pending-0' }).length, 0, 'no Ready condition yet: no series');
  assert.equal(valueOf(p, 'kube_pod_status_ready', { pod: 'web-5d8f-abcde', condition: 'true' }), 1);
  assert.equal(valueOf(p, 'kube_pod_status_ready', { pod: 'crash-1', condition: 'false' }), 1);
  assert.equal(valueOf(p, 'kube_pod_status_ready', { pod: 'crash-1', condition: 'unknown' }), 0);
});

test('pod info and owner', async () => {
  const p = parseExposition(await renderMetrics(snapshot({ pods: [pendingPod, runningPod] })));
  const [info] = find(p, 'kube_pod_info', { pod: 'web-5d8f-abcde' });
  assert.equal(info.value, 1);
  assert.deepEqual(
    { node: info.labels.node, host_ip: info.labels.host_ip, pod_ip: info.labels.pod_ip, k: info.labels.created_by_kind, n: info.labels.created_by_name },
    { node: 'node-a', host_ip: '10.0.0.1', pod_ip: '10.244.0.5', k: 'ReplicaSet', n: 'web-5d8f' },
  );
  assert.equal(valueOf(p, 'kube_pod_owner', { pod: 'web-5d8f-abcde', owner_kind: 'ReplicaSet', owner_name: 'web-5d8f', owner_is_controller: 'true' }), 1);
  assert.equal(valueOf(p, 'kube_pod_owner', { pod: 'pending-0', owner_kind: '<none>', owner_name: '<none>', owner_is_controller: '<none>' }), 1);
});

test('CrashLoopBackOff container: waiting reason, last terminated reason, restarts counter', async () => {
  const p = parseExposition(await renderMetrics(snapshot({ pods: [crashPod] })));
  assert.equal(p.types.get('kube_pod_container_status_restarts_total'), 'counter');
  const id = { namespace: 'demo', pod: 'crash-1', container: 'app' };
  assert.equal(valueOf(p, 'kube_pod_container_status_restarts_total', id), 7);
  assert.equal(valueOf(p, 'kube_pod_container_status_waiting', id), 1);
  assert.equal(valueOf(p, 'kube_pod_container_status_running', id), 0);
  assert.equal(valueOf(p, 'kube_pod_container_status_ready', id), 0);
  assert.deepEqual(find(p, 'kube_pod_container_status_waiting_reason', id).map((s) => [s.labels.reason, s.value]), [['CrashLoopBackOff', 1]]);
  assert.deepEqual(find(p, 'kube_pod_container_status_last_terminated_reason', id).map((s) => [s.labels.reason, s.value]), [['Error', 1]]);
  assert.equal(find(p, 'kube_pod_container_status_terminated_reason', id).length, 0);
});

test('OOMKilled container: terminated reason only; running container: no reason series', async () => {
  const p = parseExposition(await renderMetrics(snapshot({ pods: [oomPod, runningPod] })));
  const oom = { pod: 'oom-2', container: 'app' };
  assert.deepEqual(find(p, 'kube_pod_container_status_terminated_reason', oom).map((s) => [s.labels.reason, s.value]), [['OOMKilled', 1]]);
  assert.equal(valueOf(p, 'kube_pod_container_status_waiting', oom), 0);
  assert.equal(find(p, 'kube_pod_container_status_waiting_reason', oom).length, 0);
  const web = { pod: 'web-5d8f-abcde', container: 'app' };
  assert.equal(valueOf(p, 'kube_pod_container_status_running', web), 1);
  assert.equal(valueOf(p, 'kube_pod_container_status_ready', web), 1);
  assert.equal(find(p, 'kube_pod_container_status_waiting_reason', web).length, 0);
  assert.equal(find(p, 'kube_pod_container_status_terminated_reason', web).length, 0);
  assert.equal(find(p, 'kube_pod_container_status_last_terminated_reason', web).length, 0);
});

test('PVC phases and info; PV phase and claim ref', async () => {
  const pvc = (name: string, phase: string, extra: Record<string, any> = {}): KubeObject => ({
    metadata: { name, namespace: 'data' },
    spec: { storageClassName: 'standard', ...extra },
    status: { phase },
  });
  const pv: KubeObject = {
    metadata: { name: 'pv-1' },
    spec: { claimRef: { kind: 'PersistentVolumeClaim', namespace: 'data', name: 'bound-claim' } },
    status: { phase: 'Bound' },
  };
  const released: KubeObject = { metadata: { name: 'pv-0' }, spec: {}, status: { phase: 'Released' } };
  const p = parseExposition(
    await renderMetrics(
      snapshot({
        persistentVolumeClaims: [pvc('lost-claim', 'Lost'), pvc('bound-claim', 'Bound', { volumeName: 'pv-1' }), pvc('pending-claim', 'Pending')],
        persistentVolumes: [pv, released],
      }),
    ),
  );
  for (const [name, phase] of [['lost-claim', 'Lost'], ['bound-claim', 'Bound'], ['pending-claim', 'Pending']]) {
    const series = find(p, 'kube_persistentvolumeclaim_status_phase', { namespace: 'data', persistentvolumeclaim: name });
    assert.deepEqual(series.map((s) => s.labels.phase).sort(), ['Bound', 'Lost', 'Pending']);
    assert.deepEqual(series.filter((s) => s.value === 1).map((s) => s.labels.phase), [phase]);
  }
  const [info] = find(p, 'kube_persistentvolumeclaim_info', { persistentvolumeclaim: 'bound-claim' });
  assert.deepEqual([info.labels.storageclass, info.labels.volumename], ['standard', 'pv-1']);
  assert.equal(valueOf(p, 'kube_persistentvolume_status_phase', { persistentvolume: 'pv-1', phase: 'Bound' }), 1);
  assert.equal(valueOf(p, 'kube_persistentvolume_status_phase', { persistentvolume: 'pv-0', phase: 'Released' }), 1);
  assert.equal(find(p, 'kube_persistentvolume_status_phase', { persistentvolume: 'pv-0' }).length, 5);
  assert.equal(valueOf(p, 'kube_persistentvolume_claim_ref', { persistentvolume: 'pv-1', name: 'bound-claim', claim_namespace: 'data' }), 1);
  assert.equal(find(p, 'kube_persistentvolume_claim_ref', { persistentvolume: 'pv-0' }).length, 0);
});

test('deployments, replicasets, daemonsets, jobs, HPAs, PDBs', async () => {
  const meta = (name: string) => ({ name, namespace: 'apps', generation: 2 });
  const p = parseExposition(
    await renderMetrics(
      snapshot({
        deployments: [{ metadata: meta('web'), spec: { replicas: 3 }, status: { replicas: 3, availableReplicas: 2, unavailableReplicas: 1, updatedReplicas: 3, observedGeneration: 2 } }],
        replicaSets: [{ metadata: meta('web-5d8f'), spec: { replicas: 3 }, status: { readyReplicas: 2 } }],
        daemonSets: [{ metadata: meta('agent'), status: { desiredNumberScheduled: 4, numberReady: 3 } }],
        jobs: [{ metadata: meta('migrate'), status: { succeeded: 1, failed: 2, active: 0 } }],
        horizontalPodAutoscalers: [{ metadata: meta('web'), spec: { maxReplicas: 10 }, status: { currentReplicas: 3, desiredReplicas: 5 } }],
        podDisruptionBudgets: [{ metadata: meta('web'), status: { currentHealthy: 3, desiredHealthy: 2, disruptionsAllowed: 1, expectedPods: 3 } }],
      }),
    ),
  );
  const d = { namespace: 'apps', deployment: 'web' };
  assert.equal(valueOf(p, 'kube_deployment_spec_replicas', d), 3);
  assert.equal(valueOf(p, 'kube_deployment_status_replicas', d), 3);
  assert.equal(valueOf(p, 'kube_deployment_status_replicas_available', d), 2);
  assert.equal(valueOf(p, 'kube_deployment_status_replicas_unavailable', d), 1);
  assert.equal(valueOf(p, 'kube_deployment_status_replicas_updated', d), 3);
  assert.equal(valueOf(p, 'kube_deployment_status_observed_generation', d), 2);
  assert.equal(valueOf(p, 'kube_deployment_metadata_generation', d), 2);
  assert.equal(valueOf(p, 'kube_replicaset_spec_replicas', { replicaset: 'web-5d8f' }), 3);
  assert.equal(valueOf(p, 'kube_replicaset_status_ready_replicas', { replicaset: 'web-5d8f' }), 2);
  assert.equal(valueOf(p, 'kube_daemonset_status_desired_number_scheduled', { daemonset: 'agent' }), 4);
  assert.equal(valueOf(p, 'kube_daemonset_status_number_ready', { daemonset: 'agent' }), 3);
  assert.equal(valueOf(p, 'kube_job_status_succeeded', { namespace: 'apps', job_name: 'migrate' }), 1);
  assert.equal(valueOf(p, 'kube_job_status_failed', { job_name: 'migrate' }), 2);
  assert.equal(valueOf(p, 'kube_job_status_active', { job_name: 'migrate' }), 0);
  const h = { namespace: 'apps', horizontalpodautoscaler: 'web' };
  assert.equal(valueOf(p, 'kube_horizontalpodautoscaler_spec_min_replicas', h), 1);
  assert.equal(valueOf(p, 'kube_horizontalpodautoscaler_spec_max_replicas', h), 10);
  assert.equal(valueOf(p, 'kube_horizontalpodautoscaler_status_current_replicas', h), 3);
  assert.equal(valueOf(p, 'kube_horizontalpodautoscaler_status_desired_replicas', h), 5);
  const b = { namespace: 'apps', poddisruptionbudget: 'web' };
  assert.equal(valueOf(p, 'kube_poddisruptionbudget_status_current_healthy', b), 3);
  assert.equal(valueOf(p, 'kube_poddisruptionbudget_status_desired_healthy', b), 2);
  assert.equal(valueOf(p, 'kube_poddisruptionbudget_status_pod_disruptions_allowed', b), 1);
  assert.equal(valueOf(p, 'kube_poddisruptionbudget_status_expected_pods', b), 3);
});

test('node conditions, unschedulable, namespace phase', async () => {
  const p = parseExposition(
    await renderMetrics(
      snapshot({
        nodes: [
          { metadata: { name: 'node-a' }, spec: { unschedulable: true }, status: { conditions: [cond('Ready', 'True'), cond('MemoryPressure', 'Unknown')] } },
          { metadata: { name: 'node-b' }, spec: {}, status: {} },
        ],
        namespaces: [{ metadata: { name: 'demo' }, status: { phase: 'Terminating' } }, { metadata: { name: 'default' } }],
      }),
    ),
  );
  assert.equal(valueOf(p, 'kube_node_status_condition', { node: 'node-a', condition: 'Ready', status: 'true' }), 1);
  assert.equal(valueOf(p, 'kube_node_status_condition', { node: 'node-a', condition: 'Ready', status: 'false' }), 0);
  assert.equal(valueOf(p, 'kube_node_status_condition', { node: 'node-a', condition: 'MemoryPressure', status: 'unknown' }), 1);
  assert.equal(valueOf(p, 'kube_node_spec_unschedulable', { node: 'node-a' }), 1);
  assert.equal(valueOf(p, 'kube_node_spec_unschedulable', { node: 'node-b' }), 0);
  assert.equal(valueOf(p, 'kube_namespace_status_phase', { namespace: 'demo', phase: 'Terminating' }), 1);
  assert.equal(valueOf(p, 'kube_namespace_status_phase', { namespace: 'demo', phase: 'Active' }), 0);
  assert.equal(valueOf(p, 'kube_namespace_status_phase', { namespace: 'default', phase: 'Active' }), 1);
});

test('label values are escaped and round-trip through the parser', async () => {
  const nasty = 'we"ird\\name\nline2';
  const text = await renderMetrics(snapshot({ pods: [pod('p', 'ns', { phase: 'Running' }, { uid: nasty })] }));
  assert.ok(text.includes('uid="we\\"ird\\\\name\\nline2"'));
  const p = parseExposition(text);
  assert.equal(valueOf(p, 'kube_pod_status_phase', { pod: 'p', phase: 'Running' }).valueOf(), 1);
  assert.equal(find(p, 'kube_pod_info', { pod: 'p' })[0].labels.uid, nasty);
});

test('whole output parses; every family declared once with HELP and TYPE, in fixed order', async () => {
  const all = snapshot({ statefulSets: [kvStore], pods: [pendingPod, runningPod, crashPod, oomPod] });
  const text = await renderMetrics(all);
  const p = parseExposition(text);
  assert.deepEqual([...p.types.keys()], FAMILIES.map((f) => f.name));
  assert.deepEqual([...p.help.keys()], FAMILIES.map((f) => f.name));
  assert.equal(FAMILIES.length, 49);
  for (const [name, type] of p.types) assert.equal(type, name.endsWith('_total') ? 'counter' : 'gauge');
  assert.equal((await renderMetrics(snapshot({}))).split('\n').filter((l) => !l.startsWith('#') && l).length, 0);
});

test('deterministic: input order does not matter, output sorted by namespace then name', async () => {
  const a = pod('b', 'ns2', { phase: 'Running' });
  const b = pod('a', 'ns2', { phase: 'Running' });
  const c = pod('z', 'ns1', { phase: 'Running' });
  const one = await renderMetrics(snapshot({ pods: [a, b, c] }));
  const two = await renderMetrics(snapshot({ pods: [c, a, b] }));
  assert.equal(one, two);
  const order = find(parseExposition(one), 'kube_pod_info').map((s) => `${s.labels.namespace}/${s.labels.pod}`);
  assert.deepEqual(order, ['ns1/z', 'ns2/a', 'ns2/b']);
});
