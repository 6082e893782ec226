import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { modelNameFor, patchMetaForBuiltin, patchMetaFromSchema, type Gvk, type PatchMeta } from '../../../../src/cluster/apiserver/patch/index.ts';
import { builtinAtomicStructs, builtinFieldFacts, modelAttributes } from '../../../../src/cluster/apiserver/patch/builtin-meta.ts';
import type { JSONSchemaProps } from '../../../../src/cluster/core/types.ts';

function at(meta: PatchMeta, path: string): PatchMeta {
  return path.split('.').reduce((m, seg) => (seg === '[]' ? m.item() : m.child(seg)), meta);
}

const required: [string, string, string, string][] = [
  ['', 'v1', 'Pod', 'V1Pod'],
  ['', 'v1', 'Service', 'V1Service'],
  ['', 'v1', 'ConfigMap', 'V1ConfigMap'],
  ['', 'v1', 'Secret', 'V1Secret'],
  ['', 'v1', 'Namespace', 'V1Namespace'],
  ['', 'v1', 'Node', 'V1Node'],
  ['', 'v1', 'PersistentVolume', 'V1PersistentVolume'],
  ['', 'v1', 'PersistentVolumeClaim', 'V1PersistentVolumeClaim'],
  ['', 'v1', 'ServiceAccount', 'V1ServiceAccount'],
  ['', 'v1', 'Endpoints', 'V1Endpoints'],
  ['', 'v1', 'Event', 'CoreV1Event'],
  ['apps', 'v1', 'StatefulSet', 'V1StatefulSet'],
  ['apps', 'v1', 'Deployment', 'V1Deployment'],
  ['apps', 'v1', 'ReplicaSet', 'V1ReplicaSet'],
  ['apps', 'v1', 'DaemonSet', 'V1DaemonSet'],
  ['batch', 'v1', 'Job', 'V1Job'],
  ['batch', 'v1', 'CronJob', 'V1CronJob'],
  ['policy', 'v1', 'PodDisruptionBudget', 'V1PodDisruptionBudget'],
  ['autoscaling', 'v2', 'HorizontalPodAutoscaler', 'V2HorizontalPodAutoscaler'],
  ['autoscaling', 'v1', 'Scale', 'V1Scale'],
  ['networking.k8s.io', 'v1', 'NetworkPolicy', 'V1NetworkPolicy'],
  ['coordination.k8s.io', 'v1', 'Lease', 'V1Lease'],
  ['storage.k8s.io', 'v1', 'StorageClass', 'V1StorageClass'],
  ['events.k8s.io', 'v1', 'Event', 'EventsV1Event'],
  ['apiextensions.k8s.io', 'v1', 'CustomResourceDefinition', 'V1CustomResourceDefinition'],
];

describe('built-in patch meta', () => {
  it('resolves every required kind to its generated model', () => {
    for (const [group, version, kind, model] of required) {
      assert.equal(modelNameFor({ group, version, kind }), model, `${group}/${version} ${kind}`);
      assert.equal(patchMetaForBuiltin({ group, version, kind })?.kind, 'struct');
    }
  });

  it('answers undefined for unknown kinds and for custom groups reusing built-in kind names', () => {
    const unknown: Gvk[] = [
      { group: '', version: 'v1', kind: 'Frobnicator' },
      { group: 'stable.example.com', version: 'v1', kind: 'Pod' },
      { group: '', version: 'v1', kind: 'PodSpec' },
    ];
    for (const gvk of unknown) assert.equal(patchMetaForBuiltin(gvk), undefined, JSON.stringify(gvk));
  });

  it('every hand-written fact names a real model field', () => {
    for (const key of Object.keys(builtinFieldFacts)) {
      const [model, field] = key.split('.');
      const attrs = modelAttributes(model);
      assert.ok(attrs, `model ${model} exists`);
      assert.ok(attrs.some((a) => a.baseName === field), `${key} is a field`);
    }
    for (const model of builtinAtomicStructs) assert.ok(modelAttributes(model), `model ${model} exists`);
  });

  it('describes pod template lists the way kubectl and the server merge them', () => {
    const sts = patchMetaForBuiltin({ group: 'apps', version: 'v1', kind: 'StatefulSet' })!;
    const podSpec = at(sts, 'spec.template.spec');
    const containers = podSpec.child('containers');
    assert.equal(containers.kind, 'list');
    assert.equal(containers.patchStrategy, 'merge');
    assert.equal(containers.patchMergeKey, 'name');
    assert.equal(containers.listType, 'map');
    assert.deepEqual(containers.listMapKeys, ['name']);
    assert.equal(at(podSpec, 'containers.[].env').patchMergeKey, 'name');
    const ports = at(podSpec, 'containers.[].ports');
    assert.equal(ports.patchMergeKey, 'containerPort');
    assert.deepEqual(ports.listMapKeys, ['containerPort', 'protocol']);
    assert.deepEqual(ports.keyDefaults, { protocol: 'TCP' });
    assert.equal(at(podSpec, 'containers.[].volumeMounts').patchMergeKey, 'mountPath');
    assert.equal(at(podSpec, 'initContainers.[].volumeDevices').patchMergeKey, 'devicePath');
    assert.equal(at(podSpec, 'ephemeralContainers.[].env').patchMergeKey, 'name');
    assert.equal(podSpec.child('volumes').retainKeys, true);
    assert.equal(podSpec.child('hostAliases').patchMergeKey, 'ip');
    assert.deepEqual(podSpec.child('topologySpreadConstraints').listMapKeys, ['topologyKey', 'whenUnsatisfiable']);
    for (const f of ['imagePullSecrets', 'resourceClaims', 'schedulingGates']) assert.equal(podSpec.child(f).patchMergeKey, 'name', f);
    // Lists without facts are atomic for both engines.
    for (const f of ['tolerations', 'readinessGates']) {
      assert.notEqual(podSpec.child(f).patchStrategy, 'merge', f);
      assert.equal(podSpec.child(f).listType, 'atomic', f);
    }
    assert.equal(at(podSpec, 'containers.[].args').listType, 'atomic');
    assert.equal(podSpec.child('nodeSelector').mapType, 'atomic');
    assert.equal(podSpec.child('nodeSelector').kind, 'map');
  });

  it('knows metadata, status conditions, selectors and deployment strategy', () => {
    const deploy = patchMetaForBuiltin({ group: 'apps', version: 'v1', kind: 'Deployment' })!;
    const md = deploy.child('metadata');
    assert.equal(md.child('labels').kind, 'map');
    assert.equal(md.child('finalizers').patchStrategy, 'merge');
    assert.equal(md.child('finalizers').listType, 'set');
    assert.equal(md.child('ownerReferences').patchMergeKey, 'uid');
    assert.equal(at(deploy, 'spec.strategy').retainKeys, true);
    assert.equal(at(deploy, 'spec.selector').mapType, 'atomic');
    assert.equal(at(deploy, 'status.conditions').patchMergeKey, 'type');
    const job = patchMetaForBuiltin({ group: 'batch', version: 'v1', kind: 'Job' })!;
    assert.equal(at(job, 'status.conditions').patchMergeKey, 'type');
    assert.equal(at(job, 'status.conditions').listType, 'atomic');
    const node = patchMetaForBuiltin({ group: '', version: 'v1', kind: 'Node' })!;
    assert.equal(at(node, 'status.addresses').patchMergeKey, 'type');
    assert.equal(at(node, 'spec.podCIDRs').listType, 'set');
    const svc = patchMetaForBuiltin({ group: '', version: 'v1', kind: 'Service' })!;
    assert.deepEqual(at(svc, 'spec.ports').listMapKeys, ['port', 'protocol']);
    const sa = patchMetaForBuiltin({ group: '', version: 'v1', kind: 'ServiceAccount' })!;
    assert.equal(sa.child('secrets').patchMergeKey, 'name');
    const pod = patchMetaForBuiltin({ group: '', version: 'v1', kind: 'Pod' })!;
    assert.equal(at(pod, 'status.podIPs').patchMergeKey, 'ip');
    assert.equal(at(pod, 'status.hostIPs').patchMergeKey, 'ip');
    const hpa = patchMetaForBuiltin({ group: 'autoscaling', version: 'v2', kind: 'HorizontalPodAutoscaler' })!;
    assert.equal(at(hpa, 'status.conditions').listType, 'map');
    assert.equal(at(hpa, 'spec.metrics').listType, 'atomic');
  });

  it('follows recursive models lazily (CRD JSONSchemaProps)', () => {
    const crd = patchMetaForBuiltin({ group: 'apiextensions.k8s.io', version: 'v1', kind: 'CustomResourceDefinition' })!;
    const schema = at(crd, 'spec.versions.[].schema.openAPIV3Schema');
    assert.equal(schema.kind, 'struct');
    const nested = at(schema, 'properties.spec.properties.replicas.items');
    assert.equal(nested.kind, 'untyped', 'items is `any` in the generated model');
    assert.equal(at(schema, 'properties.spec').hasField('x-kubernetes-list-type'), true);
    assert.equal(schema.hasField('$ref'), true);
  });

  it('gives untyped meta for unknown fields', () => {
    const pod = patchMetaForBuiltin({ group: '', version: 'v1', kind: 'Pod' })!;
    assert.equal(at(pod, 'spec.noSuchField.deeper').kind, 'untyped');
  });
});

describe('patch meta from a CRD schema', () => {
  const schema: JSONSchemaProps = {
    type: 'object',
    properties: {
      spec: {
        type: 'object',
        properties: {
          replicas: { type: 'integer' },
          ports: { type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port', 'protocol'], items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string' } } } },
          tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
          args: { type: 'array', items: { type: 'string' } },
          selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { app: { type: 'string' } } },
          settings: { type: 'object', additionalProperties: { type: 'string' } },
          size: { 'x-kubernetes-int-or-string': true },
          free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
          broken: { type: 'array', 'x-kubernetes-list-type': 'map', items: { type: 'object' } },
        },
      },
    },
  };
  const meta = patchMetaFromSchema(schema);

  it('reads list types, map keys and map types', () => {
    assert.equal(at(meta, 'spec.ports').listType, 'map');
    assert.deepEqual(at(meta, 'spec.ports').listMapKeys, ['port', 'protocol']);
    assert.equal(at(meta, 'spec.tags').listType, 'set');
    assert.equal(at(meta, 'spec.args').listType, 'atomic');
    assert.equal(at(meta, 'spec.broken').listType, 'atomic', 'a map list without keys cannot merge');
    assert.equal(at(meta, 'spec.selector').mapType, 'atomic');
    assert.equal(at(meta, 'spec.settings').kind, 'map');
    assert.equal(at(meta, 'spec.settings.anything').kind, 'scalar');
    assert.equal(at(meta, 'spec.size').kind, 'scalar');
    assert.equal(at(meta, 'spec.free').kind, 'untyped');
    // No SMP facts for custom resources: the real server does not support SMP for them.
    assert.equal(at(meta, 'spec.ports').patchMergeKey, undefined);
  });

  it('uses ObjectMeta for metadata, with or without a schema', () => {
    for (const m of [meta, patchMetaFromSchema(undefined)]) {
      assert.equal(at(m, 'metadata.finalizers').listType, 'set');
      assert.equal(at(m, 'metadata.ownerReferences').listType, 'map');
      assert.equal(at(m, 'metadata.labels').kind, 'map');
    }
    assert.equal(at(patchMetaFromSchema(undefined), 'spec.list').listType, 'atomic');
  });
});
