/** HTTPS with a generated CA: kubectl and client-node trust it through the kubeconfig and send their token. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { startKubernaut, type RunningKubernaut } from '../helpers/kubernaut-process.ts';

let k: RunningKubernaut;
const dir = mkdtempSync(join(tmpdir(), 'kubernaut-tls-'));
const tokenFile = join(dir, 'tokens.csv');
writeFileSync(tokenFile, 'viewer-token,viewer,2,"viewers"\nroot-token,root,1,"system:masters"\n');

before(async () => {
  k = await startKubernaut({ args: ['--tls', '--no-gateway', '--no-datastorage', '--token-file', tokenFile, '--require-auth', '--rbac'] });
});
after(async () => {
  await k.stop();
});

test('the kubeconfig points at https and carries the CA and the admin token', () => {
  assert.match(k.url, /^https:\/\/127\.0\.0\.1:\d+$/);
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(k.kubeconfig);
  assert.ok(kc.getCurrentCluster()?.caData);
  assert.equal(kc.getCurrentUser()?.token, 'root-token');
});

test('kubectl works over TLS with the bearer token from the kubeconfig', () => {
  k.kubectlOk(['create', 'namespace', 'secure']);
  assert.match(k.kubectlOk(['get', 'ns', 'secure']), /secure\s+Active/);
  assert.equal(k.kubectlOk(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']), 'root');
  const viewer = k.kubectl(['--token', 'viewer-token', 'get', 'secrets', '-n', 'secure']);
  assert.notEqual(viewer.code, 0);
  assert.match(viewer.stderr, /forbidden/i);
  // Every authenticated user may ask what it may do (the bootstrap system:basic-user role).
  const canI = k.kubectl(['--token', 'viewer-token', 'auth', 'can-i', 'list', 'pods']);
  assert.equal(canI.stdout.trim(), 'no');
  assert.equal(k.kubectl(['auth', 'can-i', 'list', 'pods']).stdout.trim(), 'yes');
});

test('client-node verifies the server certificate against the kubeconfig CA', async () => {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(k.kubeconfig);
  const list = await kc.makeApiClient(k8s.CoreV1Api).listNamespace();
  assert.ok(list.items.some((n) => n.metadata?.name === 'secure'));
});

test('an untrusted client is refused at the TLS layer, an unauthenticated one with 401', async () => {
  const untrusted = await new Promise<string>((resolve) => {
    const req = request(`${k.url}/version`, (res) => resolve(String(res.statusCode)));
    req.on('error', (e) => resolve(e.message));
    req.end();
  });
  assert.match(untrusted, /self-signed|unable to verify|certificate/i);
  const anonymous = await new Promise<number>((resolve, reject) => {
    const req = request(`${k.url}/api/v1/namespaces`, { rejectUnauthorized: false }, (res) => resolve(res.statusCode ?? 0));
    req.on('error', reject);
    req.end();
  });
  assert.equal(anonymous, 401);
});
