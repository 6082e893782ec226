import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CONTROLLER_REVISIONS, NAMESPACES, STATEFUL_SETS } from '../../../src/cluster/client/resources.ts';
import { computeHash } from '../../../src/cluster/controllers/shared/hashing.ts';
import { createRevision, findEqualRevision, nextRevisionNumber, truncateHistory } from '../../../src/cluster/controllers/shared/history.ts';
import { revisionData } from '../../../src/cluster/controllers/statefulset/revisions.ts';
import { startTestCluster } from '../../helpers/test-cluster.ts';
import { kvStore } from './helpers.ts';

const NS = 'history';

test('createRevision names by hash, reuses an equal revision and steps past a name collision', async () => {
  // No controller runs here: only the history helpers against the API server.
  const t = await startTestCluster({ timeScale: 20 });
  try {
    await t.start([]);
    await t.client.create(NAMESPACES, undefined, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    const set = await t.client.create(STATEFUL_SETS, NS, kvStore(NS, { replicas: 0 }));
    const data = revisionData(set);

    // Someone else's object already has the first name: the collision count moves on.
    const squatted = `kv-store-${computeHash(data, 0)}`;
    await t.client.create(CONTROLLER_REVISIONS, NS, { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: squatted }, data: { other: true }, revision: 7 });
    const first = await createRevision(t.client, { ...set, apiVersion: 'apps/v1', kind: 'StatefulSet' }, data, 1, 0);
    assert.equal(first.collisionCount, 1);
    assert.equal(first.revision.metadata.name, `kv-store-${computeHash(data, 1)}`);
    assert.equal(first.revision.revision, 1);
    assert.equal(first.revision.metadata.labels!['controller.kubernetes.io/hash'], computeHash(data, 1));
    assert.equal(first.revision.metadata.labels!.app, 'kv-store');
    assert.deepEqual(first.revision.metadata.ownerReferences!.map((r) => [r.kind, r.uid, r.controller]), [['StatefulSet', set.metadata.uid, true]]);

    // Asking again (e.g. from a stale cache) returns the same revision instead of a duplicate.
    const again = await createRevision(t.client, { ...set, apiVersion: 'apps/v1', kind: 'StatefulSet' }, data, 1, 0);
    assert.equal(again.revision.metadata.uid, first.revision.metadata.uid);
    assert.equal(again.collisionCount, 1);

    const other = await createRevision(t.client, { ...set, apiVersion: 'apps/v1', kind: 'StatefulSet' }, { spec: { template: { $patch: 'replace' } } }, 2, 1);
    const mine = [first.revision, other.revision];
    assert.equal(nextRevisionNumber(mine), 3);
    assert.equal(findEqualRevision(mine, JSON.parse(JSON.stringify(data)))?.metadata.name, first.revision.metadata.name);

    // Truncation keeps live revisions and the newest `limit` others.
    await truncateHistory(t.client, mine, [other.revision.metadata.name!], 0);
    assert.equal(await t.client.find(CONTROLLER_REVISIONS, NS, first.revision.metadata.name!), undefined);
    assert.ok(await t.client.find(CONTROLLER_REVISIONS, NS, other.revision.metadata.name!));
    assert.ok(await t.client.find(CONTROLLER_REVISIONS, NS, squatted));
  } finally {
    await t.close();
  }
});
