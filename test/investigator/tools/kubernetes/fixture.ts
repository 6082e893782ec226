/**
 * An embedded cluster with the simulated control plane for the Kubernetes tool tests, with what
 * they need around it: a client-node KubeConfig (and a kubeconfig file for the real kubectl), a
 * way to create objects and wait for their states, and a ToolRunContext to call the tools with.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig, KubernetesObjectApi, type KubernetesObject } from '@kubernetes/client-node';
import { EmbeddedCluster } from '../../../../src/cluster/embedded-cluster.ts';
import { ScaledClock, type Clock } from '../../../../src/platform/clock.ts';
import type { ToolDefinition, ToolRunContext } from '../../../../src/investigator/tools/types.ts';
import { kubernetesTools } from '../../../../src/investigator/tools/kubernetes/index.ts';
import { eventually } from '../../../helpers/kubernaut-process.ts';

export interface ToolCluster {
  cluster: EmbeddedCluster;
  kc: KubeConfig;
  clock: Clock;
  kubeconfigPath: string;
  /** Creates objects (in order), e.g. a namespace first. */
  create(...objects: any[]): Promise<void>;
  /** GET of an API path as plain JSON. */
  read(path: string): Promise<any>;
  /** Waits until `check` holds for the object at `path`, and returns it. */
  waitFor(path: string, check: (obj: any) => unknown, what: string, timeoutMs?: number): Promise<any>;
  /** Runs the real kubectl against the cluster (UTC, so its timestamps read like the tools'). */
  kubectl(args: string[]): Promise<string>;
  ctx(signal?: AbortSignal): ToolRunContext;
  close(): Promise<void>;
}

export function tool(name: string): ToolDefinition {
  const t = kubernetesTools.find((x) => x.name === name);
  if (!t) throw new Error(`no tool ${name}`);
  return t;
}

/** Parses the arguments with the tool's own schema (as the toolset does), then runs it. */
export async function runTool(t: ToolCluster, name: string, args: Record<string, unknown>, signal?: AbortSignal): Promise<string> {
  const def = tool(name);
  const out = await def.run(def.args.parse(args), t.ctx(signal));
  if (typeof out !== 'string') throw new Error(`${name} returned ${typeof out}`);
  return out;
}

export async function startToolCluster(timeScale = 2): Promise<ToolCluster> {
  const clock = new ScaledClock(timeScale);
  const cluster = await EmbeddedCluster.start({ clock });
  const dir = mkdtempSync(join(tmpdir(), 'k8s-tools-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, cluster.kubeconfig());
  const kc = new KubeConfig();
  kc.loadFromString(cluster.kubeconfig());
  const api = kc.makeApiClient(KubernetesObjectApi);
  const read = async (path: string): Promise<any> => {
    const cfg = kc.getCurrentCluster()!;
    const res = await fetch(`${cfg.server}${path}`);
    if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
    return res.json();
  };
  return {
    cluster,
    kc,
    clock,
    kubeconfigPath,
    async create(...objects) {
      for (const o of objects) await api.create(o as KubernetesObject);
    },
    read,
    waitFor: (path, check, what, timeoutMs = 60_000) =>
      eventually(
        async () => {
          const obj = await read(path);
          return check(obj) ? obj : undefined;
        },
        what,
        timeoutMs,
        200,
      ),
    kubectl: (args) =>
      new Promise((resolve, reject) =>
        execFile('kubectl', ['--kubeconfig', kubeconfigPath, ...args], { timeout: 30_000, env: { ...process.env, TZ: 'UTC' }, maxBuffer: 8 << 20 }, (err, stdout, stderr) =>
          err ? reject(new Error(`kubectl ${args.join(' ')}: ${stderr || err.message}`)) : resolve(stdout),
        ),
      ),
    ctx: (signal = AbortSignal.timeout(30_000)) => ({
      deps: { kubeconfig: kc, clock, dataStorage: { baseUrl: 'http://127.0.0.1:9' } },
      session: {
        scope: { remediationId: 'rr', severity: 'critical', environment: 'test', priority: 'P1', customLabels: {}, signalResource: { kind: 'Pod', name: 'x', namespace: 'x' } },
        target: { component: 'Pod', detectedLabels: {} },
        offeredActionTypes: new Set(),
        detectedLabelsCache: new Map(),
      },
      signal,
    }),
    async close() {
      await cluster.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export const namespace = (name: string, labels: Record<string, string> = {}): any => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });

/** Pod conditions and container states the tests wait for. */
export const isPhase = (phase: string) => (pod: any) => pod.status?.phase === phase;
export const containerStatus = (pod: any, name: string): any => [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? [])].find((s: any) => s.name === name);
