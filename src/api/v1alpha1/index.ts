/**
 * Kubernaut's API (group kubernaut.ai, version v1alpha1): the custom resource types, generated from
 * the CRD manifests in deploy/crds (the single source of truth), plus the names and
 * group/version/resource constants every client needs.
 */
import { KUBERNAUT_KIND_NAMES } from './generated/kinds.ts';
import type { RemediationRequestStatus } from './generated/remediationrequest.ts';

export * from './generated/remediationrequest.ts';
export * from './generated/signalprocessing.ts';
export * from './generated/aianalysis.ts';
export * from './generated/workflowexecution.ts';
export * from './generated/effectivenessassessment.ts';
export * from './generated/remediationapprovalrequest.ts';
export * from './generated/notificationrequest.ts';
export * from './generated/remediationworkflow.ts';
export * from './labels.ts';
export * from './remediation-age.ts';
export * from './managed-scope.ts';
export * from './timeouts-annotation.ts';

export const KUBERNAUT_GROUP = 'kubernaut.ai';
export const KUBERNAUT_VERSION = 'v1alpha1';
export const KUBERNAUT_API_VERSION = `${KUBERNAUT_GROUP}/${KUBERNAUT_VERSION}` as const;
/** `kubectl get kubernaut -n <ns>` lists every kind of this category. */
export const KUBERNAUT_CATEGORY = 'kubernaut';

/** Names (kind, plural, singular, short names, ...) of every Kubernaut kind, keyed by kind. */
export const KUBERNAUT_KINDS = KUBERNAUT_KIND_NAMES;
export type KubernautKind = keyof typeof KUBERNAUT_KINDS;

/** What client-node's CustomObjectsApi takes to address a kind: `{group, version, plural}`. */
export interface GroupVersionResource {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
}

export function gvr(kind: KubernautKind): GroupVersionResource {
  const k = KUBERNAUT_KINDS[kind];
  return { group: k.group, version: k.version, plural: k.plural };
}

export const REMEDIATION_REQUEST_GVR = gvr('RemediationRequest');
export const SIGNAL_PROCESSING_GVR = gvr('SignalProcessing');
export const AI_ANALYSIS_GVR = gvr('AIAnalysis');
export const WORKFLOW_EXECUTION_GVR = gvr('WorkflowExecution');
export const EFFECTIVENESS_ASSESSMENT_GVR = gvr('EffectivenessAssessment');
export const REMEDIATION_APPROVAL_REQUEST_GVR = gvr('RemediationApprovalRequest');
export const NOTIFICATION_REQUEST_GVR = gvr('NotificationRequest');
export const REMEDIATION_WORKFLOW_GVR = gvr('RemediationWorkflow');

/** One status condition (the metav1.Condition shape every Kubernaut kind uses). */
export type KubernautCondition = NonNullable<RemediationRequestStatus['conditions']>[number];

export type RemediationPhase = NonNullable<RemediationRequestStatus['overallPhase']>;

/** RR phases after which nothing more happens (Blocked is not terminal: the Gateway keeps deduplicating into it). */
export const TERMINAL_REMEDIATION_PHASES: ReadonlySet<RemediationPhase> = new Set<RemediationPhase>(['Completed', 'Failed', 'TimedOut', 'Skipped', 'Cancelled']);

export function isTerminalRemediationPhase(phase: string | undefined): boolean {
  return !!phase && TERMINAL_REMEDIATION_PHASES.has(phase as RemediationPhase);
}
