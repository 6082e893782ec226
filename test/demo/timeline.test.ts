/**
 * The demo's timeline as text: wall-clock time, seconds since the injection, who, what; and the
 * waiting line, which redraws in place on a terminal but prints only now and then into a log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analysisLines, clockTime, effectivenessText, formatEntry, phaseText, sinceInjection, waitingText } from '../../src/demo/timeline.ts';
import { Reporter } from '../../src/demo/reporter.ts';

const at = (s: number) => new Date(2026, 11, 7, 19, 4, 0, 0 + s * 1000);

test('an entry shows local time, seconds since the injection and its subject', () => {
  const injected = at(0);
  assert.equal(clockTime(new Date(2026, 11, 7, 9, 5, 7, 380)), '09:05:07.3');
  assert.equal(sinceInjection(at(12.4), injected), '+12.4s');
  assert.equal(sinceInjection(at(-3), injected), '-3.0s');
  assert.equal(sinceInjection(at(5), undefined), '');
  assert.equal(formatEntry({ at: at(12.4), subject: 'AA', text: phaseText('AIAnalysis', 'ai-rr-1', 'Completed', 'WorkflowSelected') }, injected), '19:04:12.4   +12.4s  AA     AIAnalysis ai-rr-1 → Completed (WorkflowSelected)');
  // Before anything was injected there is no relative time; detail lines hang under their stage.
  assert.equal(formatEntry({ at: at(1), subject: 'Job', text: 'verify: 3/3 ready', detail: true }, undefined), `19:04:01.0${' '.repeat(18)}│ verify: 3/3 ready`);
});

test('a completed analysis reads as root cause, labels, workflow with confidence, LLM time and approval', () => {
  const lines = analysisLines({
    rootCause: 'long text',
    rootCauseSummary: 'claim data-kv-store-2 is Terminating',
    affected: { kind: 'StatefulSet', name: 'kv-store' },
    detectedLabels: { stateful: true, hpaEnabled: false, gitOpsTool: '', failedDetections: [] },
    workflowId: 'fix-statefulset-pvc-v1',
    version: '1.0.0',
    confidence: 0.9,
    llmLatencyMs: 320,
    llmTurns: 5,
    toolCalls: 10,
    approvalRequired: true,
    approvalReason: 'production',
  });
  assert.deepEqual(lines, [
    'root cause: claim data-kv-store-2 is Terminating',
    'affected resource: StatefulSet/kv-store',
    'detected labels: stateful=true',
    'selected workflow: fix-statefulset-pvc-v1 v1.0.0, confidence 90%',
    'investigation took 0.3 s (5 LLM turns, 10 tool calls)',
    'approval required: production',
  ]);
  assert.deepEqual(analysisLines({}), []);
});

test('effectiveness scores: alert 1 reads resolved, missing scores n/a', () => {
  assert.equal(effectivenessText({ overallScore: 1, healthScore: 1, alertScore: 1, metricsScore: null, reason: 'full' }), 'effectiveness: overall 1.00, health 1.00, alert resolved, metrics n/a (full)');
  assert.equal(effectivenessText({ healthScore: 0.5, alertScore: 0 }), 'effectiveness: health 0.50, alert still firing, metrics n/a');
  assert.equal(waitingText('the alert to fire', 12_900), '… waiting for the alert to fire (12 s)');
});

test('the waiting line is redrawn in place on a terminal and erased before the next entry', () => {
  const writes: string[] = [];
  const r = new Reporter({ isTTY: true, write: (t: string) => writes.push(t) });
  const done = r.waitFor('the alert');
  r.line('an entry');
  done();
  r.close();
  const text = writes.join('');
  assert.match(text, /… waiting for the alert \(0 s\)/);
  // Erased (carriage return + clear line) before the entry, drawn again after it.
  assert.ok(text.includes('\r\x1b[2Kan entry\n\x1b[2m… waiting'), JSON.stringify(text));
  assert.ok(text.endsWith('\r\x1b[2K'), 'the status line is erased when the wait ends');
});

test('into a log (no terminal) no escape codes and no carriage returns are written', () => {
  const writes: string[] = [];
  const r = new Reporter({ isTTY: false, write: (t: string) => writes.push(t) });
  const done = r.waitFor('the alert');
  r.line('an entry');
  done();
  r.close();
  assert.deepEqual(writes, ['an entry\n']);
});
