import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OpenApiPublisher, builtinSchemas, crdDefinitionName, openApiV3Path } from '../../../../src/cluster/apiserver/openapi/index.ts';
import type { ResourceInfo } from '../../../../src/cluster/core/types.ts';
import { BUILTINS, REMEDIATION_SCHEMA, builtin, remediationCrd } from './fixtures.ts';

type Doc = { [key: string]: any };

function publisher(resources: ResourceInfo[] = [...BUILTINS, remediationCrd()]): OpenApiPublisher {
  return new OpenApiPublisher(() => resources);
}

function gvDoc(p: OpenApiPublisher, path: string): Doc {
  const doc = p.v3GroupVersion(path);
  assert.ok(doc, `no document for ${path}`);
  return doc.body as Doc;
}

/** Follows `$ref` and single-element `allOf` wrappers, as kubectl explain does. */
function deref(doc: Doc, schema: Doc): Doc {
  let s = schema;
  for (let i = 0; i < 10; i++) {
    if (typeof s.$ref === 'string') {
      const name = s.$ref.replace('#/components/schemas/', '');
      s = doc.components.schemas[name];
      assert.ok(s, `dangling $ref ${name}`);
    } else if (Array.isArray(s.allOf) && s.allOf.length === 1 && !s.properties) {
      s = s.allOf[0];
    } else {
      return s;
    }
  }
  return s;
}

/** The component schema carrying a GVK, the way kubectl explain and apply look kinds up. */
function schemaByGvk(doc: Doc, group: string, version: string, kind: string): [string, Doc] {
  const found = Object.entries(doc.components.schemas as Record<string, Doc>).filter(([, s]) =>
    (s['x-kubernetes-group-version-kind'] ?? []).some((g: Doc) => g.group === group && g.version === version && g.kind === kind),
  );
  assert.equal(found.length, 1, `exactly one schema for ${group}/${version} ${kind}`);
  return found[0];
}

/** Walks `spec.template.spec.containers` through properties, refs, arrays and maps. */
function fieldPath(doc: Doc, root: Doc, path: string): Doc {
  let s = root;
  for (const part of path.split('.')) {
    s = deref(doc, s);
    while (!s.properties && (s.items || s.additionalProperties)) s = deref(doc, s.items ?? s.additionalProperties);
    assert.ok(s.properties?.[part], `no field ${part} in ${path}`);
    s = s.properties[part];
  }
  return s;
}

function allRefs(value: unknown, into: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => allRefs(v, into));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') into.push(v);
      else allRefs(v, into);
    }
  }
  return into;
}

test('the v3 index lists every served group-version with a hashed URL', () => {
  const p = publisher();
  const index = p.v3Index() as Doc;
  for (const key of ['api/v1', 'apis/apps/v1', 'apis/batch/v1', 'apis/kubernaut.ai/v1alpha1', 'apis/apiextensions.k8s.io/v1']) {
    const entry = index.paths[key];
    assert.ok(entry, `index lists ${key}`);
    const doc = p.v3GroupVersion(key)!;
    assert.match(doc.hash, /^[0-9A-F]{128}$/);
    assert.equal(entry.serverRelativeURL, `/openapi/v3/${key}?hash=${doc.hash}`);
  }
  assert.equal(Object.keys(index.paths).length, new Set(BUILTINS.map(openApiV3Path)).size + 1);
});

test('group-version lookups accept URL forms and answer undefined for unknown ones', () => {
  const p = publisher();
  const hash = p.v3GroupVersion('apis/apps/v1')!.hash;
  assert.equal(p.v3GroupVersion('/openapi/v3/apis/apps/v1?hash=abc')!.hash, hash);
  assert.equal(p.v3GroupVersion('/apis/apps/v1/')!.hash, hash);
  assert.equal(p.v3GroupVersion('apis/nope/v1'), undefined);
  assert.equal(p.v3GroupVersion('apis/apps/v2'), undefined);
  assert.equal(p.v3GroupVersion('api/v2'), undefined);
  const doc = p.v3GroupVersion('api/v1')!;
  assert.equal(doc.json, JSON.stringify(doc.body));
  assert.equal((doc.body as Doc).openapi, '3.0.0');
});

test('PATCH operations declare fieldValidation, the GVK and the patch content types', () => {
  const doc = gvDoc(publisher(), 'apis/apps/v1');
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}'].patch;
  assert.ok(patch);
  const query = patch.parameters.filter((p: Doc) => p.in === 'query').map((p: Doc) => p.name);
  for (const name of ['dryRun', 'fieldManager', 'fieldValidation', 'force']) assert.ok(query.includes(name), name);
  assert.equal(patch['x-kubernetes-action'], 'patch');
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', kind: 'StatefulSet', version: 'v1' });
  assert.deepEqual(Object.keys(patch.requestBody.content).sort(), [
    'application/apply-patch+yaml',
    'application/json-patch+json',
    'application/merge-patch+json',
    'application/strategic-merge-patch+json',
  ]);
  assert.equal(patch.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/io.k8s.api.apps.v1.StatefulSet');
  // kubectl checks whichever PATCH of the GVK it meets first: all of them must carry the parameter.
  const p = publisher();
  for (const key of Object.keys((p.v3Index() as Doc).paths)) {
    for (const [path, item] of Object.entries(gvDoc(p, key).paths as Record<string, Doc>)) {
      if (!item.patch) continue;
      assert.ok(
        item.patch.parameters.some((x: Doc) => x.name === 'fieldValidation' && x.in === 'query'),
        `${path} PATCH lacks fieldValidation`,
      );
      assert.ok(item.patch['x-kubernetes-group-version-kind'], `${path} PATCH lacks its GVK`);
    }
  }
});

test('resource paths cover scopes, subresources and verbs', () => {
  const p = publisher();
  const core = gvDoc(p, 'api/v1').paths;
  const pods = core['/api/v1/namespaces/{namespace}/pods'];
  assert.deepEqual(Object.keys(pods).filter((k) => k !== 'parameters').sort(), ['delete', 'get', 'post']);
  assert.equal(pods.get['x-kubernetes-action'], 'list');
  assert.equal(pods.delete['x-kubernetes-action'], 'deletecollection');
  assert.equal(pods.get.responses['200'].content['application/json'].schema.$ref, '#/components/schemas/io.k8s.api.core.v1.PodList');
  const pod = core['/api/v1/namespaces/{namespace}/pods/{name}'];
  assert.deepEqual(Object.keys(pod).filter((k) => k !== 'parameters').sort(), ['delete', 'get', 'patch', 'put']);
  assert.deepEqual(
    pod.parameters.map((x: Doc) => `${x.in}:${x.name}`),
    ['path:name', 'path:namespace', 'query:pretty'],
  );
  assert.ok(core['/api/v1/namespaces/{namespace}/pods/{name}/status'].patch);
  assert.ok(core['/api/v1/namespaces/{namespace}/pods/{name}/log'].get);
  assert.equal(core['/api/v1/namespaces/{namespace}/pods/{name}/eviction'].post['x-kubernetes-group-version-kind'].group, 'policy');
  assert.equal(core['/api/v1/namespaces/{namespace}/pods/{name}/binding'].post['x-kubernetes-group-version-kind'].kind, 'Binding');
  assert.equal(core['/api/v1/pods'].get.operationId, 'listCoreV1PodForAllNamespaces');
  // Cluster-scoped: no namespace segment or parameter.
  const ns = core['/api/v1/namespaces/{name}'];
  assert.ok(ns.patch);
  assert.deepEqual(ns.parameters.map((x: Doc) => x.name), ['name', 'pretty']);
  assert.ok(core['/api/v1/nodes/{name}/status']);
  assert.equal(core['/api/v1/configmaps/{name}'], undefined);
  assert.equal(core['/api/v1/namespaces/{namespace}/configmaps/{name}/status'], undefined);
  // Scale subresource: autoscaling/v1 Scale, whose schema comes along.
  const apps = gvDoc(p, 'apis/apps/v1');
  const scale = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
  assert.deepEqual(scale.patch['x-kubernetes-group-version-kind'], { group: 'autoscaling', kind: 'Scale', version: 'v1' });
  assert.equal(scale.put.requestBody.content['application/json'].schema.$ref, '#/components/schemas/io.k8s.api.autoscaling.v1.Scale');
  assert.ok(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  // Verbs restrict operations.
  const readOnly = { ...builtin('', 'v1', 'componentstatuses', 'ComponentStatus', false), verbs: ['get', 'list'] };
  const limited = gvDoc(publisher([readOnly]), 'api/v1').paths;
  assert.deepEqual(Object.keys(limited['/api/v1/componentstatuses/{name}']).filter((k) => k !== 'parameters'), ['get']);
  assert.deepEqual(Object.keys(limited['/api/v1/componentstatuses']).filter((k) => k !== 'parameters'), ['get']);
});

test('Pod schema: GVK, spec.containers as an array of Container, with descriptions', () => {
  const doc = gvDoc(publisher(), 'api/v1');
  const [name, pod] = schemaByGvk(doc, '', 'v1', 'Pod');
  assert.equal(name, 'io.k8s.api.core.v1.Pod');
  assert.match(pod.description, /collection of containers/);
  assert.equal(pod.properties.metadata.allOf[0].$ref, '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.match(pod.properties.metadata.description, /metadata/);
  assert.equal(pod.properties.spec.allOf[0].$ref, '#/components/schemas/io.k8s.api.core.v1.PodSpec');
  const containers = fieldPath(doc, pod, 'spec.containers');
  assert.equal(containers.type, 'array');
  assert.equal(containers.items.$ref, '#/components/schemas/io.k8s.api.core.v1.Container');
  assert.match(containers.description, /containers/i);
  assert.equal(containers['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(containers['x-kubernetes-patch-strategy'], 'merge');
  const container = doc.components.schemas['io.k8s.api.core.v1.Container'];
  assert.match(container.description, /container/);
  assert.ok(container.required.includes('name'));
  assert.match(container.properties.image.description, /image/i);
  assert.deepEqual(fieldPath(doc, pod, 'spec.containers.ports.containerPort').type, 'integer');
  assert.equal(fieldPath(doc, pod, 'spec.containers.args').items.type, 'string');
  // Fields of a named type without their own comment borrow the type's description.
  const lifecycle = fieldPath(doc, pod, 'spec.containers.lifecycle');
  assert.equal(lifecycle.$ref, '#/components/schemas/io.k8s.api.core.v1.Lifecycle');
  assert.match(lifecycle.description, /Lifecycle/);
  // Quantities, times and int-or-strings keep their apimachinery names.
  const limits = fieldPath(doc, pod, 'spec.containers.resources.limits');
  assert.equal(limits.additionalProperties.$ref, '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity');
  const created = deref(doc, fieldPath(doc, pod, 'metadata.creationTimestamp'));
  assert.deepEqual([created.type, created.format], ['string', 'date-time']);
  const port = deref(doc, fieldPath(doc, pod, 'spec.containers.livenessProbe.httpGet.port'));
  assert.equal(port['x-kubernetes-int-or-string'], true);
  assert.equal(fieldPath(doc, pod, 'spec.nodeSelector').additionalProperties.type, 'string');
});

test('StatefulSet volumeClaimTemplates and other cross-group references resolve', () => {
  const doc = gvDoc(publisher(), 'apis/apps/v1');
  const [name, sts] = schemaByGvk(doc, 'apps', 'v1', 'StatefulSet');
  assert.equal(name, 'io.k8s.api.apps.v1.StatefulSet');
  const vct = fieldPath(doc, sts, 'spec.volumeClaimTemplates');
  assert.equal(vct.type, 'array');
  assert.equal(vct.items.$ref, '#/components/schemas/io.k8s.api.core.v1.PersistentVolumeClaim');
  assert.match(vct.description, /claims/);
  const storage = fieldPath(doc, sts, 'spec.volumeClaimTemplates.spec.resources.requests');
  assert.equal(storage.additionalProperties.$ref, '#/components/schemas/io.k8s.apimachinery.pkg.api.resource.Quantity');
  assert.equal(
    deref(doc, fieldPath(doc, sts, 'spec.selector')).properties.matchLabels.type,
    'object',
  );
  assert.ok(doc.components.schemas['io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector']);
  assert.ok(doc.components.schemas['io.k8s.api.core.v1.PodTemplateSpec']);
  assert.equal(schemaByGvk(doc, 'apps', 'v1', 'StatefulSetList')[0], 'io.k8s.api.apps.v1.StatefulSetList');
  assert.equal(fieldPath(doc, schemaByGvk(doc, 'apps', 'v1', 'Deployment')[1], 'spec.strategy')['x-kubernetes-patch-strategy'], 'retainKeys');
});

test('every $ref of every document resolves inside that document', () => {
  const p = publisher();
  for (const key of Object.keys((p.v3Index() as Doc).paths)) {
    const doc = gvDoc(p, key);
    for (const ref of allRefs(doc)) {
      assert.ok(ref.startsWith('#/components/schemas/'), ref);
      assert.ok(doc.components.schemas[ref.slice('#/components/schemas/'.length)], `${key}: dangling ${ref}`);
    }
  }
  const v2 = p.v2() as Doc;
  for (const ref of allRefs(v2)) {
    assert.ok(ref.startsWith('#/definitions/'), ref);
    assert.ok(v2.definitions[ref.slice('#/definitions/'.length)], `v2: dangling ${ref}`);
  }
});

test('meta types are published under their apimachinery names', () => {
  const doc = gvDoc(publisher(), 'apis/apps/v1');
  const schemas = doc.components.schemas;
  const meta = 'io.k8s.apimachinery.pkg.apis.meta.v1';
  for (const n of ['ObjectMeta', 'ListMeta', 'Status', 'DeleteOptions', 'LabelSelector', 'Time', 'OwnerReference', 'ManagedFieldsEntry', 'Patch']) {
    assert.ok(schemas[`${meta}.${n}`], n);
  }
  // Published in every document, even one that does not reference them.
  const crdDoc = gvDoc(publisher([remediationCrd()]), 'apis/kubernaut.ai/v1alpha1').components.schemas;
  for (const n of [
    `${meta}.LabelSelector`,
    `${meta}.WatchEvent`,
    `${meta}.MicroTime`,
    'io.k8s.apimachinery.pkg.api.resource.Quantity',
    'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    'io.k8s.apimachinery.pkg.runtime.RawExtension',
  ]) {
    assert.ok(crdDoc[n], n);
  }
  assert.deepEqual([schemas[`${meta}.Time`].type, schemas[`${meta}.Time`].format], ['string', 'date-time']);
  assert.equal(schemas['io.k8s.apimachinery.pkg.util.intstr.IntOrString']['x-kubernetes-int-or-string'], true);
  assert.ok(schemas['io.k8s.apimachinery.pkg.api.resource.Quantity']);
  assert.equal(schemas[`${meta}.ObjectMeta`].properties.ownerReferences['x-kubernetes-patch-merge-key'], 'uid');
  assert.equal(schemas[`${meta}.ManagedFieldsEntry`].properties.fieldsV1.allOf[0].$ref, `#/components/schemas/${meta}.FieldsV1`);
  const builtins = builtinSchemas();
  assert.equal(builtins.definition('io.k8s.apimachinery.pkg.runtime.RawExtension')?.type, 'object');
  assert.equal(
    builtins.definition('io.k8s.api.apps.v1.ControllerRevision')?.properties.data.allOf[0].$ref,
    '#/components/schemas/io.k8s.apimachinery.pkg.runtime.RawExtension',
  );
});

test('definition names follow the Kubernetes packages', () => {
  const builtins = builtinSchemas();
  const names: Record<string, [string, string, string]> = {
    'io.k8s.api.core.v1.Pod': ['', 'v1', 'Pod'],
    'io.k8s.api.core.v1.Event': ['', 'v1', 'Event'],
    'io.k8s.api.events.v1.Event': ['events.k8s.io', 'v1', 'Event'],
    'io.k8s.api.apps.v1.StatefulSet': ['apps', 'v1', 'StatefulSet'],
    'io.k8s.api.batch.v1.CronJob': ['batch', 'v1', 'CronJob'],
    'io.k8s.api.rbac.v1.ClusterRole': ['rbac.authorization.k8s.io', 'v1', 'ClusterRole'],
    'io.k8s.api.autoscaling.v2.HorizontalPodAutoscaler': ['autoscaling', 'v2', 'HorizontalPodAutoscaler'],
    'io.k8s.api.coordination.v1.Lease': ['coordination.k8s.io', 'v1', 'Lease'],
    'io.k8s.api.networking.v1.Ingress': ['networking.k8s.io', 'v1', 'Ingress'],
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition': [
      'apiextensions.k8s.io',
      'v1',
      'CustomResourceDefinition',
    ],
    'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService': ['apiregistration.k8s.io', 'v1', 'APIService'],
  };
  for (const [name, [group, version, kind]] of Object.entries(names)) {
    assert.equal(builtins.kindDefinition({ group, version, kind }), name);
    assert.deepEqual(builtins.definition(name)!['x-kubernetes-group-version-kind'], [{ group, kind, version }]);
  }
  for (const nested of [
    'io.k8s.api.core.v1.PodTemplateSpec',
    'io.k8s.api.core.v1.ObjectReference',
    'io.k8s.api.apps.v1.StatefulSetSpec',
    'io.k8s.api.batch.v1.JobTemplateSpec',
    'io.k8s.api.rbac.v1.PolicyRule',
    'io.k8s.api.rbac.v1.Subject',
    'io.k8s.api.networking.v1.IngressRule',
    'io.k8s.api.autoscaling.v1.Scale',
    'io.k8s.api.policy.v1.Eviction',
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps',
  ]) {
    assert.ok(builtins.definition(nested), nested);
  }
  assert.equal(builtins.definition('io.k8s.api.nope.v1.Nothing'), undefined);
});

test('a CRD version publishes its schema with GVK, ObjectMeta and a List kind', () => {
  const doc = gvDoc(publisher(), 'apis/kubernaut.ai/v1alpha1');
  const [name, rr] = schemaByGvk(doc, 'kubernaut.ai', 'v1alpha1', 'RemediationRequest');
  assert.equal(name, 'ai.kubernaut.v1alpha1.RemediationRequest');
  assert.equal(name, crdDefinitionName('kubernaut.ai', 'v1alpha1', 'RemediationRequest'));
  assert.equal(rr.description, REMEDIATION_SCHEMA.description);
  assert.equal(rr.properties.apiVersion.type, 'string');
  assert.equal(rr.properties.kind.type, 'string');
  assert.equal(rr.properties.metadata.allOf[0].$ref, '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  assert.deepEqual(rr.properties.spec.required, ['signalName']);
  assert.equal(rr.properties.spec.properties.signalName.description, 'Name of the signal that triggered the request.');
  assert.deepEqual(rr.properties.spec.properties.severity.enum, ['critical', 'warning', 'info']);
  assert.ok(deref(doc, fieldPath(doc, rr, 'metadata.labels')));
  const [listName, list] = schemaByGvk(doc, 'kubernaut.ai', 'v1alpha1', 'RemediationRequestList');
  assert.equal(listName, 'ai.kubernaut.v1alpha1.RemediationRequestList');
  assert.equal(list.properties.items.items.$ref, `#/components/schemas/${name}`);
  assert.equal(list.properties.metadata.allOf[0].$ref, '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ListMeta');
  // No strategic merge patch for custom resources.
  const item = doc.paths['/apis/kubernaut.ai/v1alpha1/namespaces/{namespace}/remediationrequests/{name}'];
  assert.deepEqual(Object.keys(item.patch.requestBody.content).sort(), [
    'application/apply-patch+yaml',
    'application/json-patch+json',
    'application/merge-patch+json',
  ]);
  assert.ok(item.patch.parameters.some((x: Doc) => x.name === 'fieldValidation'));
  assert.ok(doc.paths['/apis/kubernaut.ai/v1alpha1/namespaces/{namespace}/remediationrequests/{name}/status'].patch);
  assert.ok(doc.paths['/apis/kubernaut.ai/v1alpha1/namespaces/{namespace}/remediationrequests/{name}/scale'].patch);
  assert.ok(doc.paths['/apis/kubernaut.ai/v1alpha1/remediationrequests'].get);
  assert.ok(doc.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  // The CRD's own schema object is not modified.
  assert.equal((REMEDIATION_SCHEMA.properties as Doc).metadata, undefined);
});

test('a CRD without a schema (or preserving unknown fields) is free-form', () => {
  const bare = remediationCrd('v1beta1');
  bare.crd = { ...bare.crd!, schema: undefined };
  const doc = gvDoc(publisher([bare]), 'apis/kubernaut.ai/v1beta1');
  const [, rr] = schemaByGvk(doc, 'kubernaut.ai', 'v1beta1', 'RemediationRequest');
  assert.equal(rr['x-kubernetes-preserve-unknown-fields'], true);
  assert.equal(rr.properties.metadata.allOf[0].$ref, '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
  const clusterScoped = { ...remediationCrd('v1'), namespaced: false };
  const paths = gvDoc(publisher([clusterScoped]), 'apis/kubernaut.ai/v1').paths;
  assert.ok(paths['/apis/kubernaut.ai/v1/remediationrequests/{name}'].patch);
  assert.equal(paths['/apis/kubernaut.ai/v1/namespaces/{namespace}/remediationrequests/{name}'], undefined);
});

test('a built-in kind client-node does not know gets a free-form schema', () => {
  const widget = builtin('example.k8s.io', 'v1', 'widgets', 'Widget', true);
  const doc = gvDoc(publisher([widget]), 'apis/example.k8s.io/v1');
  const [name, schema] = schemaByGvk(doc, 'example.k8s.io', 'v1', 'Widget');
  assert.equal(name, 'io.k8s.api.example.v1.Widget');
  assert.equal(schema['x-kubernetes-preserve-unknown-fields'], true);
  assert.equal(schemaByGvk(doc, 'example.k8s.io', 'v1', 'WidgetList')[1].properties.items.items.$ref, `#/components/schemas/${name}`);
});

test('documents are cached until invalidate(), and hashes follow the content', () => {
  let resources: ResourceInfo[] = [...BUILTINS, remediationCrd()];
  let calls = 0;
  const p = new OpenApiPublisher(() => {
    calls++;
    return resources;
  });
  assert.equal(calls, 0, 'nothing is built before the first request');
  const before = p.v3Index() as Doc;
  const crdHash = p.v3GroupVersion('apis/kubernaut.ai/v1alpha1')!.hash;
  const appsDoc = p.v3GroupVersion('apis/apps/v1')!;
  p.v2();
  assert.equal(calls, 1);

  // Same resources: same hashes after invalidate.
  p.invalidate();
  assert.deepEqual(p.v3Index(), before);
  assert.equal(calls, 2);

  // A CRD schema change: that group-version's hash changes, the others stay (and are reused).
  resources = [
    ...BUILTINS,
    remediationCrd('v1alpha1', {
      ...REMEDIATION_SCHEMA,
      properties: { ...REMEDIATION_SCHEMA.properties, extra: { type: 'string', description: 'new field' } },
    }),
  ];
  assert.equal(p.v3GroupVersion('apis/kubernaut.ai/v1alpha1')!.hash, crdHash, 'stale until invalidated');
  p.invalidate();
  const after = p.v3Index() as Doc;
  assert.notEqual(p.v3GroupVersion('apis/kubernaut.ai/v1alpha1')!.hash, crdHash);
  assert.notEqual(after.paths['apis/kubernaut.ai/v1alpha1'].serverRelativeURL, before.paths['apis/kubernaut.ai/v1alpha1'].serverRelativeURL);
  assert.equal(after.paths['apis/apps/v1'].serverRelativeURL, before.paths['apis/apps/v1'].serverRelativeURL);
  assert.equal(p.v3GroupVersion('apis/apps/v1'), appsDoc);
  const rr = gvDoc(p, 'apis/kubernaut.ai/v1alpha1').components.schemas['ai.kubernaut.v1alpha1.RemediationRequest'];
  assert.equal(rr.properties.extra.description, 'new field');

  // CRD deleted: its group-version disappears.
  resources = [...BUILTINS];
  p.invalidate();
  assert.equal((p.v3Index() as Doc).paths['apis/kubernaut.ai/v1alpha1'], undefined);
  assert.equal(p.v3GroupVersion('apis/kubernaut.ai/v1alpha1'), undefined);
  assert.equal((p.v2() as Doc).definitions['ai.kubernaut.v1alpha1.RemediationRequest'], undefined);
});

test('the v2 document is swagger 2.0 with definitions and fieldValidation on PATCH', () => {
  const v2 = publisher().v2() as Doc;
  assert.equal(v2.swagger, '2.0');
  assert.ok(!JSON.stringify(v2).includes('#/components/'));
  const pod = v2.definitions['io.k8s.api.core.v1.Pod'];
  assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  assert.equal(pod.properties.spec.$ref, '#/definitions/io.k8s.api.core.v1.PodSpec');
  assert.match(pod.properties.spec.description, /Pod/);
  assert.equal(pod.properties.spec.allOf, undefined);
  assert.equal(v2.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'].type, 'string');
  assert.equal(v2.definitions['io.k8s.apimachinery.pkg.api.resource.Quantity'].oneOf, undefined);
  assert.equal(v2.definitions['io.k8s.apimachinery.pkg.util.intstr.IntOrString'].format, 'int-or-string');
  assert.ok(v2.definitions['ai.kubernaut.v1alpha1.RemediationRequest']);
  assert.equal(v2.definitions['ai.kubernaut.v1alpha1.RemediationRequest'].properties.status.properties.phase.nullable, undefined);
  const patch = v2.paths['/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}'].patch;
  assert.ok(patch.parameters.some((x: Doc) => x.name === 'fieldValidation' && x.in === 'query' && x.type === 'string'));
  assert.ok(patch.parameters.some((x: Doc) => x.name === 'body' && x.in === 'body'));
  assert.ok(patch.consumes.includes('application/strategic-merge-patch+json'));
  assert.equal(patch.responses['200'].schema.$ref, '#/definitions/io.k8s.api.apps.v1.StatefulSet');
  const crdPatch = v2.paths['/apis/kubernaut.ai/v1alpha1/namespaces/{namespace}/remediationrequests/{name}'].patch;
  assert.ok(!crdPatch.consumes.includes('application/strategic-merge-patch+json'));
  assert.ok(v2.paths['/api/v1/namespaces/{namespace}/pods/{name}/log'].get);
});

// How long the first build takes is a figure for `npm run bench` (bench/apiserver-building-blocks.bench.ts).
test('the built-in catalog is built once per process and shared afterwards', () => {
  const a = builtinSchemas();
  const b = builtinSchemas();
  assert.equal(a, b);
  assert.equal(a.definition('io.k8s.api.core.v1.PodSpec'), b.definition('io.k8s.api.core.v1.PodSpec'));
  const all = a.closure(a.allDefinitionNames());
  assert.ok(all.size > 500, `only ${all.size} definitions`);
  assert.ok(all.has('io.k8s.api.core.v1.PodSpec') && all.has('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'));
});
