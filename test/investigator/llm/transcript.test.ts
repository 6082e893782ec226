/** Record a run against a (fake) provider, save it, replay it offline; divergence is reported clearly. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  createLlmProvider,
  createTranscript,
  LlmError,
  readTranscript,
  recordingProvider,
  replayProvider,
  TranscriptDivergenceError,
  writeTranscript,
  type ChatRequest,
  type LlmProvider,
  type TranscriptEntry,
} from '../../../src/investigator/llm/index.ts';
import { InstantSleepClock, startFakeServer, type FakeServer } from './fake-server.ts';
import { configFor, DESCRIBE_TOOL, errorBody, plainRequest, textAnswer } from './wire-fixtures.ts';

/** A two-turn conversation the way the agent loop drives it. */
async function converse(provider: LlmProvider): Promise<string> {
  const request = plainRequest();
  const first = await provider.chat(request);
  const messages: ChatRequest['messages'] = [...request.messages, first.message];
  for (const call of first.message.toolCalls) messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: `result of ${call.name}` });
  const second = await provider.chat({ ...request, messages });
  return second.message.content;
}

describe('transcripts', () => {
  let server: FakeServer;
  const dir = mkdtempSync(join(tmpdir(), 'llm-transcript-'));
  before(async () => {
    server = await startFakeServer();
  });
  after(async () => {
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const toolCallAnswer = {
    choices: [{ finish_reason: 'tool_calls', message: { role: 'assistant', content: null, tool_calls: [{ id: 'call_9', type: 'function', function: { name: 'kubectl_describe', arguments: '{"kind":"Pod","name":"a"}' } }] } }],
    usage: { prompt_tokens: 50, completion_tokens: 9 },
    model: 'served-model',
  };

  test('record → save → replay gives the same answers without a server', async () => {
    server.reply({ body: toolCallAnswer }, { body: textAnswer('openai-compatible', 'root cause: claim deleted') });
    const entries: TranscriptEntry[] = [];
    const live = createLlmProvider(configFor('openai-compatible', server.url), { clock: new InstantSleepClock() });
    const recorder = recordingProvider(live, (e) => entries.push(e));
    assert.equal(await converse(recorder), 'root cause: claim deleted');
    assert.equal(entries.length, 2);
    assert.equal(entries[1].request.messages.at(-1)?.role, 'tool');

    const path = join(dir, 'run.json');
    writeTranscript(path, createTranscript(recorder, entries));
    const loaded = readTranscript(path);
    assert.equal(loaded.version, 1);
    assert.equal(loaded.provider, 'openai-compatible');
    assert.equal(loaded.model, 'test-model');

    await server.close(); // replay needs no provider at all
    const replay = replayProvider(loaded);
    assert.equal(replay.provider, 'openai-compatible');
    assert.equal(await converse(replay), 'root cause: claim deleted');
    assert.equal(replay.remaining, 0);
    server = await startFakeServer();
  });

  test('recorded errors replay as the same LlmError', async () => {
    server.reply({ status: 401, body: errorBody('openai-compatible', 401, 'bad key') });
    const entries: TranscriptEntry[] = [];
    const recorder = recordingProvider(createLlmProvider(configFor('openai-compatible', server.url), { clock: new InstantSleepClock() }), (e) => entries.push(e));
    await assert.rejects(recorder.chat(plainRequest()), LlmError);
    const replay = replayProvider(createTranscript(recorder, entries));
    await assert.rejects(replay.chat(plainRequest()), (err: unknown) => err instanceof LlmError && err.kind === 'authentication' && err.status === 401 && /^openai-compatible: authentication failed/.test(err.message));
  });

  const transcriptOf = (request: ChatRequest) =>
    createTranscript({ provider: 'anthropic', model: 'claude' }, [{ request, response: { message: { role: 'assistant', content: 'ok', toolCalls: [] }, finishReason: 'stop', model: 'claude' } }]);

  test('different wording still replays; a different procedure does not', async () => {
    const recorded = plainRequest();
    const reworded = plainRequest({ messages: [{ role: 'system', content: 'Another prompt' }, { role: 'user', content: 'Other words' }] });
    assert.equal((await replayProvider(transcriptOf(recorded)).chat(reworded)).message.content, 'ok');

    await assert.rejects(replayProvider(transcriptOf(recorded)).chat(plainRequest({ tools: [DESCRIBE_TOOL] })), (err: unknown) => {
      assert.ok(err instanceof TranscriptDivergenceError);
      assert.match(err.message, /^transcript diverges at call 1 of 1: tools offered differ \(missing: kubectl_logs; not recorded: none\)/);
      return true;
    });
    const extraTurn = plainRequest({ messages: [...recorded.messages, { role: 'user', content: 'more' }] });
    await assert.rejects(replayProvider(transcriptOf(recorded)).chat(extraTurn), /messages differ: recorded 2 \[system,user\], got 3 \[system,user,user\]; first difference at message 3/);

    const replay = replayProvider(transcriptOf(recorded));
    await replay.chat(recorded);
    await assert.rejects(replay.chat(recorded), /transcript exhausted: call 2 asked for, only 1 recorded/);
  });

  test('non-strict replay reports divergence and goes on', async () => {
    const seen: string[] = [];
    const replay = replayProvider(transcriptOf(plainRequest()), { strict: false, onDivergence: (m) => seen.push(m) });
    assert.equal((await replay.chat(plainRequest({ tools: [] }))).message.content, 'ok');
    assert.equal(seen.length, 1);
    assert.match(seen[0], /tools offered differ/);
  });

  test('unreadable or foreign files are refused with a clear error', () => {
    const write = (name: string, value: unknown) => {
      const path = join(dir, name);
      writeFileSync(path, typeof value === 'string' ? value : JSON.stringify(value));
      return path;
    };
    assert.throws(() => readTranscript(write('a.json', '{nope')), /a\.json: not JSON/);
    assert.throws(() => readTranscript(write('b.json', { format: 'kubernaut-llm-transcript', version: 2 })), /transcript version 2 is not supported/);
    assert.throws(() => readTranscript(write('c.json', { hello: 1 })), /not a valid LLM transcript: format/);
    const good = transcriptOf(plainRequest());
    delete (good.entries[0] as Partial<TranscriptEntry>).response;
    assert.throws(() => readTranscript(write('d.json', good)), /either a response or an error/);
  });
});
