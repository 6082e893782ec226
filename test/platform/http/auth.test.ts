/**
 * The shared access control of Kubernaut's services: 401 + WWW-Authenticate without a valid token,
 * 403 without the right, 503 when the credentials cannot be checked, probes open, each refusal in
 * the service's own error format.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpApp } from '../../../src/platform/http/app.ts';
import {
  addAccessControl,
  routedToPublicPath,
  staticTokenAuthenticator,
  type Authorizer,
  type HttpAuth,
} from '../../../src/platform/http/auth.ts';

const tokens = new Map([
  ['writer-token', { username: 'writer', groups: ['writers'] }],
  ['reader-token', { username: 'reader', groups: [] }],
]);
/** Writers may create, everyone authenticated may list. */
const authorize: Authorizer = async (user, attrs) => ({ allowed: attrs.verb === 'list' || user.groups.includes('writers'), reason: 'test policy' });

async function appWith(auth: HttpAuth) {
  const { app } = createHttpApp({ name: 'test' });
  addAccessControl(app, {
    auth,
    access: (req) => {
      if (routedToPublicPath(req)) return 'public';
      const attrs = { verb: req.method === 'POST' ? 'create' : 'list', resource: 'things' };
      return attrs;
    },
  });
  app.post('/things', async (_req, reply) => reply.code(201).send({ created: true }));
  app.get('/things', async () => ({ items: [] }));
  await app.ready();
  return app;
}

const call = (app: Awaited<ReturnType<typeof appWith>>, method: 'GET' | 'POST', url: string, token?: string) =>
  app.inject({ method, url, headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, payload: method === 'POST' ? '{}' : undefined });

test('no token or an unknown one is 401 with WWW-Authenticate, as an RFC 7807 problem', async () => {
  const app = await appWith({ authenticate: staticTokenAuthenticator(tokens), authorize });
  for (const token of [undefined, 'forged']) {
    const res = await call(app, 'POST', '/things', token);
    assert.equal(res.statusCode, 401);
    assert.equal(res.headers['www-authenticate'], 'Bearer');
    assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
    assert.equal(res.json().title, 'Unauthorized');
  }
  // A malformed Authorization header is no token either.
  assert.equal((await app.inject({ method: 'GET', url: '/things', headers: { authorization: 'Basic d3JpdGVyOng=' } })).statusCode, 401);
});

test('a valid token without the right is 403 naming the verb, resource and group', async () => {
  const app = await appWith({ authenticate: staticTokenAuthenticator(tokens), authorize });
  const res = await call(app, 'POST', '/things', 'reader-token');
  assert.equal(res.statusCode, 403);
  assert.equal(res.json().title, 'Forbidden');
  assert.match(res.json().detail, /user "reader" cannot create resource "things" in API group "kubernaut.ai"/);
  assert.equal((await call(app, 'GET', '/things', 'reader-token')).statusCode, 200);
  assert.equal((await call(app, 'POST', '/things', 'writer-token')).statusCode, 201);
});

test('probes and metrics stay open; a path that only looks like a probe does not', async () => {
  const app = await appWith({ authenticate: staticTokenAuthenticator(tokens), authorize });
  for (const url of ['/healthz', '/readyz', '/metrics']) assert.equal((await call(app, 'GET', url)).statusCode, 200, url);
  assert.equal((await call(app, 'GET', '/healthz/../things')).statusCode, 401);
  assert.equal((await call(app, 'GET', '/no-such-route')).statusCode, 401);
});

test('credentials that cannot be checked (TokenReview or SubjectAccessReview failing) are a retryable 503', async () => {
  const down = async () => {
    throw new Error('connect ECONNREFUSED');
  };
  const authnDown = await appWith({ authenticate: down, authorize });
  const res = await call(authnDown, 'POST', '/things', 'writer-token');
  assert.equal(res.statusCode, 503);
  assert.equal(res.headers['retry-after'], '1');
  const authzDown = await appWith({ authenticate: staticTokenAuthenticator(tokens), authorize: down });
  assert.equal((await call(authzDown, 'POST', '/things', 'writer-token')).statusCode, 503);
});
