/**
 * Brings one fixture's cluster state about: its namespace and manifests, the healthy state, the
 * fault, the faulty state; then builds the incident (the analyze request) from what was captured.
 */
import type { KubeConfig } from '@kubernetes/client-node';
import type { AnalyzeRequestInput } from '../src/investigator/api/wire.ts';
import { createNamespace, createObjects, deleteNamespace, podUids, runSteps, waitForConditions, type FixtureContext, type NodeSimulation } from './cluster-steps.ts';
import { substitute, type Fixture } from './fixture.ts';

export interface PreparedFixture {
  fixture: Fixture;
  context: FixtureContext;
  /** Real milliseconds from the fault's first step to the faulty state. */
  faultMs: number;
  /** The analyze request of one run (the ids tell runs apart). */
  incident(run: number): AnalyzeRequestInput;
  /** Runs the fixture's clean-up steps and deletes its namespace. */
  cleanUp(): Promise<void>;
}

export interface SetupOptions {
  kubeconfig: KubeConfig;
  kubeconfigPath: string;
  nodes?: NodeSimulation;
  /** Real milliseconds to wait for each state. */
  timeoutMs: number;
  /** Tells what is happening (the CLI prints it; tests stay quiet). */
  progress?: (fixtureId: string, message: string) => void;
}

export async function prepareFixture(fixture: Fixture, opts: SetupOptions): Promise<PreparedFixture> {
  const ctx: FixtureContext = {
    kubeconfig: opts.kubeconfig,
    kubeconfigPath: opts.kubeconfigPath,
    namespace: fixture.namespace,
    nodes: opts.nodes,
    vars: new Map(),
    podsBeforeFault: new Set(),
  };
  const say = (m: string) => opts.progress?.(fixture.id, m);
  await createNamespace(opts.kubeconfig, fixture.namespace, { 'kubernaut.ai/eval': 'true', ...fixture.namespaceLabels });
  await createObjects(ctx, fixture.manifests);
  if (fixture.healthyWhen.length) {
    say('waiting for the healthy state');
    await waitForConditions(ctx, fixture.healthyWhen, `${fixture.id}: healthy state`, opts.timeoutMs);
  }
  ctx.podsBeforeFault = await podUids(ctx);
  const faultStarted = Date.now();
  if (fixture.fault.length) {
    say('injecting the fault');
    await runSteps(ctx, fixture.fault, opts.timeoutMs);
  }
  say('waiting for the faulty state');
  await waitForConditions(ctx, fixture.faultyWhen, `${fixture.id}: faulty state`, opts.timeoutMs);
  const faultMs = Date.now() - faultStarted;
  const incidentTemplate = substitute(fixture.incident, ctx.vars);
  return {
    fixture,
    context: ctx,
    faultMs,
    incident(run) {
      const now = new Date();
      return {
        resource_namespace: fixture.namespace,
        firing_time: new Date(now.getTime() - 5 * 60_000).toISOString(),
        received_time: now.toISOString(),
        ...incidentTemplate,
        incident_id: `ai-eval-${fixture.id.replace(/[^a-z0-9-]/g, '-')}-${run}-${now.getTime().toString(36)}`,
        remediation_id: `eval-${fixture.id.replace(/[^a-z0-9-]/g, '-')}-${run}`,
      } as AnalyzeRequestInput;
    },
    async cleanUp() {
      if (fixture.cleanup.length) await runSteps(ctx, fixture.cleanup, opts.timeoutMs);
      await deleteNamespace(opts.kubeconfig, fixture.namespace, opts.timeoutMs);
    },
  };
}
