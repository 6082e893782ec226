/**
 * A decision being made: the lifecycle handlers add status changes, children, notifications and
 * block or transition steps to it; `finish()` turns it into a Decision that writes only what
 * changed (so a repeated reconcile of an unchanged RR writes nothing), with the audit event and
 * Kubernetes Event of a transition and the next timer.
 */
import { isTerminalRemediationPhase, type RemediationRequest, type RemediationRequestStatus } from '../../api/v1alpha1/index.ts';
import { lifecycleAuditEvent } from './audit.ts';
import type { Children, ChildObject, ConditionUpdate, Decision, KubeEvent, Snapshot } from './model.ts';
import { notificationName, type NotificationPurpose } from './names.ts';
import { buildNotification, notificationStatusOf, type NotificationContent } from './notifications.ts';
import { effectiveTimeouts, nextTimeoutIn, type EffectiveTimeouts } from './timeouts.ts';
import { earliest, nowIso, untilTime } from './time.ts';

type Status = RemediationRequestStatus;

const WARNING_PHASES = new Set(['Blocked', 'Failed', 'TimedOut']);

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** `rr` with the status patch applied (members set to undefined removed). */
export function withStatus(rr: RemediationRequest, patch: Partial<Status>): RemediationRequest {
  const status: Record<string, unknown> = { ...rr.status };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete status[k];
    else status[k] = v;
  }
  return { ...rr, status: status as Status };
}

export class Draft {
  readonly status: Partial<Status> = {};
  readonly conditions: ConditionUpdate[] = [];
  readonly create: ChildObject[] = [];
  readonly remove: Decision['remove'] = [];
  readonly events: KubeEvent[] = [];
  approvalStatus?: Decision['approvalStatus'];
  markDuplicateOf?: string;
  deleteRemediationRequest = false;
  /** Nominal ms after which a block is looked at again (beyond the timers the status implies). */
  private recheckAfterMs?: number;
  readonly timeouts: EffectiveTimeouts;
  readonly now: string;

  constructor(readonly s: Snapshot) {
    this.timeouts = effectiveTimeouts(s.rr, s.config.timeouts);
    this.now = nowIso(s.time);
  }

  get rr(): RemediationRequest {
    return this.s.rr;
  }

  get phase(): string {
    return this.s.rr.status?.overallPhase ?? '';
  }

  get children(): Children {
    return this.s.children;
  }

  set(patch: Partial<Status>): this {
    Object.assign(this.status, patch);
    return this;
  }

  condition(type: string, status: ConditionUpdate['status'], reason: string, message: string): this {
    const i = this.conditions.findIndex((c) => c.type === type);
    if (i >= 0) this.conditions.splice(i, 1);
    this.conditions.push({ type, status, reason, message });
    return this;
  }

  createChild(child: ChildObject): this {
    this.create.push(child);
    return this;
  }

  recheckAfter(ms: number | undefined): this {
    this.recheckAfterMs = earliest(this.recheckAfterMs, ms);
    return this;
  }

  /** The RR with what has been decided so far. */
  patched(): RemediationRequest {
    return withStatus(this.rr, this.status);
  }

  /** Creates `nr-<purpose>-<rr>` once: a name already in notificationRequestRefs is never made again (even if deleted). */
  notify(purpose: NotificationPurpose, content: NotificationContent): this {
    const name = notificationName(purpose, this.rr.metadata?.name ?? '');
    const refs = this.patched().status?.notificationRequestRefs ?? [];
    if (refs.some((r) => r.name === name)) return this;
    this.createChild({ kind: 'NotificationRequest', object: buildNotification(this.rr, this.children, purpose, content, this.s.config) });
    this.set({ notificationRequestRefs: [...refs, { name, namespace: this.rr.metadata?.namespace ?? '' }] });
    return this;
  }

  /** Children as they will be once the decision is carried out (created ones without status yet). */
  private childrenAfter(): Children {
    const c: Children = { ...this.children, notifications: [...this.children.notifications] };
    for (const child of this.create) {
      switch (child.kind) {
        case 'SignalProcessing':
          c.signalProcessing ??= child.object;
          break;
        case 'AIAnalysis':
          c.aiAnalysis ??= child.object;
          break;
        case 'RemediationApprovalRequest':
          c.approvalRequest ??= child.object;
          break;
        case 'WorkflowExecution':
          c.workflowExecution ??= child.object;
          break;
        case 'EffectivenessAssessment':
          c.effectivenessAssessment ??= child.object;
          break;
        case 'NotificationRequest':
          if (!c.notifications.some((n) => n.metadata?.name === child.object.metadata?.name)) c.notifications.push(child.object);
          break;
      }
    }
    const removed = new Set(this.remove.map((r) => `${r.kind}/${r.name}`));
    const gone = (kind: string, o?: { metadata?: { name?: string } }) => !!o && removed.has(`${kind}/${o.metadata?.name}`);
    if (gone('SignalProcessing', c.signalProcessing)) c.signalProcessing = undefined;
    if (gone('AIAnalysis', c.aiAnalysis)) c.aiAnalysis = undefined;
    if (gone('RemediationApprovalRequest', c.approvalRequest)) c.approvalRequest = undefined;
    if (gone('WorkflowExecution', c.workflowExecution)) c.workflowExecution = undefined;
    if (gone('EffectivenessAssessment', c.effectivenessAssessment)) c.effectivenessAssessment = undefined;
    return c;
  }

  /** The Ready condition follows the phase; its reason is the RR's printer column "Reason". */
  private readyCondition(rr: RemediationRequest): ConditionUpdate {
    const st = rr.status ?? {};
    const phase = st.overallPhase ?? 'Pending';
    const message = st.message ?? phase;
    switch (phase) {
      case 'Completed':
        return { type: 'Ready', status: 'True', reason: st.outcome ?? 'Completed', message };
      case 'Failed':
      case 'TimedOut':
        return { type: 'Ready', status: 'False', reason: st.failureReason ?? phase, message };
      case 'Skipped':
        return { type: 'Ready', status: 'False', reason: st.skipReason ?? phase, message };
      case 'Cancelled':
        return { type: 'Ready', status: 'False', reason: 'Cancelled', message };
      case 'Blocked':
        return { type: 'Ready', status: 'Unknown', reason: st.blockReason ?? 'Blocked', message };
      default:
        return { type: 'Ready', status: 'Unknown', reason: phase, message };
    }
  }

  finish(): Decision {
    const before = this.rr;
    const fromPhase = this.phase;
    const children = this.childrenAfter();
    let after = this.patched();

    const notificationStatus = notificationStatusOf(after, children);
    if (notificationStatus && notificationStatus !== after.status?.notificationStatus) {
      this.set({ notificationStatus });
      after = this.patched();
    }

    const toPhase = after.status?.overallPhase ?? '';
    const phaseChanged = toPhase !== fromPhase;
    const blockChanged = toPhase === 'Blocked' && after.status?.blockReason !== before.status?.blockReason;
    if (phaseChanged || blockChanged) {
      const ready = this.readyCondition(after);
      this.condition(ready.type, ready.status, ready.reason, ready.message);
    }

    // Only members that change are written.
    const status: Partial<Status> = {};
    for (const [k, v] of Object.entries(this.status)) {
      if (!sameJson((before.status as Record<string, unknown> | undefined)?.[k], v)) (status as Record<string, unknown>)[k] = v;
    }
    const conditions = this.conditions.filter((c) => {
      const existing = before.status?.conditions?.find((x) => x.type === c.type);
      return !existing || existing.status !== c.status || existing.reason !== c.reason || existing.message !== c.message;
    });

    const audit = phaseChanged || blockChanged ? [lifecycleAuditEvent(after, children, fromPhase, this.now)] : [];
    const events = [...this.events];
    if (phaseChanged || blockChanged) {
      const reason = toPhase === 'Blocked' ? (after.status?.blockReason ?? 'Blocked') : toPhase;
      events.unshift({ type: WARNING_PHASES.has(toPhase) ? 'Warning' : 'Normal', reason, message: after.status?.message ?? toPhase });
      if (this.timeouts.problem) events.push({ type: 'Warning', reason: 'InvalidTimeoutsAnnotation', message: `${this.timeouts.problem}; using the default timeouts` });
    }

    return {
      expectedPhase: fromPhase,
      ...(Object.keys(status).length ? { status } : {}),
      conditions,
      create: this.create,
      remove: this.remove,
      ...(this.approvalStatus ? { approvalStatus: this.approvalStatus } : {}),
      ...(this.markDuplicateOf ? { markDuplicateOf: this.markDuplicateOf } : {}),
      audit,
      events,
      ...(this.deleteRemediationRequest ? { deleteRemediationRequest: true } : {}),
      requeueAfterMs: this.deleteRemediationRequest ? undefined : this.wakeAfter(after, children),
    };
  }

  /** The earliest timer of the RR as it will be: a timeout, the end of a block, a re-check, retention. */
  private wakeAfter(rr: RemediationRequest, children: Children): number | undefined {
    const t = this.s.time;
    const phase = rr.status?.overallPhase ?? '';
    if (isTerminalRemediationPhase(phase)) return untilTime(t, rr.status?.retentionExpiryTime);
    const timeouts = effectiveTimeouts(rr, this.s.config.timeouts).timeouts;
    return earliest(
      nextTimeoutIn(rr, children, timeouts, t),
      phase === 'Blocked' ? untilTime(t, rr.status?.blockedUntil) : undefined,
      phase === 'Blocked' || phase === 'Pending' ? this.recheckAfterMs : undefined,
    );
  }
}
