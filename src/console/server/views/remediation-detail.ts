/**
 * One remediation's page: the RemediationRequest and its children read into the signal, the
 * enrichment, the analysis, the approval, the execution, the effectiveness, the notifications and a
 * timeline with each stage's start, end and duration. The audit trail and the Job's log come from
 * outside the cluster objects and are handed in (`extras`).
 */
import type {
  AnalysisView,
  AuditView,
  EffectivenessView,
  EnrichmentView,
  ExecutionView,
  NotificationView,
  ObjectRef,
  RemediationDetail,
  SignalView,
  TimelineEntry,
  ToolCallView,
} from '../../api-types.ts';
import { approvalView, workflowChoice } from './approval.ts';
import { compareTimes, conditionMessage, createdAt, durationBetween, nameOf, num, objectRef, oneLine, str, strList, strMap, time, type KObj, type RemediationFamily } from './objects.ts';
import { remediationRow } from './remediation-list.ts';

export interface DetailExtras {
  audit: AuditView;
  evidence: ToolCallView[];
  jobLog?: ExecutionView['log'];
  now: Date;
}

function definedOnly<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

export function signalView(rr: KObj): SignalView {
  const spec = rr.spec ?? {};
  const dedup = rr.status?.deduplication ?? {};
  return definedOnly({
    name: str(spec.signalName) ?? '',
    severity: str(spec.severity) ?? '',
    source: str(spec.signalSource) ?? '',
    type: str(spec.signalType) ?? '',
    fingerprint: str(spec.signalFingerprint) ?? '',
    labels: strMap(spec.signalLabels),
    annotations: strMap(spec.signalAnnotations),
    firingTime: time(spec.firingTime),
    receivedTime: time(spec.receivedTime),
    occurrences: Math.max(1, num(dedup.occurrenceCount) ?? 1),
    lastSeen: time(dedup.lastSeenAt),
  });
}

const sameRef = (a: ObjectRef, b: ObjectRef) => a.kind === b.kind && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');

/** SignalProcessing's classification, the owner chain (target first) and the detected labels of the analysis. */
export function enrichmentView(rr: KObj, sp: KObj | undefined, aa: KObj | undefined): EnrichmentView | undefined {
  if (!sp && !aa?.status?.postRCAContext) return undefined;
  const s = sp?.status ?? {};
  const chain = (Array.isArray(s.kubernetesContext?.ownerChain) ? s.kubernetesContext.ownerChain : []).map(objectRef).filter((r: ObjectRef | undefined): r is ObjectRef => !!r);
  const target = objectRef(rr.spec?.targetResource);
  const ownerChain = target && !(chain[0] && sameRef(chain[0], target)) ? [target, ...chain] : chain;
  const detected: EnrichmentView['detectedLabels'] = {};
  const raw = aa?.status?.postRCAContext?.detectedLabels ?? {};
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (k !== 'failedDetections' && (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number')) detected[k] = v;
  }
  const failed = strList(raw.failedDetections);
  return definedOnly({
    phase: str(s.phase),
    environment: str(s.environmentClassification?.environment),
    priority: str(s.priorityAssignment?.priority),
    severity: str(s.severity),
    signalMode: str(s.signalMode),
    businessUnit: str(s.businessClassification?.businessUnit),
    criticality: str(s.businessClassification?.criticality),
    ownerChain,
    detectedLabels: detected,
    failedDetections: failed.length ? failed : undefined,
  });
}

function warningText(w: unknown): string | undefined {
  if (typeof w === 'string') return w;
  if (w && typeof w === 'object') return str((w as any).message) ?? str((w as any).code) ?? JSON.stringify(w);
  return undefined;
}

export function analysisView(aa: KObj, evidence: ToolCallView[]): AnalysisView {
  const s = aa.status ?? {};
  const rca = s.rootCauseAnalysis ?? {};
  const u = s.investigationUsage;
  const usage = u
    ? definedOnly({
        provider: str(u.provider),
        model: str(u.model),
        promptTokens: num(u.promptTokens),
        completionTokens: num(u.completionTokens),
        totalTokens: num(u.totalTokens),
        llmTurns: num(u.llmTurns),
        toolCalls: num(u.toolCalls),
        latencyMs: num(u.latencyMs),
      })
    : undefined;
  const confidence = num(s.confidence) ?? num(s.selectedWorkflow?.confidence);
  return definedOnly({
    name: nameOf(aa),
    phase: str(s.phase),
    reason: str(s.reason),
    message: str(s.message),
    outcome: str(s.investigationOutcome),
    rootCause: str(s.rootCause),
    rootCauseSummary: str(rca.summary),
    contributingFactors: strList(rca.contributingFactors),
    affectedResource: objectRef(rca.affectedResource),
    confidence,
    workflow: workflowChoice(s.selectedWorkflow),
    approvalRequired: typeof s.approvalRequired === 'boolean' ? s.approvalRequired : undefined,
    approvalReason: str(s.approvalReason),
    needsHumanReview: typeof s.needsHumanReview === 'boolean' ? s.needsHumanReview : undefined,
    humanReviewReason: str(s.humanReviewReason),
    warnings: (Array.isArray(s.warnings) ? s.warnings : []).map(warningText).filter((w: string | undefined): w is string => !!w),
    usage,
    evidence,
  });
}

export function executionView(we: KObj, log: ExecutionView['log']): ExecutionView {
  const s = we.status ?? {};
  const job = objectRef(s.executionRef);
  return definedOnly({
    name: nameOf(we),
    phase: str(s.phase),
    workflowId: str(we.spec?.workflowRef?.workflowId),
    startedAt: time(s.startTime),
    completedAt: time(s.completionTime),
    failureReason: str(s.failureReason) ?? str(s.failureDetails?.message),
    job,
    log,
  });
}

/** "health 1 (3/3 ready, no restarts)" in the EA's message: what each score is made of. */
function componentDetails(message: string | undefined, component: string): string | undefined {
  if (!message) return undefined;
  const m = new RegExp(`\\b${component} (?:[0-9.]+|n/a) \\(([^)]*)\\)`).exec(message);
  return m?.[1];
}

export function effectivenessView(ea: KObj): EffectivenessView {
  const s = ea.status ?? {};
  const c = s.components ?? {};
  const message = str(s.message);
  const components: EffectivenessView['components'] = ['health', 'alert', 'metrics'].map((name) =>
    definedOnly({ name, assessed: typeof c[`${name}Assessed`] === 'boolean' ? c[`${name}Assessed`] : undefined, score: num(c[`${name}Score`]), details: componentDetails(message, name) }),
  );
  if (typeof c.hashComputed === 'boolean') {
    const pre = str(ea.spec?.preRemediationSpecHash);
    const post = str(c.postRemediationSpecHash);
    const current = str(c.currentSpecHash);
    const details = !c.hashComputed ? undefined : current && post && current !== post ? 'the target spec changed after the remediation (spec drift)' : pre && post ? (pre === post ? 'target spec unchanged by the remediation' : 'the remediation changed the target spec') : undefined;
    components.push(definedOnly({ name: 'hash', assessed: c.hashComputed, details }));
  }
  return definedOnly({ name: nameOf(ea), phase: str(s.phase), overallScore: num(s.overallScore), reason: str(s.assessmentReason), message, completedAt: time(s.completedAt), components });
}

export function notificationView(nr: KObj): NotificationView {
  const attempts = Array.isArray(nr.status?.deliveryAttempts) ? nr.status.deliveryAttempts : [];
  const channels = [...new Set([...strList(nr.spec?.channels), ...attempts.map((a: any) => str(a?.channel)).filter((c: string | undefined): c is string => !!c)])];
  return definedOnly({ name: nameOf(nr), type: str(nr.spec?.type) ?? '', subject: str(nr.spec?.subject) ?? '', phase: str(nr.status?.phase), channels, createdAt: createdAt(nr) });
}

function entry(e: TimelineEntry): TimelineEntry {
  const durationMs = e.durationMs ?? durationBetween(e.startedAt, e.endedAt);
  return definedOnly({ ...e, ...(durationMs !== undefined ? { durationMs } : {}), ...(e.detail ? { detail: oneLine(e.detail, 300) } : {}) });
}

/**
 * A creationTimestamp has whole seconds only: a child the Orchestrator created right after the
 * previous stage ended (within that second) started at that end, not at the second's start.
 */
function startAfter(created: string | undefined, previousEnd: string | undefined): string | undefined {
  if (!created || !previousEnd) return created;
  const gap = Date.parse(previousEnd) - Date.parse(created);
  return gap > 0 && gap < 1000 ? previousEnd : created;
}

/**
 * The RR and each child with its start, end and duration: the pipeline's stages in their order
 * (they run one after the other), each notification after the stage that was under way when it
 * was queued.
 */
export function timeline(f: RemediationFamily): TimelineEntry[] {
  const stages: TimelineEntry[] = [];
  const rs = f.rr.status ?? {};
  const rrReason = [str(rs.outcome), str(rs.failureReason), str(rs.blockReason), str(rs.skipReason)].filter(Boolean).join(', ');
  stages.push(entry({ kind: 'RemediationRequest', name: nameOf(f.rr), phase: str(rs.overallPhase) ?? 'Pending', startedAt: time(rs.startTime) ?? createdAt(f.rr), endedAt: time(rs.completedAt), detail: str(rs.message) ?? (rrReason || undefined) }));
  if (f.sp) {
    const s = f.sp.status ?? {};
    const env = str(s.environmentClassification?.environment);
    const detail = str(s.error) ?? (env ? `environment ${env}, priority ${str(s.priorityAssignment?.priority) ?? '?'}, severity ${str(s.severity) ?? '?'}` : conditionMessage(f.sp, 'Ready'));
    stages.push(entry({ kind: 'SignalProcessing', name: nameOf(f.sp), phase: str(s.phase) ?? 'Pending', startedAt: time(s.startTime) ?? createdAt(f.sp), endedAt: time(s.completionTime), detail }));
  }
  if (f.aa) {
    const s = f.aa.status ?? {};
    stages.push(entry({ kind: 'AIAnalysis', name: nameOf(f.aa), phase: str(s.phase) ?? 'Pending', startedAt: time(s.startedAt) ?? createdAt(f.aa), endedAt: time(s.completedAt), detail: str(s.message) ?? str(s.reason) }));
  }
  if (f.rar) {
    const s = f.rar.status ?? {};
    const decision = str(s.decision);
    const detail = decision ? `${decision}${str(s.decidedBy) ? ` by ${s.decidedBy}` : ''}${str(s.decisionMessage) ? `: ${s.decisionMessage}` : ''}` : `approval required by ${str(f.rar.spec?.requiredBy) ?? '?'}`;
    const startedAt = startAfter(time(s.createdAt) ?? createdAt(f.rar), time(f.aa?.status?.completedAt));
    stages.push(entry({ kind: 'RemediationApprovalRequest', name: nameOf(f.rar), phase: decision ?? 'Pending', startedAt, endedAt: time(s.decidedAt), detail }));
  }
  if (f.we) {
    const s = f.we.status ?? {};
    const startedAt = time(s.startTime);
    const endedAt = time(s.completionTime);
    stages.push(entry({ kind: 'WorkflowExecution', name: nameOf(f.we), phase: str(s.phase) ?? 'Pending', startedAt: startedAt ?? createdAt(f.we), endedAt, detail: str(s.failureReason) ?? str(f.we.spec?.workflowRef?.workflowId) }));
    const job = objectRef(s.executionRef);
    if (job) {
      const es = s.executionStatus ?? {};
      stages.push(entry({ kind: 'Job', name: job.name, phase: str(es.status) ?? (endedAt ? str(s.phase) : 'Running'), startedAt, endedAt, detail: str(es.message) ?? str(es.reason) }));
    }
  }
  if (f.ea) {
    const s = f.ea.status ?? {};
    const reason = str(s.assessmentReason);
    const score = num(s.overallScore);
    const detail = reason || score !== undefined ? `${reason ?? ''}${score !== undefined ? `${reason ? ', ' : ''}score ${score}` : ''}` : str(s.message);
    const startedAt = startAfter(createdAt(f.ea), time(f.we?.status?.completionTime));
    stages.push(entry({ kind: 'EffectivenessAssessment', name: nameOf(f.ea), phase: str(s.phase) ?? 'Pending', startedAt, endedAt: time(s.completedAt), detail }));
  }
  const notifications = f.notifications
    .map((nr) => {
      const s = nr.status ?? {};
      // queuedAt has milliseconds, the creationTimestamp only seconds.
      return entry({ kind: 'NotificationRequest', name: nameOf(nr), phase: str(s.phase) ?? 'Pending', startedAt: time(s.queuedAt) ?? createdAt(nr), endedAt: time(s.completionTime), detail: str(nr.spec?.subject) });
    })
    .sort((a, b) => compareTimes(a.startedAt, b.startedAt) || a.name.localeCompare(b.name));
  const out = [...stages];
  for (const n of notifications) {
    let at = out.length;
    while (at > 1 && (!n.startedAt || !out[at - 1].startedAt || compareTimes(out[at - 1].startedAt, n.startedAt) > 0)) at--;
    out.splice(at, 0, n);
  }
  return out;
}

export function remediationDetail(f: RemediationFamily, extras: DetailExtras): RemediationDetail {
  const s = f.rr.status ?? {};
  const failurePhase = str(s.failurePhase) ?? str(s.timeoutPhase);
  const failureReason = str(s.failureReason);
  const failure = failurePhase || failureReason ? definedOnly({ phase: failurePhase, reason: failureReason, message: str(s.message) }) : undefined;
  return definedOnly({
    row: remediationRow(f),
    message: str(s.message),
    failure,
    signal: signalView(f.rr),
    timeline: timeline(f),
    enrichment: enrichmentView(f.rr, f.sp, f.aa),
    analysis: f.aa ? analysisView(f.aa, extras.evidence) : undefined,
    approval: f.rar ? approvalView(f.rar, extras.now) : undefined,
    execution: f.we ? executionView(f.we, extras.jobLog) : undefined,
    effectiveness: f.ea ? effectivenessView(f.ea) : undefined,
    notifications: [...f.notifications].sort((a, b) => compareTimes(createdAt(a), createdAt(b)) || nameOf(a).localeCompare(nameOf(b))).map(notificationView),
    audit: extras.audit,
  });
}
