// get_resource_context and detected labels against an in-process embedded cluster (API server
// only: the test writes pods and owners itself) and a real DataStorage (PGlite in memory).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { EmbeddedCluster } from '../../../src/cluster/embedded-cluster.ts';
import { startDataStorage, type DataStorageHandle } from '../../../src/datastorage/server.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';
import { ClusterTargetObjects } from '../../../src/remediation/orchestrator/target-objects.ts';
import { targetSpecHash } from '../../../src/remediation/orchestrator/spec-hash.ts';
import { detectLabels } from '../../../src/investigator/tools/context/detected-labels.ts';
import { getResourceContextTool } from '../../../src/investigator/tools/context/tool.ts';
import { createToolsetFrom } from '../../../src/investigator/tools/runner.ts';
import type { IncidentScope, ToolDeps } from '../../../src/investigator/tools/types.ts';

const clock = new ScaledClock(1);
let cluster: EmbeddedCluster;
let ds: DataStorageHandle;
let kc: KubeConfig;
let api: KubernetesObjectApi;
const NS = 'ctx-demo';
const NS_PLAIN = 'ctx-plain';
const NS_FLUX = 'ctx-flux';

async function create<T extends KubernetesObject>(obj: T): Promise<T & { metadata: { uid: string } }> {
  return (await api.create(obj)) as T & { metadata: { uid: string } };
}

const owner = (o: { apiVersion?: string; kind?: string; metadata: { name?: string; uid: string } }) => [
  { apiVersion: o.apiVersion!, kind: o.kind!, name: o.metadata.name!, uid: o.metadata.uid, controller: true },
];
const container = [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }];
const podSpec = (labels: Record<string, string>, annotations: Record<string, string> = {}) => ({ metadata: { labels, annotations }, spec: { containers: container } });

function deps(dataStorageUrl = ds.url, kubeconfig = kc): ToolDeps {
  return { kubeconfig, dataStorage: { baseUrl: dataStorageUrl }, clock };
}

function scope(namespace = NS): IncidentScope {
  return {
    remediationId: 'rr-ctx',
    severity: 'critical',
    environment: 'production',
    priority: 'P1',
    customLabels: {},
    signalResource: { kind: 'StatefulSet', name: 'kv-store', namespace },
  };
}

function toolset(d = deps(), s = scope()) {
  return createToolsetFrom([getResourceContextTool], d, s);
}

async function context(args: Record<string, unknown>, d = deps()) {
  const r = await toolset(d).execute({ id: '1', name: 'get_resource_context', arguments: JSON.stringify(args) }, { signal: new AbortController().signal });
  const env = JSON.parse(r.content);
  assert.equal(env.ok, true, env.error);
  return JSON.parse(env.untrusted_data);
}

before(async () => {
  cluster = await EmbeddedCluster.start({ clock, controlPlane: false });
  kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig());
  api = KubernetesObjectApi.makeApiClient(kc);
  ds = await startDataStorage({ clock });

  await create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS, labels: { 'argocd.argoproj.io/instance': 'shop' } } });
  await create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS_PLAIN } });
  await create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS_FLUX, annotations: { 'fluxcd.io/sync-status': 'ok' } } });

  // StatefulSet kv-store with claim template "data"; replica 0 exists with its claim, the claim of replica 2 is gone.
  const sts = await create({
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'kv-store', namespace: NS },
    spec: {
      replicas: 3,
      serviceName: 'kv-store',
      selector: { matchLabels: { app: 'kv-store' } },
      template: podSpec({ app: 'kv-store' }, { 'linkerd.io/proxy-version': 'stable-2.14' }),
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  });
  await create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'kv-store-0', namespace: NS, labels: { app: 'kv-store' }, ownerReferences: owner(sts) }, spec: { containers: container } });
  await create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data-kv-store-0', namespace: NS }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
  await create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'debug', namespace: NS, labels: { run: 'debug' } }, spec: { containers: container } });

  // Deployment web (Helm) → ReplicaSet → Pod, with an HPA on the Deployment, a PDB on its pods and a NetworkPolicy in the namespace.
  const deploy = await create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: NS_PLAIN, labels: { 'app.kubernetes.io/managed-by': 'Helm' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: podSpec({ app: 'web', tier: 'front' }) },
  });
  const rs = await create({
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: { name: 'web-5d4f8', namespace: NS_PLAIN, ownerReferences: owner(deploy) },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: podSpec({ app: 'web', tier: 'front' }) },
  });
  await create({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web-5d4f8-abcde', namespace: NS_PLAIN, labels: { app: 'web', tier: 'front' }, annotations: { 'sidecar.istio.io/status': '{}' }, ownerReferences: owner(rs) },
    spec: { containers: container },
  });
  await create({
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: 'web', namespace: NS_PLAIN },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 3, metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }] },
  });
  await create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web', namespace: NS_PLAIN }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'web' } } } });
  await create({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'deny-all', namespace: NS_PLAIN }, spec: { podSelector: {}, policyTypes: ['Ingress'] } });
  // A PDB elsewhere whose selector does not match: protects nothing.
  await create({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'other', namespace: NS, labels: {} }, spec: { minAvailable: 1, selector: { matchLabels: { app: 'not-kv' } } } });

  // Flux by namespace annotation; Argo by pod annotation wins over the namespace in the same rule order.
  await create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: NS_FLUX, labels: { 'helm.sh/chart': 'api-1.0.0' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'api' } }, template: podSpec({ app: 'api' }, { 'argocd.argoproj.io/tracking-id': 'x' }) },
  });
  await create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'worker', namespace: NS_FLUX, labels: { 'fluxcd.io/sync-gc-mark': 'sha256.x' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'worker' } }, template: podSpec({ app: 'worker' }) },
  });
  await create({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'cron', namespace: NS_FLUX },
    spec: { replicas: 1, selector: { matchLabels: { app: 'cron' } }, template: podSpec({ app: 'cron' }) },
  });

  // Remediation history of StatefulSet kv-store, as the Orchestrator and the EffectivenessMonitor report it.
  const target = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NS };
  const event = (type: string, category: string, eventData: Record<string, unknown>, minute: number) => ({
    eventId: randomUUID(),
    eventTimestamp: new Date(Date.UTC(2026, 10, 26, 10, minute)).toISOString(),
    eventType: type,
    eventCategory: category,
    eventAction: type.split('.').pop(),
    eventOutcome: 'success',
    correlationId: 'rr-old',
    actorType: 'service',
    actorId: category,
    resourceType: 'StatefulSet',
    resourceName: 'kv-store',
    namespace: NS,
    eventData,
  });
  const res = await fetch(`${ds.url}/api/v1/audit/events/batch`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      events: [
        event('orchestrator.lifecycle.completed', 'orchestrator', { remediationTarget: target, phase: 'Completed', outcome: 'Remediated', workflowId: 'fix-statefulset-pvc-v1', workflowVersion: '1.0.0', actionType: 'FixStatefulSetPVC', preRemediationSpecHash: 'sha256:1111', completedAt: '2026-11-26T10:05:00Z' }, 1),
        event('effectiveness.assessment.completed', 'effectiveness', { remediationTarget: target, overallScore: 0.4, assessmentReason: 'partial', postRemediationSpecHash: 'sha256:2222' }, 9),
      ],
    }),
  });
  assert.equal(res.status, 201, await res.text());
});

after(async () => {
  await ds?.close();
  await cluster?.close();
});

test('a StatefulSet pod resolves to its StatefulSet, with the Orchestrator\'s spec hash, detected labels and history', async () => {
  const ctx = await context({ kind: 'pod', name: 'kv-store-0', namespace: NS });
  assert.deepEqual(ctx.resource, { kind: 'Pod', name: 'kv-store-0', namespace: NS, exists: true });
  assert.deepEqual(ctx.owner_chain, [{ kind: 'StatefulSet', name: 'kv-store', namespace: NS }]);
  assert.deepEqual(ctx.root_owner, { kind: 'StatefulSet', name: 'kv-store', namespace: NS });
  const orchestratorHash = await targetSpecHash(new ClusterTargetObjects(kc), { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NS });
  assert.match(ctx.spec_hash, /^sha256:[0-9a-f]{64}$/);
  assert.equal(ctx.spec_hash, orchestratorHash);
  assert.deepEqual(ctx.detected_labels, {
    gitOpsManaged: true,
    gitOpsTool: 'argocd',
    pdbProtected: false,
    hpaEnabled: false,
    stateful: true,
    helmManaged: false,
    networkIsolated: false,
    serviceMesh: 'linkerd',
  });
  assert.deepEqual(ctx.remediation_history, [
    {
      remediation_id: 'rr-old',
      workflow_id: 'fix-statefulset-pvc-v1',
      action_type: 'FixStatefulSetPVC',
      completed_at: '2026-11-26T10:05:00.000Z',
      outcome: 'Remediated',
      effectiveness_score: 0.4,
      assessment_reason: 'partial',
      pre_hash: 'sha256:1111',
      post_hash: 'sha256:2222',
    },
  ]);
  assert.deepEqual(ctx.warnings, []);
});

test('the claim of a deleted replica (and an existing claim) resolves to the StatefulSet', async () => {
  const gone = await context({ kind: 'PersistentVolumeClaim', name: 'data-kv-store-2', namespace: NS });
  assert.deepEqual(gone.resource, { kind: 'PersistentVolumeClaim', name: 'data-kv-store-2', namespace: NS, exists: false });
  assert.deepEqual(gone.root_owner, { kind: 'StatefulSet', name: 'kv-store', namespace: NS });
  assert.equal(gone.detected_labels.stateful, true);
  assert.deepEqual(gone.warnings, []);
  const existing = await context({ kind: 'pvc', name: 'data-kv-store-0' });
  assert.equal(existing.resource.exists, true);
  assert.deepEqual(existing.root_owner, { kind: 'StatefulSet', name: 'kv-store', namespace: NS });
  // A claim name that no claim template produces stays a claim.
  const stray = await context({ kind: 'pvc', name: 'data-other-0' });
  assert.deepEqual(stray.root_owner, { kind: 'PersistentVolumeClaim', name: 'data-other-0', namespace: NS });
  assert.equal(stray.spec_hash, null);
  assert.deepEqual(stray.warnings, ['resource_not_found']);
});

test('a bare Pod stays a Pod, with the warning bare_pod_target', async () => {
  const ctx = await context({ kind: 'Pod', name: 'debug', namespace: NS });
  assert.deepEqual(ctx.root_owner, { kind: 'Pod', name: 'debug', namespace: NS });
  assert.deepEqual(ctx.owner_chain, []);
  assert.deepEqual(ctx.warnings, ['bare_pod_target']);
  assert.equal(ctx.detected_labels.stateful, false);
});

test('Pod → ReplicaSet → Deployment: hpaEnabled, pdbProtected, helmManaged, networkIsolated, istio', async () => {
  const ctx = await context({ kind: 'Pod', name: 'web-5d4f8-abcde', namespace: NS_PLAIN });
  assert.deepEqual(ctx.owner_chain, [
    { kind: 'ReplicaSet', name: 'web-5d4f8', namespace: NS_PLAIN },
    { kind: 'Deployment', name: 'web', namespace: NS_PLAIN },
  ]);
  assert.deepEqual(ctx.detected_labels, {
    gitOpsManaged: false,
    gitOpsTool: '',
    pdbProtected: true,
    hpaEnabled: true,
    stateful: false,
    helmManaged: true,
    networkIsolated: true,
    serviceMesh: 'istio',
  });
  assert.deepEqual(ctx.remediation_history, []);
});

test('GitOps rules in order: pod annotation (argocd) before the namespace (flux); workload label flux; namespace annotation flux', async () => {
  const api1 = await context({ kind: 'Deployment', name: 'api', namespace: NS_FLUX });
  assert.equal(api1.detected_labels.gitOpsTool, 'argocd');
  assert.equal(api1.detected_labels.helmManaged, true, 'label helm.sh/chart');
  const worker = await context({ kind: 'Deployment', name: 'worker', namespace: NS_FLUX });
  assert.equal(worker.detected_labels.gitOpsTool, 'flux');
  const cron = await context({ kind: 'Deployment', name: 'cron', namespace: NS_FLUX });
  assert.deepEqual([cron.detected_labels.gitOpsManaged, cron.detected_labels.gitOpsTool], [true, 'flux']);
});

test('a resource that does not exist is its own root, without a spec hash', async () => {
  const ctx = await context({ kind: 'Deployment', name: 'ghost', namespace: NS_PLAIN });
  assert.deepEqual(ctx.resource, { kind: 'Deployment', name: 'ghost', namespace: NS_PLAIN, exists: false });
  assert.deepEqual(ctx.root_owner, { kind: 'Deployment', name: 'ghost', namespace: NS_PLAIN });
  assert.equal(ctx.spec_hash, null);
  assert.deepEqual(ctx.warnings, ['resource_not_found']);
  assert.equal(ctx.detected_labels.networkIsolated, true, 'namespace facts still hold');
});

test('the session target follows the root owner; labels are cached per session; resourceContext() does the same', async () => {
  const t = toolset();
  assert.deepEqual(t.session.target, { component: 'StatefulSet', detectedLabels: {} });
  const ctx = await t.resourceContext({ kind: 'Pod', name: 'web-5d4f8-abcde', namespace: NS_PLAIN }, { signal: new AbortController().signal });
  assert.equal(ctx.root_owner.kind, 'Deployment');
  assert.equal(t.session.target.component, 'Deployment');
  assert.equal(t.session.target.detectedLabels.hpaEnabled, true);
  assert.deepEqual([...t.session.detectedLabelsCache.keys()], [`Deployment/${NS_PLAIN}/web`]);
  const cached = t.session.detectedLabelsCache.get(`Deployment/${NS_PLAIN}/web`);
  await t.resourceContext({ kind: 'Deployment', name: 'web', namespace: NS_PLAIN }, { signal: new AbortController().signal });
  assert.equal(t.session.detectedLabelsCache.get(`Deployment/${NS_PLAIN}/web`), cached, 'computed once');
});

test('namespace defaults to the signal\'s; an unknown kind is an error naming the supported kinds', async () => {
  const ctx = await context({ kind: 'sts', name: 'kv-store' });
  assert.equal(ctx.root_owner.namespace, NS);
  const r = await toolset().execute({ id: '1', name: 'get_resource_context', arguments: '{"kind":"Rollout","name":"x"}' }, { signal: new AbortController().signal });
  assert.equal(r.ok, false);
  assert.match(JSON.parse(r.content).error, /unknown kind "Rollout"; get_resource_context supports Pod, Deployment/);
});

test('DataStorage unreachable: no history, a warning, everything else as usual', async () => {
  const ctx = await context({ kind: 'Pod', name: 'kv-store-0', namespace: NS }, deps('http://127.0.0.1:9'));
  assert.deepEqual(ctx.remediation_history, []);
  assert.equal(ctx.warnings.length, 1);
  assert.match(ctx.warnings[0], /^remediation_history_unavailable: /);
  assert.equal(ctx.detected_labels.stateful, true);
});

test('detectLabels: lookups that fail are listed in failedDetections and left out; what the chain shows still counts', async () => {
  const unreachable = new KubeConfig();
  unreachable.loadFromOptions({
    clusters: [{ name: 'c', server: 'http://127.0.0.1:9', skipTLSVerify: true }],
    users: [{ name: 'u' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  const labels = await detectLabels(unreachable, { kind: 'StatefulSet', name: 'kv-store', namespace: NS }, [{ kind: 'Pod', name: 'kv-store-0', namespace: NS }]);
  assert.equal(labels.stateful, true);
  assert.deepEqual(labels.failedDetections, ['gitOpsManaged', 'gitOpsTool', 'helmManaged', 'hpaEnabled', 'networkIsolated', 'pdbProtected', 'serviceMesh']);
  for (const k of labels.failedDetections!) assert.equal(k in labels, false, k);
});

test('detectLabels: stateful from a claim named after a StatefulSet claim template; HPA on an owner-chain entry', async () => {
  const claim = await detectLabels(kc, { kind: 'PersistentVolumeClaim', name: 'data-kv-store-7', namespace: NS }, []);
  assert.equal(claim.stateful, true);
  const rs = await detectLabels(kc, { kind: 'ReplicaSet', name: 'web-5d4f8', namespace: NS_PLAIN }, [{ kind: 'Deployment', name: 'web', namespace: NS_PLAIN }]);
  assert.equal(rs.hpaEnabled, true);
  const alone = await detectLabels(kc, { kind: 'ReplicaSet', name: 'web-5d4f8', namespace: NS_PLAIN }, []);
  assert.equal(alone.hpaEnabled, false);
});
