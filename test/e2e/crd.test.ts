/** CustomResourceDefinitions: served at once, short names, categories, printer columns, CEL, watch across kinds. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { eventually, startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';

let k: RunningKubernaut;

const crd = (kind: string, plural: string, short: string, extra = '') => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: ${plural}.test.kubernaut.ai
spec:
  group: test.kubernaut.ai
  scope: Namespaced
  names:
    kind: ${kind}
    plural: ${plural}
    singular: ${kind.toLowerCase()}
    shortNames: [${short}]
    categories: [testcat]
  versions:
    - name: v1alpha1
      served: true
      storage: true
      subresources:
        status: {}
        scale:
          specReplicasPath: .spec.replicas
          statusReplicasPath: .status.replicas
      additionalPrinterColumns:
        - name: Phase
          type: string
          jsonPath: .status.phase
        - name: Replicas
          type: integer
          jsonPath: .spec.replicas
        - name: Age
          type: date
          jsonPath: .metadata.creationTimestamp
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              required: [target]
              x-kubernetes-validations:
                - rule: "self == oldSelf"
                  message: "spec is immutable"
              properties:
                target: { type: string, minLength: 1 }
                replicas: { type: integer, default: 1, minimum: 0 }
                mode: { type: string, enum: [auto, manual], default: auto }
${extra}
            status:
              type: object
              properties:
                phase: { type: string }
                replicas: { type: integer }
`;

before(async () => {
  k = await startKubernaut({ args: ['--ephemeral', '--no-gateway', '--no-datastorage'] });
  k.kubectlOk(['apply', '-f', '-'], { input: crd('Widget', 'widgets', 'wd') });
  k.kubectlOk(['apply', '-f', '-'], { input: crd('Gadget', 'gadgets', 'gd') });
  k.kubectlOk(['wait', '--for=condition=Established', 'crd/widgets.test.kubernaut.ai', 'crd/gadgets.test.kubernaut.ai', '--timeout=10s']);
});
after(async () => {
  await k.stop();
});

test('a new CRD is served at once, with defaults applied and printer columns shown', () => {
  k.kubectlOk(['apply', '-f', '-'], { input: 'apiVersion: test.kubernaut.ai/v1alpha1\nkind: Widget\nmetadata:\n  name: w1\n  namespace: default\nspec:\n  target: db\n' });
  const w = JSON.parse(k.kubectlOk(['get', 'wd', 'w1', '-o', 'json']));
  assert.equal(w.spec.replicas, 1);
  assert.equal(w.spec.mode, 'auto');
  assert.equal(w.metadata.generation, 1);
  const table = k.kubectlOk(['get', 'widgets']);
  assert.match(table.split('\n')[0], /^NAME\s+PHASE\s+REPLICAS\s+AGE$/);
  // A column whose path has no value yet prints empty, as for custom resources on a real cluster.
  assert.match(table, /^w1\s+1\s+\d+s$/m);
  assert.match(k.kubectlOk(['get', 'testcat']), /widget.test.kubernaut.ai\/w1/);
  assert.match(k.kubectlOk(['api-resources', '--api-group=test.kubernaut.ai']), /widgets\s+wd\s+test.kubernaut.ai\/v1alpha1\s+true\s+Widget/);
});

test('schema validation and CEL rules reject bad objects with 422', () => {
  const missing = k.kubectl(['apply', '-f', '-'], { input: 'apiVersion: test.kubernaut.ai/v1alpha1\nkind: Widget\nmetadata:\n  name: w2\n  namespace: default\nspec:\n  replicas: 2\n' });
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /spec.target: Required value/);
  const badEnum = k.kubectl(['apply', '-f', '-'], { input: 'apiVersion: test.kubernaut.ai/v1alpha1\nkind: Widget\nmetadata:\n  name: w3\n  namespace: default\nspec:\n  target: x\n  mode: sometimes\n' });
  assert.notEqual(badEnum.code, 0);
  assert.match(badEnum.stderr, /Unsupported value: "sometimes"/);
  const immutable = k.kubectl(['patch', 'widget', 'w1', '--type=merge', '-p', '{"spec":{"target":"other"}}']);
  assert.notEqual(immutable.code, 0);
  assert.match(immutable.stderr, /spec is immutable/);
  assert.equal(k.kubectlOk(['get', 'wd', 'w1', '-o', 'jsonpath={.spec.target}']), 'db');
});

test('unknown fields are pruned, or refused under strict field validation', () => {
  const strict = k.kubectl(['apply', '-f', '-'], { input: 'apiVersion: test.kubernaut.ai/v1alpha1\nkind: Widget\nmetadata:\n  name: w4\n  namespace: default\nspec:\n  target: x\n  surprise: 1\n' });
  assert.notEqual(strict.code, 0);
  assert.match(strict.stderr, /unknown field "spec.surprise"/);
  const lax = k.kubectl(['apply', '--validate=false', '-f', '-'], { input: 'apiVersion: test.kubernaut.ai/v1alpha1\nkind: Widget\nmetadata:\n  name: w4\n  namespace: default\nspec:\n  target: x\n  surprise: 1\n' });
  assert.equal(lax.code, 0, lax.stderr);
  assert.equal(JSON.parse(k.kubectlOk(['get', 'wd', 'w4', '-o', 'json'])).spec.surprise, undefined);
});

test('status and scale subresources of a custom resource', () => {
  k.kubectlOk(['patch', 'widget', 'w1', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Ready","replicas":1}}']);
  assert.match(k.kubectlOk(['get', 'wd', 'w1']), /w1\s+Ready\s+1/);
  const gen = JSON.parse(k.kubectlOk(['get', 'wd', 'w1', '-o', 'json'])).metadata.generation;
  assert.equal(gen, 1, 'status writes do not bump generation');
});

test('kubectl get lists several CRDs at once, and -w streams a custom kind', async () => {
  k.kubectlOk(['apply', '-f', '-'], { input: 'apiVersion: test.kubernaut.ai/v1alpha1\nkind: Gadget\nmetadata:\n  name: g0\n  namespace: default\nspec:\n  target: gy\n' });
  const both = k.kubectlOk(['get', 'wd,gd', '-n', 'default']);
  assert.match(both, /widget.test.kubernaut.ai\/w1/);
  assert.match(both, /gadget.test.kubernaut.ai\/g0/);
  // kubectl (1.31-1.33 alike) refuses -w with more than one resource type on its own side
  // ("you may only specify a single resource type"), so each kind is watched by itself.
  const w = k.kubectlBackground(['get', 'gadgets', '-n', 'default', '-w']);
  await eventually(() => w.output().includes('g0'), 'initial gadgets');
  k.kubectlOk(['apply', '-f', '-'], { input: 'apiVersion: test.kubernaut.ai/v1alpha1\nkind: Gadget\nmetadata:\n  name: g1\n  namespace: default\nspec:\n  target: gy\n' });
  await eventually(() => w.output().includes('g1'), 'gadget streamed');
  k.kubectlOk(['patch', 'gadget', 'g1', '--subresource=status', '--type=merge', '-p', '{"status":{"phase":"Running"}}']);
  await eventually(() => /g1\s+Running/.test(w.output()), 'status change streamed with printer columns');
  w.stop();
});

test('deleting a CRD deletes its instances and stops serving the kind', async () => {
  k.kubectlOk(['delete', 'crd', 'gadgets.test.kubernaut.ai', '--timeout=20s']);
  await eventually(() => k.kubectl(['get', 'gadgets']).code !== 0, 'gadgets no longer served');
  assert.match(k.kubectl(['get', 'gadgets']).stderr, /doesn't have a resource type "gadgets"|could not find the requested resource/);
});

test('several served versions share one storage version, and selectableFields filter lists', () => {
  k.kubectlOk(['apply', '-f', '-'], {
    input: `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: dials.test.kubernaut.ai
spec:
  group: test.kubernaut.ai
  scope: Namespaced
  names: { kind: Dial, plural: dials, singular: dial }
  versions:
    - name: v1
      served: true
      storage: true
      selectableFields: [{ jsonPath: .spec.color }]
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: { type: object, properties: { color: { type: string } } }
    - name: v1beta1
      served: true
      storage: false
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec: { type: object, properties: { color: { type: string } } }
`,
  });
  k.kubectlOk(['wait', '--for=condition=Established', 'crd/dials.test.kubernaut.ai', '--timeout=10s']);
  k.kubectlOk(['apply', '-f', '-'], { input: 'apiVersion: test.kubernaut.ai/v1beta1\nkind: Dial\nmetadata:\n  name: red\n  namespace: default\nspec:\n  color: red\n' });
  k.kubectlOk(['apply', '-f', '-'], { input: 'apiVersion: test.kubernaut.ai/v1\nkind: Dial\nmetadata:\n  name: blue\n  namespace: default\nspec:\n  color: blue\n' });
  const asV1 = JSON.parse(k.kubectlOk(['get', 'dials.v1.test.kubernaut.ai', 'red', '-o', 'json']));
  assert.equal(asV1.apiVersion, 'test.kubernaut.ai/v1');
  const asBeta = JSON.parse(k.kubectlOk(['get', 'dials.v1beta1.test.kubernaut.ai', 'blue', '-o', 'json']));
  assert.equal(asBeta.apiVersion, 'test.kubernaut.ai/v1beta1');
  assert.equal(asBeta.metadata.uid, JSON.parse(k.kubectlOk(['get', 'dials.v1.test.kubernaut.ai', 'blue', '-o', 'json'])).metadata.uid);
  const crd = JSON.parse(k.kubectlOk(['get', 'crd', 'dials.test.kubernaut.ai', '-o', 'json']));
  assert.deepEqual(crd.status.storedVersions, ['v1']);
  assert.equal(k.kubectlOk(['get', 'dials', '--field-selector', 'spec.color=blue', '-o', 'name']).trim(), 'dial.test.kubernaut.ai/blue');
  const bad = k.kubectl(['get', 'dials', '--field-selector', 'spec.size=1']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /not a known field selector|field label not supported/);
});
