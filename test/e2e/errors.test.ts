/** Malformed and hostile input gets the right Status, and changes nothing. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';

let k: RunningKubernaut;

async function call(method: string, path: string, body?: string | Uint8Array, contentType = 'application/json') {
  const res = await fetch(k.url + path, { method, body: body as BodyInit | undefined, headers: body !== undefined ? { 'content-type': contentType } : {} });
  const text = await res.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, json, text };
}

async function rv(): Promise<string> {
  return (await call('GET', '/api/v1/namespaces')).json.metadata.resourceVersion;
}

before(async () => {
  k = await startKubernaut({ args: ['--ephemeral', '--no-gateway', '--no-datastorage'] });
  await call('POST', '/api/v1/namespaces', JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'e' } }));
});
after(async () => {
  await k.stop();
});

test('unknown paths and resources are 404 NotFound Status objects', async () => {
  const r = await call('GET', '/apis/nope.example.com/v1/things');
  assert.equal(r.status, 404);
  assert.equal(r.json.kind, 'Status');
  assert.equal(r.json.reason, 'NotFound');
  const missing = await call('GET', '/api/v1/namespaces/e/configmaps/absent');
  assert.equal(missing.status, 404);
  assert.equal(missing.json.message, 'configmaps "absent" not found');
  assert.equal(missing.json.details.name, 'absent');
});

test('malformed JSON and YAML are 400 BadRequest and store nothing', async () => {
  const before = await rv();
  const r = await call('POST', '/api/v1/namespaces/e/configmaps', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"');
  assert.equal(r.status, 400);
  assert.equal(r.json.reason, 'BadRequest');
  const y = await call('POST', '/api/v1/namespaces/e/configmaps', 'metadata: [unclosed', 'application/yaml');
  assert.equal(y.status, 400);
  assert.equal(await rv(), before);
});

test('wrong content types are 415, malformed protobuf 400', async () => {
  const r = await call('POST', '/api/v1/namespaces/e/configmaps', 'x', 'text/html');
  assert.equal(r.status, 415);
  assert.equal(r.json.reason, 'UnsupportedMediaType');
  const other = await call('POST', '/api/v1/namespaces/e/configmaps', 'x', 'application/cbor');
  assert.equal(other.status, 415);
  // Protobuf itself is understood (kubectl's typed clients use it); garbage in it is a 400.
  const p = await call('POST', '/api/v1/namespaces/e/configmaps', new Uint8Array([0x6b, 0x38, 0x73, 0, 0xff, 0xff]), 'application/vnd.kubernetes.protobuf');
  assert.equal(p.status, 400);
  assert.equal(p.json.reason, 'BadRequest');
  const smpOnCrdLike = await call('PATCH', '/api/v1/namespaces/e', '{}', 'application/x-unknown-patch');
  assert.equal(smpOnCrdLike.status, 415);
});

test('invalid objects are 422 Invalid with field causes', async () => {
  const before = await rv();
  const pod = await call('POST', '/api/v1/namespaces/e/pods', JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'nocontainers' }, spec: { containers: [] } }));
  assert.equal(pod.status, 422);
  assert.equal(pod.json.reason, 'Invalid');
  assert.ok(pod.json.details.causes.some((c: any) => c.field === 'spec.containers'));
  const name = await call('POST', '/api/v1/namespaces/e/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'Bad_Name' } }));
  assert.equal(name.status, 422);
  assert.ok(name.json.details.causes.some((c: any) => c.field === 'metadata.name'));
  assert.equal(await rv(), before);
});

test('duplicate create is 409 AlreadyExists; stale update is 409 Conflict', async () => {
  const body = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dup' }, data: { a: '1' } });
  assert.equal((await call('POST', '/api/v1/namespaces/e/configmaps', body)).status, 201);
  const again = await call('POST', '/api/v1/namespaces/e/configmaps', body);
  assert.equal(again.status, 409);
  assert.equal(again.json.reason, 'AlreadyExists');
  const current = (await call('GET', '/api/v1/namespaces/e/configmaps/dup')).json;
  const stale = { ...current, metadata: { ...current.metadata, resourceVersion: '1' }, data: { a: '2' } };
  const conflict = await call('PUT', '/api/v1/namespaces/e/configmaps/dup', JSON.stringify(stale));
  assert.equal(conflict.status, 409);
  assert.equal(conflict.json.reason, 'Conflict');
  assert.match(conflict.json.message, /the object has been modified/);
  assert.equal((await call('GET', '/api/v1/namespaces/e/configmaps/dup')).json.data.a, '1');
  const bogusRv = await call('GET', '/api/v1/namespaces/e/configmaps?watch=true&resourceVersion=abc');
  assert.equal(bogusRv.status, 400);
});

test('kind, apiVersion and namespace mismatches are rejected', async () => {
  const wrongKind = await call('POST', '/api/v1/namespaces/e/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'k' } }));
  assert.equal(wrongKind.status, 400);
  const wrongNs = await call('POST', '/api/v1/namespaces/e/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'k', namespace: 'other' } }));
  assert.equal(wrongNs.status, 400);
  const noNs = await call('POST', '/api/v1/namespaces/nowhere/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'k' } }));
  assert.equal(noNs.status, 404);
  assert.match(noNs.json.message, /namespaces "nowhere" not found/);
});

test('huge bodies are 413 and unsupported methods 405', async () => {
  const big = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'big' }, data: { x: 'a'.repeat(4 * 1024 * 1024) } });
  const r = await call('POST', '/api/v1/namespaces/e/configmaps', big);
  assert.equal(r.status, 413);
  assert.equal(r.json.reason, 'RequestEntityTooLarge');
  assert.equal((await call('GET', '/api/v1/namespaces/e/configmaps/big')).status, 404);
  const put = await call('PUT', '/api/v1/namespaces/e/configmaps', '{}');
  assert.equal(put.status, 405);
  assert.equal(put.json.reason, 'MethodNotAllowed');
});

test('bad selectors, dryRun values and continue tokens are 400', async () => {
  assert.equal((await call('GET', '/api/v1/pods?fieldSelector=spec.nonsense%3Dx')).status, 400);
  assert.equal((await call('GET', '/api/v1/pods?labelSelector=a%3D%3Db%3Bc')).status, 400);
  assert.equal((await call('GET', '/api/v1/pods?continue=garbage')).status, 400);
  assert.equal((await call('POST', '/api/v1/namespaces/e/configmaps?dryRun=Some', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'd' } }))).status, 400);
});

test('pagination with limit and continue returns every item once', async () => {
  for (let i = 0; i < 7; i++) await call('POST', '/api/v1/namespaces/e/configmaps', JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `page-${i}` } }));
  const names: string[] = [];
  let cont = '';
  let pages = 0;
  do {
    const r = await call('GET', `/api/v1/namespaces/e/configmaps?limit=3${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`);
    names.push(...r.json.items.map((i: any) => i.metadata.name));
    cont = r.json.metadata.continue ?? '';
    if (cont) assert.ok(r.json.metadata.remainingItemCount > 0);
    pages++;
  } while (cont);
  assert.equal(new Set(names).size, names.length);
  assert.ok(names.filter((n) => n.startsWith('page-')).length === 7);
  assert.ok(pages >= 3);
});

test('dot segments are not resolved: x/../kube-system never reaches kube-system', async () => {
  const { request } = await import('node:http');
  const status = await new Promise<number>((resolve, reject) => {
    const u = new URL(k.url);
    const req = request({ host: u.hostname, port: u.port, method: 'DELETE', path: '/api/v1/namespaces/e/../kube-system' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.end();
  });
  assert.equal(status, 404);
  assert.equal((await call('GET', '/api/v1/namespaces/kube-system')).json.status.phase, 'Active');
  const direct = await call('DELETE', '/api/v1/namespaces/kube-system');
  assert.equal(direct.status, 403);
  assert.equal(direct.json.message, 'namespaces "kube-system" is forbidden: this namespace may not be deleted');
});
