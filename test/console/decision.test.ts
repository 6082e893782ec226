/**
 * Approve / Reject from the console over HTTP, against a real (embedded) API server with RBAC and
 * the console's own least-privilege ServiceAccount: only a user RBAC lets update the request's
 * status may decide (kubernaut-approver), with the CSRF token and from the console's own origin;
 * the decision lands in the RemediationApprovalRequest's status with decidedBy = that user; a
 * decided or expired request is refused with 409. Every refusal leaves the status untouched.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { cookieOf, OTHER, startAuthWorld, TEAM, type AuthWorld, type TestApp } from './auth-fixture.ts';

let world: AuthWorld;
let app: TestApp;
/** The approver's session: cookie and CSRF token. */
let approver: { cookie: string; csrf: string };
let viewer: { cookie: string; csrf: string };

before(async () => {
  world = await startAuthWorld();
  app = await world.startApp();
  const signIn = async (token: string) => {
    const r = await app.call('POST', '/api/session', { json: { token }, headers: { origin: app.url } });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return { cookie: cookieOf(r), csrf: r.body.csrfToken as string };
  };
  approver = await signIn(world.people.approver);
  viewer = await signIn(world.people.viewer);
  for (const rr of ['approve-me', 'reject-me', 'refusals']) await world.createRar(TEAM, rr);
  await world.createRar(TEAM, 'too-late', new Date(Date.now() - 60_000));
  await world.createRar(OTHER, 'elsewhere');
});
after(async () => {
  await world?.close();
});

function decide(ns: string, name: string, as: { cookie: string; csrf?: string } | undefined, body: unknown, extra: Record<string, string> = {}) {
  const headers: Record<string, string> = { origin: app.url, 'sec-fetch-site': 'same-origin', ...extra };
  if (as) headers.cookie = as.cookie;
  if (as?.csrf) headers['x-csrf-token'] = as.csrf;
  return app.call('POST', `/api/approvals/${ns}/${name}/decision`, { json: body, headers });
}

async function assertUndecided(ns: string, name: string): Promise<void> {
  const rar = await world.rar(ns, name);
  assert.equal(rar.status?.decision, undefined, `${ns}/${name} stays undecided: ${JSON.stringify(rar.status)}`);
  assert.equal(rar.status?.decidedBy, undefined);
}

test('without the CSRF token, with a wrong one, or from another origin: 403 and nothing changes', async () => {
  const body = { decision: 'Approved' };
  const missing = await decide(TEAM, 'rar-refusals', { cookie: approver.cookie }, body);
  assert.equal(missing.status, 403);
  assert.match(missing.body.detail, /cross-site request refused/);
  assert.equal((await decide(TEAM, 'rar-refusals', { cookie: approver.cookie, csrf: viewer.csrf }, body)).status, 403, "another session's token");
  assert.equal((await decide(TEAM, 'rar-refusals', approver, body, { origin: 'https://evil.example' })).status, 403);
  assert.equal((await decide(TEAM, 'rar-refusals', approver, body, { 'sec-fetch-site': 'cross-site' })).status, 403);
  await assertUndecided(TEAM, 'rar-refusals');
});

test('nobody anonymous decides, not even where anonymous reads are on', async () => {
  const open = await world.startApp({ anonymousRead: true });
  const r = await open.call('POST', `/api/approvals/${TEAM}/rar-refusals/decision`, { json: { decision: 'Approved' }, headers: { origin: open.url } });
  assert.equal(r.status, 401);
  assert.equal(r.headers['www-authenticate'], 'Bearer');
  await assertUndecided(TEAM, 'rar-refusals');
});

test('a viewer (kubernaut-viewer) may read but not decide: the SubjectAccessReview says no, 403', async () => {
  assert.equal((await app.call('GET', '/api/remediations', { headers: { cookie: viewer.cookie } })).status, 200);
  const r = await decide(TEAM, 'rar-refusals', viewer, { decision: 'Approved' });
  assert.equal(r.status, 403);
  assert.match(r.body.detail, /cannot update resource "remediationapprovalrequests\/status" "rar-refusals" in namespace "team".*kubernaut-approver/);
  // The approver's RoleBinding is for its namespace only.
  assert.equal((await decide(OTHER, 'rar-elsewhere', approver, { decision: 'Approved' })).status, 403);
  await assertUndecided(TEAM, 'rar-refusals');
  await assertUndecided(OTHER, 'rar-elsewhere');
});

test('bad requests are refused before anything is written', async () => {
  for (const body of [{ decision: 'Maybe' }, { decision: 'Approved', message: 'x'.repeat(1001) }, { decision: 'Approved', decidedBy: 'someone-else' }, {}]) {
    const r = await decide(TEAM, 'rar-refusals', approver, body);
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
    assert.ok(Array.isArray(r.body.errors));
  }
  assert.equal((await decide(TEAM, 'RAR_Bad', approver, { decision: 'Approved' })).status, 400);
  assert.equal((await decide(TEAM, 'rar-missing', approver, { decision: 'Approved' })).status, 404);
  await assertUndecided(TEAM, 'rar-refusals');
});

test('the approver approves: the decision is in the status with decidedBy = the signed-in user; a second decision is 409', async () => {
  const r = await decide(TEAM, 'rar-approve-me', approver, { decision: 'Approved', message: 'claim gone, recreate it' });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.name, 'rar-approve-me');
  assert.equal(r.body.namespace, TEAM);
  assert.equal(r.body.remediation, 'approve-me');
  assert.equal(r.body.decision, 'Approved');
  assert.equal(r.body.decidedBy, world.usernames.approver);
  assert.equal(r.body.decisionMessage, 'claim gone, recreate it');
  assert.equal(r.body.open, false);
  assert.equal(r.body.workflow.workflowId, 'fix-statefulset-pvc-v1');
  const rar = await world.rar(TEAM, 'rar-approve-me');
  assert.equal(rar.status?.decision, 'Approved');
  assert.equal(rar.status?.decidedBy, 'system:serviceaccount:team:approver');
  assert.equal(rar.status?.decisionMessage, 'claim gone, recreate it');

  const again = await decide(TEAM, 'rar-approve-me', approver, { decision: 'Rejected' });
  assert.equal(again.status, 409);
  assert.match(again.body.detail, /already decided: Approved by system:serviceaccount:team:approver/);
  assert.equal((await world.rar(TEAM, 'rar-approve-me')).status?.decision, 'Approved');
});

test('an expired request cannot be decided: 409', async () => {
  const r = await decide(TEAM, 'rar-too-late', approver, { decision: 'Approved' });
  assert.equal(r.status, 409);
  assert.match(r.body.detail, /expired at .*; it can no longer be approved or rejected/);
  await assertUndecided(TEAM, 'rar-too-late');
});

test('a script rejects with a bearer token and its CSRF token from /api/session', async () => {
  const authorization = `Bearer ${world.people.approver}`;
  const session = await app.call('GET', '/api/session', { headers: { authorization } });
  assert.equal(session.body.user.username, world.usernames.approver);
  const withoutCsrf = await app.call('POST', `/api/approvals/${TEAM}/rar-reject-me/decision`, { json: { decision: 'Rejected' }, headers: { authorization } });
  assert.equal(withoutCsrf.status, 403);
  const r = await app.call('POST', `/api/approvals/${TEAM}/rar-reject-me/decision`, { json: { decision: 'Rejected', message: 'not now: maintenance window' }, headers: { authorization, 'x-csrf-token': session.body.csrfToken } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.decision, 'Rejected');
  const rar = await world.rar(TEAM, 'rar-reject-me');
  assert.equal(rar.status?.decision, 'Rejected');
  assert.equal(rar.status?.decidedBy, world.usernames.approver);
});
