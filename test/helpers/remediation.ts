/**
 * Driving a remediation by hand with kubectl, as the later pipeline stages will: RemediationRequests
 * created as the Gateway creates them, children's statuses patched through the status subresource,
 * and waits on what the controllers write.
 */
import { createHash, randomBytes } from 'node:crypto';
import { eventually, type RunningKubernaut } from './kubernaut-process.ts';

export interface Target {
  apiVersion: string;
  kind: string;
  name: string;
  namespace: string;
}

export const KV_STORE: Target = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'kv-store', namespace: 'demo-statefulset' };
export const KV_STORE_POD: Target = { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace: 'demo-statefulset' };

export function fingerprintOf(t: { kind: string; name: string; namespace: string }): string {
  return createHash('sha256').update(`${t.namespace}:${t.kind}:${t.name}`).digest('hex');
}

/** A fresh, unique fingerprint: tests that must not see each other's history use one each. */
export function uniqueFingerprint(): string {
  return randomBytes(32).toString('hex');
}

export interface RRInput {
  target?: Target;
  fingerprint?: string;
  signalName?: string;
  severity?: string;
  firingTime?: string;
  /** `kubernaut.ai/timeouts` JSON, e.g. {analyzing: '1m'}. */
  timeouts?: Record<string, string>;
  namespace?: string;
}

/** Creates an RR as the Gateway does (no status) and returns its name. */
export function createRR(k: RunningKubernaut, input: RRInput = {}): string {
  const target = input.target ?? KV_STORE_POD;
  const fingerprint = input.fingerprint ?? uniqueFingerprint();
  const name = `rr-${fingerprint.slice(0, 12)}-${randomBytes(4).toString('hex')}`;
  const now = new Date().toISOString();
  const rr = {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'RemediationRequest',
    metadata: {
      name,
      namespace: input.namespace ?? target.namespace,
      labels: { 'app.kubernetes.io/managed-by': 'kubernaut-gateway', 'app.kubernetes.io/component': 'remediation', 'kubernaut.ai/signal-fingerprint': fingerprint.slice(0, 63) },
      annotations: { 'kubernaut.ai/created-at': now, ...(input.timeouts ? { 'kubernaut.ai/timeouts': JSON.stringify(input.timeouts) } : {}) },
    },
    spec: {
      signalFingerprint: fingerprint,
      signalName: input.signalName ?? 'KubernautStatefulSetReplicasMismatch',
      severity: input.severity ?? 'critical',
      signalType: 'alert',
      signalSource: 'prometheus',
      targetType: 'kubernetes',
      targetResource: target,
      firingTime: input.firingTime ?? now,
      receivedTime: now,
      signalLabels: { alertname: input.signalName ?? 'KubernautStatefulSetReplicasMismatch', namespace: target.namespace, severity: input.severity ?? 'critical' },
      signalAnnotations: { summary: 'test' },
      providerData: JSON.stringify({ namespace: target.namespace, labels: {} }),
      originalPayload: '{}',
    },
  };
  k.kubectlOk(['create', '-f', '-'], { input: JSON.stringify(rr) });
  return name;
}

type Json = Record<string, any>;

export function getObject(k: RunningKubernaut, kind: string, namespace: string, name: string): Json | undefined {
  const r = k.kubectl(['get', kind, name, '-n', namespace, '-o', 'json']);
  if (r.code !== 0) {
    if (/NotFound|not found/.test(r.stderr)) return undefined;
    throw new Error(`kubectl get ${kind} ${name}: ${r.stderr}`);
  }
  return JSON.parse(r.stdout);
}

/** Waits until the RR satisfies `check` (default 60 s: the machine may be busy) and returns it. */
export async function waitForRR(k: RunningKubernaut, namespace: string, name: string, check: (rr: Json) => boolean, what: string, timeoutMs = 60_000): Promise<Json> {
  return eventually(() => {
    const rr = getObject(k, 'remediationrequest', namespace, name);
    return rr && check(rr) ? rr : undefined;
  }, `${name}: ${what} (last: ${JSON.stringify(getObject(k, 'remediationrequest', namespace, name)?.status ?? {})})`, timeoutMs, 200);
}

export const phaseIs = (phase: string) => (rr: Json) => rr.status?.overallPhase === phase;

export async function waitForPhase(k: RunningKubernaut, namespace: string, name: string, phase: string, timeoutMs?: number): Promise<Json> {
  return waitForRR(k, namespace, name, phaseIs(phase), `phase ${phase}`, timeoutMs);
}

export async function waitForObject(k: RunningKubernaut, kind: string, namespace: string, name: string, check: (o: Json) => boolean = () => true, timeoutMs = 60_000): Promise<Json> {
  return eventually(() => {
    const o = getObject(k, kind, namespace, name);
    return o && check(o) ? o : undefined;
  }, `${kind}/${name}`, timeoutMs, 200);
}

/** `kubectl patch <kind> <name> --subresource=status --type=merge`, as a later stage would. */
export function patchStatus(k: RunningKubernaut, kind: string, namespace: string, name: string, status: Json): void {
  k.kubectlOk(['patch', kind, name, '-n', namespace, '--subresource=status', '--type=merge', '-p', JSON.stringify({ status })]);
}

export interface WorkflowChoice {
  workflowId?: string;
  version?: string;
  actionType?: string;
  confidence?: number;
  approvalRequired?: boolean;
  affected?: Target;
}

/** The AIAnalysis finished and picked a workflow (what the AA controller will write). */
export function completeAnalysisWithWorkflow(k: RunningKubernaut, namespace: string, rr: string, choice: WorkflowChoice = {}): void {
  const affected = choice.affected ?? KV_STORE;
  const confidence = choice.confidence ?? 0.92;
  patchStatus(k, 'aianalysis', namespace, `ai-${rr}`, {
    phase: 'Completed',
    reason: 'WorkflowSelected',
    message: 'workflow selected',
    completedAt: new Date().toISOString(),
    investigationOutcome: 'actionable',
    confidence,
    rootCause: 'the PVC of the StatefulSet replica is missing',
    rootCauseAnalysis: { summary: 'PVC data-kv-store-2 missing', severity: 'critical', affectedResource: affected },
    selectedWorkflow: {
      workflowId: choice.workflowId ?? 'fix-statefulset-pvc-v1',
      version: choice.version ?? '1.0.0',
      actionType: choice.actionType ?? 'RecreatePVC',
      catalogId: '6f1c2a8e-0000-4000-8000-000000000001',
      executionBundle: 'quay.io/kubernaut/fix-statefulset-pvc:v1',
      executionEngine: 'job',
      confidence,
      rationale: 'the claim is gone',
      parameters: { STATEFULSET_NAME: affected.name, NAMESPACE: affected.namespace },
    },
    approvalRequired: choice.approvalRequired ?? false,
    ...(choice.approvalRequired ? { approvalReason: 'production StatefulSet', approvalContext: { reason: 'production StatefulSet', confidenceScore: confidence, confidenceLevel: 'high', investigationSummary: 'PVC missing', whyApprovalRequired: 'production environment and a StatefulSet' } } : {}),
  });
}

export function childrenOf(k: RunningKubernaut, kind: string, namespace: string, rr: string): Json[] {
  return JSON.parse(k.kubectlOk(['get', kind, '-n', namespace, '-l', `kubernaut.ai/remediation-request=${rr}`, '-o', 'json'])).items;
}
