/**
 * The console's authentication over HTTP, against a real (embedded) API server with RBAC: sign-in
 * with a ServiceAccount token checked by TokenReview, the session cookie's flags, reads guarded by
 * a SubjectAccessReview (or open in anonymous read-only mode), bearer tokens per request, sign-out
 * with the CSRF token, cross-site refusals, the sign-in rate limit, and failing closed when the
 * cluster cannot be asked.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { KubeConfig } from '@kubernetes/client-node';
import { cookieOf, startAuthWorld, startTestApp, type AuthWorld, type TestApp } from './auth-fixture.ts';

let world: AuthWorld;
/** Signed-in reads need RBAC; the cookie is Secure. */
let strict: TestApp;

before(async () => {
  world = await startAuthWorld();
  // A generous sign-in budget: every test here signs in from 127.0.0.1 (the limit has its own test).
  strict = await world.startApp({ limits: { signInBurst: 100 } });
});
after(async () => {
  await world?.close();
});

/** What a browser adds to a request of the page to its own server. */
const sameOrigin = (app: TestApp) => ({ origin: app.url, 'sec-fetch-site': 'same-origin' });

async function signIn(app: TestApp, token: string) {
  return app.call('POST', '/api/session', { json: { token }, headers: sameOrigin(app) });
}

test('without anonymous reads, /api needs a user: 401 with WWW-Authenticate: Bearer, as a problem document', async () => {
  const r = await strict.call('GET', '/api/remediations');
  assert.equal(r.status, 401);
  assert.equal(r.headers['www-authenticate'], 'Bearer');
  assert.match(r.headers['content-type'] ?? '', /^application\/problem\+json/);
  assert.equal(r.body.status, 401);
  // The session view itself stays readable: the page needs it to offer the sign-in.
  const view = await strict.call('GET', '/api/session');
  assert.equal(view.status, 200);
  assert.deepEqual(view.body, { anonymousRead: false });
  // A percent-encoded path reaches the same route and the same guard; so does an unknown /api path.
  assert.equal((await strict.call('GET', '/%61pi/remediations')).status, 401);
  assert.equal((await strict.call('GET', '/api/nothing-here')).status, 401);
  // Outside /api the guard does not apply (probes).
  assert.equal((await strict.call('GET', '/healthz')).status, 200);
});

test('anonymous read-only mode: reads are open, the session says so, and nobody anonymous changes anything', async () => {
  const open = await world.startApp({ anonymousRead: true });
  assert.equal((await open.call('GET', '/api/remediations')).status, 200);
  assert.deepEqual((await open.call('GET', '/api/session')).body, { anonymousRead: true });
  const signOut = await open.call('DELETE', '/api/session', { headers: { origin: open.url } });
  assert.equal(signOut.status, 401);
  // A bearer token that is not valid is refused even where anonymous reads are allowed.
  assert.equal((await open.call('GET', '/api/remediations', { headers: { authorization: 'Bearer not-a-token' } })).status, 401);
});

test('sign-in with a valid token: a server-side session behind an HttpOnly, SameSite=Strict, Secure cookie, and a CSRF token', async () => {
  const r = await signIn(strict, world.people.viewer);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.user.username, world.usernames.viewer);
  assert.ok(r.body.user.groups.includes('system:serviceaccounts'));
  assert.equal(r.body.anonymousRead, false);
  assert.match(r.body.csrfToken, /^[\w-]{43}$/);
  const set = r.headers['set-cookie']![0];
  const [pair, ...attrs] = set.split(';').map((s) => s.trim());
  assert.match(pair, /^kubernaut_console=[0-9a-f]{64}$/, 'a random 256-bit id, nothing else');
  assert.ok(!set.includes(world.people.viewer.slice(0, 20)), 'the token is not in the cookie');
  assert.deepEqual(attrs.sort(), ['HttpOnly', 'Path=/', 'SameSite=Strict', 'Secure']);
  assert.equal(r.headers['cache-control'], 'no-store');

  const cookie = cookieOf(r);
  assert.equal((await strict.call('GET', '/api/remediations', { headers: { cookie } })).status, 200);
  const view = await strict.call('GET', '/api/session', { headers: { cookie } });
  assert.deepEqual(view.body, r.body);
  // A made-up or altered session id is nobody.
  assert.equal((await strict.call('GET', '/api/remediations', { headers: { cookie: `kubernaut_console=${'0'.repeat(64)}` } })).status, 401);

  // Without TLS in front, the cookie is not marked Secure.
  const plain = await world.startApp({ secureCookies: false });
  const p = await signIn(plain, world.people.viewer);
  assert.equal(p.status, 200);
  assert.ok(!/Secure/.test(p.headers['set-cookie']![0]));
});

test('sign-in refuses bad tokens and bad bodies with a problem, and sets no cookie', async () => {
  const bad = await signIn(strict, 'eyJhbGciOiJSUzI1NiJ9.e30.c2lnbmF0dXJl');
  assert.equal(bad.status, 401);
  assert.equal(bad.headers['set-cookie'], undefined);
  assert.match(bad.body.detail, /not valid/);
  assert.equal((await signIn(strict, 'x'.repeat(16 * 1024 + 1))).status, 400);
  assert.equal((await strict.call('POST', '/api/session', { json: { token: 'a', admin: true }, headers: { origin: strict.url } })).status, 400);
  assert.equal((await strict.call('POST', '/api/session', { json: {}, headers: { origin: strict.url } })).status, 400);
  const form = await strict.call('POST', '/api/session', { raw: 'token=abc', headers: { 'content-type': 'application/x-www-form-urlencoded', origin: strict.url } });
  assert.equal(form.status, 415, 'a cross-site form cannot sign anyone in');
  assert.equal((await strict.call('POST', '/api/session', { raw: JSON.stringify({ token: 'y'.repeat(64 * 1024) }), headers: { 'content-type': 'application/json', origin: strict.url } })).status, 413);
});

test('a signed-in user without the right to list remediations is refused reads with 403', async () => {
  const r = await signIn(strict, world.people.outsider);
  assert.equal(r.status, 200, 'signing in only says who you are');
  const read = await strict.call('GET', '/api/remediations', { headers: { cookie: cookieOf(r) } });
  assert.equal(read.status, 403);
  assert.match(read.body.detail, /cannot list resource "remediationrequests"/);
});

test('Authorization: Bearer works per request (scripts, auth proxies), with its own CSRF token', async () => {
  const authorization = `Bearer ${world.people.viewer}`;
  assert.equal((await strict.call('GET', '/api/remediations', { headers: { authorization } })).status, 200);
  const view = await strict.call('GET', '/api/session', { headers: { authorization } });
  assert.equal(view.body.user.username, world.usernames.viewer);
  assert.match(view.body.csrfToken, /^[\w-]{43}$/);
  assert.equal((await strict.call('GET', '/api/remediations', { headers: { authorization: `Bearer ${world.people.outsider}` } })).status, 403);
  const wrong = await strict.call('GET', '/api/remediations', { headers: { authorization: 'Bearer nope' } });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.headers['www-authenticate'], 'Bearer');
  assert.equal((await strict.call('GET', '/api/remediations', { headers: { authorization: 'Basic dXNlcjpwYXNz' } })).status, 401);
});

test('sign-out needs the CSRF token; afterwards the cookie is worth nothing', async () => {
  const r = await signIn(strict, world.people.viewer);
  const cookie = cookieOf(r);
  const noToken = await strict.call('DELETE', '/api/session', { headers: { cookie, origin: strict.url } });
  assert.equal(noToken.status, 403);
  assert.match(noToken.body.detail, /cross-site request refused/);
  const wrongToken = await strict.call('DELETE', '/api/session', { headers: { cookie, 'x-csrf-token': `${r.body.csrfToken.slice(0, -1)}A` } });
  assert.equal(wrongToken.status, 403);
  assert.equal((await strict.call('GET', '/api/remediations', { headers: { cookie } })).status, 200, 'the session survived the refused requests');

  const out = await strict.call('DELETE', '/api/session', { headers: { cookie, 'x-csrf-token': r.body.csrfToken, origin: strict.url } });
  assert.equal(out.status, 200);
  assert.deepEqual(out.body, { anonymousRead: false });
  assert.match(out.headers['set-cookie']![0], /^kubernaut_console=; .*Max-Age=0/);
  assert.equal((await strict.call('GET', '/api/remediations', { headers: { cookie } })).status, 401);
});

test('requests from another site are refused: a foreign Origin, Sec-Fetch-Site cross-site', async () => {
  const foreign = await strict.call('POST', '/api/session', { json: { token: world.people.viewer }, headers: { origin: 'https://evil.example' } });
  assert.equal(foreign.status, 403);
  assert.match(foreign.body.detail, /cross-site request refused/);
  const crossSite = await strict.call('POST', '/api/session', { json: { token: world.people.viewer }, headers: { 'sec-fetch-site': 'cross-site' } });
  assert.equal(crossSite.status, 403);
  assert.equal((await strict.call('POST', '/api/session', { json: { token: world.people.viewer }, headers: { origin: 'null' } })).status, 403);
  // Same host, other port: another origin.
  assert.equal((await strict.call('POST', '/api/session', { json: { token: world.people.viewer }, headers: { origin: 'http://127.0.0.1:1' } })).status, 403);

  const r = await signIn(strict, world.people.viewer);
  const headers = { cookie: cookieOf(r), 'x-csrf-token': r.body.csrfToken };
  assert.equal((await strict.call('DELETE', '/api/session', { headers: { ...headers, origin: 'https://evil.example' } })).status, 403);
  assert.equal((await strict.call('DELETE', '/api/session', { headers: { ...headers, 'sec-fetch-site': 'same-site' } })).status, 403);
  assert.equal((await strict.call('DELETE', '/api/session', { headers: { ...headers, ...sameOrigin(strict) } })).status, 200);
});

test('sign-in attempts are rate-limited per client address (429 with Retry-After), and so are guessed bearer tokens', async () => {
  const app = await world.startApp({ limits: { signInBurst: 3, signInRefillMs: 10 * 60_000 } });
  for (let i = 0; i < 3; i++) assert.equal((await signIn(app, `wrong-${i}`)).status, 401);
  const limited = await signIn(app, world.people.viewer);
  assert.equal(limited.status, 429, 'even a good token waits for the bucket');
  assert.ok(Number(limited.headers['retry-after']) > 0);
  assert.equal(limited.body.status, 429);
  assert.equal((await app.call('GET', '/api/remediations', { headers: { authorization: 'Bearer guess' } })).status, 429);

  const bearerApp = await world.startApp({ limits: { signInBurst: 2, signInRefillMs: 10 * 60_000 } });
  const authorization = `Bearer ${world.people.viewer}`;
  for (let i = 0; i < 5; i++) assert.equal((await bearerApp.call('GET', '/api/remediations', { headers: { authorization } })).status, 200, 'valid tokens cost nothing');
  for (let i = 0; i < 2; i++) assert.equal((await bearerApp.call('GET', '/api/remediations', { headers: { authorization: `Bearer guess-${i}` } })).status, 401);
  assert.equal((await bearerApp.call('GET', '/api/remediations', { headers: { authorization: 'Bearer guess-3' } })).status, 429);
});

test('static tokens (mode static): known users sign in and read without asking any cluster', async () => {
  const app = await startTestApp(world.consoleKc, { kc: undefined, mode: 'static', staticTokens: new Map([['s3cret-token', { username: 'alice', groups: ['ops'] }]]) });
  try {
    const r = await signIn(app, 's3cret-token');
    assert.equal(r.status, 200);
    assert.deepEqual(r.body.user, { username: 'alice', groups: ['ops'] });
    assert.equal((await app.call('GET', '/api/remediations', { headers: { cookie: cookieOf(r) } })).status, 200);
    assert.equal((await signIn(app, 's3cret-tokeN')).status, 401);
  } finally {
    await app.close();
  }
});

test('fail closed: when the cluster cannot be asked, 503 with Retry-After, never a pass', async () => {
  const unreachable = new KubeConfig();
  unreachable.loadFromOptions({
    clusters: [{ name: 'gone', server: 'https://127.0.0.1:1', skipTLSVerify: true }],
    users: [{ name: 'u', token: 't' }],
    contexts: [{ name: 'c', cluster: 'gone', user: 'u' }],
    currentContext: 'c',
  });
  const app = await startTestApp(unreachable, {});
  try {
    const r = await signIn(app, world.people.viewer);
    assert.equal(r.status, 503);
    assert.equal(r.headers['retry-after'], '1');
    assert.equal((await app.call('GET', '/api/remediations', { headers: { authorization: `Bearer ${world.people.viewer}` } })).status, 503);
  } finally {
    await app.close();
  }
});
