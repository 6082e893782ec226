/** The anthropic adapter against a fake Messages API. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createLlmProvider, type ChatRequest } from '../../../src/investigator/llm/index.ts';
import { InstantSleepClock, startFakeServer, type FakeServer } from './fake-server.ts';
import { configFor, plainRequest, textAnswer } from './wire-fixtures.ts';

describe('anthropic adapter', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer();
  });
  after(() => server.close());
  beforeEach(() => void server.requests.splice(0));

  const provider = () => createLlmProvider(configFor('anthropic', server.url), { clock: new InstantSleepClock() });

  test('plain answer: system apart, max_tokens from the request, tools as input_schema', async () => {
    server.reply({ body: textAnswer('anthropic') });
    const answer = await provider().chat(plainRequest());
    assert.deepEqual(answer, {
      message: { role: 'assistant', content: 'The claim is missing.', toolCalls: [] },
      finishReason: 'stop',
      usage: { promptTokens: 11, completionTokens: 3 },
      model: 'served-model',
    });
    const [req] = server.requests;
    assert.equal(req.url, '/v1/messages');
    assert.ok(req.headers.authorization === 'Bearer test-key' || req.headers['x-api-key'] === 'test-key');
    assert.ok(req.headers['anthropic-version']);
    assert.equal(req.body.system, 'You are an SRE.');
    assert.equal(req.body.max_tokens, 512);
    assert.equal('temperature' in req.body, false);
    assert.deepEqual(req.body.messages, [{ role: 'user', content: [{ type: 'text', text: 'Why is kv-store-2 Pending?' }] }]);
    assert.deepEqual(req.body.tool_choice, { type: 'auto' });
    const describeTool = req.body.tools[0];
    assert.equal(describeTool.name, 'kubectl_describe');
    assert.equal(describeTool.input_schema.type, 'object');
    assert.equal('$schema' in describeTool.input_schema, false);
    assert.deepEqual(describeTool.input_schema.required, ['kind', 'name']);
  });

  test('tool call round trip: tool_use ↔ tool_result, consecutive results and feedback in one user turn', async () => {
    server.reply({
      body: {
        id: 'msg_2',
        type: 'message',
        role: 'assistant',
        model: 'served-model',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'toolu_01', name: 'kubectl_describe', input: { kind: 'Pod', name: 'kv-store-2' } },
          { type: 'tool_use', id: 'toolu_02', name: 'kubectl_logs', input: { pod: 'kv-store-2', previous: true } },
        ],
        stop_reason: 'tool_use',
        usage: { input_tokens: 100, output_tokens: 40, cache_read_input_tokens: 20, cache_creation_input_tokens: 5 },
      },
    });
    const p = provider();
    const first = await p.chat(plainRequest());
    assert.equal(first.finishReason, 'tool_calls');
    assert.deepEqual(first.usage, { promptTokens: 125, completionTokens: 40 });
    assert.deepEqual(first.message, {
      role: 'assistant',
      content: 'Let me look.',
      toolCalls: [
        { id: 'toolu_01', name: 'kubectl_describe', arguments: '{"kind":"Pod","name":"kv-store-2"}' },
        { id: 'toolu_02', name: 'kubectl_logs', arguments: '{"pod":"kv-store-2","previous":true}' },
      ],
    });

    server.reply({ body: textAnswer('anthropic', 'done') });
    const followUp: ChatRequest = plainRequest({
      messages: [
        ...plainRequest().messages,
        first.message,
        { role: 'tool', toolCallId: 'toolu_01', name: 'kubectl_describe', content: 'Status: Pending' },
        { role: 'tool', toolCallId: 'toolu_02', name: 'kubectl_logs', content: '' },
        { role: 'user', content: 'Validation failed: try again.' },
      ],
    });
    await p.chat(followUp);
    assert.deepEqual(server.requests[1].body.messages, [
      { role: 'user', content: [{ type: 'text', text: 'Why is kv-store-2 Pending?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Let me look.' },
          { type: 'tool_use', id: 'toolu_01', name: 'kubectl_describe', input: { kind: 'Pod', name: 'kv-store-2' } },
          { type: 'tool_use', id: 'toolu_02', name: 'kubectl_logs', input: { pod: 'kv-store-2', previous: true } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_01', content: 'Status: Pending' },
          { type: 'tool_result', tool_use_id: 'toolu_02', content: '' },
          { type: 'text', text: 'Validation failed: try again.' },
        ],
      },
    ]);
  });

  test('an assistant turn with only tool calls sends no empty text block', async () => {
    server.reply({ body: textAnswer('anthropic') });
    await provider().chat(
      plainRequest({
        messages: [
          { role: 'user', content: 'go' },
          { role: 'assistant', content: '', toolCalls: [{ id: 'toolu_9', name: 'kubectl_logs', arguments: '{"pod":"a"}' }] },
          { role: 'tool', toolCallId: 'toolu_9', name: 'kubectl_logs', content: 'x' },
        ],
      }),
    );
    const sent = server.requests[0].body;
    assert.equal('system' in sent, false);
    assert.deepEqual(sent.messages[1].content, [{ type: 'tool_use', id: 'toolu_9', name: 'kubectl_logs', input: { pod: 'a' } }]);
  });

  test('tool_choice mapping: required → any, none → none', async () => {
    server.reply({ body: textAnswer('anthropic') }, { body: textAnswer('anthropic') }, { body: textAnswer('anthropic') });
    const p = provider();
    await p.chat(plainRequest({ toolChoice: 'required' }));
    await p.chat(plainRequest({ toolChoice: 'none' }));
    await p.chat(plainRequest({ tools: [] }));
    assert.deepEqual(server.requests[0].body.tool_choice, { type: 'any' });
    assert.deepEqual(server.requests[1].body.tool_choice, { type: 'none' });
    assert.equal('tools' in server.requests[2].body, false);
    assert.equal('tool_choice' in server.requests[2].body, false);
  });

  test('stop reasons: max_tokens → length, refusal → content_filter', async () => {
    const body = (stop_reason: string) => ({ ...(textAnswer('anthropic') as object), stop_reason });
    server.reply({ body: body('max_tokens') }, { body: body('refusal') });
    const p = provider();
    assert.equal((await p.chat(plainRequest())).finishReason, 'length');
    assert.equal((await p.chat(plainRequest())).finishReason, 'content_filter');
  });
});
