/**
 * The world of the console's auth tests: an in-process embedded API server as a real cluster runs
 * it (bearer tokens required, RBAC on), the Kubernaut CRDs, the deploy/ roles for people
 * (kubernaut-viewer, kubernaut-approver) and the console's own ServiceAccount and RBAC from
 * deploy/kubernetes/70-console.yaml, and people as ServiceAccounts with tokens from the
 * TokenRequest API. Apps are small Fastify servers with just the console's auth and decision
 * route (plus a stand-in read route), reached over real HTTP.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import YAML from 'yaml';
import { EmbeddedCluster } from '../../src/cluster/embedded-cluster.ts';
import { ScaledClock } from '../../src/platform/clock.ts';
import { installKubernautCrds } from '../../src/api/install.ts';
import { REMEDIATION_APPROVAL_REQUEST_GVR, type RemediationApprovalRequest } from '../../src/api/v1alpha1/index.ts';
import { createHttpApp } from '../../src/platform/http/app.ts';
import { createConsoleAuth, type ConsoleAuthOptions } from '../../src/console/auth/console-auth.ts';
import { registerDecisionRoute } from '../../src/console/auth/decision-route.ts';
import { ROOT } from '../helpers/kubernaut-process.ts';

/** Where the people and the approval requests live. */
export const TEAM = 'team';
/** A namespace the approver has no rights in. */
export const OTHER = 'other';

export interface People {
  /** Bound to kubernaut-viewer cluster-wide. */
  viewer: string;
  /** Bound to kubernaut-viewer cluster-wide and to kubernaut-approver in TEAM only. */
  approver: string;
  /** Bound to nothing. */
  outsider: string;
}

export interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: any;
}

export interface TestApp {
  url: string;
  host: string;
  call(method: string, path: string, opts?: { headers?: Record<string, string>; json?: unknown; raw?: string }): Promise<Reply>;
  close(): Promise<void>;
}

export interface AuthWorld {
  cluster: EmbeddedCluster;
  adminKc: KubeConfig;
  /** The console's own ServiceAccount (deploy/kubernetes/70-console.yaml). */
  consoleKc: KubeConfig;
  people: People;
  usernames: Record<keyof People, string>;
  /** An app with the console's auth and decision route; options default to tokenreview, no anonymous reads, Secure cookies. */
  startApp(opts?: Partial<ConsoleAuthOptions>): Promise<TestApp>;
  createRar(namespace: string, rr: string, requiredBy?: Date): Promise<void>;
  rar(namespace: string, name: string): Promise<RemediationApprovalRequest>;
  close(): Promise<void>;
}

const kubeconfigOf = (yaml: string): KubeConfig => {
  const kc = new KubeConfig();
  kc.loadFromString(yaml);
  return kc;
};

/** The RBAC objects and ServiceAccounts of a deploy/ manifest (the Deployments are not needed here). */
function rbacOf(file: string): KubernetesObject[] {
  return YAML.parseAllDocuments(readFileSync(join(ROOT, file), 'utf8'))
    .map((d) => d.toJS() as KubernetesObject | null)
    .filter((o): o is KubernetesObject => !!o && ['ServiceAccount', 'ClusterRole', 'ClusterRoleBinding', 'Role', 'RoleBinding'].includes(o.kind ?? ''));
}

export async function startAuthWorld(): Promise<AuthWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'console-auth-'));
  const tokenFile = join(dir, 'tokens.csv');
  writeFileSync(tokenFile, 'admin-token,admin,1,"system:masters"\n');
  const cluster = await EmbeddedCluster.start({ clock: new ScaledClock(1), controlPlane: false, tokenFile, requireAuth: true, rbac: true, tls: true, kubeconfigToken: 'admin-token' });
  const adminKc = kubeconfigOf(cluster.kubeconfig());
  await installKubernautCrds(adminKc);
  const objects = adminKc.makeApiClient(KubernetesObjectApi);
  const core = adminKc.makeApiClient(CoreV1Api);
  for (const ns of ['kubernaut-system', 'kubernaut-workflows', TEAM, OTHER]) await core.createNamespace({ body: { metadata: { name: ns } } });
  for (const o of [...rbacOf('deploy/kubernetes/05-service-auth.yaml'), ...rbacOf('deploy/kubernetes/70-console.yaml')]) await objects.create(o);
  const people: (keyof People)[] = ['viewer', 'approver', 'outsider'];
  for (const name of people) await core.createNamespacedServiceAccount({ namespace: TEAM, body: { metadata: { name } } });
  const subject = (name: string) => [{ kind: 'ServiceAccount', name, namespace: TEAM }];
  for (const name of ['viewer', 'approver']) {
    await objects.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: `test-${name}-views` }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kubernaut-viewer' }, subjects: subject(name) } as KubernetesObject);
  }
  await objects.create({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: { name: 'test-approver', namespace: TEAM }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kubernaut-approver' }, subjects: subject('approver') } as KubernetesObject);

  const tokenOf = async (namespace: string, name: string) =>
    (await core.createNamespacedServiceAccountToken({ name, namespace, body: { spec: { audiences: [], expirationSeconds: 3600 } } })).status!.token;
  const tokens = Object.fromEntries(await Promise.all(people.map(async (p) => [p, await tokenOf(TEAM, p)]))) as unknown as People;
  const consoleKc = kubeconfigOf(cluster.kubeconfig(await tokenOf('kubernaut-system', 'kubernaut-console')));
  const customs = adminKc.makeApiClient(CustomObjectsApi);
  const apps: TestApp[] = [];

  return {
    cluster,
    adminKc,
    consoleKc,
    people: tokens,
    usernames: Object.fromEntries(people.map((p) => [p, `system:serviceaccount:${TEAM}:${p}`])) as Record<keyof People, string>,
    async startApp(opts = {}) {
      const app = await startTestApp(consoleKc, opts);
      apps.push(app);
      return app;
    },
    async createRar(namespace, rr, requiredBy = new Date(Date.now() + 15 * 60_000)) {
      const body: RemediationApprovalRequest = {
        apiVersion: 'kubernaut.ai/v1alpha1',
        kind: 'RemediationApprovalRequest',
        metadata: { name: `rar-${rr}`, namespace },
        spec: {
          remediationRequestRef: { name: rr, namespace },
          aiAnalysisRef: { name: `ai-${rr}` },
          confidence: 0.82,
          confidenceLevel: 'medium',
          reason: 'the workflow deletes a PersistentVolumeClaim',
          targetResource: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', namespace },
          recommendedWorkflow: { workflowId: 'fix-statefulset-pvc-v1', version: '1.0.0', actionType: 'RecreatePVC', parameters: { STATEFULSET: 'db' }, rationale: 'the claim is gone' },
          investigationSummary: 'the PVC of db-0 was deleted',
          evidenceCollected: ['pod db-0 Pending: persistentvolumeclaim "data-db-0" not found'],
          whyApprovalRequired: 'production namespace',
          requiredBy: requiredBy.toISOString(),
        },
      };
      await customs.createNamespacedCustomObject({ ...REMEDIATION_APPROVAL_REQUEST_GVR, namespace, body });
    },
    async rar(namespace, name) {
      return (await customs.getNamespacedCustomObject({ ...REMEDIATION_APPROVAL_REQUEST_GVR, namespace, name })) as RemediationApprovalRequest;
    },
    async close() {
      for (const app of apps) await app.close();
      await cluster.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A Fastify app with the console's auth, its decision route and a stand-in read route. */
export async function startTestApp(kc: KubeConfig, opts: Partial<ConsoleAuthOptions> = {}): Promise<TestApp> {
  const { app } = createHttpApp({ name: 'console-auth-test' });
  const auth = createConsoleAuth({ kc, mode: 'tokenreview', anonymousRead: false, secureCookies: true, onError: () => {}, ...opts });
  auth.register(app);
  app.get('/api/remediations', async () => ({ items: [], namespaces: [] }));
  registerDecisionRoute(app, { kc, auth });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const host = `127.0.0.1:${port}`;
  return {
    url: `http://${host}`,
    host,
    call: (method, path, o = {}) => call(port, method, path, o),
    close: () => app.close(),
  };
}

function call(port: number, method: string, path: string, opts: { headers?: Record<string, string>; json?: unknown; raw?: string }): Promise<Reply> {
  const payload = opts.json !== undefined ? JSON.stringify(opts.json) : opts.raw;
  const headers: Record<string, string> = { ...(opts.json !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers };
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString();
        let body: unknown = text;
        try {
          body = JSON.parse(text);
        } catch {
          // not JSON: keep the text
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** The session cookie a sign-in set, as a browser would send it back (`name=value`). */
export function cookieOf(reply: Reply): string {
  const set = reply.headers['set-cookie']?.[0];
  if (!set) throw new Error(`no Set-Cookie in ${reply.status} ${JSON.stringify(reply.body)}`);
  return set.split(';')[0];
}
