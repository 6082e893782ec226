/**
 * Synthetic catalog entries for benchmarks (discovery p99 with 1,000 workflows) and load tests.
 * Deterministic: entry `i` is always the same, spread over 20 action types and varied labels so
 * that discovery has real filtering and ranking work to do.
 *
 * Seeding a DataStorage for a benchmark, either in process:
 *   const db = await openDatabase(); await migrate(db);
 *   await seedSyntheticCatalog(db, 1000, new ScaledClock());
 * or over HTTP against a running DataStorage (same validation path as any registration):
 *   for (const w of syntheticWorkflows(1000)) await fetch(`${url}/api/v1/workflows`, {method: 'POST',
 *     headers: {'content-type': 'application/json'}, body: JSON.stringify(w)});
 * then query e.g. `${url}/api/v1/workflows?${SYNTHETIC_DISCOVERY_QUERY}`.
 */
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../db/database.ts';
import { WorkflowCatalog } from './catalog.ts';
import { normaliseDefinition } from './definition.ts';

const ACTION_VERBS = ['Restart', 'Rollback', 'Scale', 'Fix', 'Drain'];
const ACTION_OBJECTS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Node'];
const KINDS = ['Deployment', 'StatefulSet', 'DaemonSet', 'Pod', 'Node', 'PersistentVolumeClaim'];
const SEVERITY_SETS = [['critical'], ['critical', 'high'], ['high', 'medium'], '*'] as const;
const ENVIRONMENT_SETS = [['production'], ['production', 'staging'], ['staging', 'development'], '*'] as const;
const DETECTED = [{}, { stateful: 'true' }, { gitOpsManaged: 'true', gitOpsTool: 'argocd' }, { pdbProtected: 'true' }, { hpaEnabled: 'false' }];

/** The action type of synthetic entry `i` (20 distinct ones). */
export function syntheticActionType(i: number): string {
  return `${ACTION_VERBS[i % ACTION_VERBS.length]}${ACTION_OBJECTS[Math.floor(i / ACTION_VERBS.length) % ACTION_OBJECTS.length]}`;
}

/** A valid canonical workflow definition (plain object, as JSON or YAML would carry it). */
export function syntheticWorkflow(i: number): Record<string, unknown> {
  // Mixes the index within its action type too, so the entries of one type differ from each other.
  const pick = <T>(list: readonly T[], salt: number) => list[(Math.floor(i / 20) * 7 + i + salt) % list.length];
  const component = i % 3 === 0 ? '*' : [pick(KINDS, 1), pick(KINDS, 4)];
  return {
    metadata: {
      workflowId: `synthetic-${String(i).padStart(5, '0')}`,
      version: `1.${i % 4}.0`,
      description: {
        what: `Synthetic remediation number ${i} (${syntheticActionType(i)}).`,
        whenToUse: 'Benchmarks and load tests of workflow discovery only.',
      },
    },
    actionType: syntheticActionType(i),
    labels: { severity: pick(SEVERITY_SETS, 2), environment: pick(ENVIRONMENT_SETS, 3), component, priority: i % 5 === 0 ? ['P0', 'P1'] : '*' },
    detectedLabels: pick(DETECTED, 5),
    customLabels: i % 2 === 0 ? { team: [`team-${i % 10}`] } : { team: '*' },
    execution: { engine: 'job', bundle: `example.com/synthetic/workflow-${i}:1.0.0` },
    parameters: [
      { name: 'TARGET_NAMESPACE', type: 'string', required: true, description: 'Namespace of the target.' },
      { name: 'REPLICAS', type: 'integer', minimum: 0, maximum: 100, default: 1, description: 'Replica count.' },
    ],
  };
}

export function syntheticWorkflows(count: number, first = 0): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, k) => syntheticWorkflow(first + k));
}

/** A discovery context most synthetic entries are relevant to (several match, several do not). */
export const SYNTHETIC_DISCOVERY_QUERY = new URLSearchParams({
  actionType: syntheticActionType(0),
  severity: 'critical',
  environment: 'production',
  component: 'Deployment',
  custom_labels: JSON.stringify({ team: ['team-0'] }),
  detected_labels: JSON.stringify({ stateful: true, gitOpsManaged: false }),
}).toString();

/** Registers `count` synthetic workflows straight through the catalog (validated like any registration). */
export async function seedSyntheticCatalog(db: Db, count: number, clock: Clock, first = 0): Promise<void> {
  const catalog = new WorkflowCatalog(db, clock);
  for (const definition of syntheticWorkflows(count, first)) {
    const r = normaliseDefinition(definition);
    if (!r.ok) throw new Error(`synthetic workflow is invalid: ${JSON.stringify(r.errors)}`);
    await catalog.register(r.entry, r.contentHash, { source: 'synthetic' });
  }
}
