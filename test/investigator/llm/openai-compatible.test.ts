/** The openai-compatible adapter (and its family: openai, vllm, ollama, ...) against a fake chat-completions server. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createLlmProvider, loadLlmConfig, type ChatRequest } from '../../../src/investigator/llm/index.ts';
import { InstantSleepClock, startFakeServer, type FakeServer } from './fake-server.ts';
import { configFor, plainRequest, textAnswer } from './wire-fixtures.ts';

describe('openai-compatible adapter', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer();
  });
  after(() => server.close());
  beforeEach(() => void server.requests.splice(0));

  const provider = (extra = {}) => createLlmProvider(configFor('openai-compatible', server.url, extra), { clock: new InstantSleepClock() });

  test('plain answer: request in chat-completions form, answer and usage mapped', async () => {
    server.reply({ body: textAnswer('openai-compatible') });
    const answer = await provider().chat(plainRequest());
    assert.deepEqual(answer, {
      message: { role: 'assistant', content: 'The claim is missing.', toolCalls: [] },
      finishReason: 'stop',
      usage: { promptTokens: 11, completionTokens: 3 },
      model: 'served-model',
    });
    const [req] = server.requests;
    assert.equal(req.method, 'POST');
    assert.equal(req.url, '/chat/completions');
    assert.equal(req.headers.authorization, 'Bearer test-key');
    assert.equal(req.body.model, 'test-model');
    assert.deepEqual(req.body.messages, [
      { role: 'system', content: 'You are an SRE.' },
      { role: 'user', content: 'Why is kv-store-2 Pending?' },
    ]);
    assert.equal(req.body.temperature, 0.2);
    assert.equal(req.body.max_tokens, 512);
    assert.equal(req.body.tool_choice, 'auto');
    assert.deepEqual(
      req.body.tools.map((t: any) => [t.type, t.function.name]),
      [
        ['function', 'kubectl_describe'],
        ['function', 'kubectl_logs'],
      ],
    );
    assert.deepEqual(req.body.tools[0].function.parameters.required, ['kind', 'name']);
  });

  test('tool call round trip: calls mapped, ids and arguments echoed in the next request', async () => {
    server.reply({
      body: {
        model: 'served-model',
        choices: [
          {
            index: 0,
            finish_reason: 'tool_calls',
            message: {
              role: 'assistant',
              content: null,
              tool_calls: [
                { id: 'call_1_1', type: 'function', function: { name: 'kubectl_describe', arguments: '{"kind":"Pod","name":"kv-store-2"}' } },
                { id: 'call_1_2', type: 'function', function: { name: 'kubectl_logs', arguments: '{"pod":"kv-store-2"' } },
              ],
            },
          },
        ],
      },
    });
    const p = provider();
    const first = await p.chat(plainRequest());
    assert.equal(first.finishReason, 'tool_calls');
    assert.equal(first.usage, undefined);
    assert.deepEqual(first.message, {
      role: 'assistant',
      content: '',
      toolCalls: [
        { id: 'call_1_1', name: 'kubectl_describe', arguments: '{"kind":"Pod","name":"kv-store-2"}' },
        // Malformed arguments are passed on exactly as written; the loop tells the model.
        { id: 'call_1_2', name: 'kubectl_logs', arguments: '{"pod":"kv-store-2"' },
      ],
    });

    server.reply({ body: textAnswer('openai-compatible', 'done') });
    const followUp: ChatRequest = plainRequest({
      messages: [
        ...plainRequest().messages,
        first.message,
        { role: 'tool', toolCallId: 'call_1_1', name: 'kubectl_describe', content: '{"ok":true}' },
        { role: 'tool', toolCallId: 'call_1_2', name: 'kubectl_logs', content: '{"ok":false}' },
      ],
    });
    assert.equal((await p.chat(followUp)).message.content, 'done');
    const sent = server.requests[1].body.messages;
    assert.deepEqual(sent.slice(2), [
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1_1', type: 'function', function: { name: 'kubectl_describe', arguments: '{"kind":"Pod","name":"kv-store-2"}' } },
          { id: 'call_1_2', type: 'function', function: { name: 'kubectl_logs', arguments: '{"pod":"kv-store-2"' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1_1', content: '{"ok":true}' },
      { role: 'tool', tool_call_id: 'call_1_2', content: '{"ok":false}' },
    ]);
  });

  test('tool_choice mapping: required and none pass through; no tools → neither tools nor tool_choice', async () => {
    server.reply({ body: textAnswer('openai-compatible') }, { body: textAnswer('openai-compatible') }, { body: textAnswer('openai-compatible') });
    const p = provider();
    await p.chat(plainRequest({ toolChoice: 'required' }));
    await p.chat(plainRequest({ toolChoice: 'none' }));
    await p.chat(plainRequest({ tools: [] }));
    assert.equal(server.requests[0].body.tool_choice, 'required');
    assert.equal(server.requests[1].body.tool_choice, 'none');
    assert.equal('tools' in server.requests[2].body, false);
    assert.equal('tool_choice' in server.requests[2].body, false);
  });

  test('lenient with compatible servers: missing ids, object arguments, finish_reason stop with calls', async () => {
    server.reply({
      body: {
        choices: [{ finish_reason: 'stop', message: { role: 'assistant', content: '', tool_calls: [{ function: { name: 'kubectl_logs', arguments: { pod: 'p' } } }] } }],
      },
    });
    const answer = await provider().chat(plainRequest());
    assert.equal(answer.finishReason, 'tool_calls');
    assert.equal(answer.model, 'test-model');
    assert.equal(answer.message.toolCalls.length, 1);
    assert.ok(answer.message.toolCalls[0].id.length > 0);
    assert.equal(answer.message.toolCalls[0].arguments, '{"pod":"p"}');
  });

  test('finish reasons: length and content_filter', async () => {
    const body = (reason: string) => ({ choices: [{ finish_reason: reason, message: { role: 'assistant', content: 'x' } }] });
    server.reply({ body: body('length') }, { body: body('content_filter') });
    const p = provider();
    assert.equal((await p.chat(plainRequest())).finishReason, 'length');
    assert.equal((await p.chat(plainRequest())).finishReason, 'content_filter');
  });

  test('local family members need no key and send no Authorization header', async () => {
    for (const member of ['vllm', 'ollama', 'litellm', 'lmstudio'] as const) {
      server.reply({ body: textAnswer('openai-compatible') });
      const cfg = loadLlmConfig({ env: {}, overrides: { provider: member, model: 'llama', endpoint: server.url } });
      assert.equal(cfg.apiKey, undefined);
      const p = createLlmProvider(cfg, { clock: new InstantSleepClock() });
      assert.equal(p.provider, member);
      await p.chat(plainRequest());
    }
    assert.equal(server.requests.length, 4);
    for (const r of server.requests) assert.equal(r.headers.authorization, undefined);
  });

  test('provider openai: bearer key and max_completion_tokens (newer models refuse max_tokens)', async () => {
    server.reply({ body: textAnswer('openai-compatible') });
    const p = createLlmProvider(configFor('openai', server.url), { clock: new InstantSleepClock() });
    await p.chat(plainRequest());
    const [req] = server.requests;
    assert.equal(req.headers.authorization, 'Bearer test-key');
    assert.equal(req.body.max_completion_tokens, 512);
    assert.equal('max_tokens' in req.body, false);
  });

  test('a model that refuses temperature: sent once more without it, and never again', async () => {
    const refusal = { error: { message: "Unsupported value: 'temperature' does not support 0.2 with this model. Only the default (1) value is supported.", type: 'invalid_request_error', param: 'temperature', code: 'unsupported_value' } };
    server.reply({ status: 400, body: refusal }, { body: textAnswer('openai-compatible') }, { body: textAnswer('openai-compatible') });
    const p = createLlmProvider(configFor('openai', server.url), { clock: new InstantSleepClock() });
    await p.chat(plainRequest());
    await p.chat(plainRequest());
    assert.deepEqual(
      server.requests.map((r) => 'temperature' in r.body),
      [true, false, false],
    );
  });

  test('other 400s are not resent', async () => {
    server.reply({ status: 400, body: { error: { message: 'maximum context length exceeded' } } });
    await assert.rejects(provider().chat(plainRequest()), /request refused \(HTTP 400\): maximum context length exceeded/);
    assert.equal(server.requests.length, 1);
  });
});
