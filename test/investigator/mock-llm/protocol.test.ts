import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';
import { startMockLlm, type RunningMockLlm } from '../../../src/investigator/mock-llm/server.ts';
import { requestWith } from './harness.ts';

let mock: RunningMockLlm;
let withUsage: RunningMockLlm;

before(async () => {
  mock = await startMockLlm({});
  withUsage = await startMockLlm({ reportUsage: true });
});
after(async () => {
  await mock.close();
  await withUsage.close();
});

async function post(base: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: res.status, body: parsed, text, headers: res.headers };
}

const firstTurn = () => requestWith('shop/StatefulSet/kv-store', []);

describe('OpenAI chat-completions protocol', () => {
  it('answers the first turn with tool calls: ids call_<turn>_<n>, JSON-string arguments, finish_reason tool_calls, no usage', async () => {
    const r = await post(mock.url, '/chat/completions', firstTurn());
    assert.equal(r.status, 200);
    assert.equal(r.body.object, 'chat.completion');
    assert.equal(r.body.model, 'mock-model');
    assert.equal(r.body.usage, undefined);
    const choice = r.body.choices[0];
    assert.equal(choice.finish_reason, 'tool_calls');
    assert.equal(choice.message.role, 'assistant');
    assert.deepEqual(
      choice.message.tool_calls.map((c: any) => [c.id, c.type, c.function.name, JSON.parse(c.function.arguments)]),
      [
        ['call_1_1', 'function', 'kubectl_describe', { kind: 'StatefulSet', name: 'kv-store', namespace: 'shop' }],
        ['call_1_2', 'function', 'kubectl_get_by_kind_in_namespace', { kind: 'Pod', namespace: 'shop' }],
      ],
    );
  });

  it('serves the /v1 paths, models and health', async () => {
    const r = await post(mock.url, '/chat/completions', firstTurn());
    assert.equal(r.status, 200);
    const alias = await post(mock.url.replace(/\/v1$/, ''), '/chat/completions', firstTurn());
    assert.deepEqual(alias.body.choices, r.body.choices);
    const models = await (await fetch(`${mock.url}/models`)).json();
    assert.deepEqual(models.data.map((m: { id: string }) => m.id), ['mock-model']);
    assert.deepEqual(await (await fetch(mock.url.replace(/\/v1$/, '/health'))).json(), { status: 'ok' });
  });

  it('is deterministic: the same request gets the same reply', async () => {
    const a = await post(mock.url, '/chat/completions', firstTurn());
    const b = await post(mock.url, '/chat/completions', firstTurn());
    assert.equal(a.body.id, b.body.id);
    assert.deepEqual(a.body.choices, b.body.choices);
  });

  it('tool_choice none forces an answer now (inconclusive without evidence); no tools offered likewise', async () => {
    for (const extra of [{ tool_choice: 'none' }, { tools: [] }]) {
      const r = await post(mock.url, '/chat/completions', { ...firstTurn(), ...extra });
      const choice = r.body.choices[0];
      assert.equal(choice.finish_reason, 'stop');
      assert.equal(choice.message.tool_calls, undefined);
      const answer = JSON.parse(/```json\n([\s\S]*?)```/.exec(choice.message.content)![1]);
      assert.equal(answer.investigation_outcome, 'inconclusive');
      assert.equal(answer.needs_human_review, true);
    }
  });

  it('tool_choice required always calls a tool, even with nothing left to ask', async () => {
    const r = await post(mock.url, '/chat/completions', { ...firstTurn(), tool_choice: 'required', tools: firstTurn().tools });
    assert.equal(r.body.choices[0].finish_reason, 'tool_calls');
  });

  it('only calls tools that are offered', async () => {
    const tools = (firstTurn().tools as any[]).filter((t) => t.function.name !== 'kubectl_describe');
    const r = await post(mock.url, '/chat/completions', { ...firstTurn(), tools });
    assert.deepEqual(r.body.choices[0].message.tool_calls.map((c: any) => c.function.name), ['kubectl_get_by_kind_in_namespace']);
  });

  it('stream: true sends one SSE chunk and [DONE]', async () => {
    const r = await post(mock.url, '/chat/completions', { ...firstTurn(), stream: true });
    assert.equal(r.headers.get('content-type'), 'text/event-stream');
    const events = r.text.split('\n\n').filter(Boolean);
    assert.equal(events.length, 2);
    assert.equal(events[1], 'data: [DONE]');
    const chunk = JSON.parse(events[0].replace(/^data: /, ''));
    assert.equal(chunk.object, 'chat.completion.chunk');
    assert.equal(chunk.choices[0].finish_reason, 'tool_calls');
    assert.deepEqual(chunk.choices[0].delta.tool_calls.map((c: any) => c.index), [0, 1]);
  });

  it('reports an estimated usage only when configured to', async () => {
    const r = await post(withUsage.url, '/chat/completions', firstTurn());
    assert.ok(r.body.usage.prompt_tokens > 0 && r.body.usage.completion_tokens > 0);
    assert.equal(r.body.usage.total_tokens, r.body.usage.prompt_tokens + r.body.usage.completion_tokens);
  });

  it('works with the official OpenAI client, tool calls included', async () => {
    const client = new OpenAI({ baseURL: mock.url, apiKey: 'not-needed', maxRetries: 0 });
    const completion = await client.chat.completions.create(firstTurn() as any);
    assert.equal(completion.choices[0].message.tool_calls?.[0].type, 'function');
    const models = await client.models.list();
    assert.deepEqual(models.data.map((m) => m.id), ['mock-model']);
  });
});

describe('bad requests', () => {
  it('bad JSON, an invalid body, a wrong method and an unknown path answer in OpenAI error shape', async () => {
    const bad = await post(mock.url, '/chat/completions', '{"messages": [');
    assert.equal(bad.status, 400);
    assert.equal(bad.body.error.type, 'invalid_request_error');
    assert.match(bad.body.error.message, /could not parse the JSON body/);
    const invalid = await post(mock.url, '/chat/completions', { messages: [] });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.error.param, 'messages');
    const deep = await post(mock.url, '/chat/completions', `{"messages": ${'['.repeat(100)}${']'.repeat(100)}}`);
    assert.equal(deep.status, 400);
    const get = await fetch(`${mock.url}/chat/completions`);
    assert.equal(get.status, 405);
    const missing = await fetch(`${mock.url}/embeddings`);
    assert.equal(missing.status, 404);
    assert.ok((await missing.json()).error.message);
  });

  it('refuses a body over the limit with 413', async () => {
    const small = await startMockLlm({ bodyLimit: 1024 });
    try {
      const r = await post(small.url, '/chat/completions', { messages: [{ role: 'user', content: 'x'.repeat(4096) }] });
      assert.equal(r.status, 413);
      assert.equal(r.body.error.code, 'request_too_large');
    } finally {
      await small.close();
    }
  });

  it('hostile tool results (huge whitespace runs, endless tables) are read in bounded effort', async () => {
    const spaces = ' '.repeat(500_000);
    const body = requestWith('shop/StatefulSet/kv-store', [
      { tool: 'kubectl_describe', args: { kind: 'StatefulSet', name: 'kv-store', namespace: 'shop' }, data: `text:Name: ${spaces}x\nReplicas:${spaces}3 desired\nKey: value${spaces}` },
      { tool: 'kubectl_get_by_kind_in_namespace', args: { kind: 'Pod', namespace: 'shop' }, data: `text:NAME  READY  STATUS\n${'p-1  0/1  Pending\n'.repeat(100_000)}` },
      { tool: 'kubectl_events', args: { namespace: 'shop' }, data: `text:LAST SEEN  TYPE  REASON  OBJECT  MESSAGE\n1s  Warning  FailedScheduling  Pod/p-1  had taint {a:${spaces}\n` },
    ]);
    const r = await post(mock.url, '/chat/completions', body);
    assert.equal(r.status, 200);
    assert.ok(r.body.choices[0].message);
  });

  it('a conversation with malformed tool arguments or foreign messages still gets an answer', async () => {
    const body = requestWith('shop/StatefulSet/kv-store', []);
    (body.messages as any[]).push(
      { role: 'assistant', content: null, tool_calls: [{ id: 'x1', type: 'function', function: { name: 'kubectl_describe', arguments: '{not json' } }] },
      { role: 'tool', tool_call_id: 'x1', content: 'plain text, no envelope' },
      { role: 'tool', tool_call_id: 'unknown', content: '{"ok": false}' },
    );
    const r = await post(mock.url, '/chat/completions', body);
    assert.equal(r.status, 200);
    assert.ok(r.body.choices[0].message.tool_calls.every((c: any) => c.id.startsWith('call_2_')));
  });
});
