/**
 * Drives the real `kubectl` (if installed) against a minimal HTTP server that answers discovery
 * from the fixtures, serves the OpenAPI documents from OpenApiPublisher and keeps objects in a
 * map, to check the contract kubectl relies on: `explain` reads the v3 group-version documents,
 * `apply` uses server-side field validation and computes strategic merge patches from them, and
 * `apply` of a `kind: List` validates client-side against the protobuf `/openapi/v2`.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OPENAPI_V2_PROTOBUF_CONTENT_TYPE, OpenApiPublisher } from '../../../../src/cluster/apiserver/openapi/index.ts';
import type { ResourceInfo } from '../../../../src/cluster/core/types.ts';
import { BUILTINS, remediationCrd } from './fixtures.ts';

const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const available = spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8' }).status === 0;

interface Seen {
  method: string;
  url: string;
  accept: string;
  contentType: string;
  body: string;
}

const resources: ResourceInfo[] = [
  ...BUILTINS.map((r) => ({ ...r, shortNames: r.kind === 'StatefulSet' ? ['sts'] : r.shortNames })),
  remediationCrd(),
];
const publisher = new OpenApiPublisher(() => resources);
const objects = new Map<string, any>();
const seen: Seen[] = [];
let server: Server;
let dir: string;

function discovery(path: string): unknown {
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === '/apis') {
    const groups = new Map<string, string>();
    for (const r of resources) if (r.group && !groups.has(r.group)) groups.set(r.group, r.version);
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: [...groups].map(([name, version]) => {
        const gv = { groupVersion: `${name}/${version}`, version };
        return { name, versions: [gv], preferredVersion: gv };
      }),
    };
  }
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))$/.exec(path);
  if (!m) return undefined;
  const [group, version] = [m[2] ?? '', m[1] ?? m[3]];
  const served = resources.filter((r) => r.group === group && r.version === version);
  if (served.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group ? `${group}/${version}` : version,
    resources: served.map((r) => ({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      shortNames: r.shortNames,
    })),
  };
}

before(async () => {
  if (!available) return;
  dir = mkdtempSync(join(tmpdir(), 'openapi-kubectl-'));
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      const url = new URL(req.url!, 'http://local');
      const path = url.pathname;
      seen.push({
        method: req.method!,
        url: req.url!,
        accept: req.headers.accept ?? '',
        contentType: req.headers['content-type'] ?? '',
        body,
      });
      const reply = (code: number, payload: unknown): void => {
        res.writeHead(code, { 'Content-Type': 'application/json' });
        res.end(typeof payload === 'string' ? payload : JSON.stringify(payload));
      };
      const status = (code: number, reason: string): void =>
        reply(code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason, code, message: reason });
      if (path === '/version') return reply(200, { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' });
      const disc = discovery(path);
      if (disc) return reply(200, disc);
      if (path === '/openapi/v3') return reply(200, publisher.v3Index());
      if (path.startsWith('/openapi/v3/')) {
        const doc = publisher.v3GroupVersion(path.slice('/openapi/v3/'.length));
        return doc ? reply(200, doc.json) : status(404, 'NotFound');
      }
      if (path === '/openapi/v2') {
        if ((req.headers.accept ?? '').includes('protobuf')) {
          res.writeHead(200, { 'Content-Type': OPENAPI_V2_PROTOBUF_CONTENT_TYPE });
          return res.end(publisher.v2Protobuf());
        }
        return reply(200, publisher.v2());
      }
      if (req.method === 'GET') return objects.has(path) ? reply(200, objects.get(path)) : status(404, 'NotFound');
      if (req.method === 'POST') {
        const obj = JSON.parse(body);
        obj.metadata = { ...obj.metadata, uid: 'u-1', resourceVersion: '1' };
        objects.set(`${path}/${obj.metadata.name}`, obj);
        return reply(201, obj);
      }
      if (req.method === 'PATCH') {
        const current = objects.get(path);
        if (current) return reply(200, current);
        if (req.headers['content-type']?.startsWith('application/apply-patch')) return reply(201, JSON.parse(body));
        return status(404, 'NotFound');
      }
      return status(405, 'MethodNotAllowed');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  writeFileSync(
    join(dir, 'kubeconfig'),
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{name: t, cluster: {server: "http://127.0.0.1:' + port + '"}}]',
      'users: [{name: t, user: {token: t}}]',
      'contexts: [{name: t, context: {cluster: t, user: t, namespace: default}}]',
      'current-context: t',
      '',
    ].join('\n'),
  );
});

after(async () => {
  if (!available) return;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(dir, { recursive: true, force: true });
});

function kubectl(args: string[], stdin?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = execFile(
      KUBECTL,
      [...args, '--kubeconfig', join(dir, 'kubeconfig'), '--cache-dir', join(dir, 'cache')],
      { env: { ...process.env, HOME: dir, KUBECONFIG: join(dir, 'kubeconfig') }, timeout: 60_000 },
      (err, stdout, stderr) => resolve({ code: err ? ((err as any).code ?? 1) : 0, stdout, stderr }),
    );
    if (stdin !== undefined) child.stdin!.end(stdin);
  });
}

const skip = available ? false : `${KUBECTL} not installed`;

test('kubectl explain reads kinds and nested fields from the v3 documents', { skip }, async () => {
  const pods = await kubectl(['explain', 'pods']);
  assert.equal(pods.code, 0, pods.stderr);
  assert.match(pods.stdout, /KIND:\s+Pod/);
  assert.match(pods.stdout, /collection of containers/);
  assert.match(pods.stdout, /spec\s+<PodSpec>/);
  assert.ok(seen.some((s) => /^\/openapi\/v3\/api\/v1\?hash=[0-9A-F]{128}/.test(s.url)), 'fetched the api/v1 document by hash');

  const limits = await kubectl(['explain', 'pods.spec.containers.resources.limits']);
  assert.equal(limits.code, 0, limits.stderr);
  assert.match(limits.stdout, /FIELD: limits <map\[string\]Quantity>/);

  const vct = await kubectl(['explain', 'sts.spec.volumeClaimTemplates']);
  assert.equal(vct.code, 0, vct.stderr);
  assert.match(vct.stdout, /GROUP:\s+apps/);
  assert.match(vct.stdout, /FIELD: volumeClaimTemplates <\[\]PersistentVolumeClaim>/);

  const crd = await kubectl(['explain', 'remediationrequests.spec']);
  assert.equal(crd.code, 0, crd.stderr);
  assert.match(crd.stdout, /KIND:\s+RemediationRequest/);
  assert.match(crd.stdout, /signalName\s+<string> -required-/);
  assert.match(crd.stdout, /enum: critical, warning, info/);

  const recursive = await kubectl(['explain', 'remediationrequests', '--recursive']);
  assert.equal(recursive.code, 0, recursive.stderr);
  assert.match(recursive.stdout, /metadata\s+<ObjectMeta>/);
  assert.match(recursive.stdout, /ownerReferences\s+<\[\]OwnerReference>/);
});

const DEPLOYMENT = (image: string) => `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: default}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: ${image}
        env: [{name: A, value: "1"}]
`;

test('kubectl apply validates server-side and patches built-ins with strategic merge', { skip }, async () => {
  const created = await kubectl(['apply', '-f', '-'], DEPLOYMENT('nginx:1.27'));
  assert.equal(created.code, 0, created.stderr);
  const post = seen.find((s) => s.method === 'POST' && s.url.includes('/deployments'));
  assert.ok(post, 'created with POST');
  assert.match(post.url, /fieldValidation=Strict/);

  const configured = await kubectl(['apply', '-f', '-'], DEPLOYMENT('nginx:1.28'));
  assert.equal(configured.code, 0, configured.stderr);
  assert.doesNotMatch(configured.stderr, /warning/i);
  const patch = seen.find((s) => s.method === 'PATCH' && s.url.includes('/deployments/web'));
  assert.ok(patch, 'configured with PATCH');
  assert.equal(patch.contentType, 'application/strategic-merge-patch+json');
  assert.match(patch.url, /fieldValidation=Strict/);
  const body = JSON.parse(patch.body);
  // The merge key from the schema: containers are addressed by name, not replaced.
  assert.deepEqual(body.spec.template.spec['$setElementOrder/containers'], [{ name: 'web' }]);
  assert.deepEqual(body.spec.template.spec.containers, [{ image: 'nginx:1.28', name: 'web' }]);
});

test('kubectl apply of a custom resource: merge patch, and server-side apply', { skip }, async () => {
  const rr = (severity: string) =>
    `apiVersion: kubernaut.ai/v1alpha1\nkind: RemediationRequest\nmetadata: {name: rr1, namespace: default}\nspec: {signalName: HighCPU, severity: ${severity}}\n`;
  assert.equal((await kubectl(['apply', '-f', '-'], rr('critical'))).code, 0);
  const again = await kubectl(['apply', '-f', '-'], rr('warning'));
  assert.equal(again.code, 0, again.stderr);
  const patch = seen.find((s) => s.method === 'PATCH' && s.url.includes('/remediationrequests/rr1'));
  assert.ok(patch);
  assert.equal(patch.contentType, 'application/merge-patch+json');
  assert.deepEqual(JSON.parse(patch.body).spec, { severity: 'warning' });

  const ssa = await kubectl(['apply', '--server-side', '-f', '-'], rr('info'));
  assert.equal(ssa.code, 0, ssa.stderr);
  const applied = seen.filter((s) => s.method === 'PATCH' && s.contentType === 'application/apply-patch+yaml');
  // The apply itself, then (the object having a last-applied annotation) a second apply by the
  // manager 'kubectl-last-applied' that keeps that annotation in step.
  assert.match(applied[0].url, /fieldManager=kubectl&/);
  assert.match(applied[0].url, /fieldValidation=Strict/);
  assert.match(applied[0].url, /force=false/);
  assert.deepEqual(JSON.parse(applied[0].body).spec, { severity: 'info', signalName: 'HighCPU' });
});

test('kubectl apply of a List validates client-side against the protobuf v2 document', { skip }, async () => {
  const list = (extra: string) => `apiVersion: v1
kind: List
items:
- apiVersion: apps/v1
  kind: Deployment
  metadata: {name: listed, namespace: default}
  spec:
    selector: {matchLabels: {app: x}}
    strategy: {rollingUpdate: {maxSurge: 25%, maxUnavailable: 1}}
    template:
      metadata: {labels: {app: x}}
      spec:
        containers:
        - name: c
          image: busybox
          resources: {limits: {cpu: 1, memory: 128Mi}}
          ports: [{containerPort: 80}]${extra}
- apiVersion: kubernaut.ai/v1alpha1
  kind: RemediationRequest
  metadata: {name: listed, namespace: default}
  spec: {signalName: X, severity: info}
`;
  const good = await kubectl(['apply', '-f', '-'], list(''));
  assert.equal(good.code, 0, good.stderr);
  assert.ok(seen.some((s) => s.url.startsWith('/openapi/v2') && s.accept.includes('protobuf')), 'fetched protobuf v2');
  assert.match(good.stdout, /deployment.apps\/listed created/);
  assert.match(good.stdout, /remediationrequest.kubernaut.ai\/listed created/);

  const bad = await kubectl(['apply', '-f', '-'], list('\n          bogus: 1'));
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /unknown field "bogus" in io.k8s.api.core.v1.Container/);
});
