import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseAnswer } from '../../../src/investigator/agent/answer-parser.ts';
import { goodAnswer } from './fakes.ts';

const json = (v: unknown) => JSON.stringify(v, null, 2);

describe('final answer parser', () => {
  it('takes the last fenced json block, with the prose around it as analysis fallback', () => {
    const first = goodAnswer({ confidence: 0.5 });
    const last = goodAnswer({ confidence: 0.8 });
    const parsed = parseAnswer(`Draft:\n\`\`\`json\n${json(first)}\n\`\`\`\nFinal:\n\`\`\`json\n${json(last)}\n\`\`\`\nDone.`);
    assert.ok(parsed.ok);
    assert.equal(parsed.answer.confidence, 0.8);
    assert.match(parsed.prose, /Final:/);
    assert.doesNotMatch(parsed.prose, /"confidence": 0.8/);
  });

  it('falls back to the last balanced object, ignoring braces inside strings', () => {
    const answer = goodAnswer({ analysis: 'a } brace and a { brace in text' });
    const parsed = parseAnswer(`I looked at {things}. Here it is: ${JSON.stringify(answer)} and that is all.`);
    assert.ok(parsed.ok);
    assert.equal(parsed.answer.analysis, 'a } brace and a { brace in text');
    assert.equal(parsed.answer.selected_workflow?.workflow_id, 'fix-statefulset-pvc-v1');
  });

  it('accepts an untagged fence holding the object', () => {
    const parsed = parseAnswer(`\`\`\`\n${json(goodAnswer())}\n\`\`\``);
    assert.ok(parsed.ok);
  });

  it('reads the header-sections format', () => {
    const a = goodAnswer();
    const text = [
      'Here is my analysis.',
      '# root_cause_analysis',
      json(a.root_cause_analysis),
      '# confidence',
      '0.85',
      '# selected_workflow',
      '```json',
      json(a.selected_workflow),
      '```',
      '# alternative_workflows',
      '[]',
    ].join('\n');
    const parsed = parseAnswer(text);
    assert.ok(parsed.ok, JSON.stringify(!parsed.ok && parsed.errors));
    assert.equal(parsed.answer.investigation_outcome, 'actionable');
    assert.equal(parsed.answer.confidence, 0.85);
    assert.equal(parsed.answer.selected_workflow?.confidence, 0.9);
    assert.equal(parsed.prose, 'Here is my analysis.');
  });

  it('header format without a workflow is inconclusive unless it says otherwise', () => {
    const text = ['# root_cause_analysis', json({ summary: 'all pods ready again' }), '# confidence', '0.9', '# investigation_outcome', 'resolved'].join('\n');
    const parsed = parseAnswer(text);
    assert.ok(parsed.ok);
    assert.equal(parsed.answer.investigation_outcome, 'resolved');
    assert.equal(parsed.answer.selected_workflow, null);
  });

  it('garbage is an llm_parsing_error', () => {
    for (const text of ['', 'I think the pod is broken.', '{not json at all', '```json\n{"a": }\n```']) {
      const parsed = parseAnswer(text);
      assert.equal(parsed.ok, false, text);
      assert.ok(!parsed.ok && parsed.errors.every((e) => e.code === 'llm_parsing_error'));
    }
  });

  it('a shape failure lists every problem', () => {
    const bad = goodAnswer({ investigation_outcome: 'fixed', confidence: 1.5 });
    const parsed = parseAnswer(`\`\`\`json\n${json(bad)}\n\`\`\``);
    assert.equal(parsed.ok, false);
    const messages = !parsed.ok ? parsed.errors.map((e) => e.message) : [];
    assert.ok(messages.some((m) => m.startsWith('investigation_outcome')), messages.join('\n'));
    assert.ok(messages.some((m) => m.startsWith('confidence')), messages.join('\n'));
    assert.ok(!parsed.ok && parsed.errors.every((e) => e.code === 'llm_parsing_error'));
  });

  it('defaults: selected_workflow.confidence absent, human review off, parameters typed', () => {
    const a = goodAnswer({}, { confidence: undefined, parameters: { REPLICAS: 3, DRY_RUN: true } });
    const parsed = parseAnswer(json(a));
    assert.ok(parsed.ok);
    assert.equal(parsed.answer.selected_workflow?.confidence, undefined);
    assert.equal(parsed.answer.needs_human_review, false);
    assert.equal(parsed.answer.human_review_reason, null);
    assert.deepEqual(parsed.answer.selected_workflow?.parameters, { REPLICAS: 3, DRY_RUN: true });
  });
});
