/**
 * The console in a real headless Chromium: how long a status change in the cluster takes to show on
 * an open page (the remediations list and one remediation's page), and what the remediation page
 * weighs. The latency runs on a stack without remediation controllers, so the bench alone writes the
 * RemediationRequests' status: each change is a status update through the API server, and the time
 * is from just before that write to the moment the page's DOM shows the new phase (a MutationObserver
 * in the page records it). The weight is that of the reference scenario's remediation, after
 * `kubernaut demo --keep` ran it: every response the page loads (HTML, script, style, JSON), raw and
 * gzipped.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { CustomObjectsApi, KubeConfig } from '@kubernetes/client-node';
import { launchBrowser } from '../test/helpers/browser.ts';
import { ROOT, startStack } from './stack.ts';

const NS = 'bench-console';
const CHANGES = 60;
const PHASES = ['Processing', 'Analyzing', 'Executing', 'Verifying'];
const RR = { group: 'kubernaut.ai', version: 'v1alpha1', plural: 'remediationrequests' };

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function remediationRequest(name: string): Record<string, unknown> {
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'RemediationRequest',
    metadata: { name, namespace: NS },
    spec: {
      signalFingerprint: 'f'.repeat(64),
      signalName: 'BenchConsoleLatency',
      severity: 'warning',
      signalType: 'alert',
      signalSource: 'prometheus',
      targetType: 'kubernetes',
      targetResource: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: NS },
      receivedTime: new Date().toISOString(),
    },
  };
}

async function latency(): Promise<void> {
  const stack = await startStack(['--no-controllers', '--no-investigator', '--prometheus', 'none', '--kubelet-delays', '0']);
  const tb = await launchBrowser();
  try {
    const endpoints = JSON.parse(readFileSync(join(stack.dataDir, 'endpoints.json'), 'utf8'));
    const kc = new KubeConfig();
    kc.loadFromFile(join(stack.dataDir, 'kubeconfig'));
    const api = kc.makeApiClient(CustomObjectsApi);
    const { CoreV1Api } = await import('@kubernetes/client-node');
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: NS } } });
    // A list with some rows, as an on-call SRE's would be.
    for (let i = 0; i < 20; i++) await api.createNamespacedCustomObject({ ...RR, namespace: NS, body: remediationRequest(`rr-bench-${i}`) });
    const name = 'rr-bench-0';
    const page = await (await tb.browser.newContext()).newPage();
    for (const [label, path, selector] of [
      ['remediations list', '/', `[data-testid=remediation-row][data-name="${NS}/${name}"] [data-testid=rr-phase]`],
      ['remediation page', `/remediations/${NS}/${name}`, '[data-testid=rr-phase]'],
    ] as const) {
      await page.goto(endpoints.console + path);
      await page.locator(selector).waitFor();
      // The page records when the phase it shows changes (real ms, the same clock as ours).
      await page.evaluate((sel) => {
        const w = window as any;
        w.__seen = [];
        new MutationObserver(() => {
          const text = document.querySelector(sel)?.textContent ?? '';
          if (text !== w.__last) w.__seen.push({ text, at: Date.now() });
          w.__last = text;
        }).observe(document.body, { subtree: true, childList: true, characterData: true });
      }, selector);
      const samples: number[] = [];
      for (let i = 0; i < CHANGES; i++) {
        const phase = `${PHASES[i % PHASES.length]}`;
        const message = `bench change ${label} ${i}`;
        const current = (await api.getNamespacedCustomObject({ ...RR, namespace: NS, name })) as any;
        const before = Date.now();
        await api.replaceNamespacedCustomObjectStatus({ ...RR, namespace: NS, name, body: { ...current, status: { ...current.status, overallPhase: phase, message } } });
        await page.waitForFunction(([p, t]) => (window as any).__seen.some((s: any) => s.text.includes(p) && s.at >= t), [phase, before] as const, { timeout: 30_000, polling: 50 });
        const at = await page.evaluate(([p, t]) => (window as any).__seen.find((s: any) => s.text.includes(p) && s.at >= t).at as number, [phase, before] as const);
        samples.push(at - before);
        // The next phase differs from this one, so every change is visible as a change.
      }
      samples.sort((a, b) => a - b);
      console.log(`status change → visible, ${label}: p50 ${percentile(samples, 50)} ms, p99 ${percentile(samples, 99)} ms, max ${samples.at(-1)} ms (${CHANGES} changes)`);
    }
  } finally {
    await tb.close();
    await stack.stop();
  }
}

async function pageWeight(): Promise<void> {
  const dataDir = mkdtempSync(join(tmpdir(), 'kubernaut-bench-console-'));
  const demo = spawn(process.execPath, ['bin/kubernaut.js', 'demo', 'statefulset-pvc-failure', '--keep', '--data-dir', dataDir], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBERNAUT_LOG_LEVEL: 'error' } });
  let out = '';
  demo.stdout.on('data', (d) => (out += d));
  demo.stderr.on('data', (d) => (out += d));
  const exited = new Promise((r) => demo.on('exit', r));
  const tb = await launchBrowser();
  try {
    const deadline = Date.now() + 6 * 60_000;
    while (!/The stack keeps running/.test(out)) {
      if (Date.now() > deadline || demo.exitCode !== null) throw new Error(`the demo did not finish:\n${out}`);
      await new Promise((r) => setTimeout(r, 250));
    }
    const endpoints = JSON.parse(readFileSync(join(dataDir, 'endpoints.json'), 'utf8'));
    const rr = /RemediationRequest (rr-\S+) → Completed/.exec(out)?.[1];
    if (!rr) throw new Error('no remediation in the demo output');
    const page = await (await tb.browser.newContext()).newPage();
    const bodies: Array<{ url: string; type: string; raw: number; gzip: number }> = [];
    page.on('response', async (res) => {
      if (res.url().includes('/api/events')) return; // the event stream stays open; its bytes are not page weight
      const body = await res.body().catch(() => undefined);
      if (body) bodies.push({ url: new URL(res.url()).pathname, type: res.headers()['content-type']?.split(';')[0] ?? '', raw: body.length, gzip: gzipSync(body).length });
    });
    const started = Date.now();
    await page.goto(`${endpoints.console}/remediations/demo-statefulset/${rr}`);
    await page.waitForFunction(() => document.querySelector('[data-testid=rr-outcome]')?.textContent?.includes('Remediated'), undefined, { timeout: 30_000 });
    await page.locator('[data-testid=chain-status]').waitFor();
    const shown = Date.now() - started;
    await page.waitForLoadState('networkidle').catch(() => undefined);
    const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
    console.log(`remediation page of the reference scenario (${rr}): shown complete in ${shown} ms`);
    for (const b of bodies) console.log(`  ${b.url.padEnd(52)} ${b.type.padEnd(24)} ${kb(b.raw).padStart(9)} raw ${kb(b.gzip).padStart(9)} gzip`);
    const total = bodies.reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }), { raw: 0, gzip: 0 });
    console.log(`  total: ${bodies.length} responses, ${kb(total.raw)} raw, ${kb(total.gzip)} gzip`);
  } finally {
    await tb.close();
    demo.kill('SIGINT');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export async function consoleBench(): Promise<void> {
  await latency();
  await pageWeight();
}
