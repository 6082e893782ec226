/**
 * Built-in kinds are decoded against their schema as kube-apiserver decodes them into Go types:
 * unknown fields never reach storage; `fieldValidation` Strict refuses them, Warn (the default)
 * drops them with a Warning header, Ignore drops them silently.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createApiHttpServer, listen } from '../../../src/cluster/apiserver/http/node-server.ts';
import { ApiServer } from '../../../src/cluster/apiserver/server.ts';
import { callServer } from './call.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

const call = (server: ApiServer, method: string, path: string, body?: unknown, contentType?: string) => callServer(server, method, path, { body, contentType });

function deployment(name: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replica: 3,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: 'c', image: 'nginx', imagePullPolicyy: 'Always' }] },
      },
      ...extra,
    },
  };
}

const DEPLOYMENTS = '/apis/apps/v1/namespaces/default/deployments';

test('Strict refuses unknown fields of a built-in kind with upstream wording and stores nothing', () => {
  const server = new ApiServer({ clock: new ManualClock() });
  const r = call(server, 'POST', `${DEPLOYMENTS}?fieldValidation=Strict`, deployment('web'));
  assert.equal(r.status, 400);
  assert.equal(r.body.reason, 'BadRequest');
  assert.equal(
    r.body.message,
    'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica", unknown field "spec.template.spec.containers[0].imagePullPolicyy"',
  );
  assert.equal(call(server, 'GET', `${DEPLOYMENTS}/web`).status, 404);
  server.close();
});

test('Warn (the default) drops unknown fields and reports each in a Warning header', () => {
  const server = new ApiServer({ clock: new ManualClock() });
  for (const query of ['', '?fieldValidation=Warn']) {
    const name = query ? 'warned' : 'defaulted';
    const r = call(server, 'POST', `${DEPLOYMENTS}${query}`, deployment(name));
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal(r.headers.warning, '299 - "unknown field \\"spec.replica\\"", 299 - "unknown field \\"spec.template.spec.containers[0].imagePullPolicyy\\""');
    const stored = call(server, 'GET', `${DEPLOYMENTS}/${name}`).body;
    assert.equal('replica' in stored.spec, false);
    assert.equal('imagePullPolicyy' in stored.spec.template.spec.containers[0], false);
    assert.equal(stored.spec.replicas, 1);
    assert.deepEqual(stored.spec.selector, { matchLabels: { app: name } });
  }
  server.close();
});

test('Ignore drops unknown fields silently; known free-form and map fields are kept', () => {
  const server = new ApiServer({ clock: new ManualClock() });
  const r = call(server, 'POST', `${DEPLOYMENTS}?fieldValidation=Ignore`, deployment('quiet'));
  assert.equal(r.status, 201);
  assert.equal(r.headers.warning, undefined);
  assert.equal('replica' in r.body.spec, false);

  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', annotations: { a: 'b' } }, data: { any: 'key' }, bogus: 1 };
  const created = call(server, 'POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Ignore', cm);
  assert.equal(created.status, 201);
  assert.deepEqual(created.body.data, { any: 'key' });
  assert.deepEqual(created.body.metadata.annotations, { a: 'b' });
  assert.equal('bogus' in created.body, false);
  server.close();
});

test('updates and patches prune and validate unknown fields too', () => {
  const server = new ApiServer({ clock: new ManualClock() });
  const clean = deployment('web');
  delete (clean.spec as any).replica;
  clean.spec.template.spec.containers = [{ name: 'c', image: 'nginx' }] as any;
  assert.equal(call(server, 'POST', DEPLOYMENTS, clean).status, 201);

  const strictPatch = call(server, 'PATCH', `${DEPLOYMENTS}/web?fieldValidation=Strict`, { spec: { replica: 3 } }, 'application/merge-patch+json');
  assert.equal(strictPatch.status, 400);
  assert.equal(strictPatch.body.message, 'strict decoding error: unknown field "spec.replica"');

  const warned = call(server, 'PATCH', `${DEPLOYMENTS}/web`, { spec: { replica: 3, replicas: 2 } }, 'application/strategic-merge-patch+json');
  assert.equal(warned.status, 200);
  assert.equal(warned.headers.warning, '299 - "unknown field \\"spec.replica\\""');
  assert.equal(warned.body.spec.replicas, 2);
  assert.equal('replica' in warned.body.spec, false);

  const current = call(server, 'GET', `${DEPLOYMENTS}/web`).body;
  const put = call(server, 'PUT', `${DEPLOYMENTS}/web?fieldValidation=Strict`, { ...current, spec: { ...current.spec, replica: 4 } });
  assert.equal(put.status, 400);
  assert.match(put.body.message, /^Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.replica"$/);
  server.close();
});

test('Warning headers are bounded as upstream bounds them and carry any field name as UTF-8', async () => {
  const server = new ApiServer({ clock: new ManualClock() });
  // Unknown field names are the client's: a 10,000-character one made a header no client parses,
  // and one outside Latin-1 made Node refuse the header (a 500 for a write already stored).
  const cm = (name: string, extra: Record<string, unknown>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: 'v' }, ...extra });
  const long = call(server, 'POST', '/api/v1/namespaces/default/configmaps', cm('long', { ['x'.repeat(10_000)]: 1, short: 2 }));
  assert.equal(long.status, 201);
  assert.equal(long.headers.warning, `299 - "unknown field \\"${'x'.repeat(241)}", 299 - "unknown field \\"short\\""`);
  const wide = call(server, 'POST', '/api/v1/namespaces/default/configmaps', cm('wide', { 'é😀': 1, 'a\nb': 2 }));
  assert.equal(wide.status, 201);
  // Latin-1 characters of the header are the UTF-8 bytes of the text; a field name with a control character warns nothing.
  assert.equal(Buffer.from(wide.headers.warning, 'latin1').toString('utf8'), '299 - "unknown field \\"é😀\\""');

  const http = createApiHttpServer((req) => server.handle(req));
  const { port } = await listen(http, 0, '127.0.0.1');
  try {
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/namespaces/default/configmaps`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(cm('over-http', { 'ü😀': 1, ['y'.repeat(70_000)]: 1 })) });
    assert.equal(res.status, 201, await res.text());
    assert.ok(res.headers.get('warning')!.length < 4096 + 256);
  } finally {
    await new Promise<void>((resolve) => http.close(() => resolve()));
    server.close();
  }
});
