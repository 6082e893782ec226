/**
 * The Remediations page: one row per RemediationRequest, with where it is now in words (the stage),
 * filtered by substrings of namespace, phase, outcome and target, newest first.
 */
import type { RemediationList, RemediationRow } from '../../api-types.ts';
import { compareTimes, createdAt, nameOf, namespaceOf, objectRef, str, time, type KObj, type RemediationFamily } from './objects.ts';

/** At most this many rows in one answer (the newest); `total` then says how many matched. */
export const MAX_ROWS = 500;

export interface RemediationFilters {
  namespace?: string;
  phase?: string;
  outcome?: string;
  target?: string;
}

export function phaseOf(rr: KObj): string {
  return str(rr.status?.overallPhase) ?? 'Pending';
}

/** Whether the RR waits for a person: its phase says so and its approval request is still undecided. */
export function awaitingApproval(f: RemediationFamily): boolean {
  return phaseOf(f.rr) === 'AwaitingApproval' && !str(f.rar?.status?.decision);
}

/** Where the remediation is now, in words: the child at work and its phase, or how it ended. */
export function stageOf(f: RemediationFamily): string {
  const s = f.rr.status ?? {};
  const phase = phaseOf(f.rr);
  const child = (kind: string, o: KObj | undefined, fallback: string) => (o ? `${kind} ${str(o.status?.phase) ?? 'Pending'}` : fallback);
  switch (phase) {
    case 'Pending':
      return 'waiting to start';
    case 'Processing':
      return child('SignalProcessing', f.sp, 'starting SignalProcessing');
    case 'Analyzing':
      return child('AIAnalysis', f.aa, 'starting AIAnalysis');
    case 'AwaitingApproval': {
      const decision = str(f.rar?.status?.decision);
      return decision ? `approval ${decision.toLowerCase()}` : 'awaiting approval';
    }
    case 'Executing':
      return child('WorkflowExecution', f.we, 'starting WorkflowExecution');
    case 'Verifying':
      return child('EffectivenessAssessment', f.ea, 'starting EffectivenessAssessment');
    case 'Blocked':
      return `blocked${str(s.blockReason) ? `: ${s.blockReason}` : ''}`;
    case 'Completed':
      return `Completed${str(s.outcome) ? ` (${s.outcome})` : ''}`;
    case 'Skipped':
      return `Skipped${str(s.skipReason) ? `: ${s.skipReason}` : ''}`;
    case 'TimedOut':
      return `TimedOut${str(s.timeoutPhase) ? ` in ${s.timeoutPhase}` : ''}`;
    case 'Failed': {
      const why = str(s.failureReason) ?? str(s.outcome);
      return `Failed${str(s.failurePhase) ? ` in ${s.failurePhase}` : ''}${why ? `: ${why}` : ''}`;
    }
    default:
      return phase;
  }
}

export function remediationRow(f: RemediationFamily): RemediationRow {
  const rr = f.rr;
  const spec = rr.spec ?? {};
  const s = rr.status ?? {};
  const target = objectRef(spec.targetResource) ?? { kind: 'Unknown', name: '' };
  const outcome = str(s.outcome);
  const completedAt = time(s.completedAt);
  const environment = str(f.sp?.status?.environmentClassification?.environment);
  const priority = str(f.sp?.status?.priorityAssignment?.priority);
  const workflowId = str(s.selectedWorkflowRef?.workflowId) ?? str(f.aa?.status?.selectedWorkflow?.workflowId);
  return {
    namespace: namespaceOf(rr),
    name: nameOf(rr),
    createdAt: createdAt(rr) ?? '',
    signalName: str(spec.signalName) ?? '',
    severity: str(spec.severity) ?? '',
    target,
    phase: phaseOf(rr),
    ...(outcome ? { outcome } : {}),
    stage: stageOf(f),
    awaitingApproval: awaitingApproval(f),
    ...(completedAt ? { completedAt } : {}),
    ...(environment ? { environment } : {}),
    ...(priority ? { priority } : {}),
    ...(workflowId ? { workflowId } : {}),
  };
}

const contains = (haystack: string, needle: string | undefined) => !needle || haystack.toLowerCase().includes(needle.toLowerCase());

export function matchesFilters(row: RemediationRow, q: RemediationFilters): boolean {
  const t = row.target;
  const target = `${t.kind}/${t.name} ${t.namespace ?? ''}/${t.kind}/${t.name}`;
  return contains(row.namespace, q.namespace) && contains(row.phase, q.phase) && contains(row.outcome ?? '', q.outcome) && contains(target, q.target);
}

/** Newest first (creation time, then name for a stable order). */
export function newestFirst(a: RemediationRow, b: RemediationRow): number {
  return compareTimes(b.createdAt || undefined, a.createdAt || undefined) || a.namespace.localeCompare(b.namespace) || a.name.localeCompare(b.name);
}

export function remediationList(families: RemediationFamily[], q: RemediationFilters = {}): RemediationList {
  const rows = families.map(remediationRow);
  const namespaces = [...new Set(rows.map((r) => r.namespace))].sort();
  const matching = rows.filter((r) => matchesFilters(r, q)).sort(newestFirst);
  return {
    items: matching.slice(0, MAX_ROWS),
    namespaces,
    ...(matching.length > MAX_ROWS ? { total: matching.length } : {}),
  };
}
