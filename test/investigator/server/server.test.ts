import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { KubeConfig } from '@kubernetes/client-node';
import { auditEventSchema } from '../../../src/datastorage/client/audit-event.ts';
import { RecordingAuditSink } from '../../../src/datastorage/client/audit-sink.ts';
import { investigationResultSchema, sessionSchema, type AnalyzeRequestInput } from '../../../src/investigator/api/wire.ts';
import { LlmError, type ChatResponse } from '../../../src/investigator/llm/types.ts';
import { startInvestigator, type InvestigatorOptions, type RunningInvestigator } from '../../../src/investigator/server.ts';
import { staticTokenAuthenticator, allowAuthenticated } from '../../../src/platform/http/auth.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { analyzeRequest, answerTurn, FakeToolset, goodAnswer, ScriptedLlm } from '../agent/fakes.ts';

/** An LLM whose every call waits for `release()`, then answers "resolved" (or throws `failWith`). */
class GatedLlm extends ScriptedLlm {
  private gate!: Promise<void>;
  private open!: () => void;
  failWith?: Error;
  constructor() {
    super([]);
    this.close();
  }
  close(): void {
    this.gate = new Promise((r) => (this.open = r));
  }
  release(): void {
    this.open();
  }
  override async chat(request: Parameters<ScriptedLlm['chat']>[0], options?: { signal?: AbortSignal }): Promise<ChatResponse> {
    this.requests.push(request);
    await new Promise<void>((resolve, reject) => {
      void this.gate.then(resolve);
      options?.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true });
    });
    if (this.failWith) throw this.failWith;
    return answerTurn(goodAnswer({ investigation_outcome: 'resolved', selected_workflow: null, confidence: 0.85 }));
  }
}

let readyDataStorage: Server;
let dataStorageUrl: string;

before(async () => {
  readyDataStorage = createServer((req, res) => {
    res.writeHead(req.url === '/readyz' ? 200 : 404, { 'content-type': 'application/json' }).end('{}');
  });
  await new Promise<void>((r) => readyDataStorage.listen(0, '127.0.0.1', r));
  dataStorageUrl = `http://127.0.0.1:${(readyDataStorage.address() as AddressInfo).port}`;
});
after(() => new Promise<void>((r) => readyDataStorage.close(() => r())));

interface Harness {
  url: string;
  llm: GatedLlm;
  clock: ManualClock;
  audit: RecordingAuditSink;
  investigator: RunningInvestigator;
}

async function start(overrides: Partial<InvestigatorOptions> = {}): Promise<Harness> {
  const clock = new ManualClock();
  const llm = new GatedLlm();
  const audit = new RecordingAuditSink();
  const investigator = await startInvestigator({
    host: '127.0.0.1',
    port: 0,
    kubeconfig: new KubeConfig(),
    llm,
    dataStorage: { baseUrl: dataStorageUrl },
    audit,
    clock,
    toolsetFactory: (_deps, scope) =>
      new FakeToolset(analyzeRequest({ remediation_id: scope.remediationId, resource_kind: scope.signalResource.kind, resource_name: scope.signalResource.name })),
    history: async () => [],
    ...overrides,
  });
  return { url: investigator.url, llm, clock, audit, investigator };
}

async function post(h: Harness, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${h.url}/api/v1/incident/analyze`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

function requestBody(overrides: Partial<AnalyzeRequestInput> = {}): AnalyzeRequestInput {
  return {
    incident_id: 'ai-rr-1',
    remediation_id: 'rr-1',
    signal_name: 'KubePodNotReady',
    severity: 'high',
    resource_namespace: 'demo',
    resource_kind: 'Deployment',
    resource_name: 'web',
    environment: 'staging',
    ...overrides,
  };
}

const getJson = async (url: string) => {
  const res = await fetch(url);
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: (await res.json()) as any };
};

async function waitForStatus(h: Harness, id: string, status: string): Promise<void> {
  await eventually(async () => (await getJson(`${h.url}/api/v1/incident/session/${id}`)).body.status === status, `session ${id} ${status}`);
}

describe('investigator HTTP API', () => {
  let h: Harness;
  before(async () => (h = await start()));
  after(() => h.investigator.close());

  it('refuses an invalid body with 400 listing every problem, and starts nothing', async () => {
    const res = await post(h, { severity: 'catastrophic', unexpected: 1 });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    const problem = (await res.json()) as { errors: Array<{ path: string; message: string }> };
    const paths = problem.errors.map((e) => e.path);
    for (const p of ['incident_id', 'remediation_id', 'signal_name', 'severity', 'resource_kind', 'resource_name']) assert.ok(paths.includes(p), `${p} in ${paths}`);
    assert.ok(problem.errors.some((e) => /unexpected/.test(e.message) || e.path === 'unexpected' || e.path === '(body)'), JSON.stringify(problem.errors));
    assert.equal(h.audit.ofType('investigator.session.created').length, 0);
    assert.equal((await post(h, 'not an object')).status, 400);
  });

  it('202 with a session id; the session document; 409 for the result until it is finished; then 200', async () => {
    h.llm.close();
    const res = await post(h, requestBody({ incident_id: 'ai-life', remediation_id: 'rr-life' }));
    assert.equal(res.status, 202);
    const { session_id: id } = (await res.json()) as { session_id: string };
    assert.match(id, /^[0-9a-f-]{36}$/);

    const session = await getJson(`${h.url}/api/v1/incident/session/${id}`);
    assert.equal(session.status, 200);
    sessionSchema.parse(session.body);
    assert.equal(session.body.incident_id, 'ai-life');
    assert.ok(['pending', 'investigating'].includes(session.body.status));
    assert.equal(session.body.error, null);

    const early = await getJson(`${h.url}/api/v1/incident/session/${id}/result`);
    assert.equal(early.status, 409);
    assert.match(early.type, /problem\+json/);

    h.llm.release();
    await waitForStatus(h, id, 'completed');
    const result = await getJson(`${h.url}/api/v1/incident/session/${id}/result`);
    assert.equal(result.status, 200);
    const parsed = investigationResultSchema.parse(result.body);
    assert.equal(parsed.incident_id, 'ai-life');
    assert.equal(parsed.investigation_outcome, 'resolved');
    assert.equal(parsed.usage.llm_turns, 1);
  });

  it('is idempotent on the incident id while its session runs; a new session afterwards', async () => {
    h.llm.close();
    const body = requestBody({ incident_id: 'ai-idem', remediation_id: 'rr-idem' });
    const first = (await (await post(h, body)).json()) as { session_id: string };
    const again = await post(h, body);
    assert.equal(again.status, 202);
    assert.equal(((await again.json()) as { session_id: string }).session_id, first.session_id);
    h.llm.release();
    await waitForStatus(h, first.session_id, 'completed');
    const later = (await (await post(h, body)).json()) as { session_id: string };
    assert.notEqual(later.session_id, first.session_id);
    await waitForStatus(h, later.session_id, 'completed');
    const created = h.audit.ofType('investigator.session.created').filter((e) => e.correlationId === 'rr-idem');
    assert.deepEqual(
      created.map((e) => e.eventData.generation),
      [1, 2],
    );
  });

  it('404 for an unknown session on both calls', async () => {
    for (const path of ['/api/v1/incident/session/nope', '/api/v1/incident/session/nope/result']) {
      const res = await getJson(`${h.url}${path}`);
      assert.equal(res.status, 404);
      assert.match(res.type, /problem\+json/);
    }
  });

  it('audits the session: created, LLM request/response, validation, completed, all under the remediation id', async () => {
    h.llm.release();
    const { session_id: id } = (await (await post(h, requestBody({ incident_id: 'ai-audit', remediation_id: 'rr-audit' }))).json()) as { session_id: string };
    await waitForStatus(h, id, 'completed');
    const events = h.audit.events.filter((e) => e.correlationId === 'rr-audit');
    assert.deepEqual(
      events.map((e) => e.eventType),
      ['investigator.session.created', 'investigator.llm.request', 'investigator.llm.response', 'investigator.validation.attempt', 'investigator.session.completed'],
    );
    for (const e of events) {
      auditEventSchema.parse(e);
      assert.equal(e.eventCategory, 'investigator');
      assert.equal(e.actorType, 'service');
      assert.equal(e.actorId, 'investigator');
      assert.ok(Buffer.byteLength(JSON.stringify(e)) < 64 * 1024);
    }
    const request = events[1].eventData as { messages: Array<{ role: string }>; offeredTools: string[] };
    assert.deepEqual(
      request.messages.map((m) => m.role),
      ['system', 'user'],
    );
    assert.ok(request.offeredTools.includes('get_workflow'));
    const completedEvent = events[4].eventData as { outcome: string; usage: { llm_turns: number } };
    assert.equal(completedEvent.outcome, 'resolved');
    assert.equal(completedEvent.usage.llm_turns, 1);
  });

  it('a failing LLM fails the session with a reason; the result is 409', async () => {
    h.llm.release();
    h.llm.failWith = new LlmError('fake', 'authentication', 'the API key is not valid', 401);
    try {
      const { session_id: id } = (await (await post(h, requestBody({ incident_id: 'ai-fail', remediation_id: 'rr-fail' }))).json()) as { session_id: string };
      await waitForStatus(h, id, 'failed');
      const session = await getJson(`${h.url}/api/v1/incident/session/${id}`);
      assert.equal(session.body.error.reason, 'PermanentError');
      assert.match(session.body.error.message, /fake: the API key is not valid/);
      assert.equal((await getJson(`${h.url}/api/v1/incident/session/${id}/result`)).status, 409);
      assert.equal(h.audit.ofType('investigator.session.failed').filter((e) => e.correlationId === 'rr-fail').length, 1);
    } finally {
      h.llm.failWith = undefined;
    }
  });

  it('purges a finished session after the TTL: then 404', async () => {
    h.llm.release();
    const { session_id: id } = (await (await post(h, requestBody({ incident_id: 'ai-purge', remediation_id: 'rr-purge' }))).json()) as { session_id: string };
    await waitForStatus(h, id, 'completed');
    await h.clock.advance(29 * 60_000);
    assert.equal((await getJson(`${h.url}/api/v1/incident/session/${id}`)).status, 200);
    await h.clock.advance(60_000);
    assert.equal((await getJson(`${h.url}/api/v1/incident/session/${id}`)).status, 404);
    assert.equal((await getJson(`${h.url}/api/v1/incident/session/${id}/result`)).status, 404);
  });

  it('serves metrics', async () => {
    const res = await fetch(`${h.url}/metrics`);
    const text = await res.text();
    assert.match(text, /investigator_sessions\{[^}]*status="completed"/);
    assert.match(text, /investigator_llm_call_duration_seconds_count/);
    assert.match(text, /investigator_validation_attempts_total\{[^}]*valid="true"/);
  });
});

describe('investigator capacity, readiness, auth and shutdown', () => {
  const started: Harness[] = [];
  after(async () => {
    for (const h of started) await h.investigator.close();
  });
  const startTracked = async (o: Partial<InvestigatorOptions> = {}) => {
    const h = await start(o);
    started.push(h);
    return h;
  };

  it('beyond the running and queued limits a request gets 503 with Retry-After', async () => {
    const h = await startTracked({ maxConcurrentSessions: 1, maxQueuedSessions: 1 });
    assert.equal((await post(h, requestBody({ incident_id: 'a' }))).status, 202);
    assert.equal((await post(h, requestBody({ incident_id: 'b' }))).status, 202);
    const refused = await post(h, requestBody({ incident_id: 'c' }));
    assert.equal(refused.status, 503);
    assert.ok(Number(refused.headers.get('retry-after')) > 0);
    assert.match(refused.headers.get('content-type') ?? '', /problem\+json/);
    // The queued one runs once the first is done.
    h.llm.release();
    const b = (await (await post(h, requestBody({ incident_id: 'b' }))).json()) as { session_id: string };
    await waitForStatus(h, b.session_id, 'completed');
    assert.equal((await post(h, requestBody({ incident_id: 'c' }))).status, 202);
  });

  it('readiness follows the LLM and DataStorage, cached for a few seconds', async () => {
    const h = await startTracked();
    assert.equal((await fetch(`${h.url}/readyz`)).status, 200);
    h.llm.pingResult = false;
    assert.equal((await fetch(`${h.url}/readyz`)).status, 200, 'cached');
    await h.clock.advance(6000);
    assert.equal((await fetch(`${h.url}/readyz`)).status, 503);
    assert.equal((await fetch(`${h.url}/healthz`)).status, 200);

    const noDataStorage = await startTracked({ dataStorage: { baseUrl: 'http://127.0.0.1:1' } });
    assert.equal((await fetch(`${noDataStorage.url}/readyz`)).status, 503);
  });

  it('with auth: a bearer token is required, probes stay open', async () => {
    const auth = { authenticate: staticTokenAuthenticator(new Map([['secret-token', { username: 'aianalysis', groups: [] }]])), authorize: allowAuthenticated };
    const h = await startTracked({ auth });
    h.llm.release();
    assert.equal((await post(h, requestBody())).status, 401);
    assert.equal((await fetch(`${h.url}/api/v1/incident/session/x`)).status, 401);
    assert.equal((await post(h, requestBody(), { authorization: 'Bearer secret-token' })).status, 202);
    assert.equal((await fetch(`${h.url}/healthz`)).status, 200);
  });

  it('close() cancels running and queued sessions', async () => {
    const h = await start({ maxConcurrentSessions: 1 });
    await post(h, requestBody({ incident_id: 'x1', remediation_id: 'rr-x1' }));
    await post(h, requestBody({ incident_id: 'x2', remediation_id: 'rr-x2' }));
    await eventually(() => h.llm.requests.length === 1, 'the first session calls the LLM');
    await h.investigator.close();
    const failed = h.audit.ofType('investigator.session.failed');
    assert.deepEqual(failed.map((e) => [e.correlationId, e.eventData.reason]).sort(), [
      ['rr-x1', 'Cancelled'],
      ['rr-x2', 'Cancelled'],
    ]);
  });
});
