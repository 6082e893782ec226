/**
 * The console's sessions over time, through HTTP with static tokens and a test clock: a session
 * ends after its idle time or its maximum age, the oldest goes when there are too many, and the
 * sign-in budget of an address refills.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { createHttpApp } from '../../src/platform/http/app.ts';
import { createConsoleAuth } from '../../src/console/auth/console-auth.ts';

const HOUR = 3600_000;
let now = Date.parse('2025-01-01T00:00:00Z');
let app: FastifyInstance;

before(async () => {
  app = createHttpApp({ name: 'console-sessions-test' }).app;
  createConsoleAuth({
    mode: 'static',
    staticTokens: new Map([['token-of-alice', { username: 'alice', groups: [] }]]),
    anonymousRead: false,
    secureCookies: false,
    limits: { sessionIdleMs: 8 * HOUR, sessionMaxAgeMs: 24 * HOUR, maxSessions: 3, signInBurst: 4, signInRefillMs: 60_000 },
    now: () => now,
  }).register(app);
  app.get('/api/remediations', async () => ({ items: [], namespaces: [] }));
  await app.ready();
});
after(() => app?.close());

async function signIn(): Promise<{ status: number; cookie: string }> {
  const r = await app.inject({ method: 'POST', url: '/api/session', payload: { token: 'token-of-alice' } });
  const set = r.headers['set-cookie'];
  return { status: r.statusCode, cookie: String(Array.isArray(set) ? set[0] : set ?? '').split(';')[0] };
}

const read = async (cookie: string) => (await app.inject({ method: 'GET', url: '/api/remediations', headers: { cookie } })).statusCode;

test('a session ends after 8 h without use, and 24 h after sign-in even when used', async () => {
  const idle = await signIn();
  assert.equal(await read(idle.cookie), 200);
  now += 8 * HOUR - 1000;
  assert.equal(await read(idle.cookie), 200, 'used just in time: the idle timer restarts');
  now += 8 * HOUR - 1000;
  assert.equal(await read(idle.cookie), 200);
  now += 8 * HOUR;
  assert.equal(await read(idle.cookie), 401, 'idle for 8 h');

  now += 60 * 60_000; // a new sign-in budget
  const busy = await signIn();
  for (let i = 0; i < 4; i++) {
    now += 6 * HOUR;
    assert.equal(await read(busy.cookie), i < 3 ? 200 : 401, `after ${(i + 1) * 6} h`);
  }
});

test('past the session limit the least recently used session goes first', async () => {
  now += 60 * 60_000;
  const [a, b, c] = [await signIn(), await signIn(), await signIn()];
  assert.equal(await read(a.cookie), 200, 'a is now the most recently used');
  const d = await signIn();
  assert.equal(d.status, 200);
  assert.equal(await read(b.cookie), 401, 'b was the least recently used');
  for (const s of [a, c, d]) assert.equal(await read(s.cookie), 200);
});

test('the sign-in budget of an address refills over time', async () => {
  now += 60 * 60_000;
  for (let i = 0; i < 4; i++) assert.equal((await signIn()).status, 200);
  const limited = await app.inject({ method: 'POST', url: '/api/session', payload: { token: 'token-of-alice' } });
  assert.equal(limited.statusCode, 429);
  assert.equal(limited.headers['retry-after'], '60');
  now += 60_000;
  assert.equal((await signIn()).status, 200);
  assert.equal((await signIn()).status, 429);
});
