import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { goJson, stringCell } from '../../../../src/cluster/apiserver/tables/custom.ts';
import { columnDefinitions, toTable } from '../../../../src/cluster/apiserver/tables/index.ts';
import type { KubeObject, PrinterColumn } from '../../../../src/cluster/core/types.ts';
import { NOW, ago, cellsByName, info } from './fixtures.ts';

const columns: PrinterColumn[] = [
  { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
  { name: 'Replicas', type: 'integer', jsonPath: '.spec.replicas', description: 'Desired replicas' },
  { name: 'Image', type: 'string', jsonPath: '.spec.containers[*].image', priority: 1 },
  { name: 'Ratio', type: 'number', jsonPath: '.status.ratio' },
  { name: 'Paused', type: 'boolean', jsonPath: '.spec.paused' },
  { name: 'Last Backup', type: 'date', jsonPath: '.status.lastBackup' },
  { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' },
];

const WIDGETS = info('example.com/v1', 'widgets', 'Widget', { printerColumns: columns });

function widget(spec: Record<string, unknown>, status: Record<string, unknown>): KubeObject {
  return {
    apiVersion: 'example.com/v1',
    kind: 'Widget',
    metadata: { name: 'w1', namespace: 'default', creationTimestamp: ago(3 * 3600 + 4 * 60) },
    spec,
    status,
  };
}

describe('custom resource tables', () => {
  it('columns are Name then exactly the CRD printer columns', () => {
    const defs = columnDefinitions(WIDGETS);
    assert.deepEqual(
      defs.map((d) => [d.name, d.type, d.format, d.priority]),
      [
        ['Name', 'string', 'name', 0],
        ['Ready', 'string', '', 0],
        ['Replicas', 'integer', '', 0],
        ['Image', 'string', '', 1],
        ['Ratio', 'number', '', 0],
        ['Paused', 'boolean', '', 0],
        ['Last Backup', 'date', '', 0],
        ['Age', 'date', '', 0],
      ],
    );
    assert.equal(defs[2].description, 'Desired replicas');
    assert.equal(defs[1].description, 'Custom resource definition column (in JSONPath format): .status.conditions[?(@.type=="Ready")].status');
  });

  it('types cells by column type; dates are sent as ages', () => {
    const w = widget(
      { replicas: 3, paused: false, containers: [{ image: 'nginx:1.27' }, { image: 'envoy:1.30' }] },
      { ratio: 0.75, lastBackup: ago(45), conditions: [{ type: 'Synced', status: 'True' }, { type: 'Ready', status: 'False' }] },
    );
    assert.deepEqual(cellsByName(WIDGETS, w), {
      Name: 'w1',
      Ready: 'False',
      Replicas: 3,
      Image: 'nginx:1.27', // only the first match is shown, as on a real cluster
      Ratio: 0.75,
      Paused: false,
      'Last Backup': '45s',
      Age: '3h4m',
    });
  });

  it('missing values and values of the wrong type are null', () => {
    const w = widget({ replicas: 'three', paused: 'no' }, { ratio: 'high', lastBackup: 12 });
    const c = cellsByName(WIDGETS, w);
    assert.equal(c.Ready, null);
    assert.equal(c.Replicas, null);
    assert.equal(c.Image, null);
    assert.equal(c.Ratio, null);
    assert.equal(c.Paused, null);
    assert.equal(c['Last Backup'], null);
  });

  it('integers are truncated, bad timestamps read <invalid>', () => {
    const c = cellsByName(WIDGETS, widget({ replicas: 2.9 }, { lastBackup: 'last tuesday' }));
    assert.equal(c.Replicas, 2);
    assert.equal(c['Last Backup'], '<invalid>');
  });

  it('string columns print numbers, booleans and objects the way the server does', () => {
    const ri = info('example.com/v1', 'things', 'Thing', {
      printerColumns: [
        { name: 'N', type: 'string', jsonPath: '.spec.n' },
        { name: 'F', type: 'string', jsonPath: '.spec.f' },
        { name: 'B', type: 'string', jsonPath: '.spec.b' },
        { name: 'M', type: 'string', jsonPath: '.spec.m' },
        { name: 'L', type: 'string', jsonPath: '.spec.l' },
      ],
    });
    const t: KubeObject = { metadata: { name: 't' }, spec: { n: 42, f: 1.5, b: true, m: { z: 1, a: '<x>' }, l: ['a', 'b'] } };
    assert.deepEqual(cellsByName(ri, t), { Name: 't', N: '42', F: '1.5', B: 'true', M: '{"a":"\\u003cx\\u003e","z":1}', L: '["a","b"]' });
  });

  it('a CRD without printer columns gets Name and Age', () => {
    const ri = info('example.com/v1', 'plain', 'Plain', { printerColumns: [] });
    assert.deepEqual(
      columnDefinitions(ri).map((c) => [c.name, c.type]),
      [
        ['Name', 'string'],
        ['Age', 'date'],
      ],
    );
    assert.deepEqual(cellsByName(ri, { metadata: { name: 'p', creationTimestamp: ago(2 * 86400) } }), { Name: 'p', Age: '2d' });
  });

  it('a column with an unparsable JSONPath yields null cells instead of failing the table', () => {
    const ri = info('example.com/v1', 'broken', 'Broken', { printerColumns: [{ name: 'X', type: 'string', jsonPath: '.spec[' }] });
    const table = toTable(ri, [{ metadata: { name: 'b' }, spec: {} }], { include: 'None', now: NOW });
    assert.deepEqual(table.rows[0].cells, ['b', null]);
  });
});

describe('Go value formatting helpers', () => {
  it('goJson sorts keys and escapes HTML characters', () => {
    assert.equal(goJson({ b: [1, { d: '&', c: null }], a: 'x' }), '{"a":"x","b":[1,{"c":null,"d":"\\u0026"}]}');
  });

  it('stringCell renders null as <no value>', () => {
    assert.equal(stringCell(null), '<no value>');
  });
});
