/**
 * ServiceAccount tokens: TokenRequest (`kubectl create token`), authentication of the token as the
 * ServiceAccount, RBAC on it, TokenReview, and revocation by expiry, audience, deletion of the
 * ServiceAccount or of the pod the token is bound to.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { request as httpsRequest } from 'node:https';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EmbeddedCluster } from '../../../src/cluster/embedded-cluster.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';

const dir = mkdtempSync(join(tmpdir(), 'sa-tokens-'));
const clock = new ManualClock(Date.now());
let cluster: EmbeddedCluster;
let adminKubeconfig: string;

function run(args: string[], kubeconfig = adminKubeconfig): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile('kubectl', ['--kubeconfig', kubeconfig, ...args], { timeout: 30_000 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

async function kubectl(args: string[], kubeconfig = adminKubeconfig): Promise<string> {
  const r = await run(args, kubeconfig);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

function kubeconfigFor(token: string, name: string): string {
  const file = join(dir, name);
  writeFileSync(file, cluster.kubeconfig(token));
  return file;
}

/** A raw HTTPS call trusting the cluster's CA (taken from its kubeconfig). */
function api(method: string, path: string, token: string, body?: unknown): Promise<{ status: number; json: any }> {
  const ca = Buffer.from(/certificate-authority-data: (\S+)/.exec(cluster.kubeconfig())![1], 'base64').toString();
  return new Promise((resolve, reject) => {
    const req = httpsRequest(cluster.url + path, { method, ca, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString() || '{}') }));
    });
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const review = (token: string, audiences?: string[]) =>
  api('POST', '/apis/authentication.k8s.io/v1/tokenreviews', 'admin-token', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) } });

before(async () => {
  const tokenFile = join(dir, 'tokens.csv');
  writeFileSync(tokenFile, 'admin-token,admin,1,"system:masters"\n');
  cluster = await EmbeddedCluster.start({ clock, controlPlane: false, tokenFile, requireAuth: true, rbac: true, tls: true, kubeconfigToken: 'admin-token', dataDir: join(dir, 'data') });
  adminKubeconfig = join(dir, 'admin.kubeconfig');
  writeFileSync(adminKubeconfig, cluster.kubeconfig());
  await kubectl(['create', 'namespace', 'team']);
  await kubectl(['-n', 'team', 'create', 'serviceaccount', 'runner']);
  await kubectl(['-n', 'team', 'create', 'role', 'pod-reader', '--verb=get,list', '--resource=pods']);
  await kubectl(['-n', 'team', 'create', 'rolebinding', 'runner-reads-pods', '--role=pod-reader', '--serviceaccount=team:runner']);
});

after(async () => {
  await cluster.close();
  rmSync(dir, { recursive: true, force: true });
});

test('kubectl create token issues a token that authenticates as the ServiceAccount, under RBAC', async () => {
  const token = (await kubectl(['-n', 'team', 'create', 'token', 'runner'])).trim();
  assert.match(token, /^[\w-]+\.[\w-]+\.[\w-]+$/);
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  assert.equal(claims.sub, 'system:serviceaccount:team:runner');
  assert.deepEqual(claims.aud, ['https://kubernetes.default.svc.cluster.local']);
  assert.equal(claims.exp - claims.iat, 3600);

  const as = kubeconfigFor(token, 'runner.kubeconfig');
  const who = JSON.parse(await kubectl(['auth', 'whoami', '-o', 'json'], as));
  assert.equal(who.status.userInfo.username, 'system:serviceaccount:team:runner');
  assert.deepEqual(who.status.userInfo.groups, ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated']);

  assert.equal((await run(['-n', 'team', 'get', 'pods'], as)).code, 0);
  const denied = await run(['-n', 'team', 'get', 'secrets'], as);
  assert.notEqual(denied.code, 0);
  assert.match(denied.stderr, /Forbidden.*User "system:serviceaccount:team:runner" cannot list resource "secrets" in API group "" in the namespace "team"/);
  assert.equal((await run(['-n', 'default', 'get', 'pods'], as)).code, 1, 'the Role grants nothing outside its namespace');
  assert.match(await kubectl(['-n', 'team', 'auth', 'can-i', 'list', 'pods'], as), /yes/);
});

test('TokenReview reports the ServiceAccount user and checks audiences', async () => {
  const token = (await kubectl(['-n', 'team', 'create', 'token', 'runner', '--audience', 'vault', '--duration', '20m'])).trim();
  const ok = await review(token, ['vault', 'other']);
  assert.equal(ok.json.status.authenticated, true);
  assert.equal(ok.json.status.user.username, 'system:serviceaccount:team:runner');
  assert.deepEqual(ok.json.status.audiences, ['vault']);
  assert.match(ok.json.status.user.extra['authentication.kubernetes.io/credential-id'][0], /^JTI=/);
  assert.equal((await review(token)).json.status.authenticated, false, 'not meant for the API server');
  assert.equal((await api('GET', '/api/v1/namespaces/team/pods', token)).status, 401);
  assert.equal((await review('a.b.c')).json.status.authenticated, false);
});

test('TokenRequest validates what it is asked for', async () => {
  const tooShort = await run(['-n', 'team', 'create', 'token', 'runner', '--duration', '5m']);
  assert.match(tooShort.stderr, /may not specify a duration less than 10 minutes/);
  const missing = await run(['-n', 'team', 'create', 'token', 'nobody']);
  assert.match(missing.stderr, /serviceaccounts "nobody" not found/);
  const noPod = await run(['-n', 'team', 'create', 'token', 'runner', '--bound-object-kind', 'Pod', '--bound-object-name', 'ghost']);
  assert.match(noPod.stderr, /pods "ghost" not found/);
});

test('an expired token is refused', async () => {
  const token = (await kubectl(['-n', 'team', 'create', 'token', 'runner', '--duration', '10m'])).trim();
  assert.equal((await api('GET', '/api/v1/namespaces/team/pods', token)).status, 200);
  clock.advanceNow(12 * 60_000);
  assert.equal((await api('GET', '/api/v1/namespaces/team/pods', token)).status, 401);
  assert.equal((await review(token)).json.status.authenticated, false);
});

test('a token bound to a pod dies with the pod; any token dies with its ServiceAccount', async () => {
  await kubectl(['-n', 'team', 'create', 'serviceaccount', 'short-lived']);
  await kubectl(['-n', 'team', 'create', 'rolebinding', 'short-lived-reads-pods', '--role=pod-reader', '--serviceaccount=team:short-lived']);
  await kubectl(['-n', 'team', 'run', 'holder', '--image=nginx:1.27', '--overrides={"spec":{"serviceAccountName":"short-lived"}}']);
  const wrongSa = await run(['-n', 'team', 'create', 'token', 'runner', '--bound-object-kind', 'Pod', '--bound-object-name', 'holder']);
  assert.match(wrongSa.stderr, /cannot bind token for serviceaccount "runner" to pod running with different serviceaccount name/);

  const bound = (await kubectl(['-n', 'team', 'create', 'token', 'short-lived', '--bound-object-kind', 'Pod', '--bound-object-name', 'holder'])).trim();
  const unbound = (await kubectl(['-n', 'team', 'create', 'token', 'short-lived'])).trim();
  const ok = await review(bound);
  assert.equal(ok.json.status.authenticated, true);
  assert.equal(ok.json.status.user.extra['authentication.kubernetes.io/pod-name'][0], 'holder');
  assert.equal((await api('GET', '/api/v1/namespaces/team/pods', bound)).status, 200);

  // No kubelet runs here, so the pod is gone at once.
  await kubectl(['-n', 'team', 'delete', 'pod', 'holder', '--grace-period=0', '--force']);
  assert.equal((await api('GET', '/api/v1/namespaces/team/pods', bound)).status, 401);
  assert.equal((await api('GET', '/api/v1/namespaces/team/pods', unbound)).status, 200);

  await kubectl(['-n', 'team', 'delete', 'serviceaccount', 'short-lived']);
  assert.equal((await api('GET', '/api/v1/namespaces/team/pods', unbound)).status, 401);
  // A new ServiceAccount of the same name is another account: the old token stays dead.
  await kubectl(['-n', 'team', 'create', 'serviceaccount', 'short-lived']);
  assert.equal((await api('GET', '/api/v1/namespaces/team/pods', unbound)).status, 401);
});

test('discovery lists serviceaccounts/token as a TokenRequest subresource', async () => {
  const list = JSON.parse(await kubectl(['get', '--raw', '/api/v1']));
  const sub = list.resources.find((r: any) => r.name === 'serviceaccounts/token');
  assert.deepEqual({ group: sub.group, version: sub.version, kind: sub.kind, verbs: sub.verbs }, { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest', verbs: ['create'] });
});
