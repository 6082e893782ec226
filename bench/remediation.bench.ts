/**
 * The remediation pipeline's own speed inside `kubernaut up` (controllers in the stack, DataStorage
 * auditing every transition): how many RemediationRequests per second the Orchestrator and
 * SignalProcessing carry from creation to Analyzing with 500 in flight, and the hand-over latency
 * between a child's status change and the RR's next phase, both seen by one watching client (so
 * the figure includes the controllers' watch, reconcile, status write and the watch back).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions, Watch } from '@kubernetes/client-node';
import { spawnKubernaut, startStack } from './stack.ts';

const NS = 'rr-bench';
const IN_FLIGHT = 500;
const HANDOVERS = 200;
const GROUP = { group: 'kubernaut.ai', version: 'v1alpha1' };

type Obj = { metadata: { name: string }; status?: Record<string, any> };

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Watches one kind in the namespace and tells each object change to `on`, stamped on arrival. */
async function watchKind(kc: KubeConfig, plural: string, on: (o: Obj, at: number) => void): Promise<() => void> {
  const req = await new Watch(kc).watch(`/apis/kubernaut.ai/v1alpha1/namespaces/${NS}/${plural}`, {}, (_type, o: Obj) => on(o, performance.now()), () => undefined);
  return () => req.abort();
}

function rr(i: number) {
  const fingerprint = i.toString(16).padStart(64, '0');
  const now = new Date().toISOString();
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'RemediationRequest',
    metadata: { name: `rr-bench-${i}`, namespace: NS, labels: { 'kubernaut.ai/signal-fingerprint': fingerprint.slice(0, 63) }, annotations: { 'kubernaut.ai/timeouts': JSON.stringify({ global: '100h', processing: '100h', analyzing: '100h' }) } },
    spec: {
      signalFingerprint: fingerprint,
      signalName: 'BenchAlert',
      severity: 'critical',
      signalType: 'alert',
      signalSource: 'prometheus',
      targetType: 'kubernetes',
      targetResource: { apiVersion: 'v1', kind: 'Pod', name: `pod-${i}`, namespace: NS },
      firingTime: now,
      receivedTime: now,
      signalLabels: { alertname: 'BenchAlert' },
      signalAnnotations: {},
      providerData: '{}',
      originalPayload: '{}',
    },
  };
}

async function inBatches<T>(items: T[], size: number, fn: (t: T) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

export async function remediationBench(): Promise<void> {
  await scenario('controllers inside up (one event loop for everything)', false);
  await scenario('controllers as their own process (kubernaut controllers), as deployed', true);
}

async function scenario(label: string, separateProcess: boolean): Promise<void> {
  console.log(`### ${label}`);
  const stack = await startStack(['--no-gateway', '--prometheus', 'none', '--kubelet-delays', '0', ...(separateProcess ? ['--no-controllers'] : [])]);
  const stops: Array<() => void> = [];
  try {
    if (separateProcess) {
      const { dataStorage } = JSON.parse(readFileSync(join(stack.dataDir, 'endpoints.json'), 'utf8'));
      const { proc } = await spawnKubernaut(['controllers', '--kubeconfig', join(stack.dataDir, 'kubeconfig'), '--port', '0', '--datastorage-url', dataStorage], /^(controllers): /m);
      stops.push(() => proc.kill('SIGTERM'));
    }
    const kc = new KubeConfig();
    kc.loadFromString(readFileSync(join(stack.dataDir, 'kubeconfig'), 'utf8'));
    const api = kc.makeApiClient(CustomObjectsApi);
    await fetch(`${stack.url}/api/v1/namespaces`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ metadata: { name: NS, labels: { 'kubernaut.ai/managed': 'true' } } }) });

    const analyzingAt = new Map<string, number>();
    const completedAt = new Map<string, number>();
    const spDoneAt = new Map<string, number>();
    const aaDoneAt = new Map<string, number>();
    let allAnalyzing!: () => void;
    const analyzingDone = new Promise<void>((r) => (allAnalyzing = r));
    let allCompleted!: () => void;
    const completedDone = new Promise<void>((r) => (allCompleted = r));
    stops.push(await watchKind(kc, 'remediationrequests', (o, at) => {
      const phase = o.status?.overallPhase;
      if (phase === 'Analyzing' && !analyzingAt.has(o.metadata.name)) {
        analyzingAt.set(o.metadata.name, at);
        if (analyzingAt.size === IN_FLIGHT) allAnalyzing();
      }
      if (phase === 'Completed' && !completedAt.has(o.metadata.name)) {
        completedAt.set(o.metadata.name, at);
        if (completedAt.size === HANDOVERS) allCompleted();
      }
    }));
    stops.push(await watchKind(kc, 'signalprocessings', (o, at) => {
      if (o.status?.phase === 'Completed' && !spDoneAt.has(o.metadata.name)) spDoneAt.set(o.metadata.name, at);
    }));
    stops.push(await watchKind(kc, 'aianalyses', (o, at) => {
      if (o.status?.phase === 'Completed' && !aaDoneAt.has(o.metadata.name)) aaDoneAt.set(o.metadata.name, at);
    }));

    const names = Array.from({ length: IN_FLIGHT }, (_, i) => i);
    const start = performance.now();
    await inBatches(names, 50, (i) => api.createNamespacedCustomObject({ ...GROUP, plural: 'remediationrequests', namespace: NS, body: rr(i) }));
    const created = performance.now();
    await analyzingDone;
    const seconds = (performance.now() - start) / 1000;
    console.log(`${IN_FLIGHT} RRs created in ${((created - start) / 1000).toFixed(1)} s, all Analyzing (SignalProcessing done, AIAnalysis created) after ${seconds.toFixed(1)} s: ${(IN_FLIGHT / seconds).toFixed(0)} RRs/s`);
    const spHandover = [...spDoneAt].filter(([sp]) => analyzingAt.has(sp.slice(3))).map(([sp, at]) => analyzingAt.get(sp.slice(3))! - at);
    console.log(`hand-over SP Completed -> RR Analyzing under that load (${spHandover.length}): p50 ${percentile(spHandover, 50).toFixed(0)} ms, p99 ${percentile(spHandover, 99).toFixed(0)} ms`);

    // Quiet hand-overs: one AIAnalysis completed at a time, a few in parallel, as analyses finish in practice.
    await inBatches(names.slice(0, HANDOVERS), 4, (i) =>
      api.patchNamespacedCustomObjectStatus(
        { ...GROUP, plural: 'aianalyses', namespace: NS, name: `ai-rr-bench-${i}`, body: { status: { phase: 'Completed', reason: 'WorkflowNotNeeded', investigationOutcome: 'resolved', confidence: 0.9 } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    await completedDone;
    const aaHandover = [...aaDoneAt].filter(([aa]) => completedAt.has(aa.slice(3))).map(([aa, at]) => completedAt.get(aa.slice(3))! - at);
    console.log(`hand-over AA Completed -> RR Completed (${aaHandover.length}, 4 at a time): p50 ${percentile(aaHandover, 50).toFixed(1)} ms, p99 ${percentile(aaHandover, 99).toFixed(1)} ms (aim: p99 < 50 ms)`);
  } finally {
    for (const stop of stops) stop();
    await stack.stop();
  }
}
