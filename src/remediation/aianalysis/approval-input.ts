/**
 * The CEL variables of the approval policy, built from the AA alone (its spec: what
 * SignalProcessing classified; its status: what the investigation found), so an analysis resumed
 * after a restart is judged on exactly what was recorded. Every member is always present; maps are
 * handed over as Maps (cel-js tells a map by its constructor, which a key named "constructor"
 * would otherwise shadow).
 */
import type { AIAnalysis } from '../../api/v1alpha1/index.ts';
import { DEFAULT_CONFIDENCE_THRESHOLD } from './approval-definitions.ts';

export interface ApprovalSettings {
  /** The optional rule (non-production below the threshold) is on. */
  lowConfidenceRule: boolean;
  confidenceThreshold: number;
}

export const DEFAULT_APPROVAL_SETTINGS: ApprovalSettings = { lowConfidenceRule: false, confidenceThreshold: DEFAULT_CONFIDENCE_THRESHOLD };

export type ApprovalInput = Record<string, unknown>;

/** The plain facts the policy is evaluated on (tests build them directly). */
export interface ApprovalFacts {
  severity: string;
  environment: string;
  priority: string;
  signalTarget: { apiVersion?: string; kind: string; name: string; namespace?: string };
  affectedResource?: { apiVersion?: string; kind: string; name: string; namespace?: string };
  confidence: number;
  detectedLabels: Record<string, unknown>;
  customLabels: Record<string, string[] | undefined>;
  businessClassification: Record<string, string | undefined>;
  warnings: string[];
  workflow: { workflowId?: string; actionType?: string; version?: string };
}

export function approvalFactsOf(aa: AIAnalysis): ApprovalFacts {
  const sc = aa.spec.analysisRequest.signalContext;
  const st = aa.status ?? {};
  const wf = st.selectedWorkflow;
  return {
    severity: sc.severity,
    environment: sc.environment ?? 'unknown',
    priority: sc.businessPriority ?? '',
    signalTarget: sc.targetResource,
    affectedResource: st.rootCauseAnalysis?.affectedResource,
    confidence: wf?.confidence ?? st.confidence ?? 0,
    detectedLabels: (st.postRCAContext?.detectedLabels ?? {}) as Record<string, unknown>,
    customLabels: sc.enrichmentResults?.customLabels ?? {},
    businessClassification: (sc.enrichmentResults?.businessClassification ?? {}) as Record<string, string | undefined>,
    warnings: st.warnings ?? [],
    workflow: { workflowId: wf?.workflowId, actionType: wf?.actionType, version: wf?.version },
  };
}

export function approvalInput(f: ApprovalFacts, settings: ApprovalSettings): ApprovalInput {
  const dl = f.detectedLabels;
  const bool = (k: string) => dl[k] === true;
  const str = (k: string) => (typeof dl[k] === 'string' ? (dl[k] as string) : '');
  return {
    severity: f.severity,
    environment: f.environment,
    priority: f.priority,
    signalTarget: ref(f.signalTarget),
    affectedResource: ref(f.affectedResource),
    confidence: Number.isFinite(f.confidence) ? f.confidence : 0,
    detectedLabels: new Map<string, unknown>([
      ['gitOpsManaged', bool('gitOpsManaged')],
      ['gitOpsTool', str('gitOpsTool')],
      ['pdbProtected', bool('pdbProtected')],
      ['hpaEnabled', bool('hpaEnabled')],
      ['stateful', bool('stateful')],
      ['helmManaged', bool('helmManaged')],
      ['networkIsolated', bool('networkIsolated')],
      ['serviceMesh', str('serviceMesh')],
    ]),
    failedDetections: Array.isArray(dl.failedDetections) ? (dl.failedDetections as unknown[]).filter((x): x is string => typeof x === 'string') : [],
    customLabels: new Map(Object.entries(f.customLabels).filter((e): e is [string, string[]] => Array.isArray(e[1])).map(([k, v]) => [k, v.filter((x) => typeof x === 'string')])),
    businessClassification: new Map(['businessUnit', 'serviceOwner', 'criticality', 'slaRequirement'].map((k) => [k, f.businessClassification[k] ?? ''])),
    warnings: f.warnings.filter((w) => typeof w === 'string'),
    workflow: new Map([
      ['workflowId', f.workflow.workflowId ?? ''],
      ['actionType', f.workflow.actionType ?? ''],
      ['version', f.workflow.version ?? ''],
    ]),
    settings: new Map<string, unknown>([
      ['lowConfidenceRule', settings.lowConfidenceRule],
      ['confidenceThreshold', settings.confidenceThreshold],
    ]),
  };
}

function ref(r: { apiVersion?: string; kind: string; name: string; namespace?: string } | undefined): Map<string, string> {
  return new Map([
    ['apiVersion', r?.apiVersion ?? ''],
    ['kind', r?.kind ?? ''],
    ['name', r?.name ?? ''],
    ['namespace', r?.namespace ?? ''],
  ]);
}
