/**
 * The AIAnalysis controller's pure parts and its HTTP client: the analyze request built from the
 * AA and RR, the poll and retry schedule, Go-style durations, the result as status fields (CRD
 * limits, the affected resource's apiVersion), how the client classifies the investigator's
 * answers, and which controllers the manager starts without an investigator.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { analyzeRequestSchema } from '../../../src/investigator/api/wire.ts';
import { buildAnalyzeRequest } from '../../../src/remediation/aianalysis/analyze-request.ts';
import { goDuration } from '../../../src/remediation/aianalysis/durations.ts';
import { InvestigatorClient, InvestigatorError } from '../../../src/remediation/aianalysis/investigator-client.ts';
import { resultFields } from '../../../src/remediation/aianalysis/result-fields.ts';
import { nextInvestigationStep, pollDelayMs, retryDelayMs, type ScheduleTime } from '../../../src/remediation/aianalysis/session-schedule.ts';
import { controllersToRun } from '../../../src/remediation/manager.ts';
import { aiAnalysis, NS, remediationRequest, result } from './fixtures.ts';

test('the analyze request: the signal context of the AA and what only the RR has', () => {
  const rr = remediationRequest('rr-aaaaaaaaaaaa-00000001');
  rr.status = { deduplication: { firstSeenAt: '2026-11-26T11:58:05Z', lastSeenAt: '2026-11-26T11:59:05Z', occurrenceCount: 3 } };
  const aa = aiAnalysis({ customLabels: { risk_tolerance: ['low'], business_category: ['payments'], cluster_name: ['eu-1'], team: ['backend'] } });
  const req = buildAnalyzeRequest(aa, rr);
  assert.equal(analyzeRequestSchema.safeParse(req).success, true);
  assert.deepEqual(
    {
      incident_id: req.incident_id,
      remediation_id: req.remediation_id,
      signal_name: req.signal_name,
      source_signal_name: req.source_signal_name,
      severity: req.severity,
      signal_source: req.signal_source,
      resource: [req.resource_namespace, req.resource_kind, req.resource_name],
      error_message: req.error_message,
      description: req.description,
      environment: req.environment,
      priority: req.priority,
      risk_tolerance: req.risk_tolerance,
      business_category: req.business_category,
      cluster_name: req.cluster_name,
      times: [req.firing_time, req.received_time, req.first_seen, req.last_seen],
      occurrence_count: req.occurrence_count,
    },
    {
      incident_id: 'ai-rr-aaaaaaaaaaaa-00000001',
      remediation_id: 'rr-aaaaaaaaaaaa-00000001',
      signal_name: 'KubernautStatefulSetReplicasMismatch',
      source_signal_name: 'KubernautStatefulSetReplicasMismatch',
      severity: 'critical',
      signal_source: 'prometheus',
      resource: [NS, 'Pod', 'kv-store-2'],
      error_message: 'kv-store has 2 of 3 replicas ready',
      description: 'Pod kv-store-2 has been Pending for 5 minutes',
      environment: 'production',
      priority: 'P0',
      risk_tolerance: 'low',
      business_category: 'payments',
      cluster_name: 'eu-1',
      times: ['2026-11-26T11:58:00Z', '2026-11-26T11:58:05Z', '2026-11-26T11:58:05Z', '2026-11-26T11:59:05Z'],
      occurrence_count: 3,
    },
  );
  assert.equal(req.signal_labels.statefulset, 'kv-store');
  assert.equal(req.signal_annotations.summary, 'kv-store has 2 of 3 replicas ready');
  assert.deepEqual(req.enrichment_results.customLabels?.team, ['backend']);
  assert.equal((req.enrichment_results.kubernetesContext?.workload as { name: string }).name, 'kv-store');
  assert.equal(req.enrichment_results.businessClassification?.businessUnit, 'engineering');
});

test('the analyze request without the RR (deleted), and with a Kubernetes event message and a huge annotation', () => {
  const req = buildAnalyzeRequest(aiAnalysis({ customLabels: {} }), undefined);
  assert.deepEqual([req.error_message, req.description, req.risk_tolerance, req.business_category, req.cluster_name, req.signal_source], ['', '', 'medium', 'standard', 'default', 'prometheus']);
  assert.deepEqual(req.signal_labels, {});
  const rr = remediationRequest('rr-x');
  rr.spec.signalSource = 'kubernetes-events';
  rr.spec.signalAnnotations = { message: 'Back-off restarting failed container', big: 'x'.repeat(100_000) };
  const ev = buildAnalyzeRequest(aiAnalysis(), rr);
  assert.equal(ev.error_message, 'Back-off restarting failed container');
  assert.equal(ev.signal_source, 'kubernetes-events');
  assert.equal(ev.signal_annotations.big.length, 65_536);
});

const at = (nowMs: number, scale = 1): ScheduleTime => ({ nowMs, scaled: (ms) => ms / scale, nominal: (ms) => ms * scale });
const T0 = Date.parse('2026-11-26T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

test('polls back off 200 ms -> 5 s; transient retries 30 s -> 480 s', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 50].map(pollDelayMs), [200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
  assert.deepEqual([1, 2, 3, 4, 5, 6].map(retryDelayMs), [30_000, 60_000, 120_000, 240_000, 480_000, 480_000]);
});

test('the next step from the status: submit, wait for the poll, poll, wait out a retry', () => {
  assert.deepEqual(nextInvestigationStep(undefined, at(T0)), { kind: 'submit', generation: 0 });
  const session = { id: 's-1', generation: 2, createdAt: iso(T0), lastPolled: iso(T0), pollCount: 3 };
  assert.deepEqual(nextInvestigationStep({ investigationSession: session }, at(T0 + 1000)), { kind: 'wait', afterMs: 600 });
  assert.deepEqual(nextInvestigationStep({ investigationSession: session }, at(T0 + 1600)), { kind: 'poll', sessionId: 's-1', generation: 2 });
  // Under --time-scale 10, 1.6 s nominal is 160 ms real.
  assert.deepEqual(nextInvestigationStep({ investigationSession: session }, at(T0 + 100, 10)), { kind: 'wait', afterMs: 600 });
  // A high time scale never polls more often than every 50 ms real.
  assert.equal(nextInvestigationStep({ investigationSession: { ...session, pollCount: 0 } }, at(T0 + 10, 1000)).kind, 'wait');
  assert.deepEqual(nextInvestigationStep({ investigationSession: session, consecutiveFailures: 2 }, at(T0 + 30_000)), { kind: 'wait', afterMs: 30_000 });
  assert.deepEqual(nextInvestigationStep({ investigationSession: session, consecutiveFailures: 2 }, at(T0 + 60_000)).kind, 'poll');
  // A lost session whose replacement is still to be submitted.
  assert.deepEqual(nextInvestigationStep({ investigationSession: { generation: 3, lastPolled: iso(T0) }, consecutiveFailures: 1 }, at(T0 + 30_000)), { kind: 'submit', generation: 3 });
  // A lastPolled far in the future waits at most the delay.
  assert.deepEqual(nextInvestigationStep({ investigationSession: { ...session, lastPolled: iso(T0 + 3_600_000) } }, at(T0)), { kind: 'wait', afterMs: 1600 });
});

test('durations as the CRD pattern wants them', () => {
  const pattern = /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/;
  const cases: Array<[number, string]> = [[0, '0s'], [1, '1ms'], [350, '350ms'], [1000, '1s'], [2500, '2.5s'], [61_000, '1m1s'], [90_250, '1m30.25s'], [3_600_000, '1h0m0s'], [3_723_004, '1h2m3.004s'], [-5, '0s']];
  for (const [ms, text] of cases) {
    assert.equal(goDuration(ms), text, String(ms));
    assert.match(goDuration(ms), pattern);
  }
});

test('result fields: within the CRD limits, affected resource with the apiVersion SignalProcessing found', () => {
  const now = new Date('2026-11-26T12:00:12Z');
  const aa = aiAnalysis();
  const r = result({
    warnings: Array.from({ length: 150 }, (_, i) => `w${i}`),
    root_cause_analysis: { ...result().root_cause_analysis, contributing_factors: Array.from({ length: 60 }, () => 'f'.repeat(5000)) },
    alternative_workflows: [{ workflow_id: 'x'.repeat(64), confidence: 2, rationale: '' }, { workflow_id: 'ok', confidence: 1.5, rationale: 'r' }],
    usage: { prompt_tokens: 10, completion_tokens: 5, tokens_estimated: false, llm_turns: 2, tool_calls: 1, latency_ms: 30, estimated_cost_usd: 0.001 },
  });
  const f = resultFields(r, aa, 'session-1', now, true);
  assert.equal(f.warnings?.length, 100);
  assert.equal(f.rootCauseAnalysis?.contributingFactors?.length, 50);
  assert.ok(f.rootCauseAnalysis!.contributingFactors!.every((c) => c.length <= 4096));
  assert.deepEqual(f.alternativeWorkflows, [{ workflowId: 'ok', confidence: 1, rationale: 'r' }]);
  assert.deepEqual(f.rootCauseAnalysis?.affectedResource, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NS });
  assert.equal(f.rootCauseAnalysis?.signalType, 'KubernautStatefulSetReplicasMismatch');
  assert.deepEqual(f.investigationUsage, { provider: 'openai', model: 'mock-llm', promptTokens: 10, completionTokens: 5, totalTokens: 15, tokensEstimated: false, llmTurns: 2, toolCalls: 1, latencyMs: 30, estimatedCostUsd: 0.001 });
  assert.equal(f.selectedWorkflow?.catalogId, '3f1c2a4e-8d7b-4c1e-9a2b-1234567890ab');
  assert.equal(f.selectedWorkflow?.executionEngine, 'job');
  assert.deepEqual(f.postRCAContext, { detectedLabels: { stateful: true, gitOpsManaged: false, pdbProtected: false, hpaEnabled: false, helmManaged: false, networkIsolated: false, serviceMesh: '', failedDetections: [] }, setAt: now.toISOString() });
  assert.equal(f.investigationId, 'session-1');
  assert.equal(resultFields(r, aa, 's', now, false).selectedWorkflow, undefined);
  // A kind SignalProcessing never saw keeps no apiVersion (the Orchestrator resolves it); none at all stays absent.
  assert.deepEqual(resultFields(result({ root_cause_analysis: { ...r.root_cause_analysis, affectedResource: { kind: 'Node', name: 'w1' } } }), aa, 's', now, true).rootCauseAnalysis?.affectedResource, { kind: 'Node', name: 'w1' });
  assert.equal(resultFields(result({ root_cause_analysis: { ...r.root_cause_analysis, affectedResource: null } }), aa, 's', now, true).rootCauseAnalysis?.affectedResource, undefined);
});

// ---- the HTTP client ----

let server: Server;
let baseUrl: string;
let seenAuth: string | undefined;
before(async () => {
  server = createServer((req, res) => {
    seenAuth = req.headers.authorization;
    const send = (status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(typeof body === 'string' ? body : JSON.stringify(body));
    const url = req.url ?? '';
    if (url === '/api/v1/incident/analyze') return send(202, { session_id: 'sess-1' });
    const m = /^\/api\/v1\/incident\/session\/([^/]+)(\/result)?$/.exec(url);
    if (!m) return send(404, { title: 'not found' });
    const [, id, isResult] = m;
    switch (id) {
      case 'running':
        return isResult ? send(409, { title: 'not finished' }) : send(200, { session_id: id, incident_id: 'i', status: 'investigating', created_at: 'x', updated_at: 'y', error: null });
      case 'done':
        return isResult ? send(200, result()) : send(200, { session_id: id, incident_id: 'i', status: 'completed', created_at: 'x', updated_at: 'y', error: null });
      case 'gone':
        return send(404, { type: 'about:blank', title: 'session not found' });
      case 'broken':
        return send(500, { title: 'internal', detail: 'the investigator fell over' });
      case 'busy':
        return send(429, { title: 'too many' });
      case 'refused':
        return send(400, { title: 'bad request', detail: 'no such thing', errors: ['incident_id: required'] });
      case 'garbage':
        return send(200, 'not json at all');
      case 'wrong-shape':
        return send(200, { session_id: id });
      default:
        return send(404, {});
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.close();
});

async function kindOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    assert.ok(err instanceof InvestigatorError, String(err));
    return err.kind;
  }
}

test('the client: session ids, results, and what each failure means', async () => {
  const client = new InvestigatorClient({ baseUrl, bearerToken: () => 'secret-token' });
  const req = buildAnalyzeRequest(aiAnalysis(), undefined);
  assert.equal(await client.submit(req), 'sess-1');
  assert.equal(seenAuth, 'Bearer secret-token');
  assert.equal((await client.session('running')).status, 'investigating');
  assert.equal(await client.result('running'), undefined, '409: not finished');
  assert.equal((await client.result('done'))?.selected_workflow?.workflow_id, 'fix-statefulset-pvc-v1');
  assert.equal(await kindOf(client.session('gone')), 'lost');
  assert.equal(await kindOf(client.result('gone')), 'lost');
  assert.equal(await kindOf(client.session('broken')), 'transient');
  assert.equal(await kindOf(client.session('busy')), 'transient');
  assert.equal(await kindOf(client.session('refused')), 'permanent');
  await assert.rejects(client.session('refused'), /answered 400: no such thing \(incident_id: required\)/);
  assert.equal(await kindOf(client.session('garbage')), 'permanent');
  assert.equal(await kindOf(client.session('wrong-shape')), 'permanent');
  // Nobody listening: transient.
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const deadUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise<void>((r) => closed.close(() => r()));
  assert.equal(await kindOf(new InvestigatorClient({ baseUrl: deadUrl }).session('x')), 'transient');
  // A POST to something that is not the investigator (404): permanent.
  const wrong = new InvestigatorClient({ baseUrl: `${baseUrl}/elsewhere/` });
  assert.equal(wrong.endpoint, `${baseUrl}/elsewhere`);
  assert.equal(await kindOf(wrong.submit(req)), 'permanent');
  assert.throws(() => new InvestigatorClient({ baseUrl: 'ftp://x' }), /not http/);
});

test('the manager: aa needs an investigator URL; beside others it is left out, alone it is an error', () => {
  assert.deepEqual(controllersToRun({ controllers: ['sp', 'ro', 'aa'] }), ['sp', 'ro']);
  assert.deepEqual(controllersToRun({ controllers: ['sp', 'ro', 'aa'], investigatorUrl: 'http://127.0.0.1:1' }), ['sp', 'ro', 'aa']);
  assert.throws(() => controllersToRun({ controllers: ['aa'] }), /needs the investigator's URL \(--investigator-url\)/);
});
