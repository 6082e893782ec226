import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  parseClaimDescribe,
  parseClaimTable,
  parseEventTable,
  parseNodeDescribe,
  parseNodeTable,
  parsePodDescribe,
  parsePodTable,
  parseStorageClassTable,
  parseTaint,
  parseWorkloadDescribe,
} from '../../../src/investigator/mock-llm/kube-objects.ts';
import { parseTable } from '../../../src/investigator/mock-llm/kubectl-text.ts';
import { fixture } from './harness.ts';

describe('kubectl tables (real kubectl v1.32 output)', () => {
  it('reads `kubectl get pods` by header, including RESTARTS with "(15s ago)"', () => {
    assert.deepEqual(parsePodTable(fixture('crashloop-get-pods')), [
      { name: 'checkout-65f887fd59-ctqd2', ready: [0, 1], status: 'CrashLoopBackOff', restarts: 6 },
      { name: 'checkout-65f887fd59-nf29l', ready: [0, 1], status: 'CrashLoopBackOff', restarts: 6 },
    ]);
  });

  it('reads claims (multi-word ACCESS MODES header, empty cells) and storage classes', () => {
    assert.deepEqual(parseClaimTable(fixture('sts-claim-get-pvc')).map((c) => [c.name, c.status, c.storageClass]), [
      ['data-kv-store-0', 'Bound', 'standard'],
      ['data-kv-store-1', 'Bound', 'standard'],
      ['data-kv-store-2', 'Terminating', 'standard'],
    ]);
    assert.deepEqual(parseClaimTable(fixture('missing-sc-get-pvc')), [{ name: 'data-ledger-0', status: 'Pending', storageClass: 'fast-ssd' }]);
    assert.deepEqual(parseClaimTable(fixture('get-pvc-empty')), []);
    assert.deepEqual(parseStorageClassTable(fixture('storageclasses')), ['standard']);
  });

  it('reads nodes and `kubectl events` (LAST SEEN with spaces, OBJECT as Kind/name)', () => {
    assert.deepEqual(parseNodeTable(fixture('nodes')).map((n) => `${n.name}:${n.status}`), ['gpu-node-1:Ready', 'kind-control-plane:Ready', 'worker-3:NotReady']);
    const events = parseEventTable(fixture('missing-sc-events'));
    assert.deepEqual(events.at(-1), {
      type: 'Warning',
      reason: 'ProvisioningFailed',
      object: { kind: 'PersistentVolumeClaim', name: 'data-ledger-0' },
      message: 'storageclass.storage.k8s.io "fast-ssd" not found',
    });
  });

  it('tolerates other padding, extra columns and a truncation marker', () => {
    const text = ['NAMESPACE  NAME   READY  STATUS  RESTARTS  AGE  IP', 'shop  kv-store-2  0/1  Pending  0  3m  <none>', '[... truncated: 1,000 of 20,000 characters cut here ...]'].join('\n');
    assert.deepEqual(parsePodTable(text), [{ name: 'kv-store-2', namespace: 'shop', ready: [0, 1], status: 'Pending', restarts: 0 }]);
    assert.deepEqual(parseTable('Error from server (NotFound): pods "x" not found'), []);
    // Cells shifted off the header (a renamed object, a different writer), empty cells included.
    const pvc = ['NAME     STATUS    VOLUME   CAPACITY   ACCESS MODES   STORAGECLASS   AGE', 'data-journal-0   Pending                                  premium-rwo   34s'].join('\n');
    assert.deepEqual(parseClaimTable(pvc), [{ name: 'data-journal-0', status: 'Pending', storageClass: 'premium-rwo' }]);
    const ev = ['LAST SEEN   TYPE      REASON             OBJECT                   MESSAGE', '7s (x2 over 23s)   Warning   FailedScheduling   Pod/a-1   0/3 nodes are available: 1 node(s) had untolerated taint {x: y}.'].join('\n');
    assert.deepEqual(parseEventTable(ev)[0].object, { kind: 'Pod', name: 'a-1' });
    assert.match(parseEventTable(ev)[0].message, /^0\/3 nodes/);
  });
});

describe('kubectl describe (real kubectl v1.32 output)', () => {
  it('reads a Pending StatefulSet pod: owner, claim volume, waiting reason, kubelet events', () => {
    const pod = parsePodDescribe(fixture('sts-claim-describe-pod'))!;
    assert.equal(pod.status, 'Pending');
    assert.equal(pod.node, 'kind-control-plane');
    assert.deepEqual(pod.controlledBy, { kind: 'StatefulSet', name: 'kv-store' });
    assert.deepEqual(pod.claims, [{ volume: 'data', claim: 'data-kv-store-2' }]);
    assert.equal(pod.containers[0].stateReason, 'ContainerCreating');
    assert.match(pod.events.at(-1)!.message, /PVC is being deleted/);
  });

  it('reads an OOMKilled container: last state, exit code, restarts, memory limit', () => {
    const c = parsePodDescribe(fixture('oom-describe-pod'))!.containers[0];
    assert.deepEqual([c.name, c.stateReason, c.lastState, c.lastReason, c.lastExitCode, c.restartCount, c.memoryLimit], ['app', 'CrashLoopBackOff', 'Terminated', 'OOMKilled', 137, 6, '64Mi']);
  });

  it('reads node selectors and scheduler messages of an unscheduled pod', () => {
    const pod = parsePodDescribe(fixture('taint-describe-pod'))!;
    assert.equal(pod.node, undefined);
    assert.deepEqual(pod.nodeSelectors, { pool: 'gpu' });
    assert.equal(pod.conditions.PodScheduled, 'False');
    assert.match(pod.events.at(-1)!.message, /untolerated taint \{dedicated: gpu\}/);
  });

  it('reads workloads: replicas of a Deployment and a StatefulSet, claim template storage class', () => {
    assert.deepEqual(pick(parseWorkloadDescribe('Deployment', fixture('crashloop-describe-deployment'))!, ['desired', 'available', 'unavailable']), { desired: 2, available: 0, unavailable: 2 });
    const sts = parseWorkloadDescribe('StatefulSet', fixture('missing-sc-describe-statefulset'))!;
    assert.deepEqual(pick(sts, ['desired', 'running', 'waiting', 'claimTemplateStorageClasses']), { desired: 3, running: 0, waiting: 1, claimTemplateStorageClasses: ['fast-ssd'] });
  });

  it('reads claims (Terminating with its duration) and nodes (conditions, labels, taints)', () => {
    assert.equal(parseClaimDescribe(fixture('sts-claim-describe-pvc'))!.status, 'Terminating');
    const missing = parseClaimDescribe(fixture('missing-sc-describe-pvc'))!;
    assert.deepEqual([missing.status, missing.storageClass], ['Pending', 'fast-ssd']);
    const node = parseNodeDescribe(fixture('notready-describe-node'))!;
    assert.deepEqual([node.ready, node.readyReason, node.labels], ['Unknown', 'NodeStatusUnknown', { pool: 'batch' }]);
    assert.deepEqual(node.taints.map((t) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule']);
    assert.deepEqual(parseNodeDescribe(fixture('taint-describe-node'))!.taints, [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }]);
    assert.deepEqual(parseTaint('dedicated:NoExecute'), { key: 'dedicated', effect: 'NoExecute' });
  });

  it('never reads annotations: a simulation script in them leaves no trace', () => {
    const pod = parsePodDescribe(fixture('crashloop-describe-pod'))!;
    assert.doesNotMatch(JSON.stringify(pod), /sim\.kubernaut\.ai|crashLoop/);
  });
});

function pick<T extends object>(o: T, keys: Array<keyof T>): Partial<T> {
  return Object.fromEntries(keys.map((k) => [k, o[k]])) as Partial<T>;
}
