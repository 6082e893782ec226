import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseFieldSelector } from '../../../src/cluster/apiserver/field-selectors.ts';
import { formatLabelSelector, matchesLabelSelectorObject, parseLabelSelector } from '../../../src/cluster/core/selectors.ts';
import { builtinResources } from '../../../src/cluster/apiserver/builtin-resources.ts';

const pods = builtinResources().find((r) => r.resource === 'pods')!;

test('label selectors: equality, sets, existence, numeric comparisons', () => {
  const labels = { app: 'web', tier: 'front', n: '5' };
  assert.equal(parseLabelSelector('app=web')(labels), true);
  assert.equal(parseLabelSelector('app==web,tier!=back')(labels), true);
  assert.equal(parseLabelSelector('app in (web, api),tier notin (back)')(labels), true);
  assert.equal(parseLabelSelector('app,!missing')(labels), true);
  assert.equal(parseLabelSelector('missing')(labels), false);
  assert.equal(parseLabelSelector('n>3,n<9')(labels), true);
  assert.equal(parseLabelSelector('app=api')(labels), false);
  assert.equal(parseLabelSelector('')(labels), true);
  assert.throws(() => parseLabelSelector('app=web;x'), /unable to parse/);
  assert.throws(() => parseLabelSelector('n>x'), /integer/);
});

test('label selector objects match and format like the scale subresource reports them', () => {
  const sel = { matchLabels: { app: 'web' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['front', 'back'] }] };
  assert.equal(matchesLabelSelectorObject(sel, { app: 'web', tier: 'front' }), true);
  assert.equal(matchesLabelSelectorObject(sel, { app: 'web' }), false);
  assert.equal(formatLabelSelector(sel), 'app=web,tier in (back,front)');
});

test('field selectors know the pod fields and reject unknown ones', () => {
  const pod = { metadata: { name: 'a', namespace: 'x' }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } };
  assert.equal(parseFieldSelector('status.phase=Running,spec.nodeName=n1', pods)(pod), true);
  assert.equal(parseFieldSelector('status.phase!=Running', pods)(pod), false);
  assert.equal(parseFieldSelector('metadata.name=a', pods)(pod), true);
  assert.throws(() => parseFieldSelector('spec.bogus=1', pods), /not a known field selector/);
});
