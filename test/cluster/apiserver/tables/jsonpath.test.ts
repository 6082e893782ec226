import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileJsonPath, JsonPathError } from '../../../../src/cluster/apiserver/tables/jsonpath.ts';

const pod = {
  metadata: { name: 'web', labels: { app: 'web', 'app.kubernetes.io/name': 'shop' }, annotations: {} },
  spec: {
    replicas: 3,
    containers: [
      { name: 'web', image: 'nginx:1.27', ports: [{ containerPort: 80 }] },
      { name: 'sidecar', image: 'envoy:1.30', ports: [{ containerPort: 9901 }, { containerPort: 15000 }] },
    ],
  },
  status: {
    phase: 'Running',
    ready: null,
    conditions: [
      { type: 'Initialized', status: 'True', priority: 1 },
      { type: 'Ready', status: 'False', priority: 5 },
      { type: 'PodScheduled', status: 'True', priority: 2 },
    ],
  },
};

const first = (expr: string, data: unknown = pod): unknown => compileJsonPath(expr).first(data);
const all = (expr: string, data: unknown = pod): unknown[] => compileJsonPath(expr).findResults(data)[0];

describe('jsonpath', () => {
  it('selects fields, with or without {} and a leading $', () => {
    assert.equal(first('.status.phase'), 'Running');
    assert.equal(first('{.status.phase}'), 'Running');
    assert.equal(first('{$.spec.replicas}'), 3);
    assert.equal(first('.metadata.labels.app'), 'web');
  });

  it('reads keys with dots and slashes by bracket or escape', () => {
    assert.equal(first(".metadata.labels['app.kubernetes.io/name']"), 'shop');
    assert.equal(first('.metadata.labels["app.kubernetes.io/name"]'), 'shop');
    assert.equal(first('.metadata.labels.app\\.kubernetes\\.io/name'), 'shop');
  });

  it('returns nothing for missing keys, and null values as values', () => {
    assert.deepEqual(all('.status.missing.deeper'), []);
    assert.deepEqual(all('.metadata.annotations.foo'), []);
    assert.deepEqual(all('.status.ready'), [null]);
    assert.equal(first('.spec.replicas.x'), undefined);
  });

  it('indexes, slices and unions arrays', () => {
    assert.equal(first('.spec.containers[0].name'), 'web');
    assert.equal(first('.spec.containers[-1].name'), 'sidecar');
    assert.deepEqual(all('.spec.containers[0:2].name'), ['web', 'sidecar']);
    assert.deepEqual(all('.status.conditions[0,2].type'), ['Initialized', 'PodScheduled']);
    assert.deepEqual(all('.status.conditions[::2].type'), ['Initialized', 'PodScheduled']);
  });

  it('expands wildcards and recursive descent', () => {
    assert.deepEqual(all('.spec.containers[*].image'), ['nginx:1.27', 'envoy:1.30']);
    assert.deepEqual(all('.spec.containers[*].ports[*].containerPort'), [80, 9901, 15000]);
    assert.deepEqual(all('.metadata.labels.*'), ['web', 'shop']);
    assert.deepEqual(all('..containerPort'), [80, 9901, 15000]);
  });

  it('filters by equality, inequality and comparison', () => {
    assert.equal(first('.status.conditions[?(@.type=="Ready")].status'), 'False');
    assert.equal(first(".status.conditions[?(@.type == 'Ready')].status"), 'False');
    assert.deepEqual(all('.status.conditions[?(@.status!="True")].type'), ['Ready']);
    assert.deepEqual(all('.status.conditions[?(@.priority>=2)].type'), ['Ready', 'PodScheduled']);
    assert.deepEqual(all('.status.conditions[?(@.priority<2)].type'), ['Initialized']);
    assert.deepEqual(all('.spec.containers[?(@.ports[1])].name'), ['sidecar']);
  });

  it('filter existence tests and no-match filters', () => {
    assert.deepEqual(all('.status.conditions[?(@.reason)].type'), []);
    assert.deepEqual(all('.status.conditions[?(@.type=="Nope")].status'), []);
  });

  it('reports structural errors', () => {
    assert.throws(() => first('.spec.containers[5].name'), JsonPathError);
    assert.throws(() => first('.metadata[0]'), JsonPathError);
    assert.throws(() => first('.status.conditions[?(@.priority=="x")].type'), JsonPathError);
    assert.throws(() => compileJsonPath('.spec.containers[?(@.x=="a"'), JsonPathError);
    assert.throws(() => compileJsonPath('{.spec'), JsonPathError);
  });

  it('keeps literal text around actions as its own result', () => {
    const jp = compileJsonPath('name: {.metadata.name}');
    assert.deepEqual(jp.findResults(pod), [['name: '], ['web']]);
  });
});
