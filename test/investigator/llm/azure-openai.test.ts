/** The azure-openai adapter (the openai SDK's AzureOpenAI) against a fake Azure endpoint. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { createLlmProvider } from '../../../src/investigator/llm/index.ts';
import { InstantSleepClock, startFakeServer, type FakeServer } from './fake-server.ts';
import { configFor, modelsBody, plainRequest, textAnswer } from './wire-fixtures.ts';

describe('azure-openai adapter', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer();
  });
  after(() => server.close());
  beforeEach(() => void server.requests.splice(0));

  test('deployment in the path, api-version in the query, key in the api-key header', async () => {
    server.reply({ body: textAnswer('azure-openai') });
    const cfg = configFor('azure-openai', server.url, { azure: { apiVersion: '2025-01-01-preview', deployment: 'gpt4o-prod' } });
    const answer = await createLlmProvider(cfg, { clock: new InstantSleepClock() }).chat(plainRequest({ toolChoice: 'required' }));
    assert.equal(answer.message.content, 'The claim is missing.');
    assert.deepEqual(answer.usage, { promptTokens: 11, completionTokens: 3 });
    const [req] = server.requests;
    assert.equal(req.url, '/openai/deployments/gpt4o-prod/chat/completions?api-version=2025-01-01-preview');
    assert.equal(req.headers['api-key'], 'test-key');
    assert.equal(req.headers.authorization, undefined);
    assert.equal(req.body.max_completion_tokens, 512);
    assert.equal(req.body.tool_choice, 'required');
  });

  test('without a deployment the model names it; default api-version; ping lists models', async () => {
    server.reply({ body: textAnswer('azure-openai') }, { body: modelsBody('azure-openai') });
    const p = createLlmProvider(configFor('azure-openai', server.url), { clock: new InstantSleepClock() });
    await p.chat(plainRequest());
    assert.equal(await p.ping(), true);
    assert.equal(server.requests[0].url, '/openai/deployments/test-model/chat/completions?api-version=2024-10-21');
    assert.equal(server.requests[1].url, '/openai/models?api-version=2024-10-21');
  });

  test('tool call round trip keeps ids', async () => {
    server.reply({
      body: {
        choices: [
          {
            finish_reason: 'tool_calls',
            message: { role: 'assistant', content: 'Checking.', tool_calls: [{ id: 'call_az', type: 'function', function: { name: 'kubectl_logs', arguments: '{"pod":"a"}' } }] },
          },
        ],
      },
    });
    server.reply({ body: textAnswer('azure-openai') });
    const p = createLlmProvider(configFor('azure-openai', server.url), { clock: new InstantSleepClock() });
    const first = await p.chat(plainRequest());
    assert.equal(first.message.content, 'Checking.');
    await p.chat(plainRequest({ messages: [...plainRequest().messages, first.message, { role: 'tool', toolCallId: 'call_az', name: 'kubectl_logs', content: 'log' }] }));
    const sent = server.requests[1].body.messages;
    assert.equal(sent[2].tool_calls[0].id, 'call_az');
    assert.equal(sent[2].content, 'Checking.');
    assert.deepEqual(sent[3], { role: 'tool', tool_call_id: 'call_az', content: 'log' });
  });
});
