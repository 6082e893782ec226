/** The gemini adapter against a fake generateContent API, and the JSON Schema → Gemini Schema conversion. */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import { z } from 'zod';
import { createLlmProvider, type ChatRequest } from '../../../src/investigator/llm/index.ts';
import { toGeminiSchema } from '../../../src/investigator/llm/providers/gemini-schema.ts';
import { InstantSleepClock, startFakeServer, type FakeServer } from './fake-server.ts';
import { configFor, errorBody, plainRequest, textAnswer } from './wire-fixtures.ts';

describe('gemini adapter', () => {
  let server: FakeServer;
  before(async () => {
    server = await startFakeServer();
  });
  after(() => server.close());
  beforeEach(() => void server.requests.splice(0));

  const provider = (clock = new InstantSleepClock()) => createLlmProvider(configFor('gemini', server.url), { clock });

  test('plain answer: systemInstruction, contents, generationConfig, converted function declarations', async () => {
    server.reply({ body: textAnswer('gemini') });
    const answer = await provider().chat(plainRequest());
    assert.deepEqual(answer, {
      message: { role: 'assistant', content: 'The claim is missing.', toolCalls: [] },
      finishReason: 'stop',
      usage: { promptTokens: 11, completionTokens: 3 },
      model: 'served-model',
    });
    const [req] = server.requests;
    assert.equal(req.url, '/v1beta/models/test-model:generateContent');
    assert.equal(req.headers['x-goog-api-key'], 'test-key');
    assert.deepEqual(req.body.systemInstruction, { parts: [{ text: 'You are an SRE.' }] });
    assert.deepEqual(req.body.contents, [{ role: 'user', parts: [{ text: 'Why is kv-store-2 Pending?' }] }]);
    assert.deepEqual(req.body.generationConfig, { temperature: 0.2, maxOutputTokens: 512 });
    assert.deepEqual(req.body.toolConfig, { functionCallingConfig: { mode: 'AUTO' } });
    assert.deepEqual(req.body.tools[0].functionDeclarations[0], {
      name: 'kubectl_describe',
      description: 'Describe one Kubernetes object.',
      parameters: {
        type: 'OBJECT',
        properties: {
          kind: { type: 'STRING', enum: ['Pod', 'StatefulSet'] },
          name: { type: 'STRING', minLength: '1' },
          namespace: { type: 'STRING' },
        },
        required: ['kind', 'name'],
      },
    });
  });

  test('tool call round trip: functionCall ↔ functionResponse, ids and thought signatures echoed', async () => {
    server.reply({
      body: {
        candidates: [
          {
            content: {
              role: 'model',
              parts: [
                { functionCall: { id: 'fc-1', name: 'kubectl_describe', args: { kind: 'Pod', name: 'kv-store-2' } }, thoughtSignature: 'c2lnLTE=' },
                { functionCall: { name: 'kubectl_logs', args: { pod: 'kv-store-2' } } },
                { text: 'thinking...', thought: true },
              ],
            },
            finishReason: 'STOP',
          },
        ],
        usageMetadata: { promptTokenCount: 200, candidatesTokenCount: 30, thoughtsTokenCount: 12, totalTokenCount: 242 },
      },
    });
    const p = provider();
    const first = await p.chat(plainRequest());
    assert.equal(first.finishReason, 'tool_calls');
    assert.deepEqual(first.usage, { promptTokens: 200, completionTokens: 42 });
    assert.equal(first.message.content, '');
    const [describeCall, logsCall] = first.message.toolCalls;
    assert.deepEqual(describeCall, { id: 'fc-1', name: 'kubectl_describe', arguments: '{"kind":"Pod","name":"kv-store-2"}', providerState: 'c2lnLTE=' });
    assert.equal(logsCall.name, 'kubectl_logs');
    assert.ok(logsCall.id, 'a call without an id gets one');

    server.reply({ body: textAnswer('gemini', 'done') });
    const followUp: ChatRequest = plainRequest({
      messages: [
        ...plainRequest().messages,
        first.message,
        { role: 'tool', toolCallId: 'fc-1', name: 'kubectl_describe', content: 'Status: Pending' },
        { role: 'tool', toolCallId: logsCall.id, name: 'kubectl_logs', content: 'no logs' },
      ],
    });
    await p.chat(followUp);
    assert.deepEqual(server.requests[1].body.contents.slice(1), [
      {
        role: 'model',
        parts: [
          { functionCall: { id: 'fc-1', name: 'kubectl_describe', args: { kind: 'Pod', name: 'kv-store-2' } }, thoughtSignature: 'c2lnLTE=' },
          // An id Gemini did not give is not sent back to it.
          { functionCall: { name: 'kubectl_logs', args: { pod: 'kv-store-2' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { id: 'fc-1', name: 'kubectl_describe', response: { output: 'Status: Pending' } } },
          { functionResponse: { name: 'kubectl_logs', response: { output: 'no logs' } } },
        ],
      },
    ]);
  });

  test('tool_choice mapping: required → ANY, none → NONE; no tools → no toolConfig', async () => {
    server.reply({ body: textAnswer('gemini') }, { body: textAnswer('gemini') }, { body: textAnswer('gemini') });
    const p = provider();
    await p.chat(plainRequest({ toolChoice: 'required' }));
    await p.chat(plainRequest({ toolChoice: 'none' }));
    await p.chat(plainRequest({ tools: [] }));
    assert.deepEqual(server.requests[0].body.toolConfig, { functionCallingConfig: { mode: 'ANY' } });
    assert.deepEqual(server.requests[1].body.toolConfig, { functionCallingConfig: { mode: 'NONE' } });
    assert.equal('tools' in server.requests[2].body, false);
    assert.equal('toolConfig' in server.requests[2].body, false);
  });

  test('finish reasons: MAX_TOKENS → length, SAFETY → content_filter, blocked prompt → content_filter', async () => {
    const body = (finishReason: string) => ({ candidates: [{ content: { role: 'model', parts: [{ text: 'x' }] }, finishReason }] });
    server.reply({ body: body('MAX_TOKENS') }, { body: body('SAFETY') }, { body: { promptFeedback: { blockReason: 'SAFETY' } } });
    const p = provider();
    assert.equal((await p.chat(plainRequest())).finishReason, 'length');
    assert.equal((await p.chat(plainRequest())).finishReason, 'content_filter');
    const blocked = await p.chat(plainRequest());
    assert.equal(blocked.finishReason, 'content_filter');
    assert.equal(blocked.message.content, '');
  });

  test('an endpoint written with its API version works too', async () => {
    server.reply({ body: textAnswer('gemini') });
    await createLlmProvider(configFor('gemini', `${server.url}/v1beta`), { clock: new InstantSleepClock() }).chat(plainRequest());
    assert.equal(server.requests[0].url, '/v1beta/models/test-model:generateContent');
  });

  test('429 with RetryInfo in the body (no header): waits the retryDelay Gemini asked for', async () => {
    const clock = new InstantSleepClock();
    const quota = errorBody('gemini', 429, 'quota') as { error: Record<string, unknown> };
    quota.error.details = [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: '12s' }];
    server.reply({ status: 429, body: quota }, { body: textAnswer('gemini') });
    await provider(clock).chat(plainRequest());
    assert.deepEqual(clock.sleeps, [12_000]);
  });
});

describe('JSON Schema → Gemini Schema', () => {
  test('zod-generated schemas: nullable, const, number enums, defaults, unknown keywords dropped', () => {
    const schema = z.toJSONSchema(
      z.strictObject({
        namespace: z.string().describe('Namespace'),
        previous: z.boolean().default(false),
        tailLines: z.number().int().min(1).max(1000).optional(),
        container: z.string().nullable(),
        kind: z.literal('Pod'),
        level: z.union([z.literal(1), z.literal(2)]),
        labels: z.record(z.string(), z.string()).optional(),
        items: z.array(z.object({ name: z.string() })).max(5),
      }),
    ) as Record<string, unknown>;
    const converted = toGeminiSchema(schema) as any;
    assert.equal(converted.type, 'OBJECT');
    assert.equal('additionalProperties' in converted, false);
    assert.equal('$schema' in converted, false);
    const p = converted.properties;
    assert.deepEqual(p.namespace, { type: 'STRING', description: 'Namespace' });
    assert.deepEqual(p.previous, { type: 'BOOLEAN', default: false });
    assert.equal(p.tailLines.type, 'INTEGER');
    assert.equal(p.tailLines.minimum, 1);
    assert.equal(p.tailLines.maximum, 1000);
    assert.deepEqual(p.container, { type: 'STRING', nullable: true });
    assert.deepEqual(p.kind, { type: 'STRING', enum: ['Pod'] });
    assert.equal(p.level.anyOf.length, 2);
    assert.match(JSON.stringify(p.level), /One of: 1/);
    assert.deepEqual(p.labels, { type: 'OBJECT' });
    assert.deepEqual(p.items, { type: 'ARRAY', maxItems: '5', items: { type: 'OBJECT', properties: { name: { type: 'STRING' } }, required: ['name'] } });
    assert.deepEqual(converted.required.sort(), ['container', 'items', 'kind', 'level', 'namespace', 'previous']);
  });

  test('type arrays, local $refs, unsupported formats and recursion', () => {
    const converted = toGeminiSchema({
      type: 'object',
      properties: {
        since: { type: ['string', 'null'], format: 'date-time' },
        url: { type: 'string', format: 'uri' },
        either: { type: ['string', 'integer'] },
        ref: { $ref: '#/$defs/Target' },
        tree: { $ref: '#/$defs/Node' },
      },
      $defs: {
        Target: { type: 'object', properties: { kind: { type: 'string' } }, required: ['kind', 'missing'] },
        Node: { type: 'object', properties: { child: { $ref: '#/$defs/Node' } } },
      },
    }) as any;
    assert.deepEqual(converted.properties.since, { type: 'STRING', nullable: true, format: 'date-time' });
    assert.deepEqual(converted.properties.url, { type: 'STRING' });
    assert.deepEqual(converted.properties.either.anyOf, [{ type: 'STRING' }, { type: 'INTEGER' }]);
    assert.deepEqual(converted.properties.ref, { type: 'OBJECT', properties: { kind: { type: 'STRING' } }, required: ['kind'] });
    assert.equal('$defs' in converted, false);
    // Recursion is cut off at a bounded depth rather than looping.
    assert.ok(JSON.stringify(converted.properties.tree).length < 10_000);
  });
});
