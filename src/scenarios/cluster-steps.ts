/**
 * What the evaluation harness and the demo scenarios do to the cluster, as a user would: create the
 * namespace and the manifests, run the fault steps (API calls through client-node, or the real
 * kubectl), and wait for conditions on pods, claims, workloads, nodes and events. Only
 * `stopKubelet` / `startKubelet` need the embedded cluster, for the one fault no API call can
 * cause: in-process through its node simulation, or from another process through the
 * `sim.kubernaut.ai/kubelet` Node annotation its kubelets honour (nodeSimulationByAnnotation).
 */
import { execFile } from 'node:child_process';
import { dirname, join } from 'node:path';
import { ApiException, KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';
import type { Condition, Step } from './fixture.ts';
import { FixtureError, substitute } from './fixture.ts';

const API_VERSIONS: Record<string, string> = {
  Pod: 'v1',
  PersistentVolumeClaim: 'v1',
  PersistentVolume: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Service: 'v1',
  Node: 'v1',
  Namespace: 'v1',
  Event: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
};
const CLUSTER_SCOPED = new Set(['PersistentVolume', 'Node', 'Namespace']);

/** The embedded cluster's node simulation, when the harness runs one. */
export interface NodeSimulation {
  stopKubelet(node: string): void | Promise<void>;
  startKubelet(node: string): Promise<void>;
}

/** The Node annotation the embedded cluster's kubelets honour: `stopped` stops that node's kubelet. */
export const KUBELET_SIMULATION_ANNOTATION = 'sim.kubernaut.ai/kubelet';

/**
 * The node simulation of an embedded cluster running in another process (`kubernaut up`): the
 * kubelet is stopped by annotating its Node and started by removing the annotation. A real
 * cluster ignores the annotation, so the fault only happens where it can be simulated.
 */
export function nodeSimulationByAnnotation(kc: KubeConfig): NodeSimulation {
  const annotate = async (node: string, value: string | null) => {
    await objectsApi(kc).patch(
      { apiVersion: 'v1', kind: 'Node', metadata: { name: node, annotations: { [KUBELET_SIMULATION_ANNOTATION]: value } } } as unknown as KubernetesObject,
      undefined, undefined, 'kubernaut-scenario', undefined, PatchStrategy.MergePatch,
    );
  };
  return { stopKubelet: (node) => annotate(node, 'stopped'), startKubelet: (node) => annotate(node, null) };
}

export interface FixtureContext {
  kubeconfig: KubeConfig;
  /** A kubeconfig file for the kubectl steps. */
  kubeconfigPath: string;
  namespace: string;
  nodes?: NodeSimulation;
  /** `${VAR}` values captured so far. */
  vars: Map<string, string>;
  /** UIDs of the namespace's pods just before the fault (for `new: true`). */
  podsBeforeFault: Set<string>;
}

/** One client per kubeconfig: it caches the API discovery it needs to map kinds to resources. */
const clients = new WeakMap<KubeConfig, KubernetesObjectApi>();
function objectsApi(kc: KubeConfig): KubernetesObjectApi {
  let api = clients.get(kc);
  if (!api) clients.set(kc, (api = KubernetesObjectApi.makeApiClient(kc)));
  return api;
}

function ref(kind: string, name: string, namespace: string): KubernetesObject {
  const apiVersion = API_VERSIONS[kind];
  if (!apiVersion) throw new FixtureError(`kind ${kind} is not supported by the harness`);
  return { apiVersion, kind, metadata: { name, ...(CLUSTER_SCOPED.has(kind) ? {} : { namespace }) } };
}

function isNotFound(e: unknown): boolean {
  return e instanceof ApiException && e.code === 404;
}

async function read(ctx: FixtureContext, kind: string, name: string): Promise<any | undefined> {
  try {
    return await objectsApi(ctx.kubeconfig).read(ref(kind, name, ctx.namespace) as any);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

async function list(ctx: FixtureContext, kind: string, labelSelector?: string): Promise<any[]> {
  const namespace = CLUSTER_SCOPED.has(kind) ? undefined : ctx.namespace;
  const res = await objectsApi(ctx.kubeconfig).list(API_VERSIONS[kind], kind, namespace, undefined, undefined, undefined, undefined, labelSelector);
  return res.items as any[];
}

export async function createNamespace(kc: KubeConfig, name: string, labels: Record<string, string>): Promise<void> {
  await objectsApi(kc).create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } });
}

/** Deletes the namespace and waits until it is gone (its pods with it), so it no longer weighs on the cluster. */
export async function deleteNamespace(kc: KubeConfig, name: string, timeoutMs = 120_000): Promise<void> {
  const api = objectsApi(kc);
  const nsRef = { apiVersion: 'v1', kind: 'Namespace', metadata: { name } };
  try {
    await api.delete(nsRef);
  } catch (e) {
    if (isNotFound(e)) return;
    throw e;
  }
  await until(async () => {
    try {
      await api.read(nsRef);
      return false;
    } catch (e) {
      if (isNotFound(e)) return true;
      throw e;
    }
  }, `namespace ${name} deleted`, timeoutMs);
}

/** Creates every object of a multi-document YAML text in the fixture's namespace, in order. */
export async function createObjects(ctx: FixtureContext, text: string): Promise<void> {
  const api = objectsApi(ctx.kubeconfig);
  for (const doc of parseAllDocuments(text)) {
    const obj = doc.toJS() as KubernetesObject | null;
    if (!obj) continue;
    if (!obj.kind || !obj.apiVersion || !obj.metadata?.name) throw new FixtureError(`every manifest needs apiVersion, kind and metadata.name (got ${JSON.stringify(obj).slice(0, 120)})`);
    if (!CLUSTER_SCOPED.has(obj.kind)) obj.metadata.namespace = ctx.namespace;
    await api.create(obj);
  }
}

export async function runSteps(ctx: FixtureContext, steps: Step[], timeoutMs: number): Promise<void> {
  for (const raw of steps) {
    const step = substitute(raw, ctx.vars);
    try {
      await runStep(ctx, step, timeoutMs);
    } catch (e) {
      throw new FixtureError(`step ${JSON.stringify(raw).slice(0, 160)} failed: ${(e as Error).message}`);
    }
  }
}

async function runStep(ctx: FixtureContext, step: Step, timeoutMs: number): Promise<void> {
  const api = objectsApi(ctx.kubeconfig);
  if ('create' in step) return createObjects(ctx, step.create);
  if ('delete' in step) {
    const { kind, name, force } = step.delete;
    // force: as `kubectl delete --grace-period=0 --force`; otherwise a normal delete that does not wait.
    await api.delete(ref(kind, name, ctx.namespace), undefined, undefined, force ? 0 : undefined);
    return;
  }
  if ('patch' in step) {
    const { kind, name, type, patch } = step.patch;
    const target = ref(kind, name, ctx.namespace);
    await api.patch({ ...patch, ...target } as KubernetesObject, undefined, undefined, 'kubernaut-scenario', undefined, type === 'merge' ? PatchStrategy.MergePatch : PatchStrategy.StrategicMergePatch);
    return;
  }
  if ('kubectl' in step) {
    const args = step.kubectl;
    const named = args.some((a) => a === '-n' || a.startsWith('--namespace') || a === '-A' || a === '--all-namespaces');
    await kubectl(ctx.kubeconfigPath, named ? args : [...args, '--namespace', ctx.namespace]);
    return;
  }
  if ('capture' in step) {
    const { var: name, kind, name: objectName, path } = step.capture;
    const obj = await read(ctx, kind, objectName);
    if (!obj) throw new Error(`${kind} ${objectName} not found`);
    const value = path.split('.').reduce<any>((o, k) => o?.[k], obj);
    if (typeof value !== 'string' || !value) throw new Error(`${kind} ${objectName} has no ${path}`);
    ctx.vars.set(name, value);
    return;
  }
  if ('waitFor' in step) return waitForConditions(ctx, [step.waitFor], 'waitFor step', timeoutMs);
  if ('stopKubelet' in step) {
    if (!ctx.nodes) throw new Error('stopKubelet needs the embedded cluster');
    await ctx.nodes.stopKubelet(step.stopKubelet);
    return;
  }
  if ('startKubelet' in step) {
    if (!ctx.nodes) throw new Error('startKubelet needs the embedded cluster');
    await ctx.nodes.startKubelet(step.startKubelet);
  }
}

function kubectl(kubeconfigPath: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    // The discovery cache beside the kubeconfig: removed with it, instead of piling up in ~/.kube/cache per port.
    const env = { ...process.env, KUBECONFIG: kubeconfigPath, KUBECACHEDIR: join(dirname(kubeconfigPath), 'kube-cache') };
    execFile('kubectl', args, { env, timeout: 60_000, maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`kubectl ${args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/** UIDs of the namespace's pods now (taken just before the fault). */
export async function podUids(ctx: FixtureContext): Promise<Set<string>> {
  return new Set((await list(ctx, 'Pod')).map((p) => p.metadata.uid as string));
}

const asList = (v: string | string[]) => (Array.isArray(v) ? v : [v]);

function podMatches(pod: any, want: Extract<Condition, { pod: unknown }>['pod'], before: Set<string>): boolean {
  const statuses: any[] = [...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.containerStatuses ?? [])];
  if (want.name !== undefined && pod.metadata.name !== want.name) return false;
  if (want.phase !== undefined && pod.status?.phase !== want.phase) return false;
  if (want.scheduled !== undefined && !!pod.spec?.nodeName !== want.scheduled) return false;
  if (want.ready !== undefined) {
    const ready = (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
    if (ready !== want.ready) return false;
  }
  if (want.waitingReason !== undefined && !statuses.some((s) => asList(want.waitingReason!).includes(s.state?.waiting?.reason))) return false;
  if (want.terminatedReason !== undefined) {
    const reasons = asList(want.terminatedReason);
    if (!statuses.some((s) => reasons.includes(s.state?.terminated?.reason) || reasons.includes(s.lastState?.terminated?.reason))) return false;
  }
  if (want.restartsAtLeast !== undefined && !statuses.some((s) => (s.restartCount ?? 0) >= want.restartsAtLeast!)) return false;
  if (want.new !== undefined && !before.has(pod.metadata.uid) !== want.new) return false;
  return true;
}

/** Why the condition does not hold now, or undefined when it does (captures are recorded then). */
export async function unmet(ctx: FixtureContext, raw: Condition): Promise<string | undefined> {
  const cond = substitute(raw, ctx.vars);
  if ('pod' in cond) {
    const want = cond.pod;
    const pods = (await list(ctx, 'Pod', want.selector)).filter((p) => !p.metadata.deletionTimestamp || want.name);
    const matching = pods.filter((p) => podMatches(p, want, ctx.podsBeforeFault)).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    if (matching.length < want.min) return `pods ${JSON.stringify(want)}: ${matching.length} of ${want.min} match`;
    if (want.capture) ctx.vars.set(want.capture, matching[0].metadata.name);
    return undefined;
  }
  if ('claim' in cond) {
    const { name, phase, terminating } = cond.claim;
    const pvc = await read(ctx, 'PersistentVolumeClaim', name);
    if (!pvc) return `claim ${name} does not exist`;
    if (phase !== undefined && pvc.status?.phase !== phase) return `claim ${name} is ${pvc.status?.phase}, not ${phase}`;
    if (terminating !== undefined && !!pvc.metadata.deletionTimestamp !== terminating) return `claim ${name} terminating=${!!pvc.metadata.deletionTimestamp}`;
    return undefined;
  }
  if ('workload' in cond) {
    const { kind, name, readyReplicas } = cond.workload;
    const obj = await read(ctx, kind, name);
    if (!obj) return `${kind} ${name} does not exist`;
    const ready = kind === 'DaemonSet' ? (obj.status?.numberReady ?? 0) : (obj.status?.readyReplicas ?? 0);
    return ready === readyReplicas ? undefined : `${kind} ${name} has ${ready} ready replicas, not ${readyReplicas}`;
  }
  if ('node' in cond) {
    const { name, ready, untainted } = cond.node;
    const node = await read(ctx, 'Node', name);
    if (!node) return `node ${name} does not exist`;
    const status = (node.status?.conditions ?? []).find((c: any) => c.type === 'Ready')?.status;
    if (status !== ready) return `node ${name} Ready=${status}, not ${ready}`;
    if (untainted && (node.spec?.taints ?? []).some((t: any) => t.key.startsWith('node.kubernetes.io/'))) return `node ${name} still has ${JSON.stringify(node.spec.taints)}`;
    return undefined;
  }
  const { reason, kind, name } = cond.event;
  const events = await list(ctx, 'Event');
  const hit = events.some((e) => e.reason === reason && (!kind || e.involvedObject?.kind === kind) && (!name || e.involvedObject?.name === name));
  return hit ? undefined : `no event ${reason}${kind ? ` on ${kind}` : ''}${name ? ` ${name}` : ''}`;
}

/** Waits until all conditions hold at once; the error lists what was still missing. */
export async function waitForConditions(ctx: FixtureContext, conditions: Condition[], what: string, timeoutMs: number): Promise<void> {
  let missing: string[] = [];
  await until(
    async () => {
      missing = [];
      for (const c of conditions) {
        const why = await unmet(ctx, c);
        if (why) missing.push(why);
      }
      return missing.length === 0;
    },
    what,
    timeoutMs,
    () => missing.join('; '),
  );
}

/** Polls `check` (every 50 ms: the reference fault is a race against a 1.5 s volume mount). */
export async function until(check: () => Promise<boolean>, what: string, timeoutMs: number, detail?: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: Error | undefined;
  for (;;) {
    try {
      if (await check()) return;
      lastError = undefined;
    } catch (e) {
      lastError = e as Error;
    }
    if (Date.now() > deadline) {
      const why = lastError?.message ?? detail?.() ?? '';
      throw new FixtureError(`timed out after ${Math.round(timeoutMs / 1000)} s waiting for ${what}${why ? `: ${why}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
