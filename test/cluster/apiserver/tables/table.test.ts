import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatLabelSelector, labelSelectorString } from '../../../../src/cluster/apiserver/tables/format.ts';
import { columnDefinitions, tableRow, toTable } from '../../../../src/cluster/apiserver/tables/index.ts';
import { formatQuantityText } from '../../../../src/cluster/core/quantity.ts';
import type { KubeObject } from '../../../../src/cluster/core/types.ts';
import { NOW, ago, info } from './fixtures.ts';

const CM = info('v1', 'configmaps', 'ConfigMap');
const cm = (name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, namespace: 'default', uid: `uid-${name}`, resourceVersion: '42', creationTimestamp: ago(30), labels: { a: 'b' } },
  data: { k: 'v' },
});

describe('toTable', () => {
  it('builds a meta.k8s.io/v1 Table with list metadata and one row per object', () => {
    const t = toTable(CM, [cm('a'), cm('b')], { include: 'Metadata', now: NOW, listMeta: { resourceVersion: '99', continue: 'tok', remainingItemCount: 3 } });
    assert.equal(t.kind, 'Table');
    assert.equal(t.apiVersion, 'meta.k8s.io/v1');
    assert.deepEqual(t.metadata, { resourceVersion: '99', continue: 'tok', remainingItemCount: 3 });
    assert.deepEqual(t.columnDefinitions, columnDefinitions(CM));
    assert.deepEqual(
      t.rows.map((r) => r.cells),
      [
        ['a', 1, '30s'],
        ['b', 1, '30s'],
      ],
    );
    // It survives a JSON round trip unchanged (no undefined or non-JSON values).
    assert.deepEqual(JSON.parse(JSON.stringify(t)), t);
  });

  it('omits an empty continue token and leaves columns out for later watch events', () => {
    const t = toTable(CM, [cm('a')], { include: 'None', now: NOW, listMeta: { resourceVersion: '7', continue: '' }, omitColumns: true });
    assert.deepEqual(t.metadata, { resourceVersion: '7' });
    assert.deepEqual(t.columnDefinitions, []);
    assert.equal(t.rows.length, 1);
  });

  it('an empty list still carries its columns', () => {
    const t = toTable(CM, [], { include: 'Metadata', now: NOW });
    assert.deepEqual(t.rows, []);
    assert.deepEqual(t.metadata, {});
    assert.deepEqual(t.columnDefinitions.map((c) => c.name), ['Name', 'Data', 'Age']);
  });
});

describe('includeObject', () => {
  it('Metadata sends PartialObjectMetadata', () => {
    const o = cm('a');
    assert.deepEqual(tableRow(CM, o, 'Metadata', NOW).object, { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata });
  });

  it('Object sends the whole object, None sends nothing', () => {
    const o = cm('a');
    assert.deepEqual(tableRow(CM, o, 'Object', NOW).object, o);
    const none = tableRow(CM, o, 'None', NOW);
    assert.equal('object' in none, false);
  });
});

describe('column definitions', () => {
  it('every column has all five fields; Name is format name', () => {
    for (const ri of [CM, info('v1', 'pods', 'Pod'), info('apps/v1', 'deployments', 'Deployment'), info('v1', 'events', 'Event')]) {
      for (const c of columnDefinitions(ri)) {
        assert.deepEqual(Object.keys(c).sort(), ['description', 'format', 'name', 'priority', 'type']);
        assert.equal(typeof c.description, 'string');
        assert.ok(c.priority === 0 || c.priority === 1);
        assert.equal(c.format, c.name === 'Name' ? 'name' : '');
      }
    }
  });

  it('returns copies callers may modify', () => {
    columnDefinitions(CM)[0].name = 'Changed';
    assert.equal(columnDefinitions(CM)[0].name, 'Name');
  });
});

describe('quantities', () => {
  const cases: [unknown, string][] = [
    ['10Gi', '10Gi'],
    ['1024Mi', '1Gi'],
    ['1536Mi', '1536Mi'],
    ['0.5Gi', '512Mi'],
    ['512', '512'],
    ['1000M', '1G'],
    ['1500M', '1500M'],
    ['1.5', '1500m'],
    ['100m', '100m'],
    ['0.1m', '100u'],
    ['2000', '2k'],
    ['1e3', '1e3'],
    ['0', '0'],
    ['0Gi', '0'],
    [5, '5'],
    [undefined, '0'],
    ['-1Ki', '-1Ki'],
    ['lots', 'lots'],
  ];
  for (const [input, want] of cases) {
    it(`${String(input)} -> ${want}`, () => assert.equal(formatQuantityText(input), want));
  }
});

describe('label selectors', () => {
  it('formats requirements sorted by key', () => {
    const sel = {
      matchLabels: { z: '1', app: 'web' },
      matchExpressions: [
        { key: 'env', operator: 'NotIn', values: ['prod', 'dev'] },
        { key: 'gpu', operator: 'Exists' },
      ],
    };
    assert.equal(labelSelectorString(sel), 'app=web,env notin (dev,prod),gpu,z=1');
  });

  it('empty and missing selectors, and invalid ones', () => {
    assert.equal(formatLabelSelector(undefined), '<none>');
    assert.equal(formatLabelSelector({}), '<none>');
    assert.equal(formatLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Near', values: ['x'] }] }), '<error>');
    assert.equal(labelSelectorString({ matchExpressions: [{ key: 'a', operator: 'In', values: [] }] }), undefined);
  });
});
