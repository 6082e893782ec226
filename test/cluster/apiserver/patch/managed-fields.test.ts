import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { KubeObject, ManagedFieldsEntry } from '../../../../src/cluster/core/types.ts';
import { FieldSet, formatPath, patchMetaForBuiltin, recordUpdate, serverSideApply } from '../../../../src/cluster/apiserver/patch/index.ts';
import { ApiError } from '../../../../src/cluster/apiserver/errors.ts';

const meta = patchMetaForBuiltin({ group: 'apps', version: 'v1', kind: 'Deployment' })!;

function deployment(): KubeObject {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'default', uid: 'u', resourceVersion: '1', labels: { app: 'd' } },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'd' } },
      template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'web', image: 'nginx', env: [{ name: 'A', value: '1' }] }] } },
    },
  };
}

const update = (old: KubeObject | undefined, next: KubeObject, manager: string, now = 't1', subresource?: string): KubeObject =>
  recordUpdate(old, next, { manager, meta, apiVersion: 'apps/v1', now, subresource });

const fieldsOf = (obj: KubeObject, manager: string): any => obj.metadata.managedFields?.find((e: ManagedFieldsEntry) => e.manager === manager)?.fieldsV1;

describe('recordUpdate', () => {
  it('records a create as an Update entry owning every managed field', () => {
    const created = update(undefined, deployment(), 'kubectl-create', 't0');
    assert.equal(created.metadata.managedFields!.length, 1);
    const [e] = created.metadata.managedFields!;
    assert.deepEqual({ ...e, fieldsV1: undefined }, { manager: 'kubectl-create', operation: 'Update', apiVersion: 'apps/v1', time: 't0', fieldsType: 'FieldsV1', fieldsV1: undefined });
    assert.deepEqual(e.fieldsV1, {
      'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
      'f:spec': {
        'f:replicas': {},
        'f:selector': {},
        'f:template': {
          'f:metadata': { 'f:labels': { '.': {}, 'f:app': {} } },
          'f:spec': {
            'f:containers': {
              '.': {},
              'k:{"name":"web"}': { '.': {}, 'f:env': { '.': {}, 'k:{"name":"A"}': { '.': {}, 'f:name': {}, 'f:value': {} } }, 'f:image': {}, 'f:name': {} },
            },
          },
        },
      },
    });
    assert.equal(fieldsOf(created, 'kubectl-create')['f:metadata']['f:name'], undefined, 'identity fields are not managed');
  });

  it('moves a changed field to the writer and leaves the rest with its owner', () => {
    const created = update(undefined, deployment(), 'kubectl-create', 't0');
    const edited = structuredClone(created);
    edited.spec.template.spec.containers[0].image = 'nginx:2';
    const out = update(created, edited, 'kubectl-edit');
    const image = (f: any) => f?.['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"web"}']?.['f:image'];
    assert.equal(image(fieldsOf(out, 'kubectl-create')), undefined);
    assert.deepEqual(image(fieldsOf(out, 'kubectl-edit')), {});
    assert.deepEqual(Object.keys(fieldsOf(out, 'kubectl-edit')), ['f:spec']);
    assert.ok(fieldsOf(out, 'kubectl-create')['f:spec']['f:replicas']);
    assert.equal(out.metadata.managedFields!.find((e) => e.manager === 'kubectl-create')!.time, 't0', 'others keep their time');
  });

  it('removes deleted fields from every manager and drops managers left with nothing', () => {
    const created = update(undefined, deployment(), 'kubectl-create', 't0');
    const labelled = structuredClone(created);
    labelled.metadata.labels!.team = 'x';
    const afterLabel = update(created, labelled, 'kubectl-label');
    assert.deepEqual(fieldsOf(afterLabel, 'kubectl-label'), { 'f:metadata': { 'f:labels': { 'f:team': {} } } });
    const unlabelled = structuredClone(afterLabel);
    delete unlabelled.metadata.labels!.team;
    const out = update(afterLabel, unlabelled, 'kubectl-edit');
    assert.equal(fieldsOf(out, 'kubectl-label'), undefined, 'kubectl-label owned nothing else');
    assert.equal(fieldsOf(out, 'kubectl-edit'), undefined, 'a pure removal owns nothing');
    assert.deepEqual(out.metadata.managedFields!.map((e) => e.manager), ['kubectl-create']);
  });

  it('leaves managedFields untouched when nothing changed', () => {
    const created = update(undefined, deployment(), 'kubectl-create', 't0');
    const same = structuredClone(created);
    same.metadata.resourceVersion = '2';
    const out = update(created, same, 'kubectl-edit', 't9');
    assert.deepEqual(out.metadata.managedFields, created.metadata.managedFields);
  });

  it('accumulates a manager\'s fields across writes and refreshes its time', () => {
    const created = update(undefined, deployment(), 'a', 't0');
    const s1 = structuredClone(created);
    s1.spec.replicas = 2;
    const o1 = update(created, s1, 'scaler', 't1');
    const s2 = structuredClone(o1);
    s2.spec.paused = true;
    const o2 = update(o1, s2, 'scaler', 't2');
    const scaler = o2.metadata.managedFields!.find((e) => e.manager === 'scaler')!;
    assert.equal(scaler.time, 't2');
    assert.deepEqual(scaler.fieldsV1, { 'f:spec': { 'f:paused': {}, 'f:replicas': {} } });
  });

  it('keeps subresource writes in their own entry', () => {
    const created = update(undefined, deployment(), 'a', 't0');
    const withStatus = structuredClone(created);
    withStatus.status = { replicas: 1, conditions: [{ type: 'Available', status: 'True' }] };
    const out = update(created, withStatus, 'deployment-controller', 't1', 'status');
    const e = out.metadata.managedFields!.find((m) => m.manager === 'deployment-controller')!;
    assert.equal(e.subresource, 'status');
    assert.deepEqual(e.fieldsV1, { 'f:status': { 'f:conditions': { '.': {}, 'k:{"type":"Available"}': { '.': {}, 'f:status': {}, 'f:type': {} } }, 'f:replicas': {} } });
  });

  it('clears managedFields when asked with [{}] and honours client-edited entries', () => {
    const created = update(undefined, deployment(), 'a', 't0');
    const cleared = structuredClone(created);
    cleared.metadata.managedFields = [{}];
    assert.equal(update(created, cleared, 'x').metadata.managedFields, undefined);
    const emptyList = structuredClone(created);
    emptyList.metadata.managedFields = [];
    assert.deepEqual(update(created, emptyList, 'x').metadata.managedFields, created.metadata.managedFields, 'an empty list means "unchanged"');
    // kubectl's client-side -> server-side apply upgrade rewrites entries with a JSON patch.
    const upgraded = structuredClone(created);
    upgraded.metadata.managedFields = [{ ...created.metadata.managedFields![0], manager: 'kubectl', operation: 'Apply' }];
    const out = update(created, upgraded, 'kubectl-client-side-apply');
    assert.deepEqual(out.metadata.managedFields!.map((e) => [e.manager, e.operation]), [['kubectl', 'Apply']]);
  });

  it('an Update of an applied field takes it over, so the applier then conflicts', () => {
    const applied = serverSideApply(undefined, deployment(), { manager: 'kubectl', force: false, meta, apiVersion: 'apps/v1', now: 't0' });
    const scaled = structuredClone(applied);
    scaled.spec.replicas = 5;
    const out = update(applied, scaled, 'kubectl-scale');
    assert.equal(fieldsOf(out, 'kubectl')['f:spec']['f:replicas'], undefined);
    assert.deepEqual(fieldsOf(out, 'kubectl-scale'), { 'f:spec': { 'f:replicas': {} } });
    const again = deployment();
    delete again.metadata.uid;
    delete again.metadata.resourceVersion;
    assert.throws(
      () => serverSideApply(out, again, { manager: 'kubectl', force: false, meta, apiVersion: 'apps/v1', now: 't2' }),
      (e: unknown) => e instanceof ApiError && e.message === 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas',
    );
  });

  it('does not mutate its inputs', () => {
    const created = update(undefined, deployment(), 'a', 't0');
    const next = structuredClone(created);
    next.spec.replicas = 4;
    const copies = [structuredClone(created), structuredClone(next)];
    update(created, next, 'b');
    assert.deepEqual([created, next], copies);
  });
});

describe('FieldSet', () => {
  it('round-trips FieldsV1 and canonicalises foreign key order', () => {
    const raw = { 'f:spec': { 'f:ports': { '.': {}, 'k:{"protocol":"TCP","port":80}': { '.': {}, 'f:port': {} } } } };
    const set = FieldSet.fromFieldsV1(raw);
    assert.ok(set.has(['f:spec', 'f:ports']));
    assert.ok(set.has(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}', 'f:port']));
    assert.deepEqual(set.toFieldsV1(), { 'f:spec': { 'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } } } });
  });

  it('supports difference, within and removeUnder', () => {
    const a = FieldSet.fromFieldsV1({ 'f:a': {}, 'f:b': { 'f:c': {}, 'f:d': {} } });
    const b = FieldSet.fromFieldsV1({ 'f:b': { 'f:c': {} } });
    assert.deepEqual(a.difference(b).toFieldsV1(), { 'f:a': {}, 'f:b': { 'f:d': {} } });
    assert.deepEqual(a.within(FieldSet.fromFieldsV1({ 'f:b': {} })).toFieldsV1(), { 'f:b': { 'f:c': {}, 'f:d': {} } });
    const c = a.clone();
    c.removeUnder(FieldSet.fromFieldsV1({ 'f:b': {} }));
    assert.deepEqual(c.toFieldsV1(), { 'f:a': {} });
  });

  it('formats paths like the real server', () => {
    assert.equal(formatPath(['f:spec', 'f:containers', 'k:{"name":"web"}', 'f:image']), '.spec.containers[name="web"].image');
    assert.equal(formatPath(['f:spec', 'f:ports', 'k:{"port":80,"protocol":"TCP"}']), '.spec.ports[port=80,protocol="TCP"]');
    assert.equal(formatPath(['f:metadata', 'f:finalizers', 'v:"a/b"']), '.metadata.finalizers[="a/b"]');
  });
});
