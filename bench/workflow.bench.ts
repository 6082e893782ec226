/**
 * The execution end of the reference incident inside `kubernaut up --time-scale 60`: the StatefulSet
 * replica loses its claim, a RemediationRequest is investigated, `kubernaut approve` lets the
 * WorkflowExecution run `fix-statefulset-pvc-v1` as a real Job, and the EffectivenessMonitor
 * assesses the fix. One `up`, a few runs, the fault injected again each time.
 *
 * One watching client stamps every transition on arrival (wall clock, ms), so each figure includes
 * the watch delivery:
 *   WE created → Job created → pod Running → pod Succeeded → Job Complete → WE Completed
 * The script's own elapsed time is pod Running → pod Succeeded; its log lines (kubectl logs
 * --timestamps) split that into the steps that poll (`terminating`: waiting for the old claim to go,
 * `verify`: waiting for the recreated pod, which the simulated 8 s mount dominates) and the rest.
 * "Overhead" is WE created → Job Complete minus the script's elapsed time: what the controllers,
 * the Job controller and the kubelet add around the script.
 * EffectivenessAssessment: created → Completed, at --time-scale 60 (stabilization 5 m = 5 s real).
 */
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { CoreV1Api, KubeConfig, Watch } from '@kubernetes/client-node';
import { ROOT, startStack } from './stack.ts';
import { SCENARIO_KUBELET_DELAYS } from '../test/helpers/reference-scenario.ts';

const RUNS = 3;
const TIME_SCALE = 60;
const NS = 'demo-statefulset';
const STS = 'kv-store';
const WORKFLOW_NS = 'kubernaut-workflows';
const MANIFESTS = join(ROOT, 'deploy/demo/scenarios/statefulset-pvc-failure/manifests');
const PATIENT = { global: '100h', processing: '100h', analyzing: '100h', awaitingApproval: '100h', executing: '100h', verifying: '100h' };
/** Steps of remediate.sh that poll (their duration is mostly the script waiting). */
const POLLING_STEPS = new Set(['terminating', 'verify']);

type Json = Record<string, any>;
const run = promisify(execFile);

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

/** Resolves with the value `probe` gives once it gives one, probing every `everyMs`; throws after `timeoutMs`. */
async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number, everyMs = 300): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** First-seen stamps of named transitions, with a promise per transition to wait on. */
class Stamps {
  private readonly at = new Map<string, number>();
  private readonly waiters = new Map<string, Array<(t: number) => void>>();
  mark(key: string, t = Date.now()): void {
    if (this.at.has(key)) return;
    this.at.set(key, t);
    for (const w of this.waiters.get(key) ?? []) w(t);
    this.waiters.delete(key);
  }
  get(key: string): number | undefined {
    return this.at.get(key);
  }
  wait(key: string, timeoutMs: number): Promise<number> {
    const t = this.at.get(key);
    if (t !== undefined) return Promise.resolve(t);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${key}`)), timeoutMs);
      const list = this.waiters.get(key) ?? [];
      list.push((v) => {
        clearTimeout(timer);
        resolve(v);
      });
      this.waiters.set(key, list);
    });
  }
}

interface RunFigures {
  weToJob: number;
  jobToPodRunning: number;
  script: number;
  scriptPolling: number;
  podDoneToJobComplete: number;
  jobCompleteToWe: number;
  weToJobComplete: number;
  overhead: number;
  ea: number;
  steps: string;
}

export async function workflowBench(): Promise<void> {
  const stack = await startStack(['--time-scale', String(TIME_SCALE), '--kubelet-delays', SCENARIO_KUBELET_DELAYS, '--prometheus', 'none']);
  const kubeconfig = join(stack.dataDir, 'kubeconfig');
  const kc = new KubeConfig();
  kc.loadFromString(readFileSync(kubeconfig, 'utf8'));
  const core = kc.makeApiClient(CoreV1Api);
  const kubectl = async (args: string[], input?: string): Promise<string> => {
    if (input === undefined) return (await run('kubectl', ['--kubeconfig', kubeconfig, ...args], { maxBuffer: 16 << 20 })).stdout;
    return new Promise((resolve, reject) => {
      const p = spawn('kubectl', ['--kubeconfig', kubeconfig, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
      let out = '';
      let err = '';
      p.stdout.on('data', (d) => (out += d));
      p.stderr.on('data', (d) => (err += d));
      p.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`kubectl ${args.join(' ')}: ${err}`))));
      p.stdin.end(input);
    });
  };
  const getJson = async (kind: string, ns: string, name: string): Promise<Json | undefined> => {
    try {
      return JSON.parse(await kubectl(['get', kind, name, '-n', ns, '-o', 'json']));
    } catch (e) {
      if (/NotFound|not found/.test(String(e))) return undefined;
      throw e;
    }
  };

  const stamps = new Stamps();
  const logs = new Map<string, Promise<string>>();
  const aborts: Array<() => void> = [];
  const watch = async (path: string, on: (o: Json) => void) => {
    const req = await new Watch(kc).watch(path, {}, (_type, o: Json) => on(o), () => undefined);
    aborts.push(() => req.abort());
  };
  try {
    await kubectl(['apply', '-f', join(MANIFESTS, 'namespace.yaml'), '-f', join(MANIFESTS, 'statefulset.yaml')]);
    await kubectl(['rollout', 'status', `statefulset/${STS}`, '-n', NS, '--timeout=180s']);

    // Keys are per object (RR name, Job/pod uid), so one Job name reused by every run never mixes runs.
    await watch(`/apis/kubernaut.ai/v1alpha1/namespaces/${NS}/workflowexecutions`, (o) => {
      const rr = o.spec?.remediationRequestRef?.name ?? o.metadata.name.replace(/^we-/, '');
      stamps.mark(`we-created:${rr}`);
      if (o.status?.phase === 'Completed' || o.status?.phase === 'Failed') stamps.mark(`we-done:${rr}`);
    });
    await watch(`/apis/kubernaut.ai/v1alpha1/namespaces/${NS}/effectivenessassessments`, (o) => {
      const rr = o.metadata.name.replace(/^ea-/, '');
      stamps.mark(`ea-created:${rr}`);
      if (o.status?.phase === 'Completed' || o.status?.phase === 'Failed') stamps.mark(`ea-done:${rr}`);
    });
    await watch(`/apis/batch/v1/namespaces/${WORKFLOW_NS}/jobs`, (o) => {
      const rr = o.metadata.labels?.['kubernaut.ai/remediation-request'];
      if (!rr) return;
      stamps.mark(`job-created:${rr}`);
      if (o.status?.conditions?.some((c: Json) => ['Complete', 'Failed'].includes(c.type) && c.status === 'True')) stamps.mark(`job-done:${rr}`);
    });
    await watch(`/api/v1/namespaces/${WORKFLOW_NS}/pods`, (o) => {
      const rr = o.metadata.labels?.['kubernaut.ai/remediation-request'];
      if (!rr) return;
      if (o.status?.phase === 'Running') stamps.mark(`pod-running:${rr}`);
      if (o.status?.phase === 'Succeeded' || o.status?.phase === 'Failed') {
        stamps.mark(`pod-done:${rr}`);
        // Read at once: the Job (and its pod) go after the cooldown, 5 s at this time scale.
        if (!logs.has(rr)) logs.set(rr, core.readNamespacedPodLog({ name: o.metadata.name, namespace: WORKFLOW_NS, timestamps: true }).then(String, (e) => `log unavailable: ${e}`));
      }
    });

    const figures: RunFigures[] = [];
    for (let i = 1; i <= RUNS; i++) {
      const f = await oneRun(i);
      figures.push(f);
      console.log(
        `run ${i}: WE→Job ${f.weToJob} ms, Job→pod Running ${f.jobToPodRunning} ms, script ${f.script} ms (polling steps ${f.scriptPolling} ms; ${f.steps}), ` +
          `pod done→Job Complete ${f.podDoneToJobComplete} ms, Job Complete→WE Completed ${f.jobCompleteToWe} ms; EA ${f.ea} ms`,
      );
    }
    const line = (label: string, pick: (f: RunFigures) => number) => {
      const v = figures.map(pick);
      console.log(`${label}: p50 ${percentile(v, 50)} ms, max ${Math.max(...v)} ms`);
    };
    console.log(`--- ${RUNS} runs of fix-statefulset-pvc-v1 (one up, --time-scale ${TIME_SCALE}, kubelet delays ${SCENARIO_KUBELET_DELAYS})`);
    line('WE created → Job Complete (whole execution)', (f) => f.weToJobComplete);
    line('  script elapsed (pod Running → pod Succeeded)', (f) => f.script);
    line('    of which its polling steps (terminating + verify)', (f) => f.scriptPolling);
    line('    the rest of the script (kubectl calls)', (f) => f.script - f.scriptPolling);
    line('  overhead = whole execution − script', (f) => f.overhead);
    line('    WE created → Job created', (f) => f.weToJob);
    line(`    Job created → pod Running (includes the simulated kubelet delays ${SCENARIO_KUBELET_DELAYS})`, (f) => f.jobToPodRunning);
    line('    pod Succeeded → Job Complete', (f) => f.podDoneToJobComplete);
    line('Job Complete → WE Completed', (f) => f.jobCompleteToWe);
    line(`EffectivenessAssessment created → Completed (--time-scale ${TIME_SCALE})`, (f) => f.ea);
  } finally {
    for (const abort of aborts) abort();
    await stack.stop();
  }

  async function oneRun(i: number): Promise<RunFigures> {
    // The scenario's fault: replica 2's pod, claim and volume deleted while the kubelet mounts the recreated pod.
    const claim = `data-${STS}-2`;
    const pv = (await kubectl(['get', 'pvc', claim, '-n', NS, '-o', 'jsonpath={.spec.volumeName}'])).trim();
    await kubectl(['delete', 'pod', `${STS}-2`, '-n', NS, '--grace-period=0', '--force', '--wait=false']);
    await kubectl(['delete', 'pvc', claim, '-n', NS, '--grace-period=0', '--force', '--wait=false']);
    if (pv) await kubectl(['delete', 'pv', pv, '--grace-period=0', '--force', '--wait=false']);
    await until('replica 2 stuck Pending', async () => {
      const pod = await getJson('pod', NS, `${STS}-2`);
      const sts = await getJson('statefulset', NS, STS);
      return pod?.status?.phase === 'Pending' && sts?.status?.readyReplicas === 2 ? true : undefined;
    }, 60_000);

    const rr = createRR();
    await kubectl(['create', '-f', '-'], JSON.stringify(rr.body));
    await until(`RR ${rr.name} AwaitingApproval`, async () => {
      const o = await getJson('remediationrequest', NS, rr.name);
      if (['Failed', 'TimedOut', 'Completed'].includes(o?.status?.overallPhase)) throw new Error(`run ${i}: RR ended before approval: ${JSON.stringify(o?.status)}`);
      return o?.status?.overallPhase === 'AwaitingApproval' ? true : undefined;
    }, 180_000);
    await run(process.execPath, ['bin/kubernaut.js', 'approve', rr.name, '-n', NS, '-m', 'bench', '--kubeconfig', kubeconfig], { cwd: ROOT });

    const weDone = await stamps.wait(`we-done:${rr.name}`, 300_000);
    const eaDone = await stamps.wait(`ea-done:${rr.name}`, 300_000);
    const we = await getJson('workflowexecution', NS, `we-${rr.name}`);
    const ea = await getJson('effectivenessassessment', NS, `ea-${rr.name}`);
    if (we?.status?.phase !== 'Completed' || ea?.status?.phase !== 'Completed') {
      throw new Error(`run ${i}: WE ${we?.status?.phase}, EA ${ea?.status?.phase}: ${JSON.stringify({ we: we?.status, ea: ea?.status })}`);
    }
    await until(`RR ${rr.name} finished`, async () => {
      const o = await getJson('remediationrequest', NS, rr.name);
      return ['Completed', 'Failed', 'TimedOut'].includes(o?.status?.overallPhase) ? true : undefined;
    }, 120_000);

    const s = (k: string) => {
      const t = stamps.get(`${k}:${rr.name}`);
      if (t === undefined) throw new Error(`run ${i}: never saw ${k}`);
      return t;
    };
    const [weCreated, jobCreated, podRunning, podDone, jobDone] = ['we-created', 'job-created', 'pod-running', 'pod-done', 'job-done'].map(s);
    const { polling, steps } = scriptSteps(await (logs.get(rr.name) ?? Promise.resolve('')), podRunning);
    return {
      weToJob: jobCreated - weCreated,
      jobToPodRunning: podRunning - jobCreated,
      script: podDone - podRunning,
      scriptPolling: polling,
      podDoneToJobComplete: jobDone - podDone,
      jobCompleteToWe: weDone - jobDone,
      weToJobComplete: jobDone - weCreated,
      overhead: jobDone - weCreated - (podDone - podRunning),
      ea: eaDone - s('ea-created'),
      steps,
    };
  }
}

/** Step durations from `<rfc3339> <step>: ...` lines: each line ends its step, the first step starts at `startMs`. */
function scriptSteps(log: string, startMs: number): { polling: number; steps: string } {
  let prev = startMs;
  let polling = 0;
  const parts: string[] = [];
  for (const line of log.split('\n')) {
    const m = /^(\S+) ([a-z-]+):/.exec(line);
    if (!m) continue;
    const t = Date.parse(m[1]);
    if (Number.isNaN(t)) continue;
    const d = Math.max(0, t - prev);
    prev = t;
    if (m[2] === 'summary') continue;
    if (POLLING_STEPS.has(m[2])) polling += d;
    parts.push(`${m[2]} ${d}`);
  }
  return { polling, steps: parts.join(', ') || 'no log' };
}

/** A RemediationRequest as the Gateway would create it for the stuck StatefulSet, with its own fingerprint. */
function createRR(): { name: string; body: Json } {
  const fingerprint = createHash('sha256').update(randomBytes(16)).digest('hex');
  const name = `rr-bench-${fingerprint.slice(0, 12)}`;
  const now = new Date().toISOString();
  const target = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: STS, namespace: NS };
  const alert = 'KubernautStatefulSetReplicasMismatch';
  return {
    name,
    body: {
      apiVersion: 'kubernaut.ai/v1alpha1',
      kind: 'RemediationRequest',
      metadata: { name, namespace: NS, labels: { 'kubernaut.ai/signal-fingerprint': fingerprint.slice(0, 63) }, annotations: { 'kubernaut.ai/timeouts': JSON.stringify(PATIENT) } },
      spec: {
        signalFingerprint: fingerprint,
        signalName: alert,
        severity: 'critical',
        signalType: 'alert',
        signalSource: 'prometheus',
        targetType: 'kubernetes',
        targetResource: target,
        firingTime: now,
        receivedTime: now,
        signalLabels: { alertname: alert, namespace: NS, severity: 'critical' },
        signalAnnotations: { summary: 'bench' },
        providerData: JSON.stringify({ namespace: NS, labels: {} }),
        originalPayload: '{}',
      },
    },
  };
}
