/**
 * A catalog demo scenario built from its definition (src/scenarios/demo-definition.ts): deploys
 * the fixture's workload into a managed namespace with the scenario's PrometheusRule, injects the
 * fixture's fault, and proves the healing by waiting for the scenario's healed state; a scenario
 * file adds the checks that need more than a state (e.g. "the limit went up").
 */
import { ApiException, KubernetesObjectApi, PatchStrategy, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import {
  createNamespace,
  createObjects,
  deleteNamespace,
  nodeSimulationByAnnotation,
  podUids,
  runSteps,
  unmet,
  until,
  waitForConditions,
  type FixtureContext,
} from '../../scenarios/cluster-steps.ts';
import { loadDemoDefinition, type DemoDefinition } from '../../scenarios/demo-definition.ts';
import type { Check, DemoContext, DemoScenario } from '../scenario.ts';

/** Namespaces and Nodes Kubernaut acts on carry this label. */
export const MANAGED_LABEL = 'kubernaut.ai/managed';
/** Real milliseconds to wait for a cluster state the scenario causes (healthy, faulty, healed). */
const STATE_TIMEOUT_MS = 120_000;

export interface CatalogScenarioHooks {
  /** Recorded before the fault; the result is handed to `verify`. */
  before?(ctx: DemoContext, fixture: FixtureContext): Promise<unknown>;
  /** Further checks once the healed state holds (or did not come). */
  verify?(ctx: DemoContext, fixture: FixtureContext, before: unknown): Promise<Check[]>;
}

function objects(kc: KubeConfig): KubernetesObjectApi {
  return KubernetesObjectApi.makeApiClient(kc);
}

/** A merge patch of a Node's labels (null removes one). */
async function labelNode(kc: KubeConfig, node: string, labels: Record<string, string | null>): Promise<void> {
  await objects(kc).patch({ apiVersion: 'v1', kind: 'Node', metadata: { name: node, labels } } as unknown as KubernetesObject, undefined, undefined, 'kubernaut-demo', undefined, PatchStrategy.MergePatch);
}

function prometheusRule(def: DemoDefinition): KubernetesObject {
  return {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: { name: `kubernaut-demo-${def.name}`, namespace: def.namespace, labels: { release: 'prometheus', 'app.kubernetes.io/part-of': 'kubernaut-demo' } },
    spec: { groups: [{ name: `kubernaut-demo-${def.name}`, rules: [def.rule] }] },
  } as KubernetesObject;
}

export function catalogScenario(name: string, hooks: CatalogScenarioHooks = {}): DemoScenario {
  const def = loadDemoDefinition(name);
  const fixture = def.fixtureData;
  const expected = {
    workflow: def.expected.workflow ?? fixture.expected.workflow,
    target: def.expected.target ?? fixture.expected.target ?? { kind: 'Namespace', name: def.namespace },
    detectedLabels: def.expected.detectedLabels ?? fixture.expected.detectedLabels,
  };
  // One fixture context per run, created at deploy (the runner may run the scenario twice).
  let fctx: FixtureContext | undefined;
  let before: unknown;
  const contextOf = (ctx: DemoContext): FixtureContext => {
    fctx ??= { kubeconfig: ctx.kubeconfig, kubeconfigPath: ctx.kubeconfigPath, namespace: def.namespace, nodes: nodeSimulationByAnnotation(ctx.kubeconfig), vars: new Map(), podsBeforeFault: new Set() };
    return fctx;
  };
  return {
    name,
    title: def.title,
    namespace: def.namespace,
    stack: { nodes: def.stack.nodes, kubeletDelays: def.stack.kubeletDelays, upArgs: def.stack.upArgs, maxTimeScale: def.stack.maxTimeScale },
    expected: {
      signalName: def.rule.alert,
      alertForMs: def.alertForMs,
      workflowId: expected.workflow,
      target: { kind: expected.target.kind, name: expected.target.name, namespace: expected.target.kind === 'Node' ? undefined : (expected.target.namespace ?? def.namespace) },
      detectedLabels: Object.keys(expected.detectedLabels).length ? expected.detectedLabels : undefined,
    },

    async deploy(ctx) {
      fctx = undefined;
      const f = contextOf(ctx);
      for (const node of fixture.nodes) {
        ctx.say(`node ${node.name}: in Kubernaut's managed scope`);
        await labelNode(ctx.kubeconfig, node.name, { ...node.labels, [MANAGED_LABEL]: 'true' });
      }
      await runSteps(f, def.beforeDeploy, STATE_TIMEOUT_MS);
      ctx.say(`namespace ${def.namespace} (managed), workload and alert rule ${def.rule.alert}`);
      const labels = { ...fixture.namespaceLabels, [MANAGED_LABEL]: 'true', 'app.kubernetes.io/part-of': 'kubernaut-demo' };
      await createNamespace(ctx.kubeconfig, def.namespace, labels).catch(async (e) => {
        // The stack may have created it already (`up --cr-namespace`): then it only needs the labels.
        if (!(e instanceof ApiException && e.code === 409)) throw e;
        await objects(ctx.kubeconfig).patch({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: def.namespace, labels } } as KubernetesObject, undefined, undefined, 'kubernaut-demo', undefined, PatchStrategy.MergePatch);
      });
      await createObjects(f, fixture.manifests);
      if (fixture.healthyWhen.length) await waitForConditions(f, fixture.healthyWhen, `${name}: healthy state`, STATE_TIMEOUT_MS);
      await runSteps(f, def.afterHealthy, STATE_TIMEOUT_MS);
      // A workload that starts healthy is watched from now on. One whose fault is part of its
      // manifests gets its rule once the faulty state shows, so a scaled `for:` cannot fire on
      // the replicas still starting instead of on the fault.
      if (fixture.healthyWhen.length) await objects(ctx.kubeconfig).create(prometheusRule(def));
    },

    async baseline(ctx) {
      const f = contextOf(ctx);
      before = await hooks.before?.(ctx, f);
      const pods = (await objects(ctx.kubeconfig).list('v1', 'Pod', def.namespace)).items as any[];
      return pods.map((p) => `pod ${p.metadata.name}: ${p.status?.phase}${p.spec?.nodeName ? ` on ${p.spec.nodeName}` : ''}`);
    },

    async inject(ctx) {
      const f = contextOf(ctx);
      f.podsBeforeFault = await podUids(f);
      ctx.say(`injecting the fault: ${fixture.title}`);
      await runSteps(f, fixture.fault, STATE_TIMEOUT_MS);
      await waitForConditions(f, fixture.faultyWhen, `${name}: faulty state`, STATE_TIMEOUT_MS);
      if (!fixture.healthyWhen.length) await objects(ctx.kubeconfig).create(prometheusRule(def));
    },

    async verify(ctx) {
      const f = contextOf(ctx);
      const checks: Check[] = [];
      try {
        await until(async () => (await Promise.all(def.healedWhen.map((c) => unmet(f, c)))).every((why) => !why), `${name}: healed state`, STATE_TIMEOUT_MS);
      } catch {
        // Reported condition by condition below.
      }
      for (const c of def.healedWhen) {
        const why = await unmet(f, c).catch((e: Error) => e.message);
        checks.push({ name: `healed: ${describe(c)}`, ok: !why, detail: why });
      }
      if (hooks.verify) checks.push(...(await hooks.verify(ctx, f, before)));
      return checks;
    },

    async cleanup(ctx) {
      const f = contextOf(ctx);
      await runSteps(f, fixture.cleanup, STATE_TIMEOUT_MS).catch((e) => ctx.say(`clean-up step failed: ${(e as Error).message}`));
      await deleteNamespace(ctx.kubeconfig, def.namespace, STATE_TIMEOUT_MS);
      for (const node of fixture.nodes) {
        const remove = Object.fromEntries([...Object.keys(node.labels ?? {}), MANAGED_LABEL].map((k) => [k, null]));
        await labelNode(ctx.kubeconfig, node.name, remove).catch((e) => {
          if (!(e instanceof ApiException && e.code === 404)) throw e;
        });
      }
    },
  };
}

/** A condition as one short phrase for the timeline. */
function describe(c: object): string {
  const [kind, want] = Object.entries(c)[0] as [string, Record<string, unknown>];
  const parts = Object.entries(want).filter(([k]) => k !== 'min' || want.min !== 1).map(([k, v]) => `${k}=${Array.isArray(v) ? v.join('|') : String(v)}`);
  return `${kind} ${parts.join(' ')}`;
}
