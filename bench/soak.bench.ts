/**
 * Soak: the whole stack (`up` on a fresh data dir, zero kubelet delays) with the StatefulSet PVC scenario
 * applied, under mixed valid and hostile traffic at the Gateway and the API server for a while
 * (10 minutes; KUBERNAUT_SOAK_SECONDS overrides), all on loopback and bounded in rate and count.
 * Meanwhile an SRE's `kubectl get pods` runs once a second as a new process each time, and the
 * `up` process's resident memory is sampled. Printed: kubectl latency during the soak (aim: p99
 * under 200 ms), memory at start / peak / end and its trend over the second half (aim: flat), what
 * was sent and how it was answered, and whether the stack is still up at the end.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { ROOT, startStack, totalRssMb } from './stack.ts';

const SOAK_SECONDS = Number(process.env.KUBERNAUT_SOAK_SECONDS ?? 600);
const SCENARIO = join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure');
const DEMO_NS = 'demo-statefulset';
const SOAK_NS = 'soak';
/** No single request may outlive this, so every loop ends soon after the deadline. */
const REQUEST_TIMEOUT_MS = 30_000;
const MEMORY_SAMPLE_MS = 2_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

/** What each kind of request got back: status codes (or the client-side error) and latencies. */
class Tally {
  private readonly outcomes = new Map<string, Map<string, number>>();
  private readonly latencies = new Map<string, number[]>();

  record(kind: string, outcome: string, ms: number): void {
    const byOutcome = this.outcomes.get(kind) ?? new Map<string, number>();
    byOutcome.set(outcome, (byOutcome.get(outcome) ?? 0) + 1);
    this.outcomes.set(kind, byOutcome);
    const latencies = this.latencies.get(kind) ?? [];
    latencies.push(ms);
    this.latencies.set(kind, latencies);
  }

  print(): void {
    for (const [kind, byOutcome] of this.outcomes) {
      const sorted = [...this.latencies.get(kind)!].sort((a, b) => a - b);
      const total = sorted.length;
      const codes = [...byOutcome].sort().map(([o, n]) => `${o}×${n}`).join(' ');
      console.log(`  ${kind.padEnd(26)} ${String(total).padStart(5)}  p50 ${Math.round(percentile(sorted, 50))} ms, p99 ${Math.round(percentile(sorted, 99))} ms  [${codes}]`);
    }
  }
}

/** Why a request got no status: the client's own timeout, or how the server dropped it. */
function clientError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string } };
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return 'client-timeout';
  return e.cause?.code ?? e.message.slice(0, 40);
}

/**
 * Starts `send` every `intervalMs` until the deadline or `max` starts, never more than
 * `maxInFlight` at once; resolves once the last one has finished.
 */
async function paced(deadline: number, intervalMs: number, max: number, maxInFlight: number, send: (i: number) => Promise<void>): Promise<void> {
  const inFlight = new Set<Promise<void>>();
  for (let i = 0; i < max && Date.now() < deadline; ) {
    if (inFlight.size < maxInFlight) {
      const p = send(i++).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await sleep(intervalMs);
  }
  await Promise.all(inFlight);
}

interface Target {
  url: string;
  tally: Tally;
}

/** One HTTP request with fetch, tallied under `kind`; the body is read to the end (or dropped after `readMs`). */
async function request(t: Target, kind: string, path: string, init: RequestInit & { readMs?: number } = {}): Promise<void> {
  const t0 = performance.now();
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(new DOMException('timeout', 'TimeoutError')), init.readMs ?? REQUEST_TIMEOUT_MS);
  let outcome: string;
  try {
    const res = await fetch(`${t.url}${path}`, { ...init, signal: abort.signal });
    outcome = String(res.status);
    try {
      await res.arrayBuffer();
    } catch (err) {
      // A watch is dropped on purpose by the timer; anything else the server cut short.
      if (init.readMs === undefined) outcome += `+${clientError(err)}`;
    }
  } catch (err) {
    outcome = clientError(err);
  } finally {
    clearTimeout(timer);
  }
  t.tally.record(kind, outcome, performance.now() - t0);
}

/**
 * A body sent a few bytes at a time, as a slow or malicious client does: tallied with the status
 * the server answered before the body was complete, `closed` if it hung up, or `held` if it was
 * still waiting when we gave up.
 */
function trickle(t: Target, kind: string, path: string, seconds: number): Promise<void> {
  const { hostname, port } = new URL(t.url);
  const t0 = performance.now();
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname);
    let answer = '';
    let done = false;
    const finish = (outcome: string) => {
      if (done) return;
      done = true;
      clearInterval(drip);
      socket.destroy();
      t.tally.record(kind, outcome, performance.now() - t0);
      resolve();
    };
    socket.on('connect', () =>
      socket.write(`POST ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{"alerts":[`),
    );
    socket.on('data', (d) => {
      answer += d;
      const status = /^HTTP\/1\.1 (\d{3})/.exec(answer);
      if (status) finish(status[1]);
    });
    socket.on('error', (err: NodeJS.ErrnoException) => finish(err.code ?? 'error'));
    socket.on('close', () => finish('closed'));
    const drip = setInterval(() => socket.write(' '), 500);
    setTimeout(() => finish('held'), seconds * 1000);
  });
}

// ---- Payloads, built once so building them does not slow the loops (or kubectl's timing) ----

const webhook = (alerts: Array<{ labels: Record<string, string>; annotations?: Record<string, string> }>) =>
  JSON.stringify({
    version: '4',
    status: 'firing',
    receiver: 'kubernaut',
    groupLabels: {},
    commonLabels: {},
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: alerts.map((a) => ({
      status: 'firing',
      labels: a.labels,
      annotations: a.annotations ?? { summary: 'soak' },
      startsAt: '2026-01-01T00:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
    })),
  });

const kvStoreAlert = (alertname: string, extra: Record<string, string> = {}) => ({
  labels: { alertname, severity: 'critical', namespace: DEMO_NS, statefulset: 'kv-store', ...extra },
});

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const nestedObject = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);

const DUPLICATE = readFileSync(join(SCENARIO, 'alertmanager-webhook.json'), 'utf8');
/** 7,000 valid alerts about 50 incidents, ~1 MB: Alertmanager's worst case, not an attack. */
const BATCH_7000 = webhook(Array.from({ length: 7000 }, (_, i) => kvStoreAlert(`SoakBatch${i % 50}`, { instance: `10.0.${i >> 8}.${i & 255}:8080` })));
const OVERSIZED = webhook([kvStoreAlert('SoakOversized', { padding: 'x'.repeat(3 * 1024 * 1024) })]);
const MALFORMED = [
  '{"alerts": [',
  'not json at all',
  '{"alerts": "not-a-list"}',
  '{"alerts": [{"labels": null}]}',
  '[]',
  'null',
  '{"alerts": [{"labels": {"alertname": 42}}]}',
  '\u0000\u0001\u0002',
];
const HOSTILE_LABELS: string[] = [
  webhook([kvStoreAlert('SoakHostile', { namespace: 'gw', pod: '..' })]),
  webhook([kvStoreAlert('SoakHostile', { statefulset: '../../kube-system/x' })]),
  webhook([kvStoreAlert('SoakHostile', { namespace: 'Demo_Statefulset!' })]),
  webhook([kvStoreAlert('SoakHostile', { statefulset: 'x'.repeat(70_000) })]),
  webhook([kvStoreAlert('SoakHostile', { description: "'; DROP TABLE audit_events; --" })]),
  webhook([kvStoreAlert('SoakHostile\u0000\u202e\ud83d\udca5', { statefulset: 'kv-store\u0000' })]),
  webhook([{ labels: Object.fromEntries(Array.from({ length: 257 }, (_, i) => [`l${i}`, 'v']).concat([['alertname', 'SoakHostile'], ['namespace', DEMO_NS], ['statefulset', 'kv-store']])) }]),
  webhook([{ ...kvStoreAlert('SoakHostile'), annotations: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`a${i}`, 'v'])) }]),
];
const configMap = (name: string, data: Record<string, string>) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: SOAK_NS }, data });
const OVERSIZED_CONFIGMAP = JSON.stringify(configMap('soak-oversized', { big: 'x'.repeat(4 * 1024 * 1024) }));
const DEEP_BODIES = [nested(100_000), nestedObject(100_000), JSON.stringify({ ...configMap('soak-deep', {}), spec: JSON.parse(nestedObject(1_500)) })];
const BAD_LISTS = [
  `/api/v1/namespaces/${SOAK_NS}/configmaps?labelSelector=${encodeURIComponent('a in (')}`,
  `/api/v1/namespaces/${SOAK_NS}/configmaps?labelSelector=${encodeURIComponent('!!!')}`,
  `/api/v1/namespaces/${SOAK_NS}/configmaps?fieldSelector=${encodeURIComponent('spec.nope=1')}`,
  `/api/v1/pods?fieldSelector=${encodeURIComponent('status.phase==')}`,
  `/api/v1/namespaces/${SOAK_NS}/configmaps?limit=abc`,
  `/api/v1/namespaces/${SOAK_NS}/configmaps?resourceVersion=abc`,
  `/api/v1/namespaces/${DEMO_NS}/pods?labelSelector=app%3Dkv-store`,
];

// ---- The loops ----

function gatewayTraffic(gw: Target, deadline: number): Promise<void>[] {
  const post = (kind: string, body: string, contentType = 'application/json') =>
    request(gw, kind, '/api/v1/signals/prometheus', { method: 'POST', headers: { 'content-type': contentType }, body });
  return [
    paced(deadline, 1_000, 600, 5, (i) => post('gw valid: new incident', webhook([kvStoreAlert(`SoakNew${i}`)]))),
    paced(deadline, 100, 6_000, 20, () => post('gw valid: duplicate', DUPLICATE)),
    paced(deadline, 250, 2_400, 5, (i) => post('gw malformed JSON', MALFORMED[i % MALFORMED.length], i % 3 ? 'application/json' : 'text/plain')),
    paced(deadline, 500, 1_200, 5, (i) => post('gw hostile labels', HOSTILE_LABELS[i % HOSTILE_LABELS.length])),
    paced(deadline, 5_000, 120, 2, () => post('gw oversized (3 MB)', OVERSIZED)),
    paced(deadline, 2_000, 300, 2, (i) => post('gw deep nesting (100k)', i % 2 ? nested(100_000) : nestedObject(100_000))),
    paced(deadline, 15_000, 40, 2, () => post('gw 7,000-alert batch', BATCH_7000)),
    paced(deadline, 1_000, 600, 50, () => trickle(gw, 'gw trickled body (<=30 s)', '/api/v1/signals/prometheus', 30)),
  ];
}

function apiServerTraffic(api: Target, deadline: number): Promise<void>[] {
  const json = (method: string, body: string) => ({ method, headers: { 'content-type': 'application/json' }, body });
  const cms = `/api/v1/namespaces/${SOAK_NS}/configmaps`;
  /** Create, update, delete one ConfigMap, so the store churns but does not grow. */
  const crud = async (i: number) => {
    const name = `soak-${i}`;
    await request(api, 'api create ConfigMap', cms, json('POST', JSON.stringify(configMap(name, { n: String(i) }))));
    await request(api, 'api update ConfigMap', `${cms}/${name}`, json('PUT', JSON.stringify(configMap(name, { n: String(i), updated: 'yes' }))));
    await request(api, 'api delete ConfigMap', `${cms}/${name}`, { method: 'DELETE' });
  };
  return [
    paced(deadline, 200, 3_000, 10, crud),
    paced(deadline, 500, 1_200, 5, (i) => request(api, 'api list (bad params)', BAD_LISTS[i % BAD_LISTS.length])),
    paced(deadline, 1_000, 600, 10, (i) =>
      request(api, 'api watch, dropped', `/api/v1/namespaces/${i % 2 ? SOAK_NS : DEMO_NS}/${i % 2 ? 'configmaps' : 'pods'}?watch=true`, { readMs: 200 + (i % 20) * 100 }),
    ),
    paced(deadline, 5_000, 120, 2, () => request(api, 'api oversized (4 MB)', cms, json('POST', OVERSIZED_CONFIGMAP))),
    paced(deadline, 2_000, 300, 2, (i) => request(api, 'api deep nesting', cms, json('POST', DEEP_BODIES[i % DEEP_BODIES.length]))),
  ];
}

/** `kubectl get pods`, a new process each second as an SRE would run it; wall times in ms, and failures. */
async function kubectlLoop(kubeconfig: string, cacheDir: string, deadline: number, tally: Tally): Promise<number[]> {
  const times: number[] = [];
  while (Date.now() < deadline) {
    const started = Date.now();
    const { ms, code } = await kubectlGetPods(kubeconfig, cacheDir);
    times.push(ms);
    tally.record('kubectl get pods', code === 0 ? 'ok' : `exit ${code}`, ms);
    await sleep(Math.max(0, 1_000 - (Date.now() - started)));
  }
  return times;
}

function kubectlGetPods(kubeconfig: string, cacheDir: string): Promise<{ ms: number; code: number | null }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const p = spawn('kubectl', ['get', 'pods', '-n', DEMO_NS, '--request-timeout=30s'], { env: { ...process.env, KUBECONFIG: kubeconfig, KUBECACHEDIR: cacheDir }, stdio: 'ignore' });
    p.on('exit', (code) => resolve({ ms: performance.now() - t0, code }));
    p.on('error', () => resolve({ ms: performance.now() - t0, code: -1 }));
  });
}

interface MemorySample {
  minute: number;
  mb: number;
}

/** VmRSS of the stack's processes (`up` and its services process) every few seconds until the deadline; stops early if one is gone. */
async function sampleMemory(pids: number[], deadline: number): Promise<{ samples: MemorySample[]; goneAt?: number }> {
  const t0 = Date.now();
  const samples: MemorySample[] = [];
  while (Date.now() < deadline) {
    try {
      samples.push({ minute: (Date.now() - t0) / 60_000, mb: totalRssMb(pids) });
    } catch {
      return { samples, goneAt: (Date.now() - t0) / 1000 };
    }
    await sleep(MEMORY_SAMPLE_MS);
  }
  return { samples };
}

/** Least-squares slope of memory over time, in MB per minute. */
function slope(samples: MemorySample[]): number {
  const n = samples.length;
  const mx = samples.reduce((s, p) => s + p.minute, 0) / n;
  const my = samples.reduce((s, p) => s + p.mb, 0) / n;
  const num = samples.reduce((s, p) => s + (p.minute - mx) * (p.mb - my), 0);
  const den = samples.reduce((s, p) => s + (p.minute - mx) ** 2, 0);
  return den === 0 ? 0 : num / den;
}

function kubectl(kubeconfig: string, args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.stderr.on('data', (d) => (out += d));
    p.on('exit', (code) => resolve({ code, out }));
  });
}

async function health(url: string): Promise<string> {
  try {
    const res = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(10_000) });
    return `${res.status}`;
  } catch (err) {
    return clientError(err);
  }
}

export async function soakBench(): Promise<void> {
  // State on disk, as a user runs it: with --ephemeral every audit event the soak causes would stay
  // in memory (the embedded PostgreSQL's data), and memory would grow with the data, not a leak.
  const stack = await startStack(['--kubelet-delays', '0'], { persistent: true });
  try {
    const endpoints = JSON.parse(readFileSync(join(stack.dataDir, 'endpoints.json'), 'utf8'));
    const kubeconfig = join(stack.dataDir, 'kubeconfig');
    const applied = await kubectl(kubeconfig, ['apply', '-f', join(SCENARIO, 'manifests')]);
    if (applied.code !== 0) throw new Error(`kubectl apply: ${applied.out}`);
    const ns = await kubectl(kubeconfig, ['create', 'namespace', SOAK_NS]);
    if (ns.code !== 0) throw new Error(`kubectl create namespace: ${ns.out}`);
    const rollout = await kubectl(kubeconfig, ['rollout', 'status', `statefulset/kv-store`, '-n', DEMO_NS, '--timeout=120s']);
    if (rollout.code !== 0) console.log(`(kv-store not rolled out before the soak: ${rollout.out.trim()})`);

    const tally = new Tally();
    const gw: Target = { url: endpoints.gateway, tally };
    const api: Target = { url: stack.url, tally };
    console.log(`soak of ${SOAK_SECONDS} s: mixed valid and hostile traffic at the Gateway and the API server, kubectl get pods once a second`);
    const deadline = Date.now() + SOAK_SECONDS * 1000;
    const memory = sampleMemory(stack.pids, deadline);
    const kubectlTimes = kubectlLoop(kubeconfig, join(stack.dataDir, 'kubectl-cache'), deadline, tally);
    await Promise.all([...gatewayTraffic(gw, deadline), ...apiServerTraffic(api, deadline), memory, kubectlTimes]);
    const drainedAfter = (Date.now() - deadline) / 1000;

    const times = [...(await kubectlTimes)].sort((a, b) => a - b);
    const { samples, goneAt } = await memory;
    const secondHalf = samples.filter((s) => s.minute >= samples[samples.length - 1].minute / 2);
    const peak = Math.max(...samples.map((s) => s.mb));

    console.log(`requests by kind (count, latency, answers; client-timeout = no answer within ${REQUEST_TIMEOUT_MS / 1000} s):`);
    tally.print();
    console.log(`last in-flight requests finished ${drainedAfter.toFixed(1)} s after the deadline`);
    console.log(
      `kubectl get pods during the soak: ${times.length} runs, p50 ${Math.round(percentile(times, 50))} ms, p99 ${Math.round(percentile(times, 99))} ms, max ${Math.round(times[times.length - 1])} ms (aim: p99 < 200 ms)`,
    );
    console.log(
      `resident memory of \`up\`: start ${samples[0].mb.toFixed(0)} MB, peak ${peak.toFixed(0)} MB, end ${samples[samples.length - 1].mb.toFixed(0)} MB; second-half trend ${slope(secondHalf).toFixed(1)} MB/min (${samples.length} samples)`,
    );
    if (goneAt !== undefined) console.log(`!! the \`up\` process was gone ${goneAt.toFixed(0)} s into the soak`);
    const after = await kubectl(kubeconfig, ['get', 'pods', '-n', DEMO_NS, '--request-timeout=10s']);
    console.log(
      `after the soak: API server /healthz ${await health(stack.url)}, Gateway /healthz ${await health(endpoints.gateway)}, kubectl get pods ${after.code === 0 ? 'ok' : `failed: ${after.out.trim()}`}`,
    );
  } finally {
    await stack.stop();
  }
}
