/** Token counting with the real o200k_base tokenizer over everything a request carries. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { countCompletionTokens, countPromptTokens, countTextTokens, TOKENIZER_ENCODING, type ChatRequest } from '../../../src/investigator/llm/index.ts';
import { DESCRIBE_TOOL, LOGS_TOOL, plainRequest } from './wire-fixtures.ts';

describe('token counting', () => {
  test('known strings count as o200k_base does', () => {
    assert.equal(TOKENIZER_ENCODING, 'o200k_base');
    assert.equal(countTextTokens(''), 0);
    assert.equal(countTextTokens('hello world'), 2);
    // Special-token text from untrusted tool output is counted as plain text, not rejected.
    assert.ok(countTextTokens('log line <|endoftext|> more') > 5);
  });

  test('every part of the request adds tokens: messages, role overhead, tool calls, tool schemas', () => {
    const bare = plainRequest({ tools: [] });
    const base = countPromptTokens(bare);
    assert.ok(base > countTextTokens('You are an SRE.') + countTextTokens('Why is kv-store-2 Pending?'), 'role overhead is counted');

    const withTools = countPromptTokens(plainRequest({ tools: [DESCRIBE_TOOL, LOGS_TOOL] }));
    assert.ok(withTools - base >= countTextTokens(JSON.stringify(DESCRIBE_TOOL.parameters)), 'tool schemas are counted');
    assert.ok(countPromptTokens(plainRequest({ tools: [DESCRIBE_TOOL] })) < withTools);

    const args = '{"kind":"StatefulSet","name":"kv-store","namespace":"storage-prod"}';
    const withCall: ChatRequest = {
      ...bare,
      messages: [...bare.messages, { role: 'assistant', content: '', toolCalls: [{ id: 'call_1', name: 'kubectl_describe', arguments: args }] }],
    };
    assert.ok(countPromptTokens(withCall) - base >= countTextTokens(args) + 3, 'tool call arguments are counted');

    const withResult: ChatRequest = { ...withCall, messages: [...withCall.messages, { role: 'tool', toolCallId: 'call_1', name: 'kubectl_describe', content: 'Status: Pending\n'.repeat(50) }] };
    assert.ok(countPromptTokens(withResult) - countPromptTokens(withCall) >= countTextTokens('Status: Pending\n'.repeat(50)));
  });

  test('completion tokens: content plus tool calls', () => {
    const text = countCompletionTokens({ role: 'assistant', content: 'The claim data-kv-store-2 was deleted.', toolCalls: [] });
    assert.equal(text, countTextTokens('The claim data-kv-store-2 was deleted.'));
    const calls = countCompletionTokens({ role: 'assistant', content: '', toolCalls: [{ id: 'c', name: 'kubectl_logs', arguments: '{"pod":"a"}' }] });
    assert.ok(calls > countTextTokens('{"pod":"a"}'));
  });

  test('fast enough for 30 turns of a 30k-token conversation', (t) => {
    const line = 'Warning  FailedScheduling  pod/kv-store-2  0/3 nodes are available: persistentvolumeclaim "data-kv-store-2" not found. ';
    const messages: ChatRequest['messages'] = [{ role: 'system', content: 'You are an SRE.' }];
    // ~1k tokens per tool result, 30 turns → about 30k tokens at the end.
    const started = performance.now();
    let last = 0;
    for (let turn = 0; turn < 30; turn++) {
      messages.push({ role: 'assistant', content: '', toolCalls: [{ id: `call_${turn}`, name: 'kubectl_logs', arguments: `{"pod":"p-${turn}"}` }] });
      messages.push({ role: 'tool', toolCallId: `call_${turn}`, name: 'kubectl_logs', content: `${turn} ${line}`.repeat(30) });
      last = countPromptTokens({ ...plainRequest(), messages });
    }
    const ms = performance.now() - started;
    assert.ok(last > 25_000 && last < 40_000, `final prompt ${last} tokens`);
    // Reported, not asserted: CI machines vary.
    t.diagnostic(`30 prompt counts growing to ${last} tokens took ${ms.toFixed(0)} ms`);
  });
});
