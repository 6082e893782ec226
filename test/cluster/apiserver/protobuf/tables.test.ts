/** Consistency of the field tables and the kind registry. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { supportedProtobufKinds } from '../../../../src/cluster/apiserver/protobuf/index.ts';
import { isKnownBase, parseFieldType } from '../../../../src/cluster/apiserver/protobuf/decode.ts';
import { tableForKind } from '../../../../src/cluster/apiserver/protobuf/kinds.ts';
import { MESSAGE_TABLES, TABLE_GROUPS } from '../../../../src/cluster/apiserver/protobuf/tables/index.ts';

test('every type a table refers to can be decoded', () => {
  const missing: string[] = [];
  for (const [name, spec] of Object.entries(MESSAGE_TABLES)) {
    for (const [num, [json, type]] of Object.entries(spec)) {
      if (!isKnownBase(parseFieldType(type).base)) missing.push(`${name}.${json} (${num}): ${type}`);
    }
  }
  assert.deepEqual(missing, []);
});

test('message names are unique across groups and field specs are well formed', () => {
  const seen = new Map<string, string>();
  for (const [group, tables] of Object.entries(TABLE_GROUPS)) {
    for (const name of Object.keys(tables)) {
      assert.ok(!seen.has(name), `${name} defined in both ${seen.get(name)} and ${group}`);
      seen.set(name, group);
    }
  }
  for (const [name, spec] of Object.entries(MESSAGE_TABLES)) {
    const jsonNames = new Set<string>();
    for (const [num, [json, type]] of Object.entries(spec)) {
      assert.ok(Number.isInteger(Number(num)) && Number(num) > 0 && Number(num) < 2 ** 29, `${name}: field number ${num}`);
      assert.match(type, /^(\[\]|map:)?[A-Za-z]+!?$/, `${name}.${json}: type ${type}`);
      const t = parseFieldType(type);
      assert.ok(!(t.keep && !t.scalar), `${name}.${json}: '!' only applies to scalars`);
      if (json === '') {
        assert.ok(!t.scalar && !t.repeated && !t.map, `${name}: only a singular message can be inlined`);
        continue;
      }
      assert.ok(!jsonNames.has(json), `${name}: duplicate json name ${json}`);
      jsonNames.add(json);
    }
  }
});

test('every supported kind resolves to an object table with metadata or options', () => {
  const kinds = supportedProtobufKinds();
  for (const k of kinds) {
    const i = k.lastIndexOf('/');
    const table = tableForKind(k.slice(0, i) === '*' ? 'v1' : k.slice(0, i), k.slice(i + 1));
    assert.ok(table && MESSAGE_TABLES[table], `${k} has no table`);
  }
  for (const required of [
    'v1/Namespace', 'v1/ConfigMap', 'v1/Secret', 'v1/ServiceAccount', 'v1/Service', 'v1/Pod', 'v1/PersistentVolumeClaim',
    'v1/ResourceQuota', 'v1/Binding', 'v1/Event', 'apps/v1/Deployment', 'apps/v1/StatefulSet', 'apps/v1/DaemonSet',
    'apps/v1/ReplicaSet', 'batch/v1/Job', 'batch/v1/CronJob', 'policy/v1/PodDisruptionBudget', 'policy/v1/Eviction',
    'rbac.authorization.k8s.io/v1/Role', 'rbac.authorization.k8s.io/v1/RoleBinding', 'rbac.authorization.k8s.io/v1/ClusterRole',
    'rbac.authorization.k8s.io/v1/ClusterRoleBinding', 'scheduling.k8s.io/v1/PriorityClass', 'networking.k8s.io/v1/Ingress',
    'authorization.k8s.io/v1/SelfSubjectAccessReview', 'authorization.k8s.io/v1/SubjectAccessReview',
    'authentication.k8s.io/v1/TokenRequest', 'authentication.k8s.io/v1/TokenReview', '*/DeleteOptions',
  ]) assert.ok(kinds.includes(required), `${required} is not supported`);
  assert.equal(tableForKind('v1', 'Widget'), undefined);
  assert.equal(tableForKind('batch/v1', 'DeleteOptions'), 'DeleteOptions');
});
