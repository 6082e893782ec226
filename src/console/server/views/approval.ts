/**
 * The Approvals page and the approval part of a remediation: a RemediationApprovalRequest as the
 * person deciding sees it, with whether it can still be decided.
 */
import type { ApprovalList, ApprovalView, WorkflowChoice } from '../../api-types.ts';
import { compareTimes, createdAt, nameOf, namespaceOf, num, objectRef, str, strList, strMap, time, type KObj } from './objects.ts';

/** At most this many decided or expired requests are listed. */
export const MAX_RECENT = 50;

export function workflowChoice(w: any, confidence?: number): WorkflowChoice | undefined {
  const workflowId = str(w?.workflowId);
  if (!workflowId) return undefined;
  const version = str(w.version);
  const actionType = str(w.actionType);
  const executionBundle = str(w.executionBundle);
  const c = num(w.confidence) ?? confidence;
  const rationale = str(w.rationale);
  return {
    workflowId,
    ...(version ? { version } : {}),
    ...(actionType ? { actionType } : {}),
    ...(executionBundle ? { executionBundle } : {}),
    ...(c !== undefined ? { confidence: c } : {}),
    ...(rationale ? { rationale } : {}),
    parameters: strMap(w.parameters),
  };
}

const DECISIONS = new Set(['Approved', 'Rejected', 'Expired']);

export function approvalView(rar: KObj, now: Date): ApprovalView {
  const spec = rar.spec ?? {};
  const s = rar.status ?? {};
  const decision = DECISIONS.has(s.decision) ? (s.decision as ApprovalView['decision']) : undefined;
  const requiredBy = time(spec.requiredBy) ?? '';
  const deadlinePassed = !requiredBy || Date.parse(requiredBy) <= now.getTime();
  const expired = s.expired === true || decision === 'Expired' || (!decision && deadlinePassed);
  const confidence = num(spec.confidence);
  const optional = {
    confidence,
    confidenceLevel: str(spec.confidenceLevel),
    reason: str(spec.reason),
    whyApprovalRequired: str(spec.whyApprovalRequired),
    investigationSummary: str(spec.investigationSummary),
    target: objectRef(spec.targetResource),
    workflow: workflowChoice(spec.recommendedWorkflow, confidence),
    createdAt: time(s.createdAt) ?? createdAt(rar),
    decision,
    decidedBy: str(s.decidedBy),
    decidedAt: time(s.decidedAt),
    decisionMessage: str(s.decisionMessage),
  };
  return {
    namespace: namespaceOf(rar),
    name: nameOf(rar),
    remediation: str(spec.remediationRequestRef?.name) ?? nameOf(rar).replace(/^rar-/, ''),
    ...(Object.fromEntries(Object.entries(optional).filter(([, v]) => v !== undefined)) as Partial<ApprovalView>),
    evidence: strList(spec.evidenceCollected),
    requiredBy,
    expired,
    open: !decision && !expired,
  };
}

const when = (a: ApprovalView) => a.decidedAt ?? (a.requiredBy || a.createdAt);

/** Open requests, soonest deadline first; then the decided or expired ones, newest first. */
export function approvalList(rars: KObj[], now: Date): ApprovalList {
  const views = rars.map((r) => approvalView(r, now));
  const pending = views.filter((v) => v.open).sort((a, b) => compareTimes(a.requiredBy, b.requiredBy) || a.name.localeCompare(b.name));
  const recent = views
    .filter((v) => !v.open)
    .sort((a, b) => compareTimes(when(b), when(a)) || a.name.localeCompare(b.name))
    .slice(0, MAX_RECENT);
  return { pending, recent };
}
