/** Bearer-token authentication, TokenReview and SubjectAccessReview, RBAC when enabled. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';

let k: RunningKubernaut;
const dir = mkdtempSync(join(tmpdir(), 'kubernaut-auth-'));
const tokenFile = join(dir, 'tokens.csv');
writeFileSync(tokenFile, 'admin-token,admin,1,"system:masters"\nviewer-token,viewer,2,"viewers"\n');

const call = async (method: string, path: string, token?: string, body?: unknown) => {
  const res = await fetch(k.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json() };
};

before(async () => {
  k = await startKubernaut({ args: ['--ephemeral', '--no-gateway', '--no-datastorage', '--token-file', tokenFile, '--require-auth', '--rbac'] });
});
after(async () => {
  await k.stop();
});

test('requests without or with a wrong token are 401 Unauthorized', async () => {
  assert.equal((await call('GET', '/api/v1/namespaces')).status, 401);
  const bad = await call('GET', '/api/v1/namespaces', 'nope');
  assert.equal(bad.status, 401);
  assert.equal(bad.json.reason, 'Unauthorized');
  assert.equal((await call('GET', '/api/v1/namespaces', 'admin-token')).status, 200);
});

test('RBAC: a user is forbidden until a binding grants the verb', async () => {
  const denied = await call('GET', '/api/v1/namespaces/default/configmaps', 'viewer-token');
  assert.equal(denied.status, 403);
  assert.equal(denied.json.reason, 'Forbidden');
  await call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles', 'admin-token', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: 'cm-reader' },
    rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'watch'] }],
  });
  await call('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings', 'admin-token', {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: 'viewers-read-cm' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' },
    subjects: [{ kind: 'Group', name: 'viewers', apiGroup: 'rbac.authorization.k8s.io' }],
  });
  assert.equal((await call('GET', '/api/v1/namespaces/default/configmaps', 'viewer-token')).status, 200);
  assert.equal((await call('DELETE', '/api/v1/namespaces/default/configmaps/x', 'viewer-token')).status, 403);
  assert.equal((await call('GET', '/api/v1/namespaces/kube-system/configmaps', 'viewer-token')).status, 403);
});

test('TokenReview authenticates known tokens only', async () => {
  const ok = await call('POST', '/apis/authentication.k8s.io/v1/tokenreviews', 'admin-token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'viewer-token' } });
  assert.equal(ok.status, 201);
  assert.equal(ok.json.status.authenticated, true);
  assert.equal(ok.json.status.user.username, 'viewer');
  assert.ok(ok.json.status.user.groups.includes('viewers'));
  const no = await call('POST', '/apis/authentication.k8s.io/v1/tokenreviews', 'admin-token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token: 'forged' } });
  assert.equal(no.json.status.authenticated, false);
});

test('SubjectAccessReview answers with the RBAC decision', async () => {
  const sar = (verb: string, namespace: string) =>
    call('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', 'admin-token', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: 'viewer', groups: ['viewers'], resourceAttributes: { verb, resource: 'configmaps', namespace } },
    });
  assert.equal((await sar('list', 'default')).json.status.allowed, true);
  assert.equal((await sar('delete', 'default')).json.status.allowed, false);
  assert.equal((await sar('list', 'kube-system')).json.status.allowed, false);
});
