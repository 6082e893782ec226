import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ApiError } from '../../../../src/cluster/apiserver/errors.ts';
import type { KubeObject } from '../../../../src/cluster/core/types.ts';
import { applyStrategicMergePatch, patchMetaForBuiltin, type PatchMeta } from '../../../../src/cluster/apiserver/patch/index.ts';

const stsMeta = patchMetaForBuiltin({ group: 'apps', version: 'v1', kind: 'StatefulSet' })!;
const deployMeta = patchMetaForBuiltin({ group: 'apps', version: 'v1', kind: 'Deployment' })!;
const podMeta = patchMetaForBuiltin({ group: '', version: 'v1', kind: 'Pod' })!;
const svcMeta = patchMetaForBuiltin({ group: '', version: 'v1', kind: 'Service' })!;
const nodeMeta = patchMetaForBuiltin({ group: '', version: 'v1', kind: 'Node' })!;

function statefulSet(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'StatefulSet',
    metadata: { name: 'db', namespace: 'default', labels: { app: 'db' }, finalizers: ['a/one'] },
    spec: {
      replicas: 2,
      serviceName: 'db',
      selector: { matchLabels: { app: 'db' } },
      template: {
        metadata: { labels: { app: 'db' } },
        spec: {
          containers: [
            {
              name: 'web',
              image: 'nginx:1.25',
              args: ['--a', '--b'],
              ports: [{ containerPort: 80, name: 'http' }],
              env: [{ name: 'A', value: '1' }, { name: 'B', value: '2' }],
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
            { name: 'sidecar', image: 'busybox', env: [{ name: 'X', value: 'x' }] },
          ],
          volumes: [{ name: 'data', emptyDir: {} }],
        },
      },
    },
  };
}

function expectBadRequest(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => e instanceof ApiError && e.code === 400 && e.reason === 'BadRequest' && pattern.test(e.message));
}

describe('strategic merge patch', () => {
  it('applies a kubectl apply patch: one image changes, an env var is deleted, order is kept', () => {
    const live = statefulSet();
    const before = structuredClone(live);
    const patch = {
      metadata: { annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
      spec: {
        template: {
          spec: {
            '$setElementOrder/containers': [{ name: 'web' }, { name: 'sidecar' }],
            containers: [
              { '$setElementOrder/env': [{ name: 'A' }], env: [{ $patch: 'delete', name: 'B' }], image: 'nginx:1.26', name: 'web' },
            ],
          },
        },
      },
    };
    const out = applyStrategicMergePatch(live, patch, stsMeta);
    const [web, sidecar] = out.spec.template.spec.containers;
    assert.equal(web.image, 'nginx:1.26');
    assert.deepEqual(web.env, [{ name: 'A', value: '1' }]);
    assert.deepEqual(web.ports, [{ containerPort: 80, name: 'http' }], 'untouched fields stay');
    assert.deepEqual(sidecar, { name: 'sidecar', image: 'busybox', env: [{ name: 'X', value: 'x' }] });
    assert.equal(out.metadata.annotations!['kubectl.kubernetes.io/last-applied-configuration'], '{}');
    assert.deepEqual(live, before, 'the live object is not mutated');
  });

  it('never mutates the patch either', () => {
    const patch = { spec: { template: { spec: { containers: [{ name: 'new', image: 'x', $patch: 'merge' }] } } } };
    const copy = structuredClone(patch);
    const out = applyStrategicMergePatch(statefulSet(), patch, stsMeta);
    assert.deepEqual(patch, copy);
    out.spec.template.spec.containers[2].image = 'changed';
    assert.equal(patch.spec.template.spec.containers[0].image, 'x');
  });

  it('adds new list items by merge key and removes one by null-free delete directive', () => {
    const out = applyStrategicMergePatch(
      statefulSet(),
      { spec: { template: { spec: { containers: [{ name: 'extra', image: 'redis' }, { name: 'sidecar', $patch: 'delete' }] } } } },
      stsMeta,
    );
    assert.deepEqual(out.spec.template.spec.containers.map((c: any) => c.name), ['web', 'extra']);
  });

  it('reorders with $setElementOrder and keeps server-only items next to their predecessor', () => {
    const live = statefulSet();
    live.spec.template.spec.containers.push({ name: 'injected', image: 'proxy' });
    const out = applyStrategicMergePatch(
      live,
      { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'new' }, { name: 'web' }], containers: [{ name: 'new', image: 'n' }] } } } },
      stsMeta,
    );
    assert.deepEqual(out.spec.template.spec.containers.map((c: any) => c.name), ['sidecar', 'injected', 'new', 'web']);
  });

  it('honours $setElementOrder even when the patch does not carry the list', () => {
    const out = applyStrategicMergePatch(statefulSet(), { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'sidecar' }, { name: 'web' }] } } } }, stsMeta);
    assert.deepEqual(out.spec.template.spec.containers.map((c: any) => c.name), ['sidecar', 'web']);
  });

  it('replaces lists without a merge key atomically', () => {
    const out = applyStrategicMergePatch(statefulSet(), { spec: { template: { spec: { containers: [{ name: 'web', args: ['--c'] }] } } } }, stsMeta);
    assert.deepEqual(out.spec.template.spec.containers[0].args, ['--c']);
    const tol = applyStrategicMergePatch(
      { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { tolerations: [{ key: 'a', operator: 'Exists' }] } },
      { spec: { tolerations: [{ key: 'b', operator: 'Exists' }] } },
      podMeta,
    );
    assert.deepEqual(tol.spec.tolerations, [{ key: 'b', operator: 'Exists' }]);
  });

  it('merges container ports by containerPort and service ports by port', () => {
    const out = applyStrategicMergePatch(statefulSet(), { spec: { template: { spec: { containers: [{ name: 'web', ports: [{ containerPort: 80, name: 'web' }, { containerPort: 443 }] }] } } } }, stsMeta);
    assert.deepEqual(out.spec.template.spec.containers[0].ports, [{ containerPort: 80, name: 'web' }, { containerPort: 443 }]);
    const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 's' }, spec: { ports: [{ port: 80, targetPort: 8080 }, { port: 81 }] } };
    const s = applyStrategicMergePatch(svc, { spec: { ports: [{ port: 80, targetPort: 9090 }] } }, svcMeta);
    assert.deepEqual(s.spec.ports, [{ port: 80, targetPort: 9090 }, { port: 81 }]);
  });

  it('merges volumeMounts by mountPath and volumes by name', () => {
    const out = applyStrategicMergePatch(
      statefulSet(),
      { spec: { template: { spec: { volumes: [{ name: 'cfg', configMap: { name: 'c' } }], containers: [{ name: 'web', volumeMounts: [{ mountPath: '/data', readOnly: true }] }] } } } },
      stsMeta,
    );
    assert.deepEqual(out.spec.template.spec.volumes.map((v: any) => v.name), ['data', 'cfg']);
    assert.deepEqual(out.spec.template.spec.containers[0].volumeMounts, [{ name: 'data', mountPath: '/data', readOnly: true }]);
  });

  it('deletes map keys with null and leaves others', () => {
    const out = applyStrategicMergePatch(statefulSet(), { metadata: { labels: { app: null, tier: 'db' } }, spec: { serviceName: null } }, stsMeta);
    assert.deepEqual(out.metadata.labels, { tier: 'db' });
    assert.equal('serviceName' in out.spec, false);
  });

  it('switches a deployment to Recreate with $retainKeys', () => {
    const live: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: { replicas: 1, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } },
    };
    const out = applyStrategicMergePatch(live, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate', rollingUpdate: null } } }, deployMeta);
    assert.deepEqual(out.spec.strategy, { type: 'Recreate' });
    // Even without the explicit null, keys outside $retainKeys go.
    const out2 = applyStrategicMergePatch(live, { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } }, deployMeta);
    assert.deepEqual(out2.spec.strategy, { type: 'Recreate' });
    assert.equal(out2.spec.replicas, 1);
  });

  it('switches a volume source with $retainKeys on the list item', () => {
    const out = applyStrategicMergePatch(
      statefulSet(),
      { spec: { template: { spec: { volumes: [{ $retainKeys: ['name', 'secret'], name: 'data', secret: { secretName: 's' } }] } } } },
      stsMeta,
    );
    assert.deepEqual(out.spec.template.spec.volumes, [{ name: 'data', secret: { secretName: 's' } }]);
  });

  it('rejects patch keys missing from $retainKeys', () => {
    expectBadRequest(() => applyStrategicMergePatch(statefulSet(), { spec: { updateStrategy: { $retainKeys: ['type'], rollingUpdate: { partition: 1 } } } }, stsMeta), /\$retainKeys/);
  });

  it('replaces a map with $patch: replace and deletes one with $patch: delete', () => {
    const out = applyStrategicMergePatch(statefulSet(), { metadata: { labels: { $patch: 'replace', only: 'this' } }, spec: { selector: { $patch: 'delete' } } }, stsMeta);
    assert.deepEqual(out.metadata.labels, { only: 'this' });
    assert.equal('selector' in out.spec, false);
  });

  it('replaces a whole merged list with a {$patch: replace} item', () => {
    const out = applyStrategicMergePatch(statefulSet(), { spec: { template: { spec: { containers: [{ name: 'solo', image: 'x' }, { $patch: 'replace' }] } } } }, stsMeta);
    assert.deepEqual(out.spec.template.spec.containers, [{ name: 'solo', image: 'x' }]);
  });

  it('replaces a single list item with an item-level $patch: replace', () => {
    const out = applyStrategicMergePatch(statefulSet(), { spec: { template: { spec: { containers: [{ name: 'web', image: 'only', $patch: 'replace' }] } } } }, stsMeta);
    assert.deepEqual(out.spec.template.spec.containers[0], { name: 'web', image: 'only' });
    assert.equal(out.spec.template.spec.containers.length, 2);
  });

  it('merges finalizers as a primitive set, with $deleteFromPrimitiveList and ordering', () => {
    const out = applyStrategicMergePatch(statefulSet(), { metadata: { finalizers: ['a/one', 'b/two'] } }, stsMeta);
    assert.deepEqual(out.metadata.finalizers, ['a/one', 'b/two']);
    const removed = applyStrategicMergePatch(out, { metadata: { '$deleteFromPrimitiveList/finalizers': ['a/one'] } }, stsMeta);
    assert.deepEqual(removed.metadata.finalizers, ['b/two']);
    const ordered = applyStrategicMergePatch(out, { metadata: { '$setElementOrder/finalizers': ['b/two', 'a/one'] } }, stsMeta);
    assert.deepEqual(ordered.metadata.finalizers, ['b/two', 'a/one']);
  });

  it('merges ownerReferences by uid', () => {
    const live: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: 'u1' }] } };
    const out = applyStrategicMergePatch(live, { metadata: { ownerReferences: [{ uid: 'u1', controller: true }, { apiVersion: 'v1', kind: 'X', name: 'x', uid: 'u2' }] } }, podMeta);
    assert.equal(out.metadata.ownerReferences!.length, 2);
    assert.equal(out.metadata.ownerReferences![0].controller, true);
    assert.equal(out.metadata.ownerReferences![0].name, 'rs');
  });

  it('merges status conditions by type (pod and node) and node addresses by type', () => {
    const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, status: { conditions: [{ type: 'Ready', status: 'False' }, { type: 'Initialized', status: 'True' }] } };
    const p = applyStrategicMergePatch(pod, { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, podMeta);
    assert.deepEqual(p.status.conditions, [{ type: 'Ready', status: 'True' }, { type: 'Initialized', status: 'True' }]);
    const node: KubeObject = { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n' }, status: { addresses: [{ type: 'InternalIP', address: '10.0.0.1' }] } };
    const n = applyStrategicMergePatch(node, { status: { addresses: [{ type: 'Hostname', address: 'n' }], conditions: [{ type: 'Ready', status: 'True' }] } }, nodeMeta);
    assert.equal(n.status.addresses.length, 2);
    assert.deepEqual(n.status.conditions, [{ type: 'Ready', status: 'True' }]);
  });

  it('adds a restartedAt annotation like kubectl rollout restart', () => {
    const out = applyStrategicMergePatch(statefulSet(), { spec: { template: { metadata: { annotations: { 'kubectl.kubernetes.io/restartedAt': '2024-01-01T00:00:00Z' } } } } }, stsMeta);
    assert.equal(out.spec.template.metadata.annotations['kubectl.kubernetes.io/restartedAt'], '2024-01-01T00:00:00Z');
    assert.deepEqual(out.spec.template.metadata.labels, { app: 'db' });
  });

  it('strips directives from content that is new on the server', () => {
    const live: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } };
    const out = applyStrategicMergePatch(live, { spec: { '$setElementOrder/containers': [{ name: 'a' }], containers: [{ name: 'a', env: [{ name: 'X', $patch: 'delete' }, { name: 'Y', value: 'y' }] }] } }, podMeta);
    assert.deepEqual(out.spec, { containers: [{ name: 'a', env: [{ name: 'Y', value: 'y' }] }] });
  });

  it('rejects unknown directives, non-object patches and items without merge key', () => {
    expectBadRequest(() => applyStrategicMergePatch(statefulSet(), { spec: { $patch: 'frobnicate' } }, stsMeta), /unknown patch type/);
    expectBadRequest(() => applyStrategicMergePatch(statefulSet(), { spec: { $bogus: 1 } }, stsMeta), /unknown patch directive/);
    expectBadRequest(() => applyStrategicMergePatch(statefulSet(), [] as unknown, stsMeta), /must be a JSON object/);
    expectBadRequest(() => applyStrategicMergePatch(statefulSet(), { spec: { template: { spec: { containers: [{ image: 'x' }] } } } }, stsMeta), /merge key: name/);
    expectBadRequest(() => applyStrategicMergePatch(statefulSet(), { spec: { template: { spec: { '$setElementOrder/containers': 'web' } } } }, stsMeta), /must be a list/);
  });

  it('merges keyed lists across the covered kinds', () => {
    type Case = [group: string, kind: string, path: string[], existing: unknown[], patch: unknown[], expected: unknown[]];
    const cases: Case[] = [
      ['', 'Pod', ['spec', 'hostAliases'], [{ ip: '1.1.1.1', hostnames: ['a'] }], [{ ip: '2.2.2.2', hostnames: ['b'] }], [{ ip: '1.1.1.1', hostnames: ['a'] }, { ip: '2.2.2.2', hostnames: ['b'] }]],
      ['', 'Pod', ['spec', 'imagePullSecrets'], [{ name: 'a' }], [{ name: 'b' }], [{ name: 'a' }, { name: 'b' }]],
      ['', 'Pod', ['spec', 'schedulingGates'], [{ name: 'a' }], [{ name: 'a', $patch: 'delete' }], []],
      ['', 'Pod', ['spec', 'topologySpreadConstraints'], [{ topologyKey: 'zone', maxSkew: 1 }], [{ topologyKey: 'zone', maxSkew: 2 }], [{ topologyKey: 'zone', maxSkew: 2 }]],
      ['', 'Pod', ['status', 'podIPs'], [{ ip: '10.0.0.1' }], [{ ip: 'fd00::1' }], [{ ip: '10.0.0.1' }, { ip: 'fd00::1' }]],
      ['', 'ServiceAccount', ['secrets'], [{ name: 't1' }], [{ name: 't2' }], [{ name: 't1' }, { name: 't2' }]],
      ['', 'PersistentVolumeClaim', ['status', 'conditions'], [{ type: 'Resizing', status: 'True' }], [{ type: 'Resizing', status: 'False' }], [{ type: 'Resizing', status: 'False' }]],
      ['', 'Namespace', ['status', 'conditions'], [{ type: 'A', status: 'True' }], [{ type: 'B', status: 'True' }], [{ type: 'A', status: 'True' }, { type: 'B', status: 'True' }]],
      ['apps', 'DaemonSet', ['spec', 'template', 'spec', 'initContainers'], [{ name: 'i', image: 'a' }], [{ name: 'i', image: 'b' }], [{ name: 'i', image: 'b' }]],
      ['apps', 'ReplicaSet', ['status', 'conditions'], [{ type: 'X', status: 'True' }], [{ type: 'X', reason: 'r' }], [{ type: 'X', status: 'True', reason: 'r' }]],
      ['batch', 'Job', ['status', 'conditions'], [{ type: 'Complete', status: 'True' }], [{ type: 'Failed', status: 'False' }], [{ type: 'Complete', status: 'True' }, { type: 'Failed', status: 'False' }]],
      ['batch', 'CronJob', ['spec', 'jobTemplate', 'spec', 'template', 'spec', 'containers'], [{ name: 'c', image: 'a' }], [{ name: 'c', image: 'b' }], [{ name: 'c', image: 'b' }]],
      ['policy', 'PodDisruptionBudget', ['status', 'conditions'], [{ type: 'DisruptionAllowed', status: 'True' }], [{ type: 'DisruptionAllowed', status: 'False' }], [{ type: 'DisruptionAllowed', status: 'False' }]],
      ['autoscaling', 'HorizontalPodAutoscaler', ['status', 'conditions'], [{ type: 'AbleToScale', status: 'True' }], [{ type: 'ScalingActive', status: 'True' }], [{ type: 'AbleToScale', status: 'True' }, { type: 'ScalingActive', status: 'True' }]],
      ['networking.k8s.io', 'NetworkPolicy', ['spec', 'policyTypes'], ['Ingress'], ['Egress'], ['Egress']],
      ['', 'Endpoints', ['subsets'], [{ addresses: [{ ip: '1.1.1.1' }] }], [{ addresses: [{ ip: '2.2.2.2' }] }], [{ addresses: [{ ip: '2.2.2.2' }] }]],
    ];
    for (const [group, kind, path, existing, patchItems, expected] of cases) {
      const version = group === 'autoscaling' ? 'v2' : 'v1';
      const meta = patchMetaForBuiltin({ group, version, kind })!;
      const nest = (leaf: unknown): Record<string, unknown> => path.reduceRight<any>((acc, seg) => ({ [seg]: acc }), leaf);
      const obj = { apiVersion: 'x', kind, metadata: { name: 'o' }, ...nest(existing) } as KubeObject;
      const out: any = applyStrategicMergePatch(obj, nest(patchItems), meta);
      assert.deepEqual(path.reduce((v, seg) => v[seg], out), expected, `${kind} ${path.join('.')}`);
    }
  });

  it('treats `$ref` in a CRD schema as data, not a directive', () => {
    const crdMeta: PatchMeta = patchMetaForBuiltin({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' })!;
    const crd: KubeObject = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'x' }, spec: { versions: [] } };
    const out = applyStrategicMergePatch(crd, { spec: { versions: [{ name: 'v1', schema: { openAPIV3Schema: { $ref: '#/x', type: 'object' } } }] } }, crdMeta);
    assert.equal(out.spec.versions[0].schema.openAPIV3Schema.$ref, '#/x');
  });
});
