/**
 * Request bodies as a hostile client sends them: nesting far deeper than any object, YAML alias
 * bombs. They are refused as 400 BadRequest before anything walks them, nothing is stored, and an
 * object that is already deep (stored before the limit existed) can still be deleted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../../../src/cluster/apiserver/server.ts';
import { MAX_BODY_DEPTH } from '../../../src/cluster/apiserver/handlers/body-depth.ts';
import { EmbeddedCluster } from '../../../src/cluster/embedded-cluster.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';
import type { KubeObject } from '../../../src/cluster/core/types.ts';
import { callServer } from './call.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';

const call = (server: ApiServer, method: string, path: string, body?: string, contentType?: string) => callServer(server, method, path, { body, contentType });

function serverWithNamespace(): ApiServer {
  const server = new ApiServer({ clock: new ManualClock() });
  assert.equal(call(server, 'POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } })).status, 201);
  return server;
}

/** `{"x":{"x":...1...}}`, `depth` objects deep. */
function nestedJson(depth: number): string {
  return '{"x":'.repeat(depth) + '1' + '}'.repeat(depth);
}

function nestedValue(depth: number): Record<string, unknown> {
  let v: Record<string, unknown> = { x: 1 };
  for (let i = 1; i < depth; i++) v = { x: v };
  return v;
}

function configMapJson(name: string, extra: string): string {
  return `{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"${name}"},"data":{"k":"v"},"extra":${extra}}`;
}

function assertTooDeep(r: { status: number; body: any }, prefix: string) {
  assert.equal(r.status, 400, JSON.stringify(r.body).slice(0, 300));
  assert.equal(r.body.kind, 'Status');
  assert.equal(r.body.reason, 'BadRequest');
  assert.equal(r.body.message, `${prefix}: exceeded max depth`);
}

test('JSON nested 100,000 deep is a 400 BadRequest and stores nothing', () => {
  const server = serverWithNamespace();
  assertTooDeep(call(server, 'POST', '/api/v1/namespaces/a/configmaps', configMapJson('deep', nestedJson(100_000))), "couldn't get version/kind; json parse error");
  assertTooDeep(call(server, 'POST', '/api/v1/namespaces/a/configmaps', '['.repeat(100_000) + ']'.repeat(100_000)), "couldn't get version/kind; json parse error");
  assert.equal(call(server, 'GET', '/api/v1/namespaces/a/configmaps/deep').status, 404);
  server.close();
});

test('an unknown field nested 2,000 deep is refused, not stored, on create, update and patch', () => {
  const server = serverWithNamespace();
  const deep = nestedJson(2000);
  assertTooDeep(call(server, 'POST', '/api/v1/namespaces/a/configmaps', configMapJson('cm', deep)), "couldn't get version/kind; json parse error");
  assert.equal(call(server, 'GET', '/api/v1/namespaces/a/configmaps/cm').status, 404);

  assert.equal(call(server, 'POST', '/api/v1/namespaces/a/configmaps', configMapJson('cm', '1')).status, 201);
  const before = call(server, 'GET', '/api/v1/namespaces/a/configmaps/cm').body.metadata.resourceVersion;
  assertTooDeep(call(server, 'PUT', '/api/v1/namespaces/a/configmaps/cm', configMapJson('cm', deep)), "couldn't get version/kind; json parse error");
  for (const type of ['application/merge-patch+json', 'application/strategic-merge-patch+json']) {
    assertTooDeep(call(server, 'PATCH', '/api/v1/namespaces/a/configmaps/cm', `{"data":{"k":"w"},"extra":${deep}}`, type), "couldn't get version/kind; json parse error");
  }
  assertTooDeep(call(server, 'PATCH', '/api/v1/namespaces/a/configmaps/cm', `[{"op":"add","path":"/extra","value":${deep}}]`, 'application/json-patch+json'), "couldn't get version/kind; json parse error");
  assert.equal(call(server, 'GET', '/api/v1/namespaces/a/configmaps/cm').body.metadata.resourceVersion, before);
  server.close();
});

test('deeply nested YAML and YAML alias bombs are 400 BadRequest', () => {
  const server = serverWithNamespace();
  // Block style nests by indentation ("- - - 1"): there are no brackets for a text scan to count.
  const block = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: deep-yaml', 'extra:', '  ' + '- '.repeat(MAX_BODY_DEPTH + 1) + '1'];
  for (const type of ['application/yaml', 'application/apply-patch+yaml']) {
    const path = type === 'application/yaml' ? '/api/v1/namespaces/a/configmaps' : '/api/v1/namespaces/a/configmaps/deep-yaml?fieldManager=m';
    const r = call(server, type === 'application/yaml' ? 'POST' : 'PATCH', path, block.join('\n') + '\n', type);
    assert.equal(r.status, 400, JSON.stringify(r.body).slice(0, 300));
    assert.equal(r.body.reason, 'BadRequest');
    assert.match(r.body.message, /^error converting YAML to JSON: /);
  }

  const names = 'abcdefghi';
  const laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
  for (let i = 1; i < names.length; i++) laughs.push(`${names[i]}: &${names[i]} [${Array(9).fill('*' + names[i - 1]).join(',')}]`);
  const bomb = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: laughs', 'data:', ...laughs.map((l) => '  ' + l)].join('\n');
  const r = call(server, 'POST', '/api/v1/namespaces/a/configmaps', bomb, 'application/yaml');
  assert.equal(r.status, 400);
  assert.equal(r.body.reason, 'BadRequest');
  assert.match(r.body.message, /^error converting YAML to JSON: .*alias/i);
  assert.equal(call(server, 'GET', '/api/v1/namespaces/a/configmaps/deep-yaml').status, 404);
  assert.equal(call(server, 'GET', '/api/v1/namespaces/a/configmaps/laughs').status, 404);
  server.close();
});

test('YAML nesting through aliases counts as deep as it expands', () => {
  const server = serverWithNamespace();
  // Each level aliases the previous one twice: small text, deep (and wide) value.
  const lines = ['apiVersion: v1', 'kind: ConfigMap', 'metadata:', '  name: aliased', 'extra:', '  l0: &l0 [1]'];
  for (let i = 1; i <= 60; i++) lines.push(`  l${i}: &l${i} [*l${i - 1}]`);
  const r = call(server, 'POST', '/api/v1/namespaces/a/configmaps', lines.join('\n'), 'application/yaml');
  // 62 levels deep is fine: the depth walk must not choke on the shared nodes.
  assert.notEqual(r.status, 500, JSON.stringify(r.body).slice(0, 300));
  server.close();
});

test('a body nested just under the limit goes through create, patch and delete', () => {
  const server = serverWithNamespace();
  const deep = nestedJson(MAX_BODY_DEPTH - 2);
  const created = call(server, 'POST', '/api/v1/namespaces/a/configmaps', configMapJson('cm', deep));
  assert.equal(created.status, 201, JSON.stringify(created.body).slice(0, 300));
  assert.equal(call(server, 'PATCH', '/api/v1/namespaces/a/configmaps/cm', `{"data":{"k":"w"},"extra":${deep}}`, 'application/merge-patch+json').status, 200);
  assert.equal(call(server, 'DELETE', '/api/v1/namespaces/a/configmaps/cm').status, 200);
  assert.equal(call(server, 'GET', '/api/v1/namespaces/a/configmaps/cm').status, 404);
  server.close();
});

test('an object stored deep before the limit existed can be deleted with its namespace', async () => {
  const cluster = await EmbeddedCluster.start({ clock: new ScaledClock(1), controlPlane: false });
  try {
    const ns = await fetch(`${cluster.url}/api/v1/namespaces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'deep' } }) });
    assert.equal(ns.status, 201);
    // Straight into the store, as a data dir written by an older version would hold it.
    const deepObject: KubeObject = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'cm', namespace: 'deep', uid: 'u-deep', creationTimestamp: '2026-01-01T00:00:00Z', finalizers: ['example.com/hold'] },
      extra: nestedValue(2000),
    } as KubeObject;
    cluster.apiServer.store.create('/configmaps', deepObject);

    const first = await fetch(`${cluster.url}/api/v1/namespaces/deep/configmaps/cm`, { method: 'DELETE' });
    assert.equal(first.status, 200, await first.text());
    const patched = await fetch(`${cluster.url}/api/v1/namespaces/deep/configmaps/cm`, {
      method: 'PATCH',
      headers: { 'content-type': 'application/json-patch+json' },
      body: JSON.stringify([{ op: 'remove', path: '/metadata/finalizers' }]),
    });
    assert.equal(patched.status, 200, (await patched.text()).slice(0, 300));
    assert.equal((await fetch(`${cluster.url}/api/v1/namespaces/deep/configmaps/cm`)).status, 404);

    cluster.apiServer.store.create('/configmaps', { ...deepObject, metadata: { name: 'cm2', namespace: 'deep', uid: 'u-deep2', creationTimestamp: '2026-01-01T00:00:00Z' } } as KubeObject);
    assert.equal((await fetch(`${cluster.url}/api/v1/namespaces/deep`, { method: 'DELETE' })).status, 200);
    await eventually(async () => (await fetch(`${cluster.url}/api/v1/namespaces/deep`)).status === 404 || undefined, 'namespace deep is gone');
  } finally {
    await cluster.close();
  }
});
