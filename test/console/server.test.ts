/**
 * The console's server over real HTTP, as `kubernaut up` serves it (its controllers off, so the
 * objects stay as the test writes them with kubectl): the printed lines and endpoints.json, the
 * page and its assets with their security headers, the JSON views and their filters, the live
 * event stream after a `kubectl patch`, the cap on streams, a decision by the user `up` made a
 * sign-in link for, and `kubernaut console` run alone, where everyone signs in.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join } from 'node:path';
import { eventually, freePort, ROOT, startKubernaut, startService, type RunningKubernaut } from '../helpers/kubernaut-process.ts';
import { createRR, patchStatus } from '../helpers/remediation.ts';
import type { ApprovalList, CatalogView, ConsoleEvent, RemediationDetail, RemediationList } from '../../src/console/api-types.ts';

const NS = 'console-http';
const HOSTILE = '<img src=x onerror=alert(1)>';
const BUILT = existsSync(join(ROOT, 'dist/console/web/assets/app.js'));

let k: RunningKubernaut;
let endpoints: Record<string, any>;
let consoleUrl: string;
let waiting: string;
let done: string;

before(async () => {
  k = await startKubernaut({ args: ['--no-controllers', '--no-investigator'] });
  endpoints = JSON.parse(readFileSync(join(k.dataDir, 'endpoints.json'), 'utf8'));
  consoleUrl = endpoints.console;
  k.kubectlOk(['create', 'namespace', NS]);
  const target = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: NS };
  waiting = createRR(k, { target });
  done = createRR(k, { target: { ...target, kind: 'Deployment', name: 'web' } });
  patchStatus(k, 'remediationrequest', NS, waiting, { overallPhase: 'AwaitingApproval', deduplication: { occurrenceCount: 4, firstSeenAt: new Date().toISOString(), lastSeenAt: new Date().toISOString() } });
  patchStatus(k, 'remediationrequest', NS, done, { overallPhase: 'Completed', outcome: 'Remediated', completedAt: new Date().toISOString() });
  const ref = { name: waiting, namespace: NS };
  k.kubectlOk(['create', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'kubernaut.ai/v1alpha1',
      kind: 'AIAnalysis',
      metadata: { name: `ai-${waiting}`, namespace: NS },
      spec: { remediationRequestRef: ref, remediationId: waiting, analysisRequest: { signalContext: { fingerprint: 'f'.repeat(64), severity: 'critical', signalName: 'KubernautStatefulSetReplicasMismatch', targetResource: target } } },
    }),
  });
  patchStatus(k, 'aianalysis', NS, `ai-${waiting}`, { phase: 'Completed', rootCause: HOSTILE, confidence: 0.9 });
  k.kubectlOk(['create', '-f', '-'], {
    input: JSON.stringify({
      apiVersion: 'kubernaut.ai/v1alpha1',
      kind: 'RemediationApprovalRequest',
      metadata: { name: `rar-${waiting}`, namespace: NS },
      spec: {
        remediationRequestRef: ref,
        aiAnalysisRef: { name: `ai-${waiting}` },
        confidence: 0.9,
        targetResource: target,
        recommendedWorkflow: { workflowId: 'fix-statefulset-pvc-v1', version: '1.0.0' },
        requiredBy: new Date(Date.now() + 3600_000).toISOString(),
      },
    }),
  });
});

after(async () => {
  await k?.stop();
});

async function get(path: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(consoleUrl + path, { headers });
}

async function json<T>(path: string): Promise<T> {
  const res = await get(path);
  assert.equal(res.status, 200, `${path}: ${res.status} ${await res.clone().text()}`);
  return (await res.json()) as T;
}

test('up prints the console and its sign-in link, and records both in endpoints.json', () => {
  assert.match(consoleUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(endpoints.ready.console, true);
  assert.ok(endpoints.consoleSignIn.startsWith(`${consoleUrl}/sign-in#token=`));
  assert.ok(k.output().includes(`console: ${consoleUrl}`), k.output());
  assert.ok(k.output().includes(`  sign in to approve: ${endpoints.consoleSignIn}`));
  const cli = (args: string[]) => execFileSync(process.execPath, ['bin/kubernaut.js', ...args, '--data-dir', k.dataDir], { cwd: ROOT, encoding: 'utf8' }).trim();
  assert.equal(cli(['endpoints', 'console']), consoleUrl);
  assert.match(cli(['wait', '--for', 'console']), /^ready: .*console/);
});

test('the page, its assets and every answer carry the security headers; no path leaves the bundle', async () => {
  const secure = (res: Response) => {
    assert.match(res.headers.get('content-security-policy') ?? '', /default-src 'none'; script-src 'self'.*frame-ancestors 'none'/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
  };
  for (const path of ['/', `/remediations/${NS}/${waiting}`, '/approvals', '/sign-in']) {
    const page = await get(path);
    secure(page);
    if (BUILT) {
      assert.equal(page.status, 200, path);
      assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
      const html = await page.text();
      assert.match(html, /<div id="app"><\/div>/);
      assert.match(html, /<script type="module" src="\/assets\/app\.js"><\/script>/);
    } else {
      assert.equal(page.status, 503);
      assert.match(await page.text(), /console assets are not built: run npm run build/);
    }
  }
  if (BUILT) {
    const js = await get('/assets/app.js');
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /^text\/javascript/);
    assert.equal(js.headers.get('cache-control'), 'no-cache');
    secure(js);
    const etag = js.headers.get('etag')!;
    assert.equal((await get('/assets/app.js', { 'if-none-match': etag })).status, 304);
  }
  for (const path of ['/assets/..%2f..%2fpackage.json', '/assets/%2e%2e/%2e%2e/package.json', '/assets/../../package.json', '/assets/.env', '/assets/app.js%00.css', '/assets//etc/passwd']) {
    const res = await get(path);
    assert.equal(res.status, 404, path);
    assert.match(res.headers.get('content-type') ?? '', /application\/problem\+json/);
    secure(res);
  }
  for (const path of ['/api/nothing', '/nothing']) {
    const res = await get(path);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { title: string }).title, 'Not Found');
    secure(res);
  }
});

test('remediations: the list with its filters, one remediation in detail, approvals, catalog and alerts', async () => {
  const list = await eventually(async () => {
    const l = await json<RemediationList>(`/api/remediations?namespace=${NS}`);
    return l.items.length === 2 && l.items.some((r) => r.phase === 'AwaitingApproval') && l.items.some((r) => r.outcome === 'Remediated') ? l : undefined;
  }, 'both remediations in the list', 30_000);
  assert.ok(list.namespaces.includes(NS));
  assert.equal(list.items.find((r) => r.name === waiting)?.stage, 'awaiting approval');
  assert.equal(list.items.find((r) => r.name === waiting)?.awaitingApproval, true);
  const names = async (q: string) => (await json<RemediationList>(`/api/remediations?${q}`)).items.map((r) => r.name);
  assert.deepEqual(await names(`namespace=${NS}&phase=awaiting`), [waiting]);
  assert.deepEqual(await names(`namespace=${NS}&outcome=REMEDIATED`), [done]);
  assert.deepEqual(await names(`namespace=${NS}&target=deployment/web`), [done]);
  assert.deepEqual(await names('namespace=no-such-namespace'), []);
  const bad = await get('/api/remediations?limit=5');
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { detail: string }).detail, /limit unknown parameter/);

  const detail = await json<RemediationDetail>(`/api/remediations/${NS}/${waiting}`);
  assert.equal(detail.row.name, waiting);
  assert.equal(detail.signal.occurrences, 4);
  assert.equal(detail.analysis?.rootCause, HOSTILE);
  assert.equal(detail.approval?.open, true);
  assert.deepEqual(detail.timeline.map((e) => e.kind), ['RemediationRequest', 'AIAnalysis', 'RemediationApprovalRequest']);
  // DataStorage answered (these objects were written by hand: no audit trail of theirs).
  assert.deepEqual(detail.audit, { events: [] });
  assert.equal((await get(`/api/remediations/${NS}/rr-missing`)).status, 404);
  assert.equal((await get('/api/remediations/Not_A_Namespace/x')).status, 400);

  const approvals = await json<ApprovalList>('/api/approvals');
  assert.deepEqual(approvals.pending.map((a) => a.name), [`rar-${waiting}`]);

  const catalog = await json<CatalogView>('/api/catalog');
  assert.equal(catalog.error, undefined);
  const fix = catalog.workflows.find((w) => w.workflowId === 'fix-statefulset-pvc-v1');
  assert.ok(fix, JSON.stringify(catalog.workflows.map((w) => w.workflowId)));
  assert.ok(fix.parameters.some((p) => p.name === 'TARGET_STATEFULSET' && p.required));
  assert.deepEqual(fix.versions, [fix.version]);

  const alerts = await json<{ alerts: unknown[]; alertsPage?: string; error?: string }>('/api/alerts');
  assert.equal(alerts.error, undefined);
  assert.ok(Array.isArray(alerts.alerts));
  assert.equal(alerts.alertsPage, `${endpoints.prometheus}/alerts`);
});

/** An open `/api/events` stream: its `change` events as they arrive. */
async function openStream(): Promise<{ status: number; events: ConsoleEvent[]; text: () => string; close: () => void }> {
  const abort = new AbortController();
  const res = await fetch(`${consoleUrl}/api/events`, { signal: abort.signal });
  const events: ConsoleEvent[] = [];
  let text = '';
  if (res.status === 200) {
    void (async () => {
      const decoder = new TextDecoder();
      try {
        for await (const chunk of res.body!) {
          text += decoder.decode(chunk as Uint8Array, { stream: true });
          let end: number;
          while ((end = text.indexOf('\n\n')) >= 0) {
            const message = text.slice(0, end);
            text = text.slice(end + 2);
            const data = /^event: change\ndata: (.*)$/m.exec(message);
            if (data) events.push(JSON.parse(data[1]) as ConsoleEvent);
            else if (message.includes(': connected')) events.push({ type: 'ADDED', kind: 'RemediationRequest', namespace: '', name: ':connected' });
          }
        }
      } catch {
        // aborted
      }
    })();
  } else {
    text = await res.text();
  }
  return { status: res.status, events, text: () => text, close: () => abort.abort() };
}

test('/api/events delivers a change after a kubectl patch, naming the remediation it belongs to', async () => {
  const stream = await openStream();
  try {
    assert.equal(stream.status, 200);
    await eventually(() => stream.events.some((e) => e.name === ':connected'), 'the stream to open');
    patchStatus(k, 'remediationrequest', NS, done, { message: 'looked at by the console test' });
    const rrChange = await eventually(() => stream.events.find((e) => e.kind === 'RemediationRequest' && e.name === done), 'the RR change on the stream', 30_000);
    assert.deepEqual(rrChange, { type: 'MODIFIED', kind: 'RemediationRequest', namespace: NS, name: done, remediation: `${NS}/${done}` });
    patchStatus(k, 'aianalysis', NS, `ai-${waiting}`, { message: 'still thinking' });
    const aaChange = await eventually(() => stream.events.find((e) => e.kind === 'AIAnalysis'), 'the AIAnalysis change on the stream', 30_000);
    assert.equal(aaChange.remediation, `${NS}/${waiting}`);
  } finally {
    stream.close();
  }
});

test('event streams are capped per client; a closed one frees its place', async () => {
  const open = await eventually(async () => {
    // The previous test's stream may still be closing on the server.
    const streams = await Promise.all(Array.from({ length: 10 }, () => openStream()));
    if (streams.every((s) => s.status === 200)) return streams;
    for (const s of streams) s.close();
    return undefined;
  }, 'ten streams of one client');
  try {
    const refused = await openStream();
    assert.equal(refused.status, 503);
    assert.match(refused.text(), /too many open event streams from .* \(at most 10 per client\)/);
    open.pop()!.close();
    const again = await eventually(async () => {
      const s = await openStream();
      if (s.status === 200) return s;
      return undefined;
    }, 'a stream once one closed');
    again.close();
  } finally {
    for (const s of open) s.close();
  }
});

test('the local user signs in with the link up printed and decides as themself', async () => {
  const token = new URL(endpoints.consoleSignIn).hash.replace(/^#token=/, '');
  const signIn = await fetch(`${consoleUrl}/api/session`, { method: 'POST', headers: { 'content-type': 'application/json', origin: consoleUrl }, body: JSON.stringify({ token }) });
  assert.equal(signIn.status, 200);
  const session = (await signIn.json()) as { user: { username: string }; csrfToken: string };
  assert.equal(session.user.username, userInfo().username);
  const cookie = signIn.headers.get('set-cookie')!.split(';')[0];
  const decided = await fetch(`${consoleUrl}/api/approvals/${NS}/rar-${waiting}/decision`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: consoleUrl, cookie, 'x-csrf-token': session.csrfToken },
    body: JSON.stringify({ decision: 'Rejected', message: 'not now' }),
  });
  assert.equal(decided.status, 200, await decided.clone().text());
  const rar = JSON.parse(k.kubectlOk(['get', 'remediationapprovalrequest', `rar-${waiting}`, '-n', NS, '-o', 'json']));
  assert.deepEqual([rar.status.decision, rar.status.decidedBy, rar.status.decisionMessage], ['Rejected', userInfo().username, 'not now']);
  const approvals = await eventually(async () => {
    const a = await json<ApprovalList>('/api/approvals');
    return a.pending.length === 0 ? a : undefined;
  }, 'the decided request to leave the pending list');
  assert.equal(approvals.recent.find((a) => a.name === `rar-${waiting}`)?.decision, 'Rejected');
});

test('kubernaut console alone: nobody reads without signing in; an unreachable DataStorage or alerting is an error in the view, not a failed page', async () => {
  const tokenFile = join(k.dataDir, 'console-tokens.csv');
  writeFileSync(tokenFile, 'sre-secret-token,alice,alice-uid,sre\n');
  // A port nothing listens on: the connection is refused at once.
  const nowhere = `http://127.0.0.1:${await freePort()}`;
  const alone = await startService(
    ['console', '--kubeconfig', k.kubeconfig, '--datastorage-url', nowhere, '--alerting-url', nowhere, '--auth', 'static', '--token-file', tokenFile, '--port', '0'],
    /^console: (http:\/\/\S+)$/m,
  );
  try {
    const anonymous = await fetch(`${alone.url}/api/remediations`);
    assert.equal(anonymous.status, 401);
    const session = (await (await fetch(`${alone.url}/api/session`)).json()) as { anonymousRead: boolean };
    assert.equal(session.anonymousRead, false);
    const as = async <T>(path: string): Promise<T> => {
      const res = await fetch(`${alone.url}${path}`, { headers: { authorization: 'Bearer sre-secret-token' } });
      assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
      return (await res.json()) as T;
    };
    const list = await as<RemediationList>(`/api/remediations?namespace=${NS}`);
    assert.deepEqual(list.items.map((r) => r.name).sort(), [waiting, done].sort());
    const detail = await as<RemediationDetail>(`/api/remediations/${NS}/${waiting}`);
    assert.equal(detail.row.name, waiting);
    assert.match(detail.audit.error ?? '', /at DataStorage http:\/\/127\.0\.0\.1:\d+ failed: ECONNREFUSED/);
    assert.match((await as<CatalogView>('/api/catalog')).error ?? '', /ECONNREFUSED/);
    const alerts = await as<{ alerts: unknown[]; alertsPage?: string; error?: string }>('/api/alerts');
    assert.deepEqual(alerts.alerts, []);
    assert.match(alerts.error ?? '', /GET \/api\/v1\/alerts at http:\/\/127\.0\.0\.1:\d+ failed: ECONNREFUSED/);
    assert.equal(alerts.alertsPage, `${nowhere}/alerts`);
  } finally {
    assert.equal(await alone.stop(), 0);
  }
});
