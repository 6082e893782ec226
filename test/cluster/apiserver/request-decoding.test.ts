/**
 * Request bodies as a hostile client sends them: nesting far deeper than any object, YAML alias
 * bombs. They are refused as 400 BadRequest before anything walks them, nothing is stored, and an
 * object that is already deep (stored before the limit existed) can still be deleted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createApiHttpServer, listen } from '../../../src/cluster/apiserver/http/node-server.ts';
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

test('YAML tags beyond the core schema stay strings, and numbers JSON cannot hold are 400', () => {
  const server = serverWithNamespace();
  // !!binary decoded to a Uint8Array once, which no handler could treat as an object (a 500).
  const binary = call(server, 'POST', '/api/v1/namespaces/a/configmaps', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: tagged\ndata:\n  k: !!binary AAAA\n  t: !!timestamp 2001-12-14\n', 'application/yaml');
  assert.equal(binary.status, 201, JSON.stringify(binary.body).slice(0, 300));
  assert.deepEqual(binary.body.data, { k: 'AAAA', t: '2001-12-14' });
  assert.equal(call(server, 'PUT', '/api/v1/namespaces/a', '!!binary AAAA', 'application/yaml').status, 400);
  for (const value of ['.inf', '-.inf', '.nan', '1e400']) {
    const r = call(server, 'POST', '/api/v1/namespaces/a/configmaps', `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: inf\nextra: ${value}\n`, 'application/yaml');
    assert.equal(r.status, 400, value);
    assert.match(r.body.message, /^error converting YAML to JSON: json: unsupported value: [+-]?(Inf|NaN)$/);
  }
  assert.equal(call(server, 'GET', '/api/v1/namespaces/a/configmaps/inf').status, 404);
  server.close();
});

test('metadata members of the wrong type are 400 (as upstream decodes them) and store nothing', () => {
  const server = serverWithNamespace();
  // A name that is no string was stored once, under a key no request could reach again.
  const named = call(server, 'POST', '/api/v1/namespaces/a/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 5 } }));
  assert.equal(named.status, 400);
  assert.equal(named.body.message, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: cannot unmarshal number into Go struct field ObjectMeta.metadata.name of type string');
  const held = call(server, 'POST', '/api/v1/namespaces/a/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'held', finalizers: 'example.com/x' } }));
  assert.equal(held.status, 400);
  assert.match(held.body.message, /Go struct field ObjectMeta\.metadata\.finalizers of type \[\]string$/);
  assert.equal(call(server, 'GET', '/api/v1/namespaces/a/configmaps').body.items.length, 0);
  // null is Go's zero value: no error.
  assert.equal(call(server, 'POST', '/api/v1/namespaces/a/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ok', labels: null, creationTimestamp: null } })).status, 201);
  // An apply patch whose metadata is no object is refused, not a 500.
  const applied = call(server, 'PATCH', '/api/v1/namespaces/a/configmaps/ok?fieldManager=m', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: false }), 'application/apply-patch+yaml');
  assert.equal(applied.status, 400);
  server.close();
});

/** A raw HTTP exchange: the path goes out exactly as given. */
function rawRequest(port: number, method: string, path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8') || 'null') }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('over HTTP, an over-long request line, a malformed escape and a path starting with // are answered with a Status, not a 500 or a bare 431', async () => {
  const server = serverWithNamespace();
  const http = createApiHttpServer((req) => server.handle(req));
  const { port } = await listen(http, 0, '127.0.0.1');
  try {
    const long = await rawRequest(port, 'GET', `/api/v1/namespaces/${'a'.repeat(20_000)}`);
    assert.equal(long.status, 431);
    assert.equal(long.body.kind, 'Status');
    assert.equal(long.body.code, 431);
    for (const path of ['/api/v1/namespaces/%zz', '/api/v1/namespaces/a/configmaps/%', '/openapi/v3/apis/%E2%8']) {
      const r = await rawRequest(port, 'GET', path);
      assert.equal(r.status, 400, path);
      assert.equal(r.body.reason, 'BadRequest', path);
      assert.match(r.body.message, /^invalid URL escape "%/, path);
    }
    // Escapes that are not UTF-8 name nothing: a 404, as for any unknown name.
    assert.equal((await rawRequest(port, 'GET', '/api/v1/namespaces/%ff')).status, 404);
    // WHATWG URL parsing reads a host in `//x`: the path is still just a path here.
    const slashes = await rawRequest(port, 'GET', '//%F3%BA%B0%99/;/configmaps');
    assert.equal(slashes.status, 404);
    assert.equal(slashes.body.kind, 'Status');
    assert.equal((await rawRequest(port, 'GET', '//api/v1/namespaces/a')).status, 200);
  } finally {
    await new Promise<void>((resolve) => http.close(() => resolve()));
    server.close();
  }
});
