/**
 * A throwaway HTTP stub that serves just enough of the Kubernetes API for the real `kubectl`
 * to run its typed-client commands (version, legacy discovery, an empty OpenAPI v3 index, a
 * few canned objects to GET) and records every request body kubectl sends. Used to capture
 * real protobuf request bodies (./fixtures/capture.ts) and by the live kubectl test.
 */
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeKubernetesProtobuf } from '../../../../src/cluster/apiserver/protobuf/index.ts';
import { CANNED } from './cases.ts';

export const KUBECTL = process.env.KUBECTL ?? 'kubectl';

export function kubectlAvailable(): boolean {
  return spawnSync(KUBECTL, ['version', '--client'], { encoding: 'utf8' }).status === 0;
}

export interface Recorded {
  method: string;
  path: string;
  contentType: string;
  body: Buffer;
}

type Res = [name: string, kind: string, namespaced: boolean, verbs?: string[], groupVersion?: string];
const CRUD = ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'];

const GROUPS: Record<string, Res[]> = {
  v1: [
    ['namespaces', 'Namespace', false], ['configmaps', 'ConfigMap', true], ['secrets', 'Secret', true],
    ['serviceaccounts', 'ServiceAccount', true], ['serviceaccounts/token', 'TokenRequest', true, ['create']],
    ['services', 'Service', true], ['pods', 'Pod', true], ['pods/eviction', 'Eviction', true, ['create'], 'policy/v1'],
    ['nodes', 'Node', false], ['resourcequotas', 'ResourceQuota', true],
    ['persistentvolumeclaims', 'PersistentVolumeClaim', true], ['events', 'Event', true],
    ['replicationcontrollers', 'ReplicationController', true], ['limitranges', 'LimitRange', true],
  ],
  'apps/v1': [
    ['deployments', 'Deployment', true], ['deployments/scale', 'Scale', true, ['get', 'patch', 'update'], 'autoscaling/v1'],
    ['statefulsets', 'StatefulSet', true], ['daemonsets', 'DaemonSet', true],
    ['replicasets', 'ReplicaSet', true],
  ],
  'batch/v1': [['jobs', 'Job', true], ['cronjobs', 'CronJob', true]],
  'policy/v1': [['poddisruptionbudgets', 'PodDisruptionBudget', true]],
  'rbac.authorization.k8s.io/v1': [
    ['roles', 'Role', true], ['rolebindings', 'RoleBinding', true], ['clusterroles', 'ClusterRole', false],
    ['clusterrolebindings', 'ClusterRoleBinding', false],
  ],
  'scheduling.k8s.io/v1': [['priorityclasses', 'PriorityClass', false]],
  'networking.k8s.io/v1': [['ingresses', 'Ingress', true], ['networkpolicies', 'NetworkPolicy', true]],
  'authorization.k8s.io/v1': [
    ['selfsubjectaccessreviews', 'SelfSubjectAccessReview', false, ['create']],
    ['subjectaccessreviews', 'SubjectAccessReview', false, ['create']],
    ['selfsubjectrulesreviews', 'SelfSubjectRulesReview', false, ['create']],
  ],
  'authentication.k8s.io/v1': [
    ['tokenreviews', 'TokenReview', false, ['create']], ['selfsubjectreviews', 'SelfSubjectReview', false, ['create']],
  ],
  'autoscaling/v2': [['horizontalpodautoscalers', 'HorizontalPodAutoscaler', true]],
};

function resourceList(gv: string): unknown {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: GROUPS[gv].map(([name, kind, namespaced, verbs, target]) => ({
      name, singularName: name.includes('/') ? '' : kind.toLowerCase(), namespaced, kind, verbs: verbs ?? CRUD,
      ...(target ? { group: target.split('/')[0], version: target.split('/')[1] } : {}),
    })),
  };
}

function discovery(path: string): unknown {
  if (path === '/version') return { major: '1', minor: '32', gitVersion: 'v1.32.0', platform: 'linux/amd64' };
  if (path === '/api') return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] };
  if (path === '/api/v1') return resourceList('v1');
  if (path === '/apis') {
    return {
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: Object.keys(GROUPS).filter((gv) => gv !== 'v1').map((gv) => {
        const [name, version] = gv.split('/');
        const v = { groupVersion: gv, version };
        return { name, versions: [v], preferredVersion: v };
      }),
    };
  }
  const m = /^\/apis\/([^/]+\/[^/]+)$/.exec(path);
  if (m && GROUPS[m[1]]) return resourceList(m[1]);
  if (path === '/openapi/v3') return { paths: {} };
  return undefined;
}

function echo(req: Recorded): unknown {
  let obj: Record<string, unknown>;
  try {
    obj = req.contentType.includes('protobuf') ? decodeKubernetesProtobuf(req.body) : JSON.parse(req.body.toString('utf8'));
  } catch {
    obj = { apiVersion: 'v1', kind: 'Status', status: 'Success' };
  }
  const kind = obj.kind;
  const meta = (obj.metadata ?? {}) as Record<string, unknown>;
  obj.metadata = { ...meta, name: meta.name ?? 'generated', uid: '55555555-5555-5555-5555-555555555555', resourceVersion: '2' };
  if (kind === 'SelfSubjectAccessReview' || kind === 'SubjectAccessReview') obj.status = { allowed: true };
  if (kind === 'TokenRequest') obj.status = { token: 'header.payload.signature', expirationTimestamp: '2030-01-01T00:00:00Z' };
  if (kind === 'Eviction') return { apiVersion: 'v1', kind: 'Status', status: 'Success', code: 201 };
  return obj;
}

export class KubectlStub {
  readonly recorded: Recorded[] = [];
  private server!: Server;
  private dir!: string;

  async start(): Promise<void> {
    this.dir = mkdtempSync(join(tmpdir(), 'kubectl-pb-'));
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    const { port } = this.server.address() as AddressInfo;
    writeFileSync(join(this.dir, 'config'), [
      'apiVersion: v1', 'kind: Config', 'current-context: stub',
      'clusters:', '- name: stub', '  cluster:', `    server: http://127.0.0.1:${port}`,
      'contexts:', '- name: stub', '  context:', '    cluster: stub', '    user: stub', '    namespace: default',
      'users:', '- name: stub', '  user:', '    token: stub-token', '',
    ].join('\n'));
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    rmSync(this.dir, { recursive: true, force: true });
  }

  /** Writes a file into the stub's scratch directory (for --from-file) and returns its path. */
  file(name: string, content: Buffer | string): string {
    const p = join(this.dir, name);
    writeFileSync(p, content);
    return p;
  }

  /** Runs kubectl against the stub; resolves with its output (rejects on a non-zero exit). */
  kubectl(args: string[]): Promise<string> {
    const env = {
      ...process.env, HOME: this.dir, KUBECONFIG: join(this.dir, 'config'), KUBECACHEDIR: join(this.dir, 'cache'),
    };
    return new Promise((resolve, reject) => {
      execFile(KUBECTL, args, { env, timeout: 30_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`kubectl ${args.join(' ')} failed: ${stderr || err.message}`));
        else resolve(stdout);
      });
    });
  }

  /** Runs a command and returns the bodies it sent (requests with a body, in order). */
  async capture(args: string[]): Promise<Recorded[]> {
    const from = this.recorded.length;
    await this.kubectl(args);
    return this.recorded.slice(from).filter((r) => r.body.length > 0);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'http://stub');
    const rec: Recorded = {
      method: req.method ?? 'GET', path: url.pathname, contentType: req.headers['content-type'] ?? '', body: Buffer.concat(chunks),
    };
    this.recorded.push(rec);
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (rec.method === 'GET') {
      const found = discovery(rec.path) ?? CANNED[rec.path];
      if (found) return send(200, found);
      return send(404, { apiVersion: 'v1', kind: 'Status', status: 'Failure', reason: 'NotFound', code: 404, message: `${rec.path} not found` });
    }
    if (rec.method === 'DELETE') return send(200, { apiVersion: 'v1', kind: 'Status', status: 'Success' });
    if (rec.method === 'PATCH') return send(200, CANNED[rec.path] ?? echo(rec));
    return send(rec.method === 'POST' ? 201 : 200, echo(rec));
  }
}

/** `--dry-run=client -o json` inserted before any `--` separator. */
export function withDryRun(args: string[]): string[] {
  const i = args.indexOf('--');
  const flags = ['--dry-run=client', '-o', 'json'];
  return i < 0 ? [...args, ...flags] : [...args.slice(0, i), ...flags, ...args.slice(i)];
}

/** Runs one case: returns the body sent to the case's path and the JSON kubectl would have sent. */
export async function captureCase(
  stub: KubectlStub,
  c: import('./cases.ts').Case,
): Promise<{ body: Buffer; contentType: string; expected: Record<string, unknown> }> {
  const args = c.args(stub);
  const sent = (await stub.capture(args)).filter((r) => r.path === c.path && r.method === (c.method ?? 'POST'));
  const last = sent[sent.length - 1];
  if (!last) throw new Error(`${c.name}: kubectl sent no body to ${c.path}`);
  const expected = c.dryRun ? JSON.parse(await stub.kubectl(withDryRun(args))) : c.expected;
  if (!expected) throw new Error(`${c.name}: no expectation`);
  return { body: last.body, contentType: last.contentType, expected };
}
