/**
 * The story's milestones, each idempotent: a scenario's Given calls the one it starts from, which
 * brings the cluster there by the same actions the earlier scenarios' steps take (when they ran
 * already, it only checks). So the scenarios run in order as one story, and any one runs alone.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { SCRAPE_AND_EVALUATION_MS, waitForAlertQuiet } from '../../../src/demo/alert-quiet.ts';
import { eventually } from '../../helpers/kubernaut-process.ts';
import { isReady, NS, SCENARIO_DIR, SIGNAL, STATEFULSET, story, type KubernautWorld } from './world.ts';

type Json = Record<string, any>;
const TERMINAL = new Set(['Completed', 'Failed', 'TimedOut', 'Skipped', 'Cancelled']);
/** Real-time deadlines: generous, the machine may be busy; the steps wait for states, never for time. */
export const WAIT = { rollout: 190_000, cluster: 90_000, pipeline: 300_000 };

export function applyManifest(w: KubernautWorld, file: string): void {
  w.kubectlOk(['apply', '-f', join(SCENARIO_DIR, 'manifests', file)]);
}

export function rollout(w: KubernautWorld): string {
  return w.kubectlOk(['rollout', 'status', `statefulset/${STATEFULSET}`, '-n', NS, '--timeout=180s'], WAIT.rollout);
}

function healthyWithRule(w: KubernautWorld): boolean {
  const sts = w.getJson('statefulset', STATEFULSET);
  return sts?.status?.readyReplicas === 3 && w.getJson('prometheusrule', 'kubernaut-statefulset-rules') !== undefined;
}

/** kv-store deployed, 3/3 Ready, with its alert rule (the first scenario's When steps). */
export function ensureDeployed(w: KubernautWorld): void {
  if (story.injectedAt !== undefined || healthyWithRule(w)) return;
  applyManifest(w, 'namespace.yaml');
  applyManifest(w, 'statefulset.yaml');
  rollout(w);
  applyManifest(w, 'prometheus-rule.yaml');
}

/**
 * The fault injected with the scenario's script; remembers what it replaced. First the alerting must
 * have seen the healthy set: a rule applied right after the rollout is evaluated against the last
 * sample scraped during it and may go pending for a moment (src/demo/alert-quiet.ts explains it).
 */
export async function injectFault(w: KubernautWorld): Promise<void> {
  await waitForAlertQuiet({ prometheusUrl: w.endpoint('prometheus'), alertName: SIGNAL, namespace: NS, quietMs: SCRAPE_AND_EVALUATION_MS / story.timeScale, signal: AbortSignal.timeout(WAIT.cluster) });
  story.podUidBeforeFault = w.getJson('pod', `${STATEFULSET}-2`)?.metadata.uid;
  story.volumeBeforeFault = w.getJson('pvc', `data-${STATEFULSET}-2`)?.spec.volumeName;
  story.injectedAt = Date.now();
  const r = w.runScript('inject-pvc-issue.sh');
  assert.equal(r.code, 0, `inject-pvc-issue.sh failed:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, new RegExp(`data-${STATEFULSET}-2 is bound to PV ${story.volumeBeforeFault}`));
}

/** The recreated kv-store-2, once it exists. */
export async function recreatedPod(w: KubernautWorld): Promise<Json> {
  return eventually(() => {
    const p = w.getJson('pod', `${STATEFULSET}-2`);
    return p && p.metadata.uid !== story.podUidBeforeFault ? p : undefined;
  }, 'kv-store-2 recreated by the StatefulSet controller', WAIT.cluster, 250);
}

export async function ensureInjected(w: KubernautWorld): Promise<void> {
  if (story.injectedAt !== undefined) return;
  ensureDeployed(w);
  await injectFault(w);
  story.stuckPodUid = (await recreatedPod(w)).metadata.uid;
}

/** The newest RR for the scenario's alert, found as validate.sh finds it (signal name, namespace). */
export function findRR(w: KubernautWorld): string | undefined {
  return w
    .listJson('remediationrequest')
    .filter((r) => r.spec?.signalName === SIGNAL)
    .sort((a, b) => Date.parse(b.metadata.creationTimestamp) - Date.parse(a.metadata.creationTimestamp))[0]?.metadata.name;
}

export async function ensureRR(w: KubernautWorld): Promise<string> {
  if (story.rr) return story.rr;
  await ensureInjected(w);
  story.rr = await eventually(() => findRR(w), `a RemediationRequest for ${SIGNAL} in ${NS}`, WAIT.pipeline, 500);
  return story.rr;
}

/** Waits until the RR satisfies `check` and returns it. */
export async function waitForRR(w: KubernautWorld, check: (rr: Json) => boolean, what: string, timeoutMs = WAIT.pipeline): Promise<Json> {
  let last: Json | undefined;
  try {
    return await eventually(() => {
      const rr = w.rrObject();
      last = rr;
      return check(rr) ? rr : undefined;
    }, what, timeoutMs, 250);
  } catch (e) {
    throw new Error(`${(e as Error).message}; the RR's status: ${JSON.stringify(last?.status ?? {})}`, { cause: e });
  }
}

export const phaseOf = (rr: Json): string | undefined => rr.status?.overallPhase;

/** Waits for a child's phase (`phase` or, for the RAR, `decision`) through the RR's ref. */
export async function waitForChild(w: KubernautWorld, kind: string, ref: string, check: (o: Json) => boolean, what: string): Promise<Json> {
  return eventually(() => {
    try {
      const o = w.child(kind, ref);
      return check(o) ? o : undefined;
    } catch {
      return undefined;
    }
  }, `${kind} of ${w.rr}: ${what}`, WAIT.pipeline, 250);
}

export async function ensureAwaitingApprovalOrLater(w: KubernautWorld): Promise<Json> {
  await ensureRR(w);
  return waitForRR(w, (rr) => !!rr.status?.remediationApprovalRequestRef || TERMINAL.has(phaseOf(rr) ?? ''), 'an approval request');
}

/** Approves with the CLI, as a person does, unless someone decided already. */
export async function ensureApproved(w: KubernautWorld): Promise<void> {
  await ensureAwaitingApprovalOrLater(w);
  const rar = w.child('remediationapprovalrequest', 'remediationApprovalRequestRef');
  if (!rar.status?.decision) approve(w);
  await waitForRR(w, (rr) => !['Pending', 'Processing', 'Analyzing', 'AwaitingApproval'].includes(phaseOf(rr) ?? ''), 'past the approval');
}

export function approve(w: KubernautWorld): string {
  const r = w.kubernautCli(['approve', w.rr, '-n', NS, '--message', 'approved in the BDD scenario']);
  assert.equal(r.code, 0, `kubernaut approve failed: ${r.stderr}`);
  return r.stdout;
}

export async function ensureWorkflowRan(w: KubernautWorld): Promise<Json> {
  await ensureApproved(w);
  return waitForChild(w, 'workflowexecution', 'workflowExecutionRef', (we) => we.status?.phase === 'Completed' || we.status?.phase === 'Failed', 'Completed or Failed');
}

export async function ensureEnded(w: KubernautWorld): Promise<Json> {
  await ensureWorkflowRan(w);
  return waitForRR(w, (rr) => TERMINAL.has(phaseOf(rr) ?? ''), 'a terminal phase');
}

export function podsReady(w: KubernautWorld): Json[] {
  return [0, 1, 2].map((i) => {
    const p = w.getJson('pod', `${STATEFULSET}-${i}`);
    assert.ok(p, `pod ${STATEFULSET}-${i} exists`);
    assert.equal(p.status?.phase, 'Running', `${STATEFULSET}-${i} phase`);
    assert.ok(isReady(p), `${STATEFULSET}-${i} is Ready`);
    return p;
  });
}
