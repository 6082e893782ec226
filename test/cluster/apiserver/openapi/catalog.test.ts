import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  ClientNodeCatalog,
  clientNodeCatalog,
  packageForGroup,
  parseApiFile,
  parseClassDocs,
  parseResourcePath,
  referencedClasses,
  splitClassName,
} from '../../../../src/cluster/apiserver/openapi/client-node-catalog.ts';
import { crdDefinitionName } from '../../../../src/cluster/apiserver/openapi/crd-schemas.ts';
import { collectRefs, toV2Schema } from '../../../../src/cluster/apiserver/openapi/schema-util.ts';
import { BuiltinSchemas } from '../../../../src/cluster/apiserver/openapi/builtin-schemas.ts';
import { OpenApiPublisher } from '../../../../src/cluster/apiserver/openapi/index.ts';
import { builtinResources } from '../../../../src/cluster/apiserver/builtin-resources.ts';

test('class names split into explicit group, version and type', () => {
  assert.deepEqual(splitClassName('V1Pod'), { version: 'v1', base: 'Pod' });
  assert.deepEqual(splitClassName('V2HorizontalPodAutoscaler'), { version: 'v2', base: 'HorizontalPodAutoscaler' });
  assert.deepEqual(splitClassName('V1beta1ValidatingAdmissionPolicy'), { version: 'v1beta1', base: 'ValidatingAdmissionPolicy' });
  assert.deepEqual(splitClassName('CoreV1Event'), { group: '', version: 'v1', base: 'Event' });
  assert.deepEqual(splitClassName('EventsV1Event'), { group: 'events.k8s.io', version: 'v1', base: 'Event' });
  assert.deepEqual(splitClassName('RbacV1Subject'), { group: 'rbac.authorization.k8s.io', version: 'v1', base: 'Subject' });
  assert.equal(splitClassName('VersionInfo'), undefined);
  assert.deepEqual(referencedClasses('Array<V1Container>'), ['V1Container']);
  assert.deepEqual(referencedClasses('{ [key: string]: V1JSONSchemaProps; }'), ['V1JSONSchemaProps']);
  assert.deepEqual(referencedClasses('Date'), []);
});

test('groups map to the Kubernetes package names', () => {
  assert.equal(packageForGroup(''), 'io.k8s.api.core');
  assert.equal(packageForGroup('apps'), 'io.k8s.api.apps');
  assert.equal(packageForGroup('networking.k8s.io'), 'io.k8s.api.networking');
  assert.equal(packageForGroup('rbac.authorization.k8s.io'), 'io.k8s.api.rbac');
  assert.equal(packageForGroup('apiextensions.k8s.io'), 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions');
  assert.equal(packageForGroup('apiregistration.k8s.io'), 'io.k8s.kube-aggregator.pkg.apis.apiregistration');
  assert.equal(packageForGroup('flowcontrol.apiserver.k8s.io'), 'io.k8s.api.flowcontrol');
  assert.equal(crdDefinitionName('kubernaut.ai', 'v1alpha1', 'RemediationRequest'), 'ai.kubernaut.v1alpha1.RemediationRequest');
  assert.equal(crdDefinitionName('stable.example.com', 'v1', 'CronTab'), 'com.example.stable.v1.CronTab');
});

test('model .d.ts comments give descriptions and required fields', () => {
  const dts = [
    "import { V1ObjectMeta } from '../models/V1ObjectMeta.js';",
    '/**',
    '* Widget is a thing. It\\\'s \\"quoted\\".',
    '*/',
    'export declare class V1Widget {',
    '    /**',
    '    * Name of the widget.',
    '    */',
    "    'name': string;",
    "    'metadata'?: V1ObjectMeta;",
    '    /**',
    '    * Multi word',
    '    */',
    "    'size'?: number;",
    '    static readonly discriminator: string | undefined;',
    '}',
  ].join('\n');
  const docs = parseClassDocs(dts);
  assert.equal(docs.description, 'Widget is a thing. It\'s "quoted".');
  assert.deepEqual(docs.fields.get('name'), { description: 'Name of the widget.', required: true });
  assert.deepEqual(docs.fields.get('metadata'), { description: undefined, required: false });
  assert.deepEqual(docs.fields.get('size'), { description: 'Multi word', required: false });
});

test('API classes give paths with the types they take and return', () => {
  const js = [
    'export class WidgetsV1ApiRequestFactory extends BaseAPIRequestFactory {',
    '    async listNamespacedWidget(namespace, _options) {',
    "        const localVarPath = '/apis/widgets.io/v1/namespaces/{namespace}/widgets'",
    '        const requestContext = _config.baseServer.makeRequestContext(localVarPath, HttpMethod.GET);',
    '    }',
    '    async createNamespacedWidget(namespace, body, _options) {',
    "        const localVarPath = '/apis/widgets.io/v1/namespaces/{namespace}/widgets'",
    '        const requestContext = _config.baseServer.makeRequestContext(localVarPath, HttpMethod.POST);',
    '        const serializedBody = ObjectSerializer.stringify(ObjectSerializer.serialize(body, "V1Widget", ""), contentType);',
    '    }',
    '}',
    'export class WidgetsV1ApiResponseProcessor {',
    '    async listNamespacedWidgetWithHttpInfo(response) {',
    '            const body = ObjectSerializer.deserialize(ObjectSerializer.parse(await response.body.text(), contentType), "V1WidgetList", "");',
    '    }',
    '}',
  ].join('\n');
  assert.deepEqual(parseApiFile(js), [
    { path: '/apis/widgets.io/v1/namespaces/{namespace}/widgets', method: 'GET', bodyType: undefined, responseType: 'V1WidgetList' },
    { path: '/apis/widgets.io/v1/namespaces/{namespace}/widgets', method: 'POST', bodyType: 'V1Widget', responseType: undefined },
  ]);
  assert.deepEqual(parseResourcePath('/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}/scale'), {
    group: 'apps',
    version: 'v1',
    resource: 'statefulsets',
    named: true,
    subresource: 'scale',
  });
  assert.deepEqual(parseResourcePath('/api/v1/nodes'), { group: '', version: 'v1', resource: 'nodes', named: false, subresource: undefined });
  assert.equal(parseResourcePath('/apis/apps/v1/watch/deployments'), undefined);
});

test('the client-node catalog knows every built-in resource the server serves', () => {
  const catalog = clientNodeCatalog();
  assert.ok(catalog.classes.size > 500);
  const builtins = new BuiltinSchemas(catalog);
  for (const r of builtinResources()) {
    const kind = builtins.kindDefinition(r);
    assert.ok(kind, `${r.group}/${r.version} ${r.kind}`);
    assert.ok(builtins.definition(kind)!.properties, `${kind} has fields`);
    if (r.verbs.includes('list')) assert.ok(builtins.kindDefinition({ ...r, kind: r.listKind }), r.listKind);
  }
  // Their documents are complete: no dangling reference.
  const p = new OpenApiPublisher(builtinResources, () => builtins);
  for (const key of Object.keys((p.v3Index() as any).paths)) {
    const doc = p.v3GroupVersion(key)!.body as any;
    for (const ref of collectRefs(doc)) assert.ok(doc.components.schemas[ref], `${key}: ${ref}`);
  }
});

test('without client-node files the publisher still serves valid, free-form documents', () => {
  const empty = new BuiltinSchemas(new ClientNodeCatalog(null));
  const p = new OpenApiPublisher(builtinResources, () => empty);
  const doc = p.v3GroupVersion('api/v1')!.body as any;
  const pod = doc.components.schemas['io.k8s.api.core.v1.Pod'];
  assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
  assert.equal(pod['x-kubernetes-preserve-unknown-fields'], true);
  assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}'].patch.parameters.some((x: any) => x.name === 'fieldValidation'));
  for (const ref of collectRefs(doc)) assert.ok(doc.components.schemas[ref], ref);
});

test('v2 conversion rewrites refs and drops what swagger 2.0 lacks', () => {
  const v3 = {
    type: 'object',
    properties: {
      a: { allOf: [{ $ref: '#/components/schemas/X' }], description: 'd', default: {} },
      b: { type: 'array', items: { $ref: '#/components/schemas/Y' } },
      c: { type: 'string', nullable: true, enum: ['p'] },
      d: { anyOf: [{ type: 'integer' }, { type: 'string' }], 'x-kubernetes-int-or-string': true },
    },
    'x-kubernetes-group-version-kind': [{ group: 'g', kind: 'K', version: 'v1' }],
  };
  assert.deepEqual(toV2Schema(v3), {
    type: 'object',
    properties: {
      a: { $ref: '#/definitions/X', description: 'd' },
      b: { type: 'array', items: { $ref: '#/definitions/Y' } },
      c: { type: 'string', enum: ['p'] },
      d: { 'x-kubernetes-int-or-string': true },
    },
    'x-kubernetes-group-version-kind': [{ group: 'g', kind: 'K', version: 'v1' }],
  });
  assert.deepEqual([...collectRefs(v3)].sort(), ['X', 'Y']);
});
