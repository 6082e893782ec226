/**
 * Kubernaut's own services on top of a cluster (embedded or real): the CRDs, DataStorage with the
 * shipped workflow catalog, the audit client every service records through, the Gateway and the
 * remediation controllers. `kubernaut up` starts them in one process; `kubernaut gateway`,
 * `kubernaut datastorage` and `kubernaut controllers` run one each.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApiException, CoreV1Api, type KubeConfig } from '@kubernetes/client-node';
import { installKubernautCrds } from '../api/install.ts';
import { AuditClient, NoopAuditSink, type AuditSink } from '../datastorage/client/audit-client.ts';
import type { DataStorageHandle } from '../datastorage/server.ts';
import type { RunningGateway } from '../gateway/server.ts';
import type { Clock } from '../platform/clock.ts';
import type { HttpAuth } from '../platform/http/auth.ts';
import { componentLogger } from '../platform/log.ts';
import type { WorkflowRegistration } from './workflow-install.ts';

/** The workflows the catalog ships with (`workflows/<id>/workflow.yaml` of this checkout). */
export const SHIPPED_WORKFLOWS_DIR = new URL('../../workflows/', import.meta.url).pathname;

export interface ServicesOptions {
  clock: Clock;
  kubeconfig: KubeConfig;
  host: string;
  /** Where DataStorage (PGlite) and the audit spill live; omit for in-memory only. */
  dataDir?: string;
  /** A PostgreSQL URL for DataStorage instead of the embedded PGlite. */
  databaseUrl?: string;
  dataStoragePort?: number;
  gatewayPort?: number;
  dataStorage: boolean;
  gateway: boolean;
  /** Run the remediation controllers (SignalProcessing, Orchestrator) in this process. */
  controllers?: boolean;
  /** Their metrics/health port (0 = a free port). */
  controllersPort?: number;
  crNamespace?: string;
  /** Authentication and authorization for DataStorage and the Gateway; absent: anonymous access. */
  auth?: HttpAuth;
  /** The stack's own bearer token, presented by the audit client and the workflow registration. */
  serviceToken?: string;
  /** Told as each service starts serving, before the next one starts. */
  onReady?: (service: 'dataStorage' | 'gateway' | 'controllers', url: string) => void;
}

/** Where RemediationRequests of cluster-scoped targets (Nodes, PVs) live, unless crNamespace says otherwise. */
export const CONTROLLER_NAMESPACE = 'kubernaut-system';

async function ensureNamespace(kc: KubeConfig, name: string): Promise<void> {
  try {
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name } } });
  } catch (e) {
    if (!(e instanceof ApiException && e.code === 409)) throw e;
  }
}

export interface RunningServices {
  dataStorageUrl?: string;
  gatewayUrl?: string;
  /** Where the started services record audit events (discards them without DataStorage). */
  auditSink: AuditSink;
  controllersUrl?: string;
  close(): Promise<void>;
}

/**
 * The catalog entries of a workflows folder, sorted by id: one folder per workflow holding its
 * `workflow.yaml` (beside the script, Dockerfile and RBAC of its bundle). A bare `<id>.yaml`
 * beside them is accepted too, for folders that carry catalog entries only.
 */
export function listWorkflowDefinitions(dir = SHIPPED_WORKFLOWS_DIR): Array<{ id: string; path: string }> {
  const found: Array<{ id: string; path: string }> = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      const path = join(dir, entry.name, 'workflow.yaml');
      if (existsSync(path)) found.push({ id: entry.name, path });
    } else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) {
      found.push({ id: entry.name.replace(/\.ya?ml$/, ''), path: join(dir, entry.name) });
    }
  }
  return found.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** Registers every workflow of `dir` (idempotent: an identical definition is accepted again), with what DataStorage answered. */
export async function registerWorkflowDefinitions(dataStorageUrl: string, dir = SHIPPED_WORKFLOWS_DIR, bearerToken?: string): Promise<WorkflowRegistration[]> {
  const registered: WorkflowRegistration[] = [];
  const headers = { 'content-type': 'application/yaml', ...(bearerToken ? { authorization: `Bearer ${bearerToken}` } : {}) };
  for (const { id, path } of listWorkflowDefinitions(dir)) {
    const res = await fetch(`${dataStorageUrl}/api/v1/workflows`, { method: 'POST', headers, body: readFileSync(path, 'utf8') });
    if (!res.ok) throw new Error(`registering ${path} failed: ${res.status} ${await res.text()}`);
    const body = (await res.json()) as { catalogId?: string; status?: string; previouslyExisted?: boolean; registeredAt?: string };
    registered.push({ id, path, catalogId: body.catalogId, status: body.status, previouslyExisted: body.previouslyExisted, registeredAt: body.registeredAt });
  }
  return registered;
}

/** Registers every shipped workflow (idempotent: an identical definition is accepted again); returns their ids. */
export async function registerShippedWorkflows(dataStorageUrl: string, dir = SHIPPED_WORKFLOWS_DIR, bearerToken?: string): Promise<string[]> {
  return (await registerWorkflowDefinitions(dataStorageUrl, dir, bearerToken)).map((r) => r.id);
}

export async function startServices(opts: ServicesOptions): Promise<RunningServices> {
  const log = componentLogger('services');
  const closers: Array<() => Promise<void>> = [];
  const close = async () => {
    for (const c of closers.reverse()) await c().catch((e) => log.warn({ err: (e as Error).message }, 'close failed'));
  };
  try {
    await installKubernautCrds(opts.kubeconfig, { clock: opts.clock });
    // The controllers' leader-election Leases live in the controller namespace even when the RRs go elsewhere.
    await ensureNamespace(opts.kubeconfig, CONTROLLER_NAMESPACE);
    if (opts.crNamespace && opts.crNamespace !== CONTROLLER_NAMESPACE) await ensureNamespace(opts.kubeconfig, opts.crNamespace);
    let ds: DataStorageHandle | undefined;
    let audit: AuditSink = new NoopAuditSink();
    // Each service's modules load only when it runs (PGlite alone weighs tens of MB).
    if (opts.dataStorage) {
      const { startDataStorage } = await import('../datastorage/server.ts');
      ds = await startDataStorage({
        clock: opts.clock,
        host: opts.host,
        port: opts.dataStoragePort,
        databaseUrl: opts.databaseUrl,
        dataDir: opts.dataDir ? join(opts.dataDir, 'datastorage') : undefined,
        auth: opts.auth,
      });
      closers.push(() => ds!.close());
      const token = opts.serviceToken;
      const registrations = await registerWorkflowDefinitions(ds.url, SHIPPED_WORKFLOWS_DIR, token);
      // Their Jobs' namespace, runner RBAC and RemediationWorkflow objects.
      const { installShippedWorkflows } = await import('./workflow-install.ts');
      await installShippedWorkflows(opts.kubeconfig, registrations, { controllerNamespace: opts.crNamespace ?? CONTROLLER_NAMESPACE });
      const client = new AuditClient({
        baseUrl: ds.url,
        clock: opts.clock,
        spillDir: opts.dataDir ? join(opts.dataDir, 'audit-spill') : undefined,
        bearerToken: token ? () => token : undefined,
      });
      // Closed before DataStorage (closers run in reverse) so the last events are delivered.
      closers.push(() => client.close());
      audit = client;
      opts.onReady?.('dataStorage', ds.url);
    }
    let gw: RunningGateway | undefined;
    if (opts.gateway) {
      const { startGateway } = await import('../gateway/server.ts');
      gw = await startGateway({ kubeconfig: opts.kubeconfig, clock: opts.clock, host: opts.host, port: opts.gatewayPort, auditClient: audit, crNamespace: opts.crNamespace, controllerNamespace: CONTROLLER_NAMESPACE, auth: opts.auth });
      closers.push(() => gw!.close());
      opts.onReady?.('gateway', gw.url);
    }
    let controllersUrl: string | undefined;
    if (opts.controllers) {
      const manager = await startControllers({ ...opts, audit, dataStorageUrl: ds?.url });
      // Closed before the audit client and DataStorage: the controllers' last events are delivered.
      closers.push(() => manager.close());
      controllersUrl = manager.url;
      opts.onReady?.('controllers', manager.url!);
    }
    return { dataStorageUrl: ds?.url, gatewayUrl: gw?.url, auditSink: audit, controllersUrl, close };
  } catch (e) {
    await close();
    throw e;
  }
}

export interface ControllersStartOptions {
  clock: Clock;
  kubeconfig: KubeConfig;
  host: string;
  controllersPort?: number;
  audit: AuditSink;
  dataStorageUrl?: string;
  serviceToken?: string;
  /** The investigator the AIAnalysis controller submits to; without it that controller does not run. */
  investigatorUrl?: string;
  /** Only these controllers (default: every one that can run here). */
  only?: readonly string[];
  dryRun?: boolean;
  /** The alerting's APIs, for the EffectivenessMonitor. */
  prometheusUrl?: string;
  alertmanagerUrl?: string;
}

/**
 * The remediation controllers (one Lease each) in this process. The AIAnalysis controller runs only
 * with an investigator to talk to.
 */
export async function startControllers(opts: ControllersStartOptions): Promise<{ url?: string; controllers: readonly string[]; close(): Promise<void> }> {
  const { startControllerManager, CONTROLLER_NAMES } = await import('../remediation/manager.ts');
  const token = opts.serviceToken;
  const controllers = CONTROLLER_NAMES.filter((name) => (opts.only === undefined || opts.only.includes(name)) && (name !== 'aa' || opts.investigatorUrl !== undefined));
  const manager = await startControllerManager({
    kubeconfig: opts.kubeconfig,
    clock: opts.clock,
    audit: opts.audit,
    controllers,
    namespace: CONTROLLER_NAMESPACE,
    dataStorageUrl: opts.dataStorageUrl,
    dataStorageToken: token ? () => token : undefined,
    investigatorUrl: opts.investigatorUrl,
    investigatorToken: token ? () => token : undefined,
    dryRun: opts.dryRun,
    prometheusUrl: opts.prometheusUrl,
    alertmanagerUrl: opts.alertmanagerUrl,
    alertingToken: token ? () => token : undefined,
    host: opts.host,
    port: opts.controllersPort ?? 0,
  });
  return { url: manager.url, controllers, close: () => manager.close() };
}
