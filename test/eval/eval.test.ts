/**
 * `npm run eval` in a test: every fixture through the real investigator and the mock LLM must pass,
 * so must the reference incident with every name rewritten, and the committed transcript (recorded
 * against the mock through the openai-compatible adapter) must replay to the same graded answer.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixtureNodes } from '../../eval/cluster.ts';
import { loadFixtures } from '../../eval/fixture.ts';
import { runFixtures, type FixtureReport } from '../../eval/harness.ts';
import { fixturePassed, formatTable, REFERENCE_FIXTURE, summarize } from '../../eval/report.ts';
import { startEvalStack, type EvalStack } from '../../eval/stack.ts';

const TRANSCRIPTS = new URL('../../eval/transcripts/mock/', import.meta.url).pathname;
const fixtures = loadFixtures();
const renamedReference = loadFixtures({ only: [REFERENCE_FIXTURE], rename: { seed: 'eval-test' } });
let stack: EvalStack;
let reports: FixtureReport[];

const harness = { runs: 1, setupTimeoutMs: 120_000, investigationTimeoutMs: 120_000 };

/** Each failure with its reasons, so a failing run says why. */
function failures(rs: FixtureReport[]): string[] {
  return rs.map(summarize).filter((s) => !fixturePassed(s)).map((s) => `${s.id}: ${s.failures.join('; ') || 'no run'}`);
}

before(async () => {
  stack = await startEvalStack({ timeScale: 20, nodes: fixtureNodes([...fixtures, ...renamedReference]) });
  reports = await runFixtures(stack, [...fixtures, ...renamedReference], harness);
}, { timeout: 400_000 });
after(async () => stack?.close());

test('every fixture passes against the mock LLM', () => {
  const own = reports.filter((r) => !r.id.endsWith('~renamed'));
  assert.equal(own.length, fixtures.length);
  assert.deepEqual(failures(own), [], formatTable(own.map(summarize), 'eval'));
  for (const r of own) {
    const usage = r.runs[0].result!.usage;
    assert.ok(usage.llm_turns > 0 && usage.prompt_tokens > 0, `${r.id}: usage is reported`);
  }
});

test('the reference incident passes with its namespace, StatefulSet and alert renamed', () => {
  const renamed = reports.filter((r) => r.id.endsWith('~renamed'));
  assert.equal(renamed.length, 1);
  assert.deepEqual(failures(renamed), []);
  const [fixture] = renamedReference;
  const selected = renamed[0].runs[0].result!.selected_workflow!;
  assert.equal(selected.workflow_id, 'fix-statefulset-pvc-v1');
  assert.equal(selected.parameters.TARGET_STATEFULSET, fixture.incident.resource_name);
  assert.notEqual(fixture.incident.resource_name, 'kv-store');
});

test('the recorded transcript of the reference incident replays offline to a passing answer', { timeout: 200_000 }, async () => {
  const [reference] = fixtures.filter((f) => f.id === REFERENCE_FIXTURE);
  const [replayed] = await runFixtures(stack, [reference], { ...harness, replay: TRANSCRIPTS });
  assert.deepEqual(failures([replayed]), []);
  const result = replayed.runs[0].result!;
  assert.equal(result.provider, 'openai-compatible');
  assert.equal(result.model, 'mock-model');
  assert.equal(result.root_cause_analysis.affectedResource?.name, 'kv-store');
});
