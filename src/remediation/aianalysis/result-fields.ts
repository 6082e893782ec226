/**
 * The investigation's result as AIAnalysis status fields, within the CRD's limits (lengths, list
 * sizes, patterns), so the API server never refuses a status because the LLM wrote a long
 * rationale. Pure. The affected resource gets its apiVersion from the objects SignalProcessing
 * found (the signal target, its owner chain, the workload) when the investigator named only kind
 * and name.
 */
import type { AIAnalysis, AIAnalysisStatus } from '../../api/v1alpha1/index.ts';
import type { InvestigationResult, ResourceRef, SelectedWorkflow } from '../../investigator/api/wire.ts';
import { workflowProblem } from './verdict.ts';

type Status = AIAnalysisStatus;
type Fields = Pick<
  Status,
  | 'investigationOutcome'
  | 'confidence'
  | 'rootCause'
  | 'rootCauseAnalysis'
  | 'selectedWorkflow'
  | 'alternativeWorkflows'
  | 'validationAttemptsHistory'
  | 'warnings'
  | 'postRCAContext'
  | 'investigationId'
  | 'investigationUsage'
>;

const TEXT = 32_768;
const ITEM = 4096;
const API_VERSION = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const clamp01 = (n: number) => (Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0);
const count = (n: number) => (Number.isFinite(n) ? Math.max(0, Math.round(n)) : 0);

/** Every result field the AA keeps; `withWorkflow` false leaves `selectedWorkflow` out. */
export function resultFields(r: InvestigationResult, aa: AIAnalysis, sessionId: string, now: Date, withWorkflow: boolean): Fields {
  const rca = r.root_cause_analysis;
  const affected = affectedResourceOf(rca.affectedResource, aa);
  const wf = withWorkflow && r.selected_workflow && !workflowProblem(r.selected_workflow) ? selectedWorkflowOf(r.selected_workflow) : undefined;
  const u = r.usage;
  const labels = r.detected_labels;
  return {
    investigationOutcome: r.investigation_outcome,
    confidence: clamp01(r.confidence),
    ...(rca.summary ? { rootCause: cut(rca.summary, TEXT) } : {}),
    rootCauseAnalysis: {
      summary: cut(rca.summary, TEXT),
      ...(rca.severity ? { severity: cut(rca.severity, 50) } : {}),
      signalType: cut(aa.spec.analysisRequest.signalContext.signalName, 253),
      contributingFactors: rca.contributing_factors.slice(0, 50).map((f) => cut(f, ITEM)),
      ...(affected ? { affectedResource: affected } : {}),
    },
    ...(wf ? { selectedWorkflow: wf } : {}),
    alternativeWorkflows: r.alternative_workflows
      .filter((a) => a.workflow_id !== '' && a.workflow_id.length <= 63)
      .slice(0, 10)
      .map((a) => ({
        workflowId: a.workflow_id,
        ...(a.execution_bundle && a.execution_bundle.length <= 1024 ? { executionBundle: a.execution_bundle } : {}),
        confidence: clamp01(a.confidence),
        rationale: cut(a.rationale, TEXT),
      })),
    validationAttemptsHistory: r.validation_attempts_history.slice(0, 3).map((v) => ({
      attempt: Math.max(1, count(v.attempt)),
      ...(v.workflow_id ? { workflowId: cut(v.workflow_id, 63) } : {}),
      isValid: v.is_valid,
      errors: v.errors.slice(0, 100).map((e) => ({ code: cut(e.code, 253), ...(e.parameter ? { parameter: cut(e.parameter, 253) } : {}), message: cut(e.message, ITEM) })),
      ...(isDateTime(v.timestamp) ? { timestamp: v.timestamp } : {}),
    })),
    warnings: r.warnings.slice(0, 100).map((w) => cut(w, ITEM)),
    postRCAContext: {
      detectedLabels: {
        ...(labels.gitOpsManaged !== undefined ? { gitOpsManaged: labels.gitOpsManaged } : {}),
        ...(labels.gitOpsTool !== undefined ? { gitOpsTool: labels.gitOpsTool } : {}),
        ...(labels.pdbProtected !== undefined ? { pdbProtected: labels.pdbProtected } : {}),
        ...(labels.hpaEnabled !== undefined ? { hpaEnabled: labels.hpaEnabled } : {}),
        ...(labels.stateful !== undefined ? { stateful: labels.stateful } : {}),
        ...(labels.helmManaged !== undefined ? { helmManaged: labels.helmManaged } : {}),
        ...(labels.networkIsolated !== undefined ? { networkIsolated: labels.networkIsolated } : {}),
        ...(labels.serviceMesh !== undefined ? { serviceMesh: labels.serviceMesh } : {}),
        ...(labels.failedDetections ? { failedDetections: labels.failedDetections.slice(0, 16).map((f) => cut(f, 63)) } : {}),
      },
      setAt: now.toISOString(),
    },
    investigationId: cut(sessionId, 253),
    investigationUsage: {
      provider: cut(r.provider, 63),
      model: cut(r.model, 253),
      promptTokens: count(u.prompt_tokens),
      completionTokens: count(u.completion_tokens),
      totalTokens: count(u.prompt_tokens) + count(u.completion_tokens),
      tokensEstimated: u.tokens_estimated,
      llmTurns: count(u.llm_turns),
      toolCalls: count(u.tool_calls),
      latencyMs: count(u.latency_ms),
      ...(u.estimated_cost_usd !== undefined && Number.isFinite(u.estimated_cost_usd) ? { estimatedCostUsd: Math.max(0, u.estimated_cost_usd) } : {}),
    },
  };
}

/** Only for a workflow `workflowProblem` accepts. */
function selectedWorkflowOf(wf: SelectedWorkflow): NonNullable<Status['selectedWorkflow']> {
  return {
    workflowId: wf.workflow_id,
    actionType: wf.action_type,
    version: wf.version,
    ...(wf.catalog_id ? { catalogId: wf.catalog_id } : {}),
    executionBundle: wf.execution_bundle,
    ...(wf.execution_bundle_digest ? { executionBundleDigest: wf.execution_bundle_digest } : {}),
    executionEngine: wf.execution_engine as 'job' | 'tekton' | 'ansible',
    ...(wf.engine_config ? { engineConfig: wf.engine_config } : {}),
    confidence: clamp01(wf.confidence),
    rationale: cut(wf.rationale, TEXT),
    parameters: { ...wf.parameters },
  };
}

type Affected = NonNullable<NonNullable<Status['rootCauseAnalysis']>['affectedResource']>;

/** The remediation target as the CRD holds it; undefined when the investigator named none (or one the CRD refuses). */
export function affectedResourceOf(ref: ResourceRef | null, aa: AIAnalysis): Affected | undefined {
  if (!ref || !ref.kind || !ref.name || ref.kind.length > 63 || ref.name.length > 253 || (ref.namespace?.length ?? 0) > 63) return undefined;
  const sc = aa.spec.analysisRequest.signalContext;
  const ctx = sc.enrichmentResults?.kubernetesContext;
  const known = [sc.targetResource, ...(ctx?.ownerChain ?? []), ...(ctx?.workload ? [ctx.workload] : [])];
  const same = known.find((o) => o.kind === ref.kind && o.name === ref.name && (ref.namespace === undefined || (o as { namespace?: string }).namespace === undefined || (o as { namespace?: string }).namespace === ref.namespace));
  const apiVersion = same?.apiVersion && API_VERSION.test(same.apiVersion) ? same.apiVersion : undefined;
  return { ...(apiVersion ? { apiVersion } : {}), kind: ref.kind, name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) };
}

function isDateTime(s: string): boolean {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s);
}
