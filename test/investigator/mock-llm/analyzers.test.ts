import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyze, leadingFinding, type Finding } from '../../../src/investigator/mock-llm/analyzers.ts';
import { scoreActionType } from '../../../src/investigator/mock-llm/catalog-choice.ts';
import { readConversation } from '../../../src/investigator/mock-llm/conversation.ts';
import { collectEvidence } from '../../../src/investigator/mock-llm/evidence.ts';
import { chatRequestSchema } from '../../../src/investigator/mock-llm/openai-wire.ts';
import { fixture, requestWith, type CannedResult } from './harness.ts';

function lead(resource: string, results: CannedResult[]): Finding | undefined {
  const req = chatRequestSchema.parse(requestWith(resource, results));
  return leadingFinding(analyze(collectEvidence(readConversation(req.messages))));
}

const describe_ = (kind: string, name: string, namespace: string | undefined, data: string): CannedResult => ({ tool: 'kubectl_describe', args: { kind, name, ...(namespace ? { namespace } : {}) }, data });
const list = (kind: string, namespace: string, data: string): CannedResult => ({ tool: 'kubectl_get_by_kind_in_namespace', args: { kind, namespace }, data });
const clusterList = (kind: string, data: string): CannedResult => ({ tool: 'kubectl_get_by_kind_in_cluster', args: { kind }, data });
const events = (namespace: string, data: string): CannedResult => ({ tool: 'kubectl_events', args: { namespace }, data });
const logs = (namespace: string, pod: string, data: string): CannedResult => ({ tool: 'kubectl_logs', args: { namespace, pod, previous: true }, data });

const stsClaim = [
  describe_('StatefulSet', 'kv-store', 'shop', 'sts-claim-describe-statefulset'),
  list('Pod', 'shop', 'sts-claim-get-pods'),
  describe_('Pod', 'kv-store-2', 'shop', 'sts-claim-describe-pod'),
  events('shop', 'sts-claim-events'),
];

describe('pending-pod volume', () => {
  it('blames a Terminating claim the pending pod mounts, with the whole chain (0.9)', () => {
    const f = lead('shop/StatefulSet/kv-store', [...stsClaim, list('PersistentVolumeClaim', 'shop', 'sts-claim-get-pvc'), clusterList('StorageClass', 'storageclasses')])!;
    assert.equal(f.analyzer, 'pending-pod-volume');
    assert.deepEqual(f.suspect, { kind: 'PersistentVolumeClaim', name: 'data-kv-store-2', namespace: 'shop' });
    assert.equal(f.confidence, 0.9);
    assert.match(f.summary, /data-kv-store-2 is Terminating/);
    assert.equal(f.facts.claim, 'data-kv-store-2');
  });

  it('with only the kubelet message (no claim list) it is a single indicator (0.75)', () => {
    const f = lead('shop/StatefulSet/kv-store', stsClaim)!;
    assert.deepEqual([f.analyzer, f.suspect?.name, f.confidence], ['pending-pod-volume', 'data-kv-store-2', 0.75]);
  });

  it('finds a claim naming a StorageClass that does not exist', () => {
    const f = lead('billing/StatefulSet/ledger', [
      describe_('StatefulSet', 'ledger', 'billing', 'missing-sc-describe-statefulset'),
      list('Pod', 'billing', 'missing-sc-get-pods'),
      describe_('Pod', 'ledger-0', 'billing', 'missing-sc-describe-pod'),
      list('PersistentVolumeClaim', 'billing', 'missing-sc-get-pvc'),
      clusterList('StorageClass', 'storageclasses'),
    ])!;
    assert.deepEqual([f.analyzer, f.suspect?.name, f.confidence], ['pending-pod-volume', 'data-ledger-0', 0.9]);
    assert.match(f.summary, /StorageClass fast-ssd, which does not exist/);
  });

  it('finds a claim that does not exist (scheduler: persistentvolumeclaim not found)', () => {
    const f = lead('reports/Deployment/report-gen', [
      list('Pod', 'reports', 'missing-claim-get-pods'),
      describe_('Pod', 'report-gen-75d67c9ff4-tzbzw', 'reports', 'missing-claim-describe-pod'),
      list('PersistentVolumeClaim', 'reports', 'text:No resources found in reports namespace.'),
    ])!;
    assert.deepEqual([f.analyzer, f.suspect?.name, f.confidence], ['pending-pod-volume', 'report-output', 0.9]);
    assert.match(f.summary, /does not exist/);
  });
});

describe('container failures', () => {
  it('crash loop: CrashLoopBackOff, exit code 1 and the error lines of the previous run', () => {
    const f = lead('api/Deployment/checkout', [
      list('Pod', 'api', 'crashloop-get-pods'),
      describe_('Pod', 'checkout-65f887fd59-ctqd2', 'api', 'crashloop-describe-pod'),
      logs('api', 'checkout-65f887fd59-ctqd2', 'crashloop-logs-previous'),
    ])!;
    assert.deepEqual([f.analyzer, f.suspect?.kind, f.suspect?.name, f.confidence, f.facts.container], ['crash-loop', 'Pod', 'checkout-65f887fd59-ctqd2', 0.9, 'app']);
    assert.ok(f.evidence.some((e) => /invalid configuration/.test(e)));
  });

  it('crash loop seen between two crashes (Running and Ready for now, restarts and a failed last run)', () => {
    // kubectl describe aligns its values: keep each column width while swapping the words.
    const upForNow = (text: string) =>
      text
        .replace(/State:( +)Waiting\n( +)Reason:( +)CrashLoopBackOff/, 'State:$1Running\n$2Started:$3Mon, 07 Dec 2026 16:25:31 +0000')
        .replace(/Ready:( +)False/, 'Ready:$1True')
        .replace(/( {2}Ready| {2}ContainersReady)(\s+)False/g, '$1$2True');
    const pods = fixture('crashloop-get-pods').replace(/0\/1( +)CrashLoopBackOff/g, (_m, gap: string) => `1/1${gap}Running${' '.repeat('CrashLoopBackOff'.length - 'Running'.length)}`);
    const f = lead('api/Pod/checkout-65f887fd59-ctqd2', [
      list('Pod', 'api', `text:${pods}`),
      describe_('Pod', 'checkout-65f887fd59-ctqd2', 'api', `text:${upForNow(fixture('crashloop-describe-pod'))}`),
      logs('api', 'checkout-65f887fd59-ctqd2', 'crashloop-logs-previous'),
    ])!;
    assert.deepEqual([f.analyzer, f.suspect?.name, f.confidence], ['crash-loop', 'checkout-65f887fd59-ctqd2', 0.9]);
    assert.match(f.summary, /6 restarts, last exit code 1/);
  });

  it('OOM outranks the crash loop it causes (both show CrashLoopBackOff)', () => {
    const findings = analyze(
      collectEvidence(readConversation(chatRequestSchema.parse(requestWith('batch/Deployment/indexer', [list('Pod', 'batch', 'oom-get-pods'), describe_('Pod', 'indexer-c78f77cd6-mmx8x', 'batch', 'oom-describe-pod')])).messages)),
    );
    assert.deepEqual(findings.map((f) => f.analyzer), ['oom']);
    assert.deepEqual([findings[0].confidence, findings[0].facts.container, findings[0].facts.memoryLimit], [0.9, 'app', '64Mi']);
  });

  it('image pull: waiting reason and the kubelet pull failure', () => {
    const f = lead('media/Deployment/thumbnailer', [list('Pod', 'media', 'imagepull-get-pods'), describe_('Pod', 'thumbnailer-67f6c85c4-45szl', 'media', 'imagepull-describe-pod')])!;
    assert.deepEqual([f.analyzer, f.confidence, f.facts.image], ['image-pull', 0.9, 'registry.example.com/thumbnailer:2.4.1']);
  });

  it('from the pod list alone (describe failed) a crash loop is a single indicator', () => {
    const f = lead('api/Deployment/checkout', [list('Pod', 'api', 'crashloop-get-pods'), { tool: 'kubectl_describe', args: { kind: 'Pod', name: 'checkout-65f887fd59-ctqd2', namespace: 'api' }, error: 'forbidden' }])!;
    assert.deepEqual([f.analyzer, f.confidence], ['crash-loop', 0.75]);
  });
});

describe('scheduling and nodes', () => {
  const nodes = [clusterList('Node', 'nodes'), describe_('Node', 'gpu-node-1', undefined, 'taint-describe-node'), describe_('Node', 'worker-3', undefined, 'notready-describe-node')];

  it('a pod pinned to a node with a taint it does not tolerate: the node, its taint and effect', () => {
    const f = lead('ml/Deployment/trainer', [list('Pod', 'ml', 'taint-get-pods'), describe_('Pod', 'trainer-6d9769f66c-29tpz', 'ml', 'taint-describe-pod'), ...nodes])!;
    assert.deepEqual([f.analyzer, f.suspect, f.confidence], ['unschedulable', { kind: 'Node', name: 'gpu-node-1' }, 0.9]);
    assert.deepEqual([f.facts.taintKey, f.facts.taintEffect], ['dedicated', 'NoSchedule']);
  });

  it('without the nodes described, the pod is the suspect (0.75)', () => {
    const f = lead('ml/Deployment/trainer', [list('Pod', 'ml', 'taint-get-pods'), describe_('Pod', 'trainer-6d9769f66c-29tpz', 'ml', 'taint-describe-pod')])!;
    assert.deepEqual([f.analyzer, f.suspect?.kind, f.confidence], ['unschedulable', 'Pod', 0.75]);
  });

  it('a pod pinned to a NotReady node blames the node, not the unrelated tainted one', () => {
    const f = lead('jobs/Deployment/etl-worker', [list('Pod', 'jobs', 'notready-get-pods'), describe_('Pod', 'etl-worker-56696cdb9-dcm6h', 'jobs', 'notready-describe-pod'), ...nodes])!;
    assert.deepEqual([f.analyzer, f.suspect, f.confidence], ['node-not-ready', { kind: 'Node', name: 'worker-3' }, 0.9]);
  });

  it('a NotReady node nobody depends on is not a finding', () => {
    const f = lead('shop/StatefulSet/kv-store', [...stsClaim, list('PersistentVolumeClaim', 'shop', 'sts-claim-get-pvc'), ...nodes])!;
    assert.equal(f.analyzer, 'pending-pod-volume');
  });

  it('an alert on the node itself', () => {
    const f = lead('Node/worker-3', [describe_('Node', 'worker-3', undefined, 'notready-describe-node'), clusterList('Node', 'nodes')])!;
    assert.deepEqual([f.analyzer, f.suspect?.name, f.confidence], ['node-not-ready', 'worker-3', 0.9]);
  });
});

describe('healthy now and nothing found', () => {
  it('state decides, not names: the same StatefulSet healthy → resolved, broken → its claim', () => {
    const healthy = lead('shop/StatefulSet/kv-store', [describe_('StatefulSet', 'kv-store', 'shop', 'healthy-sts-describe-statefulset'), list('Pod', 'shop', 'healthy-sts-get-pods')])!;
    assert.deepEqual([healthy.analyzer, healthy.confidence], ['healthy-now', 0.85]);
    const broken = lead('shop/StatefulSet/kv-store', [describe_('StatefulSet', 'kv-store', 'shop', 'sts-claim-describe-statefulset'), list('Pod', 'shop', 'sts-claim-get-pods')]);
    assert.notEqual(broken?.analyzer, 'healthy-now');
  });

  it('a Deployment with every replica available is healthy', () => {
    const f = lead('web/Deployment/frontend', [describe_('Deployment', 'frontend', 'web', 'healthy-deploy-describe-deployment'), list('Pod', 'web', 'healthy-deploy-get-pods')])!;
    assert.equal(f.analyzer, 'healthy-now');
  });

  it('pods not ready for no reason the analyzers know: no finding (inconclusive)', () => {
    const pods = 'text:NAME          READY   STATUS    RESTARTS   AGE\nfrontend-a1   0/1     Running   0          5m\n';
    const f = lead('web/Deployment/frontend', [describe_('Deployment', 'frontend', 'web', 'crashloop-describe-deployment'), list('Pod', 'web', pods)]);
    assert.equal(f, undefined);
  });
});

describe('action type choice', () => {
  const fix = {
    actionType: 'FixStatefulSetPVC',
    description: {
      what: 'Restores the PersistentVolumeClaim of a StatefulSet replica from its volumeClaimTemplate.',
      whenToUse: 'A pod is Pending on a claim that is missing or Terminating.',
      whenNotToUse: 'The claim is Bound and the storage backend itself is failing.',
    },
  };
  it('counts name words twice, description words once, whenNotToUse words against', () => {
    const s = scoreActionType(fix, ['pvc', 'claim', 'storage']);
    // pvc: name 2 + text 0; claim: text 1, against 2; storage: against 2.
    assert.equal(s.score, 2 + 1 - 2 - 2);
    assert.deepEqual(s.against, ['claim', 'storage']);
  });
});
