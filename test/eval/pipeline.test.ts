/**
 * `npm run eval -- --pipeline` in a test (issue 14's acceptance): every fixture that expects a
 * workflow runs from the Gateway to the EffectivenessAssessment in the embedded cluster with the
 * mock LLM: the alert becomes a RemediationRequest, the investigation selects the workflow, the
 * harness approves, the bundle's script runs as a real Job, and the RR ends Completed / Remediated
 * with the assessment Completed at full health. Namespaced fixtures run side by side, node fixtures
 * one at a time after them.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureNodes } from '../../eval/cluster.ts';
import { loadFixtures } from '../../eval/fixture.ts';
import { formatPipelineTable, managedNodes, pipelineFixtures, runPipelineFixtures, type PipelineReport } from '../../eval/pipeline.ts';
import { startPipelineServices, type PipelineServices } from '../../eval/pipeline-stack.ts';
import { startEvalStack, type EvalStack } from '../../eval/stack.ts';

const fixtures = pipelineFixtures(loadFixtures());
let stack: EvalStack | undefined;
let services: PipelineServices | undefined;
let reports: PipelineReport[];

before(async () => {
  stack = await startEvalStack({ timeScale: 20, nodes: managedNodes(fixtureNodes(fixtures)), alertmanagerApi: true });
  services = await startPipelineServices(stack);
  reports = await runPipelineFixtures(stack, services, fixtures, { setupTimeoutMs: 180_000, remediationTimeoutMs: 420_000 });
}, { timeout: 1_500_000 });
after(async () => {
  await services?.close();
  await stack?.close();
});

test('pipeline mode covers exactly the fixtures that expect a workflow', () => {
  const all = loadFixtures();
  assert.deepEqual(
    fixtures.map((f) => f.id),
    all.filter((f) => f.expected.workflow !== 'none').map((f) => f.id),
  );
  assert.ok(fixtures.length >= 8, fixtures.map((f) => f.id).join(', '));
  assert.ok(fixtures.some((f) => f.exclusive) && fixtures.some((f) => !f.exclusive));
});

test('every fixture that expects a workflow is remediated end to end, Gateway to EffectivenessAssessment', () => {
  const table = formatPipelineTable(reports, 'eval --pipeline');
  assert.deepEqual(reports.filter((r) => !r.passed).map((r) => `${r.id}: ${r.failures.join('; ')}`), [], table);
  for (const [i, r] of reports.entries()) {
    assert.equal(r.workflow, fixtures[i].expected.workflow, r.id);
    assert.equal(`${r.phase}/${r.outcome}`, 'Completed/Remediated', r.id);
  }
});
