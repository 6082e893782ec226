import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import OpenAI from 'openai';
import { parseFaultSpec } from '../../../src/investigator/mock-llm/faults.ts';
import { startMockLlm, type RunningMockLlm } from '../../../src/investigator/mock-llm/server.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';
import { ManualClock } from '../../helpers/manual-clock.ts';
import { CatalogFixture, investigate, requestWith, type Complete } from './harness.ts';
import { SCENARIOS } from './scenarios.ts';

let mock: RunningMockLlm;
let catalog: CatalogFixture;

const complete: Complete = async (body) => {
  const res = await fetch(`${mock.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  assert.equal(res.status, 200);
  return (await res.json()) as Record<string, unknown>;
};

async function setFaults(base: string, faults: unknown): Promise<Response> {
  return fetch(`${base.replace(/\/v1$/, '')}/admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
}

before(async () => {
  [mock, catalog] = await Promise.all([startMockLlm({}), CatalogFixture.start()]);
});
beforeEach(() => mock.setFaults({}));
after(async () => {
  await mock.close();
  await catalog.close();
});

describe('fault specs', () => {
  it('parses the flag / environment form and names what is wrong', () => {
    assert.deepEqual(parseFaultSpec('malformed_json_once, delay_ms=250,http_429_once'), { malformed_json_once: true, delay_ms: 250, http_429_once: true });
    assert.throws(() => parseFaultSpec('explode'), /unknown fault "explode"/);
    assert.throws(() => parseFaultSpec('delay_ms=soon'), /delay_ms needs a whole number/);
  });

  it('POST /admin/faults refuses unknown faults with 400 and keeps the old ones', async () => {
    mock.setFaults({ low_confidence: true });
    const r = await setFaults(mock.url, { low_confidenc: true });
    assert.equal(r.status, 400);
    assert.equal((await r.json()).error.type, 'invalid_request_error');
    assert.deepEqual(await (await fetch(mock.url.replace(/\/v1$/, '/admin/faults'))).json(), { low_confidence: true });
  });
});

describe('answer faults (first attempt only, then the mock repairs)', () => {
  it('malformed_json_once: the first answer does not parse, the second is valid', async () => {
    assert.equal((await setFaults(mock.url, { malformed_json_once: true })).status, 200);
    const t = await investigate(SCENARIOS.crashLoop, complete, catalog);
    assert.equal(t.attempts, 2);
    assert.deepEqual(t.feedback[0].map((e: any) => e.code), ['llm_parsing_error']);
    assert.equal((t.answer as any).selected_workflow.workflow_id, 'rollback-deployment-v1');
  });

  it('wrong_parameter_once: a misspelt parameter is refused, then dropped and the real one filled', async () => {
    await setFaults(mock.url, { wrong_parameter_once: true });
    const t = await investigate(SCENARIOS.statefulSetClaimDeleted, complete, catalog);
    assert.equal(t.attempts, 2);
    assert.deepEqual(t.feedback[0].map((e: any) => `${e.code}:${e.parameter}`).sort(), ['missing_required:TARGET_NAMESPACE', 'unknown_parameter:TARGET_NAMESPACES']);
    assert.deepEqual((t.answer as any).selected_workflow.parameters, { TARGET_NAMESPACE: 'shop', TARGET_STATEFULSET: 'kv-store', TARGET_PVC: 'data-kv-store-2' });
  });

  it('unknown_workflow_once: an invented workflow id is refused, then the catalog one is chosen', async () => {
    await setFaults(mock.url, { unknown_workflow_once: true });
    const t = await investigate(SCENARIOS.oomKilled, complete, catalog);
    assert.equal(t.attempts, 2);
    assert.deepEqual(t.feedback[0].map((e: any) => e.code), ['workflow_not_found']);
    assert.equal((t.answer as any).selected_workflow.workflow_id, 'increase-memory-limits-v1');
  });

  it('low_confidence: every answer states a confidence below 0.7', async () => {
    await setFaults(mock.url, { low_confidence: true });
    const t = await investigate(SCENARIOS.imagePull, complete, catalog);
    const answer = t.answer as any;
    assert.equal(answer.confidence, 0.55);
    assert.equal(answer.selected_workflow.confidence, 0.55);
  });

  it('no_answer: keeps calling tools, and says nothing when no tool may be called', async () => {
    await setFaults(mock.url, { no_answer: true });
    const t = await investigate(SCENARIOS.crashLoop, complete, catalog, { maxTurns: 12 });
    assert.equal(t.attempts, 0);
    const last = await complete({ ...requestWith('api/Deployment/checkout', []), messages: t.messages, tool_choice: 'none' });
    const choice = (last.choices as any[])[0];
    assert.deepEqual([choice.finish_reason, choice.message.content, choice.message.tool_calls], ['stop', '', undefined]);
  });
});

describe('HTTP faults', () => {
  it('http_500_once fails the next request once; setting the faults again re-arms it', async () => {
    await setFaults(mock.url, { http_500_once: true });
    const body = JSON.stringify(requestWith('shop/StatefulSet/kv-store', []));
    const post = () => fetch(`${mock.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    const first = await post();
    assert.equal(first.status, 500);
    assert.equal((await first.json()).error.type, 'server_error');
    assert.equal((await post()).status, 200);
    await setFaults(mock.url, { http_500_once: true });
    assert.equal((await post()).status, 500);
  });

  it('http_429_once: one rate-limit answer with retry-after, which the OpenAI client retries transparently', async () => {
    await setFaults(mock.url, { http_429_once: true, http_500_once: true });
    const client = new OpenAI({ baseURL: mock.url, apiKey: 'x', maxRetries: 2 });
    const completion = await client.chat.completions.create(requestWith('shop/StatefulSet/kv-store', []) as any);
    assert.equal(completion.choices[0].finish_reason, 'tool_calls');
    const requests = (await (await fetch(mock.url.replace(/\/v1$/, '/admin/requests'))).json()).requests;
    assert.ok(requests.length >= 3);
  });

  it('delay_ms holds the answer until the clock has moved that far', async () => {
    const clock = new ManualClock();
    const slow = await startMockLlm({ clock, faults: { delay_ms: 5000 } });
    try {
      let done = false;
      const answer = fetch(`${slow.url}/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(requestWith('shop/StatefulSet/kv-store', [])) }).then((r) => {
        done = true;
        return r;
      });
      await eventually(() => clock.pending === 1, 'the delay to start');
      await clock.advance(4999);
      assert.equal(done, false);
      await clock.advance(1);
      assert.equal((await answer).status, 200);
    } finally {
      await slow.close();
    }
  });
});

describe('recorded requests', () => {
  it('GET /admin/requests shows what the model was sent (tool results included), bounded; DELETE clears', async () => {
    const small = await startMockLlm({ maxRecordedRequests: 2 });
    try {
      const base = small.url.replace(/\/v1$/, '');
      for (let i = 0; i < 3; i++) {
        await fetch(`${small.url}/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(requestWith('api/Deployment/checkout', [{ tool: 'kubectl_logs', args: { namespace: 'api', pod: `p-${i}` }, data: 'text:password=[REDACTED:secret_value]' }])),
        });
      }
      const { requests } = await (await fetch(`${base}/admin/requests`)).json();
      assert.equal(requests.length, 2);
      assert.equal(requests[1].path, '/v1/chat/completions');
      const tool = requests[1].body.messages.find((m: any) => m.role === 'tool');
      assert.match(tool.content, /REDACTED/);
      await fetch(`${base}/admin/requests`, { method: 'DELETE' });
      assert.deepEqual((await (await fetch(`${base}/admin/requests`)).json()).requests, []);
    } finally {
      await small.close();
    }
  });
});
