/**
 * The console in a real headless Chromium (Debian's chromium driven by playwright-core), against
 * the reference scenario run as a person runs it: `kubernaut demo statefulset-pvc-failure
 * --interactive --keep`. The person signs in with the link `up` printed, reaches Approve with the
 * keyboard alone, approves by clicking, and watches the remediation's page (opened before, never
 * reloaded) show each stage until Completed / Remediated. On the same stack: an alert whose
 * annotation is an HTML payload renders as text, and a second incident rejected from the console ends
 * its RemediationRequest Failed (ApprovalRejected), as crds.md says.
 *
 * With KUBERNAUT_SCREENSHOTS=<dir> the screenshots of the main pages land there (the README's come
 * from `KUBERNAUT_SCREENSHOTS=docs/screenshots`); otherwise in a temporary folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { Page } from 'playwright-core';
import { isTerminalRemediationPhase } from '../../src/api/v1alpha1/index.ts';
import { eventually, ROOT } from '../helpers/kubernaut-process.ts';
import { launchBrowser, noBrowser, type TestBrowser } from '../helpers/browser.ts';

const NS = 'demo-statefulset';
const SCENARIO = join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure');
const HOSTILE = '<img src=x onerror=alert(1)>';
/** Generous: CI machines are busy. Every wait is for a state, never for a time. */
const STAGE_TIMEOUT_MS = 5 * 60_000;

interface Demo {
  output: () => string;
  exitCode: () => number | null;
  exited: Promise<number | null>;
  stop(): Promise<number | null>;
}

function startDemo(dataDir: string): Demo {
  // Scale 20 leaves 45 s of (scaled) approval deadline per request while keeping the run short.
  const child = spawn(process.execPath, ['bin/kubernaut.js', 'demo', 'statefulset-pvc-failure', '--interactive', '--keep', '--time-scale', '20', '--data-dir', dataDir], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, KUBERNAUT_LOG_LEVEL: 'warn' },
  });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return {
    output: () => out,
    exitCode: () => child.exitCode ?? (child.signalCode ? 128 : null),
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
      return exited;
    },
  };
}

function kubectl(kubeconfig: string, args: string[]): string {
  const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig, ...args], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(r.status, 0, `kubectl ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** The name of the RemediationApprovalRequest waiting for a decision in `ns`, if one is. */
function pendingApproval(kubeconfig: string, exclude: Set<string>): string | undefined {
  const list = JSON.parse(kubectl(kubeconfig, ['get', 'remediationapprovalrequests', '-n', NS, '-o', 'json']));
  return list.items.find((r: any) => !r.status?.decision && !exclude.has(r.metadata.name))?.metadata.name;
}

/** Pod kv-store-2: its uid and whether it is Ready; undefined while it does not exist. */
function replica2(kubeconfig: string): { uid: string; ready: boolean } | undefined {
  const r = spawnSync('kubectl', ['--kubeconfig', kubeconfig, 'get', 'pod', 'kv-store-2', '-n', NS, '-o', 'json'], { encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0) return undefined;
  const pod = JSON.parse(r.stdout);
  return { uid: pod.metadata.uid, ready: (pod.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True') };
}

/** Deletes kv-store-2, its claim and volume with the scenario's script; returns the uid of the pod it deleted. */
function inject(kubeconfig: string): string | undefined {
  const before = replica2(kubeconfig)?.uid;
  const r = spawnSync(join(SCENARIO, 'inject-pvc-issue.sh'), { env: { ...process.env, KUBECONFIG: kubeconfig }, encoding: 'utf8', timeout: 120_000 });
  assert.equal(r.status, 0, `inject-pvc-issue.sh: ${r.stdout}${r.stderr}`);
  return before;
}

/** Whether a RemediationRequest other than `done` is still going on in the scenario's namespace. */
function remediationUnderWay(kubeconfig: string, done: string): boolean {
  const rrs = JSON.parse(kubectl(kubeconfig, ['get', 'remediationrequests', '-n', NS, '-o', 'json'])).items;
  return rrs.some((r: any) => r.metadata.name !== done && !isTerminalRemediationPhase(r.status?.overallPhase));
}

async function screenshot(page: Page, dir: string, name: string): Promise<void> {
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: name === 'remediation' });
}

/** Presses Tab from the top of the page until the focus is on `testId` inside `within`; returns the presses. */
async function tabTo(page: Page, within: string, testId: string, max = 80): Promise<number> {
  await page.keyboard.press('Escape');
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  for (let n = 1; n <= max; n++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(
      ([w, id]) => {
        const el = document.activeElement as HTMLElement | null;
        return Boolean(el && el.dataset.testid === id && el.closest(w));
      },
      [within, testId] as const,
    );
    if (focused) return n;
  }
  throw new Error(`Tab never reached ${testId} in ${within}`);
}

test('the console: sign in, reach Approve by keyboard, approve by clicking, follow the timeline live to Remediated; hostile text stays text; reject ends the RR', { skip: noBrowser, timeout: 15 * 60_000 }, async () => {
  const workDir = mkdtempSync(join(tmpdir(), 'kubernaut-console-'));
  // The demo's data dir must be new or its own (it wipes it); the screenshots go beside it.
  const dataDir = join(workDir, 'demo');
  const shots = process.env.KUBERNAUT_SCREENSHOTS ? resolve(ROOT, process.env.KUBERNAUT_SCREENSHOTS) : join(workDir, 'screenshots');
  mkdirSync(shots, { recursive: true });
  const demo = startDemo(dataDir);
  let tb: TestBrowser | undefined;
  const dialogs: string[] = [];
  try {
    // The demo deploys, injects and waits for a person once the analysis asks for approval.
    // A demo that exits first ends the wait at once (with its output), instead of at the deadline.
    await eventually(() => {
      if (demo.exitCode() !== null) assert.fail(`the demo exited (${demo.exitCode()}) before asking:\n${demo.output()}`);
      return /approval needed/.test(demo.output());
    }, 'the demo to ask for an approval', STAGE_TIMEOUT_MS, 250);
    const endpoints = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8'));
    const kubeconfig = join(dataDir, 'kubeconfig');
    assert.ok(endpoints.console, `endpoints.json names the console:\n${JSON.stringify(endpoints)}`);
    assert.ok(endpoints.consoleSignIn, 'endpoints.json has the sign-in link');
    const rar = pendingApproval(kubeconfig, new Set());
    assert.ok(rar, 'an approval request is pending');
    const rr = rar.replace(/^rar-/, '');

    tb = await launchBrowser();
    const context = await tb.browser.newContext({ viewport: { width: 1280, height: 900 } });
    context.on('page', (p) => p.on('dialog', (d) => void (dialogs.push(d.message()), d.dismiss())));

    // Anyone may read on the embedded cluster: the list shows the remediation waiting for approval.
    const list = await context.newPage();
    await list.goto(endpoints.console);
    const row = list.locator(`[data-testid=remediation-row][data-name="${NS}/${rr}"]`);
    await row.waitFor({ timeout: STAGE_TIMEOUT_MS });
    await screenshot(list, shots, 'remediations');

    // The remediation's page, opened now and never reloaded: it must follow the pipeline by itself.
    const detail = await context.newPage();
    await detail.goto(`${endpoints.console}/remediations/${NS}/${rr}`);
    await detail.locator('[data-testid=rr-phase]').waitFor();
    await detail.evaluate(() => ((window as any).__notReloaded = true));
    assert.match(await detail.locator('[data-testid=rr-phase]').innerText(), /AwaitingApproval/);

    // Sign in with the link `up` printed; it lands on the approvals.
    const approvals = await context.newPage();
    await approvals.goto(endpoints.consoleSignIn);
    await approvals.waitForURL(/\/approvals$/, { timeout: 30_000 });
    assert.doesNotMatch(approvals.url(), /token=/, 'the token does not stay in the address bar');
    const card = `[data-testid=approval-card][data-name="${NS}/${rar}"]`;
    await approvals.locator(`${card} [data-testid=approve-button]`).waitFor();
    assert.match(await approvals.locator(`${card} [data-testid=countdown]`).innerText(), /\d+:\d\d/);
    // Keyboard only: Tab from the top of the page reaches this request's Approve button.
    const presses = await tabTo(approvals, card, 'approve-button');
    assert.ok(presses > 0);
    await screenshot(approvals, shots, 'approvals');
    // The person types a message and clicks Approve.
    await approvals.locator(`${card} [data-testid=decision-message]`).fill('claim gone, recreate it');
    await approvals.locator(`${card} [data-testid=approve-button]`).click();

    const approved = await eventually(() => {
      const obj = JSON.parse(kubectl(kubeconfig, ['get', 'remediationapprovalrequest', rar, '-n', NS, '-o', 'json']));
      return obj.status?.decision ? obj : undefined;
    }, 'the decision to reach the cluster', 60_000, 250);
    assert.equal(approved.status.decision, 'Approved');
    assert.equal(approved.status.decisionMessage, 'claim gone, recreate it');
    assert.ok(approved.status.decidedBy && approved.status.decidedBy !== 'system:anonymous', `decided by the signed-in user: ${approved.status.decidedBy}`);

    // Each later stage appears on the open page, without a reload, until Completed / Remediated.
    for (const kind of ['WorkflowExecution', 'EffectivenessAssessment']) {
      await detail.locator(`[data-testid=timeline-entry][data-kind=${kind}]`).waitFor({ timeout: STAGE_TIMEOUT_MS });
    }
    await detail.waitForFunction(
      () => document.querySelector('[data-testid=rr-phase]')?.textContent?.includes('Completed') && document.querySelector('[data-testid=rr-outcome]')?.textContent?.includes('Remediated'),
      undefined,
      { timeout: STAGE_TIMEOUT_MS },
    );
    assert.equal(await detail.evaluate(() => (window as any).__notReloaded), true, 'the page was never reloaded');
    await detail.locator('[data-testid=chain-status]').filter({ hasText: /verif/i }).waitFor({ timeout: 60_000 });
    await screenshot(detail, shots, 'remediation');
    await eventually(() => /PASSED: every criterion holds/.test(demo.output()), 'the demo to pass its checks', STAGE_TIMEOUT_MS, 250);

    // A signal's annotation is untrusted: an HTML payload is shown as the text it is.
    kubectl(kubeconfig, ['create', 'namespace', 'console-xss']);
    kubectl(kubeconfig, ['label', 'namespace', 'console-xss', 'kubernaut.ai/managed=true']);
    kubectl(kubeconfig, ['create', 'deployment', 'web', '-n', 'console-xss', '--image=nginx:1.27']);
    const sent = await fetch(`${endpoints.gateway}/api/v1/signals/prometheus`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        version: '4',
        status: 'firing',
        receiver: 'kubernaut',
        groupLabels: {},
        commonLabels: {},
        commonAnnotations: {},
        externalURL: 'http://alertmanager',
        alerts: [{ status: 'firing', labels: { alertname: 'ConsoleHostileAnnotation', severity: 'warning', namespace: 'console-xss', deployment: 'web' }, annotations: { description: HOSTILE }, startsAt: new Date().toISOString(), endsAt: '0001-01-01T00:00:00Z' }],
      }),
    });
    assert.ok(sent.ok, `the Gateway took the alert: ${sent.status} ${await sent.text()}`);
    const hostileRr = await eventually(() => {
      const rrs = JSON.parse(kubectl(kubeconfig, ['get', 'remediationrequests', '-n', 'console-xss', '-o', 'json'])).items;
      return rrs[0]?.metadata.name as string | undefined;
    }, 'the Gateway to create the RR of the hostile alert', 60_000);
    const xss = await context.newPage();
    await xss.goto(`${endpoints.console}/remediations/console-xss/${hostileRr}`);
    const annotation = xss.locator('[data-testid=signal-annotation][data-key=description]');
    await annotation.waitFor();
    assert.equal((await annotation.innerText()).trim(), HOSTILE);
    assert.equal(await xss.locator('main img').count(), 0, 'no <img> element was created from the annotation');

    // A second incident, rejected from the console: its RR ends Failed, ApprovalRejected.
    // The fault is a race (see the demo's inject): should kv-store-2 come up Ready again, inject again.
    let injectedOver = inject(kubeconfig);
    const rar2 = await eventually(() => {
      const found = pendingApproval(kubeconfig, new Set([rar]));
      if (found) return found;
      const pod = replica2(kubeconfig);
      if (pod && pod.uid !== injectedOver && pod.ready && !remediationUnderWay(kubeconfig, rr)) injectedOver = inject(kubeconfig);
      return undefined;
    }, 'a second approval request', STAGE_TIMEOUT_MS, 500);
    const rr2 = rar2.replace(/^rar-/, '');
    const card2 = `[data-testid=approval-card][data-name="${NS}/${rar2}"]`;
    await approvals.locator(`${card2} [data-testid=reject-button]`).waitFor({ timeout: 60_000 });
    await approvals.locator(`${card2} [data-testid=decision-message]`).fill('not now: maintenance window');
    await approvals.locator(`${card2} [data-testid=reject-button]`).click();
    const failed = await eventually(() => {
      const obj = JSON.parse(kubectl(kubeconfig, ['get', 'remediationrequest', rr2, '-n', NS, '-o', 'json']));
      return obj.status?.overallPhase === 'Failed' ? obj : undefined;
    }, 'the rejected RR to fail', STAGE_TIMEOUT_MS, 250);
    assert.equal(failed.status.failurePhase, 'AwaitingApproval');
    assert.equal(failed.status.failureReason, 'ApprovalRejected');
    // Decided is final: the console refuses a second decision with the reason.
    const again = await approvals.evaluate(async ([ns, name]) => {
      const session = await (await fetch('/api/session')).json();
      const res = await fetch(`/api/approvals/${ns}/${name}/decision`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken }, body: JSON.stringify({ decision: 'Approved' }) });
      return { status: res.status, body: await res.text() };
    }, [NS, rar2] as const);
    assert.equal(again.status, 409, again.body);
    assert.match(again.body, /already decided: Rejected/);
    await screenshot(approvals, shots, 'approvals-decided');
    // The catalog lists the reference workflow; the alerts page has loaded what the alerting says.
    const catalog = await context.newPage();
    await catalog.goto(`${endpoints.console}/catalog`);
    await catalog.locator('main').getByText('fix-statefulset-pvc-v1').first().waitFor({ timeout: 60_000 });
    await screenshot(catalog, shots, 'catalog');
    const alerts = await context.newPage();
    await alerts.goto(`${endpoints.console}/alerts`);
    await alerts.locator('main h1').waitFor();
    await alerts.waitForFunction(() => !/Loading/.test(document.querySelector('main')?.textContent ?? ''), undefined, { timeout: 60_000 });
    await screenshot(alerts, shots, 'alerts');
    assert.deepEqual(dialogs, [], 'no script ran a dialog');
  } finally {
    await tb?.close();
    const code = await demo.stop();
    if (!process.env.KUBERNAUT_KEEP_TEST_DIR) rmSync(workDir, { recursive: true, force: true });
    void code;
  }
});
