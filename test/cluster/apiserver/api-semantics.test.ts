/** Request semantics kube-apiserver enforces: refused methods, immortal namespaces, parameter validation, immutable uid, Forbidden wording. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApiServer } from '../../../src/cluster/apiserver/server.ts';
import type { UserInfo } from '../../../src/cluster/core/api-request.ts';
import { ADMIN, callServer } from './call.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

const call = callServer;

function withConfigMaps(opts: { rbac?: boolean } = {}): ApiServer {
  const server = new ApiServer({ clock: new ManualClock(), rbac: opts.rbac });
  for (const ns of ['a', 'b']) {
    call(server, 'POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } } });
    call(server, 'POST', `/api/v1/namespaces/${ns}/configmaps`, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm' }, data: { k: 'v' } } });
  }
  return server;
}

test('deletecollection across all namespaces is 405 and deletes nothing', () => {
  const server = withConfigMaps();
  const r = call(server, 'DELETE', '/api/v1/configmaps');
  assert.equal(r.status, 405);
  assert.equal(r.body.reason, 'MethodNotAllowed');
  assert.equal(call(server, 'GET', '/api/v1/configmaps').body.items.length, 2);
  assert.equal(call(server, 'DELETE', '/api/v1/namespaces/a/configmaps').status, 200);
  server.close();
});

test('default, kube-system and kube-public may not be deleted', () => {
  const server = withConfigMaps();
  for (const ns of ['default', 'kube-system', 'kube-public']) {
    const r = call(server, 'DELETE', `/api/v1/namespaces/${ns}`);
    assert.equal(r.status, 403);
    assert.equal(r.body.reason, 'Forbidden');
    assert.equal(r.body.message, `namespaces "${ns}" is forbidden: this namespace may not be deleted`);
    assert.equal(call(server, 'GET', `/api/v1/namespaces/${ns}`).body.status.phase, 'Active');
  }
  // A dot segment is a literal (unknown) name, never a way to another object.
  assert.equal(call(server, 'DELETE', '/api/v1/namespaces/a/../kube-system').status, 404);
  assert.equal(call(server, 'DELETE', '/api/v1/namespaces/a').status, 200);
  server.close();
});

test('unparseable read parameters are refused', () => {
  const server = withConfigMaps();
  const bad = (path: string, status: number, message: string) => {
    const r = call(server, 'GET', path);
    assert.equal(r.status, status, path);
    assert.equal(r.body.message, message, path);
  };
  bad('/api/v1/namespaces/a/configmaps/cm?resourceVersion=abc', 400, 'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax');
  bad('/api/v1/configmaps?resourceVersion=abc', 400, 'resourceVersion: Invalid value: "abc": strconv.ParseUint: parsing "abc": invalid syntax');
  bad('/api/v1/configmaps?limit=abc', 400, 'strconv.ParseInt: parsing "abc": invalid syntax');
  bad('/api/v1/configmaps?watch=true&timeoutSeconds=abc', 400, 'strconv.ParseInt: parsing "abc": invalid syntax');
  bad('/api/v1/configmaps?resourceVersion=1&resourceVersionMatch=Bogus', 422, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Unsupported value: "Bogus": supported values: "Exact", "NotOlderThan", ""');
  bad('/api/v1/configmaps?resourceVersionMatch=NotOlderThan', 422, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided');
  assert.equal(call(server, 'GET', '/api/v1/configmaps?resourceVersion=0&resourceVersionMatch=NotOlderThan&limit=1').status, 200);
  bad('/api/v1/configmaps?resourceVersion=1&sendInitialEvents=true', 422, 'ListOptions.meta.k8s.io "" is invalid: sendInitialEvents: Forbidden: sendInitialEvents is forbidden for list');
  // Watches follow the watch-list rules: resourceVersionMatch goes with sendInitialEvents, no resourceVersion needed.
  bad('/api/v1/configmaps?watch=true&resourceVersionMatch=NotOlderThan', 422, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided');
  bad('/api/v1/configmaps?watch=true&sendInitialEvents=true', 422, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan');
  bad('/api/v1/configmaps?watch=true&sendInitialEvents=true&resourceVersionMatch=Exact', 422, 'ListOptions.meta.k8s.io "" is invalid: [resourceVersionMatch: Forbidden: sendInitialEvents requires setting resourceVersionMatch to NotOlderThan, resourceVersionMatch: Unsupported value: "Exact": supported values: "NotOlderThan"]');
  server.close();
});

test('metadata.uid is immutable: a patch changing it is 422, a PUT with another uid a 409', () => {
  const server = withConfigMaps();
  const path = '/api/v1/namespaces/a/configmaps/cm';
  const uid = call(server, 'GET', path).body.metadata.uid;
  const patched = call(server, 'PATCH', path, { body: [{ op: 'replace', path: '/metadata/uid', value: 'forged' }], contentType: 'application/json-patch+json' });
  assert.equal(patched.status, 422);
  assert.equal(patched.body.message, 'ConfigMap "cm" is invalid: metadata.uid: Invalid value: "forged": field is immutable');
  const put = call(server, 'PUT', path, { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm', uid: 'forged' }, data: {} } });
  assert.equal(put.status, 409);
  assert.equal(put.body.message, `Operation cannot be fulfilled on configmaps "cm": Precondition failed: UID in precondition: forged, UID in object meta: ${uid}`);
  assert.equal(call(server, 'GET', path).body.metadata.uid, uid);
  assert.equal(call(server, 'PATCH', path, { body: { data: { k: 'w' } }, contentType: 'application/merge-patch+json' }).status, 200);
  server.close();
});

test('RBAC Forbidden names the user, verb, resource, group and scope', () => {
  const server = withConfigMaps({ rbac: true });
  const user: UserInfo = { username: 'x', groups: ['system:authenticated'] };
  const get = call(server, 'GET', '/api/v1/namespaces/default/configmaps/kube-root', { user });
  assert.equal(get.status, 403);
  assert.equal(get.body.message, 'configmaps "kube-root" is forbidden: User "x" cannot get resource "configmaps" in API group "" in the namespace "default"');
  const list = call(server, 'GET', '/apis/apps/v1/deployments', { user });
  assert.equal(list.body.message, 'deployments.apps is forbidden: User "x" cannot list resource "deployments" in API group "apps" at the cluster scope');
  server.close();
});

test('a watch from a resourceVersion the store has not reached waits 3 s for it, then ends with "Too large resource version"', async () => {
  const clock = new ManualClock();
  const server = new ApiServer({ clock });
  call(server, 'POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } } });
  const current = Number(call(server, 'GET', '/api/v1/configmaps').body.metadata.resourceVersion);
  const watchFrom = (rv: number) => {
    const events: Array<{ type: string; object: any }> = [];
    let ended = false;
    const res = server.handleSync({ method: 'GET', path: '/api/v1/namespaces/a/configmaps', query: new URLSearchParams({ watch: 'true', resourceVersion: String(rv) }), headers: {}, user: ADMIN });
    assert.ok('watch' in res && res.watch, 'a watch stream');
    res.watch.start({ send: (e) => (events.push(e as { type: string; object: any }), true), end: () => (ended = true) });
    return { events, ended: () => ended };
  };

  const far = watchFrom(current + 1000);
  await clock.advance(2_900);
  assert.equal(far.events.length, 0, 'silent while it waits');
  await clock.advance(200);
  assert.equal(far.ended(), true);
  assert.equal(far.events.length, 1);
  assert.equal(far.events[0].type, 'ERROR');
  assert.equal(far.events[0].object.code, 504);
  assert.equal(far.events[0].object.reason, 'Timeout');
  assert.equal(far.events[0].object.message, `Too large resource version: ${current + 1000}, current: ${current}`);
  assert.deepEqual(far.events[0].object.details, { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });

  // A resourceVersion reached while waiting: the watch goes on and sees only what comes after it.
  const near = watchFrom(current + 1);
  call(server, 'POST', '/api/v1/namespaces/a/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'first' } } });
  call(server, 'POST', '/api/v1/namespaces/a/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'second' } } });
  await clock.advance(10_000);
  assert.equal(near.ended(), false);
  assert.deepEqual(near.events.map((e) => `${e.type}:${e.object.metadata.name}`), ['ADDED:second']);
  server.close();
});

test('a grace period no timestamp can hold is 400 on delete and eviction; one of millennia stops at year 9999', () => {
  const server = withConfigMaps();
  const pod = (name: string) => ({ body: { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: 'node-1', containers: [{ name: 'c', image: 'x' }] } } });
  assert.equal(call(server, 'POST', '/api/v1/namespaces/a/pods', pod('p')).status, 201);
  // These made "Invalid time value" 500s: the deletion timestamp is now + the grace period.
  for (const grace of ['100000000000000000000', '9007199254740993', '1e300']) {
    const r = call(server, 'DELETE', `/api/v1/namespaces/a/pods/p?gracePeriodSeconds=${grace}`);
    assert.equal(r.status, 400, grace);
    assert.equal(r.body.message, 'gracePeriodSeconds must be a non-negative integer');
  }
  assert.equal(call(server, 'DELETE', '/api/v1/namespaces/a/pods/p', { body: { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 1e300 } }).status, 400);
  for (const gracePeriodSeconds of [1e300, 'abc', 1.5, -1]) {
    const evicted = call(server, 'POST', '/api/v1/namespaces/a/pods/p/eviction', { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'p' }, deleteOptions: { gracePeriodSeconds } } });
    assert.equal(evicted.status, 400, String(gracePeriodSeconds));
  }
  assert.equal(call(server, 'GET', '/api/v1/namespaces/a/pods/p').body.metadata.deletionTimestamp, undefined);
  const marked = call(server, 'DELETE', '/api/v1/namespaces/a/pods/p?gracePeriodSeconds=9000000000000');
  assert.equal(marked.status, 200);
  assert.equal(marked.body.metadata.deletionTimestamp, '9999-12-31T23:59:59Z');
  assert.equal(call(server, 'DELETE', '/api/v1/namespaces/a/pods/p?gracePeriodSeconds=0').status, 200);
  assert.equal(call(server, 'GET', '/api/v1/namespaces/a/pods/p').status, 404);
  server.close();
});

test("a namespace's spec.finalizers change only through its finalize subresource", () => {
  const server = withConfigMaps();
  // An update dropping `kubernetes` let a deleted namespace linger forever (nothing finalizes it)
  // or go at once, leaving its content behind.
  const put = call(server, 'PUT', '/api/v1/namespaces/a', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' }, spec: {} } });
  assert.equal(put.status, 200);
  assert.deepEqual(put.body.spec, { finalizers: ['kubernetes'] });
  const patched = call(server, 'PATCH', '/api/v1/namespaces/a', { body: { spec: { finalizers: ['example.com/x'] } }, contentType: 'application/merge-patch+json' });
  assert.deepEqual(patched.body.spec, { finalizers: ['kubernetes'] });
  assert.equal(call(server, 'DELETE', '/api/v1/namespaces/a').status, 200);
  assert.equal(call(server, 'PUT', '/api/v1/namespaces/a', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' }, spec: {} } }).status, 200);
  assert.equal(call(server, 'GET', '/api/v1/namespaces/a').body.status.phase, 'Terminating');
  assert.equal(call(server, 'GET', '/api/v1/namespaces/a/configmaps/cm').status, 200);
  // The namespace controller's last step: finalize, and the namespace goes.
  const finalized = call(server, 'PUT', '/api/v1/namespaces/a/finalize', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' }, spec: { finalizers: [] } } });
  assert.equal(finalized.status, 200);
  assert.equal(call(server, 'GET', '/api/v1/namespaces/a').status, 404);
  server.close();
});

test('a binding whose target is not an object reference is a 400 and binds nothing', () => {
  const server = new ApiServer({ clock: new ManualClock() });
  call(server, 'POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'a' } } });
  assert.equal(call(server, 'POST', '/api/v1/namespaces/a/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox' }] } } }).status, 201);
  const bind = (target: unknown) => call(server, 'POST', '/api/v1/namespaces/a/pods/p/binding', { body: { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target } });
  const objectName = bind({ kind: 'Node', name: { a: 1 } });
  assert.equal(objectName.status, 400);
  assert.equal(objectName.body.message, 'Binding in version "v1" cannot be handled as a Binding: json: cannot unmarshal object into Go struct field Binding.target.name of type string');
  assert.equal(bind('node-1').status, 400);
  assert.equal(call(server, 'GET', '/api/v1/namespaces/a/pods/p').body.spec.nodeName, undefined);
  assert.equal(bind({ kind: 'Node', name: 'node-1' }).status, 201);
  assert.equal(call(server, 'GET', '/api/v1/namespaces/a/pods/p').body.spec.nodeName, 'node-1');
  server.close();
});
