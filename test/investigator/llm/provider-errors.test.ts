/**
 * Failure handling, the same for every provider family: retries with back-off through the Clock
 * (Retry-After honoured), errors that name the provider and say what to fix, and ping.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { createLlmProvider, LlmError } from '../../../src/investigator/llm/index.ts';
import { InstantSleepClock, startFakeServer, unusedPort, type FakeServer } from './fake-server.ts';
import { configFor, errorBody, FAMILIES, modelsBody, plainRequest, textAnswer } from './wire-fixtures.ts';

for (const family of FAMILIES) {
  describe(`${family} failures`, () => {
    let server: FakeServer;
    before(async () => {
      server = await startFakeServer();
    });
    after(() => server.close());

    const provider = (clock = new InstantSleepClock(), extra = {}) => createLlmProvider(configFor(family, server.url, extra), { clock });
    const fresh = () => server.requests.splice(0);

    test('429 then success: retried after the Retry-After the server asked for', async () => {
      fresh();
      const clock = new InstantSleepClock();
      server.reply({ status: 429, headers: { 'retry-after': '7' }, body: errorBody(family, 429, 'slow down') }, { body: textAnswer(family) });
      const answer = await provider(clock).chat(plainRequest());
      assert.equal(answer.message.content, 'The claim is missing.');
      assert.deepEqual(clock.sleeps, [7000]);
      assert.equal(fresh().length, 2);
    });

    test('503 then success without Retry-After: exponential back-off with jitter, within bounds', async () => {
      fresh();
      const clock = new InstantSleepClock();
      server.reply({ status: 503, body: errorBody(family, 503, 'overloaded') }, { status: 502, body: 'bad gateway' }, { body: textAnswer(family) });
      const answer = await provider(clock).chat(plainRequest());
      assert.equal(answer.finishReason, 'stop');
      assert.equal(clock.sleeps.length, 2);
      assert.ok(clock.sleeps[0] >= 500 && clock.sleeps[0] <= 1000, `first wait ${clock.sleeps[0]}`);
      assert.ok(clock.sleeps[1] >= 1000 && clock.sleeps[1] <= 2000, `second wait ${clock.sleeps[1]}`);
      assert.equal(fresh().length, 3);
    });

    test('500 on every attempt: LlmError server after maxRetries + 1 attempts', async () => {
      fresh();
      server.reply(...Array.from({ length: 3 }, () => ({ status: 500, body: errorBody(family, 500, 'boom') })));
      await assert.rejects(provider().chat(plainRequest()), (err: unknown) => {
        assert.ok(err instanceof LlmError);
        assert.equal(err.kind, 'server');
        assert.equal(err.status, 500);
        assert.equal(err.provider, family);
        assert.match(err.message, new RegExp(`^${family}: server error \\(HTTP 500\\)`));
        assert.match(err.message, /boom/);
        assert.match(err.message, /gave up after 3 attempts/);
        assert.equal(err.transient, true);
        return true;
      });
      assert.equal(fresh().length, 3);
    });

    test('429 on every attempt: rate_limited', async () => {
      fresh();
      server.reply(...Array.from({ length: 3 }, () => ({ status: 429, body: errorBody(family, 429, 'quota') })));
      await assert.rejects(provider().chat(plainRequest()), (err: unknown) => err instanceof LlmError && err.kind === 'rate_limited' && err.status === 429);
      assert.equal(fresh().length, 3);
    });

    test('a Retry-After longer than allowed fails at once instead of waiting', async () => {
      fresh();
      const clock = new InstantSleepClock();
      server.reply({ status: 429, headers: { 'retry-after': '3600' }, body: errorBody(family, 429, 'daily quota') });
      await assert.rejects(provider(clock).chat(plainRequest()), (err: unknown) => err instanceof LlmError && err.kind === 'rate_limited' && /asks to wait 3600 s/.test(err.message));
      assert.deepEqual(clock.sleeps, []);
      assert.equal(fresh().length, 1);
    });

    test('401: authentication error naming the provider and the key settings, not retried', async () => {
      fresh();
      server.reply({ status: 401, body: errorBody(family, 401, 'invalid x-api-key') });
      await assert.rejects(provider().chat(plainRequest()), (err: unknown) => {
        assert.ok(err instanceof LlmError);
        assert.equal(err.kind, 'authentication');
        assert.match(err.message, new RegExp(`^${family}: authentication failed \\(HTTP 401\\): check the API key \\(KUBERNAUT_LLM_API_KEY`));
        assert.doesNotMatch(err.message, /test-key/);
        return true;
      });
      assert.equal(fresh().length, 1);
    });

    test('403 is an authentication error too', async () => {
      fresh();
      server.reply({ status: 403, body: errorBody(family, 403, 'not allowed') });
      await assert.rejects(provider().chat(plainRequest()), (err: unknown) => err instanceof LlmError && err.kind === 'authentication');
    });

    test('404: endpoint error naming the model and the endpoint', async () => {
      fresh();
      server.reply({ status: 404, body: errorBody(family, 404, 'no such model') });
      await assert.rejects(provider().chat(plainRequest()), (err: unknown) => {
        assert.ok(err instanceof LlmError);
        assert.equal(err.kind, 'endpoint');
        assert.match(err.message, /model "test-model"/);
        assert.ok(err.message.includes(server.url), err.message);
        return true;
      });
      assert.equal(fresh().length, 1);
    });

    test('400: bad_request with the server explanation, not retried', async () => {
      fresh();
      server.reply({ status: 400, body: errorBody(family, 400, 'context too long') });
      await assert.rejects(provider().chat(plainRequest()), (err: unknown) => err instanceof LlmError && err.kind === 'bad_request' && /context too long/.test(err.message));
      assert.equal(fresh().length, 1);
    });

    test('unreachable endpoint: endpoint error naming the URL, after retries', async () => {
      const url = `http://127.0.0.1:${await unusedPort()}`;
      const clock = new InstantSleepClock();
      const p = createLlmProvider(configFor(family, url, { maxRetries: 1 }), { clock });
      await assert.rejects(p.chat(plainRequest()), (err: unknown) => {
        assert.ok(err instanceof LlmError);
        assert.equal(err.kind, 'endpoint');
        assert.ok(err.message.startsWith(`${family}: cannot reach ${url}`), err.message);
        assert.match(err.message, /ECONNREFUSED/);
        return true;
      });
      assert.equal(clock.sleeps.length, 1);
    });

    test('malformed bodies: bad_response, not retried', async () => {
      fresh();
      server.reply({ body: 'this is not json' });
      await assert.rejects(provider().chat(plainRequest()), (err: unknown) => err instanceof LlmError && err.kind === 'bad_response' && /not valid JSON/.test(err.message));
      server.reply({ body: { unexpected: true } });
      await assert.rejects(provider().chat(plainRequest()), (err: unknown) => err instanceof LlmError && err.kind === 'bad_response');
      assert.equal(fresh().length, 2);
    });

    test('ping: true when the models endpoint answers, false on 401 or no server', async () => {
      fresh();
      server.reply({ body: modelsBody(family) });
      assert.equal(await provider().ping(), true);
      server.reply({ status: 401, body: errorBody(family, 401, 'bad key') });
      assert.equal(await provider().ping(), false);
      const url = `http://127.0.0.1:${await unusedPort()}`;
      assert.equal(await createLlmProvider(configFor(family, url), { clock: new InstantSleepClock() }).ping(), false);
      assert.equal(fresh().length, 2);
    });

    test('no answer within timeoutSeconds: LlmError timeout, driven by the clock', async () => {
      fresh();
      const { ManualClock } = await import('../../helpers/manual-clock.ts');
      const clock = new ManualClock();
      server.reply({ hang: true });
      const call = createLlmProvider(configFor(family, server.url, { timeoutSeconds: 30 }), { clock }).chat(plainRequest());
      let settled: unknown;
      call.then(
        () => (settled = 'resolved'),
        (err) => (settled = err),
      );
      // Wait until the request is on the server, then let the nominal 30 s pass.
      for (const deadline = Date.now() + 10_000; server.requests.length === 0; ) {
        assert.ok(Date.now() < deadline, 'the request never reached the fake server');
        await new Promise((r) => setTimeout(r, 5));
      }
      await clock.advance(30_000);
      await call.catch(() => {});
      assert.ok(settled instanceof LlmError, String(settled));
      assert.equal(settled.kind, 'timeout');
      assert.match(settled.message, /no answer within 30 s/);
      assert.equal(fresh().length, 1);
    });
  });
}
