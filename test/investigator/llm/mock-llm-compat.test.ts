/** The openai-compatible adapter against the project's own mock LLM (the offline default provider). */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLlmProvider, loadLlmConfig, type ChatRequest, type LlmProvider } from '../../../src/investigator/llm/index.ts';
import { startMockLlm, type RunningMockLlm } from '../../../src/investigator/mock-llm/server.ts';
import { InstantSleepClock } from './fake-server.ts';

const tools: ChatRequest['tools'] = [
  {
    name: 'kubectl_describe',
    description: 'Describe one object.',
    parameters: { type: 'object', properties: { kind: { type: 'string' }, name: { type: 'string' }, namespace: { type: 'string' } }, required: ['kind', 'name'], additionalProperties: false },
  },
];
const request = (messages: ChatRequest['messages']): ChatRequest => ({ messages, tools, toolChoice: 'auto', temperature: 0.2, maxOutputTokens: 2000 });
const opening: ChatRequest['messages'] = [
  { role: 'system', content: 'You investigate Kubernetes incidents.' },
  { role: 'user', content: 'Incident\nResource: storage/StatefulSet/kv-store\n' },
];

describe('openai-compatible adapter against the mock LLM', () => {
  let mock: RunningMockLlm;
  let clock: InstantSleepClock;
  let llm: LlmProvider;
  before(async () => {
    mock = await startMockLlm({});
    clock = new InstantSleepClock();
    llm = createLlmProvider(loadLlmConfig({ env: {}, overrides: { provider: 'openai-compatible', model: 'mock-model', endpoint: mock.url } }), { clock });
  });
  after(() => mock.close());

  test('ping and a tool call round trip; the tool result reaches the mock', async () => {
    assert.equal(await llm.ping(), true);
    const first = await llm.chat(request(opening));
    assert.equal(first.finishReason, 'tool_calls');
    assert.equal(first.model, 'mock-model');
    assert.equal(first.usage, undefined, 'the mock reports no usage by default: the loop counts tokens itself');
    const [call] = first.message.toolCalls;
    assert.equal(call.name, 'kubectl_describe');
    assert.deepEqual(JSON.parse(call.arguments), { kind: 'StatefulSet', name: 'kv-store', namespace: 'storage' });

    const second = await llm.chat(request([...opening, first.message, { role: 'tool', toolCallId: call.id, name: call.name, content: '{"tool":"kubectl_describe","ok":true,"untrusted_data":"Replicas: 3"}' }]));
    assert.ok(second.message.content !== '' || second.message.toolCalls.length > 0);

    const recorded = (await (await fetch(`${mock.url.replace(/\/v1$/, '')}/admin/requests`)).json()) as unknown;
    assert.match(JSON.stringify(recorded), new RegExp(`"tool_call_id":"${call.id}"`));
  });

  test('the mock\'s 500 and 429 faults are retried to success', async () => {
    mock.setFaults({ http_500_once: true, http_429_once: true });
    clock.sleeps.length = 0;
    const answer = await llm.chat(request(opening));
    assert.equal(answer.finishReason, 'tool_calls');
    assert.equal(clock.sleeps.length, 2);
    mock.setFaults({});
  });

  test('usage reported by the mock is mapped', async () => {
    const withUsage = await startMockLlm({ reportUsage: true });
    try {
      const p = createLlmProvider(loadLlmConfig({ env: {}, overrides: { provider: 'openai-compatible', model: 'mock-model', endpoint: withUsage.url } }), { clock });
      const answer = await p.chat(request(opening));
      assert.ok(answer.usage && answer.usage.promptTokens > 0 && answer.usage.completionTokens > 0);
    } finally {
      await withUsage.close();
    }
  });
});
