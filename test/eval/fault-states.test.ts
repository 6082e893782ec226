/**
 * Every evaluation fixture's fault produces the state it promises in the embedded cluster (its
 * `faultyWhen` conditions all hold), and its incident is a valid analyze request — also under the
 * renamed names. Independent of the investigator: this is the fixtures' own contract.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeRequestSchema } from '../../src/investigator/api/wire.ts';
import { ScaledClock } from '../../src/platform/clock.ts';
import { fixtureNodes, startEvalCluster, type EvalCluster } from '../../eval/cluster.ts';
import { loadFixtures, type Fixture } from '../../eval/fixture.ts';
import { prepareFixture, type PreparedFixture } from '../../eval/setup.ts';

const fixtures = loadFixtures();
// Renamed fixtures must bring about the same states: a rename that broke a relation between names
// (a claim no longer named after its StatefulSet) would make a different incident.
const renamed = loadFixtures({ rename: { seed: 'fault-states' } });
const all = [...fixtures, ...renamed];
let env: EvalCluster;

before(async () => {
  env = await startEvalCluster(new ScaledClock(20), fixtureNodes(all));
});
after(async () => env?.close());

const prepare = (f: Fixture) =>
  prepareFixture(f, {
    kubeconfig: env.kubeconfig,
    kubeconfigPath: env.kubeconfigPath,
    nodes: env.cluster,
    timeoutMs: 90_000,
  });

function checkIncident(p: PreparedFixture): void {
  const request = analyzeRequestSchema.parse(p.incident(1));
  assert.equal(request.resource_namespace, p.fixture.incident.resource_namespace ?? p.fixture.namespace);
  assert.doesNotMatch(JSON.stringify(request), /\$\{/, 'every ${VAR} was captured');
}

test('at least ten fixtures, covering the required incidents', () => {
  assert.ok(fixtures.length >= 10);
  for (const id of ['statefulset-claim-deleted', 'statefulset-claim-missing-storageclass', 'deployment-bad-configmap-crashloop', 'oom-killed', 'image-pull-failure', 'node-not-ready', 'untolerated-taint', 'already-healed', 'prompt-injection-in-logs', 'no-fitting-workflow']) {
    assert.ok(fixtures.some((f) => f.id === id), id);
  }
});

test('a renamed fixture keeps no trace of its original names', () => {
  const reference = renamed.find((f) => f.id === 'statefulset-claim-deleted~renamed')!;
  const text = JSON.stringify(reference);
  for (const name of ['kv-store', 'KubernautStatefulSetReplicasMismatch']) assert.ok(!text.includes(name), `${name} renamed`);
  assert.match(reference.expected.parameters.TARGET_PVC, /^data-r[0-9a-f]{8}-2$/);
  assert.equal(reference.expected.target?.name, reference.incident.resource_name);
  const claimFixture = renamed.find((f) => f.id === 'statefulset-claim-missing-storageclass~renamed')!;
  assert.equal(claimFixture.expected.parameters.TARGET_PVC, `data-${claimFixture.expected.target!.name}-2`, 'a claim created by the fixture keeps its StatefulSet-derived name');
});

test('every fault produces its faulty state', { timeout: 400_000 }, async () => {
  const shared = all.filter((f) => !f.exclusive);
  const results = await Promise.allSettled(shared.map(async (f) => {
    const p = await prepare(f);
    checkIncident(p);
    await p.cleanUp();
    return f.id;
  }));
  const failed = results.flatMap((r, i) => (r.status === 'rejected' ? [`${shared[i].id}: ${(r.reason as Error).message}`] : []));
  for (const f of all.filter((x) => x.exclusive)) {
    try {
      const p = await prepare(f);
      checkIncident(p);
      await p.cleanUp();
    } catch (e) {
      failed.push(`${f.id}: ${(e as Error).message}`);
    }
  }
  assert.deepEqual(failed, []);
});
