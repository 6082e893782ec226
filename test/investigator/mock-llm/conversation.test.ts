/**
 * Whole investigations with the mock over HTTP: a harness plays the investigator with captured
 * kubectl output, resource contexts and a real DataStorage holding the shipped workflows.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startMockLlm, type RunningMockLlm } from '../../../src/investigator/mock-llm/server.ts';
import { CatalogFixture, investigate, renamer, type Complete, type Scenario } from './harness.ts';
import { SCENARIOS } from './scenarios.ts';

let mock: RunningMockLlm;
let catalog: CatalogFixture;
let complete: Complete;

before(async () => {
  [mock, catalog] = await Promise.all([startMockLlm({}), CatalogFixture.start()]);
  complete = async (body) => {
    const res = await fetch(`${mock.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 200, await res.clone().text());
    return (await res.json()) as Record<string, unknown>;
  };
});
after(async () => {
  await mock.close();
  await catalog.close();
});

interface Expect {
  outcome: string;
  workflow?: string;
  parameters?: Record<string, string>;
  target?: Record<string, string>;
  review?: string;
}

const EXPECTED: Record<keyof typeof SCENARIOS, Expect> = {
  statefulSetClaimDeleted: {
    outcome: 'actionable',
    workflow: 'fix-statefulset-pvc-v1',
    parameters: { TARGET_NAMESPACE: 'shop', TARGET_STATEFULSET: 'kv-store', TARGET_PVC: 'data-kv-store-2' },
    target: { kind: 'StatefulSet', name: 'kv-store', namespace: 'shop' },
  },
  statefulSetHealthy: { outcome: 'resolved' },
  missingStorageClass: {
    outcome: 'actionable',
    workflow: 'fix-statefulset-pvc-v1',
    parameters: { TARGET_NAMESPACE: 'billing', TARGET_STATEFULSET: 'ledger', TARGET_PVC: 'data-ledger-0' },
    target: { kind: 'StatefulSet', name: 'ledger', namespace: 'billing' },
  },
  crashLoop: { outcome: 'actionable', workflow: 'rollback-deployment-v1', parameters: { TARGET_NAMESPACE: 'api', TARGET_DEPLOYMENT: 'checkout' }, target: { kind: 'Deployment', name: 'checkout', namespace: 'api' } },
  oomKilled: {
    outcome: 'actionable',
    workflow: 'increase-memory-limits-v1',
    parameters: { TARGET_NAMESPACE: 'batch', TARGET_KIND: 'Deployment', TARGET_NAME: 'indexer', TARGET_CONTAINER: 'app' },
    target: { kind: 'Deployment', name: 'indexer', namespace: 'batch' },
  },
  imagePull: { outcome: 'actionable', workflow: 'rollback-deployment-v1', parameters: { TARGET_NAMESPACE: 'media', TARGET_DEPLOYMENT: 'thumbnailer' } },
  taintedNode: { outcome: 'actionable', workflow: 'remove-node-taint-v1', parameters: { TARGET_NODE: 'gpu-node-1', TAINT_KEY: 'dedicated', TAINT_EFFECT: 'NoSchedule' }, target: { kind: 'Node', name: 'gpu-node-1' } },
  nodeNotReady: { outcome: 'actionable', workflow: 'cordon-drain-node-v1', parameters: { TARGET_NODE: 'worker-3' }, target: { kind: 'Node', name: 'worker-3' } },
  nodeAlert: { outcome: 'actionable', workflow: 'cordon-drain-node-v1', parameters: { TARGET_NODE: 'worker-3' } },
  injection: { outcome: 'actionable', workflow: 'rollback-deployment-v1', parameters: { TARGET_NAMESPACE: 'notes', TARGET_DEPLOYMENT: 'notes-api' } },
  noFittingWorkflow: { outcome: 'inconclusive', review: 'no_matching_workflows' },
  healed: { outcome: 'resolved' },
};

function check(answer: any, expect: Expect): void {
  assert.equal(answer.investigation_outcome, expect.outcome);
  if (expect.workflow) {
    assert.equal(answer.selected_workflow.workflow_id, expect.workflow);
    assert.deepEqual(answer.selected_workflow.parameters, expect.parameters);
    assert.ok(answer.confidence >= 0.7);
    assert.equal(answer.needs_human_review, false);
  } else {
    assert.equal(answer.selected_workflow, null);
  }
  if (expect.target) assert.deepEqual(answer.root_cause_analysis.affectedResource, expect.target);
  if (expect.review) {
    assert.equal(answer.needs_human_review, true);
    assert.equal(answer.human_review_reason, expect.review);
  }
  if (expect.outcome === 'resolved') assert.equal(answer.confidence, 0.85);
}

describe('full investigations', () => {
  for (const [name, scenario] of Object.entries(SCENARIOS) as Array<[keyof typeof SCENARIOS, Scenario]>) {
    it(`${name}: ${EXPECTED[name].workflow ?? EXPECTED[name].outcome}`, async () => {
      const t = await investigate(scenario, complete, catalog);
      assert.equal(t.attempts, 1);
      check(t.answer, EXPECTED[name]);
      // Each argument set is called once.
      const keys = t.calls.map((c) => `${c.name}${JSON.stringify(c.args)}`);
      assert.equal(new Set(keys).size, keys.length);
    });
  }

  it('the reference incident: the summary names the claim; context on the claim, then the three discovery steps', async () => {
    const t = await investigate(SCENARIOS.statefulSetClaimDeleted, complete, catalog);
    const answer = t.answer as any;
    assert.match(answer.root_cause_analysis.summary, /data-kv-store-2/);
    const names = t.calls.map((c) => c.name);
    // Step 1 rides along with the second look; steps 2-3 run under the context of the target.
    assert.deepEqual(names.slice(-3), ['get_resource_context', 'list_workflows', 'get_workflow']);
    assert.ok(names.indexOf('list_available_actions') < names.indexOf('list_workflows'));
    assert.deepEqual(t.calls.find((c) => c.name === 'get_resource_context')!.args, { kind: 'PersistentVolumeClaim', name: 'data-kv-store-2', namespace: 'shop' });
    assert.equal(t.messages.filter((m) => m.role === 'assistant').length, 5);
  });

  it('an early action list fetched under another Kind is asked again under the target\'s context', async () => {
    const t = await investigate(SCENARIOS.taintedNode, complete, catalog);
    const lists = t.calls.filter((c) => c.name === 'list_available_actions').map((c) => c.args);
    assert.deepEqual(lists, [{}, { offset: 0 }]);
    const names = t.calls.map((c) => c.name);
    assert.ok(names.lastIndexOf('list_available_actions') > names.indexOf('get_resource_context'));
  });

  it('instructions in pod logs and in the alert text change nothing: same choice as a plain crash loop', async () => {
    const t = await investigate(SCENARIOS.injection, complete, catalog);
    const answer = t.answer as any;
    assert.equal(answer.selected_workflow.workflow_id, 'rollback-deployment-v1');
    assert.doesNotMatch(t.answerText!, /delete-namespace|ignore all previous/i);
    assert.notEqual(answer.confidence, 1);
  });
});

/** Long quoted messages are shortened with "…"; where they are cut depends on the length of the names in them. */
function unclipped(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value), (_k, v) => (typeof v === 'string' && v.endsWith('…') ? v.slice(0, 120) : v));
}

describe('renaming invariance and state sensitivity', () => {
  const renames: Record<string, Record<string, string>> = {
    statefulSetClaimDeleted: { shop: 'retail-prod', 'kv-store': 'session-cache', KubernautStatefulSetReplicasMismatch: 'CacheReplicasDown' },
    missingStorageClass: { billing: 'ledger-ns', ledger: 'journal', 'fast-ssd': 'premium-rwo' },
    crashLoop: { checkout: 'payments', 'api': 'shopfront' },
    taintedNode: { 'gpu-node-1': 'accel-7', dedicated: 'reserved', trainer: 'batch-learner' },
    nodeNotReady: { 'worker-3': 'edge-node-b', 'etl-worker': 'ingest' },
    healed: { frontend: 'storefront', web: 'public' },
  };
  for (const [name, map] of Object.entries(renames)) {
    it(`${name}: renaming namespace, workload, claim, node and alert gives the same diagnosis, renamed`, async () => {
      const scenario = SCENARIOS[name as keyof typeof SCENARIOS] as Scenario;
      const original = await investigate(scenario, complete, catalog);
      const renamed = await investigate(scenario, complete, catalog, { rename: map });
      assert.deepEqual(unclipped(renamed.answer), unclipped(JSON.parse(renamer(map)(JSON.stringify(original.answer)))));
    });
  }

  it('the same names with a different cluster state give a different outcome', async () => {
    const broken = await investigate(SCENARIOS.statefulSetClaimDeleted, complete, catalog);
    const healthy = await investigate(SCENARIOS.statefulSetHealthy, complete, catalog);
    assert.equal((broken.answer as any).investigation_outcome, 'actionable');
    assert.equal((healthy.answer as any).investigation_outcome, 'resolved');
  });
});

describe('remediation history and validation feedback', () => {
  it('does not repeat a workflow the target\'s history shows was ineffective: next fitting type or none', async () => {
    const scenario: Scenario = {
      ...SCENARIOS.crashLoop,
      history: { 'Deployment/checkout': [{ remediation_id: 'rr-1', workflow_id: 'rollback-deployment-v1', action_type: 'RollbackDeployment', outcome: 'Failed', effectiveness_score: 0 }] },
    };
    const t = await investigate(scenario, complete, catalog);
    const answer = t.answer as any;
    assert.notEqual(answer.selected_workflow?.workflow_id, 'rollback-deployment-v1');
    assert.equal(answer.needs_human_review, true);
  });

  it('gives up a workflow the validator cannot find (next fitting one, else none fits)', async () => {
    const t = await investigate(SCENARIOS.statefulSetClaimDeleted, complete, catalog);
    assert.equal(t.attempts, 1);
    const feedbackRequest = {
      model: 'mock-model',
      messages: [
        ...t.messages,
        { role: 'user', content: `Validation failed (attempt 1 of 3)\n${JSON.stringify([{ code: 'workflow_not_found', message: 'not found' }])}\nParameter schema: none` },
      ],
      tools: [],
      tool_choice: 'none',
    };
    const repaired = await complete(feedbackRequest);
    const content = (repaired.choices as any[])[0].message.content as string;
    const answer = JSON.parse(/```json\n([\s\S]*?)```/.exec(content)![1]);
    assert.equal(answer.selected_workflow, null);
    assert.equal(answer.human_review_reason, 'no_matching_workflows');
  });
});
