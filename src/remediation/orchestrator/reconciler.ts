/**
 * The Orchestrator's reconcile of one RemediationRequest: gather the snapshot (informer caches,
 * plus the managed scope, spec hash and history when the RR is at a routing stage), decide
 * (lifecycle.ts, pure), carry the decision out.
 *
 * Order of the writes, for restart safety:
 *   1. the RAR's Orchestrator-owned status (an expiry only while still undecided: if an approver won
 *      the race, the whole decision is dropped and made again);
 *   2. children, created idempotently (deterministic names; AlreadyExists with our owner = done);
 *   3. deletions (cancel);
 *   4. the RR status, read-modify-write with the resourceVersion, applied only while the RR still has
 *      the phase the decision was made on — so a crash between 2 and 4 makes the next reconcile find
 *      the child and write the status again, never a second child or a reference to nothing;
 *   5. audit events and Kubernetes Events of the transition, once it is written.
 */
import type { KubernetesObject } from '@kubernetes/client-node';
import {
  KUBERNAUT_API_VERSION,
  type AIAnalysis,
  type EffectivenessAssessment,
  type KubernautCondition,
  type NotificationRequest,
  type RemediationApprovalRequest,
  type RemediationRequest,
  type RemediationRequestStatus,
  type SignalProcessing,
  type WorkflowExecution,
} from '../../api/v1alpha1/index.ts';
import type { AuditSink } from '../../datastorage/client/audit-sink.ts';
import { messageOf, statusCodeOf } from '../../kube/api-errors.ts';
import { setCondition } from '../../kube/conditions.ts';
import type { ReconcileResult, Reconciler } from '../../kube/controller.ts';
import type { Informer } from '../../kube/informer.ts';
import type { KubernautClient } from '../../kube/kubernaut-client.ts';
import type { ObjectKey } from '../../kube/object-key.ts';
import { isControlledBy } from '../../kube/ownership.ts';
import type { Clock } from '../../platform/clock.ts';
import { componentLogger, type Logger } from '../../platform/log.ts';
import type { OrchestratorConfig } from './config.ts';
import { stageToCheck } from './facts.ts';
import { decide, decideRefusedChild } from './lifecycle.ts';
import type { OrchestratorMetrics } from './metrics.ts';
import type { ChildObject, Children, Decision, ExecutionOnTarget, HistoryEntry, Snapshot } from './model.ts';
import { aiAnalysisName, approvalRequestName, effectivenessAssessmentName, signalProcessingName, workflowExecutionName } from './names.ts';
import { targetSpecHash } from './spec-hash.ts';
import { isInManagedScope, type TargetObjects } from './target-objects.ts';
import { remediationTargetOf, signalTargetOf, targetString, type TargetRef } from './targets.ts';
import { timeViewOf } from './time.ts';

/** DataStorage's remediation history, as far as routing reads it (RemediationHistoryClient fits). */
export interface RemediationHistorySource {
  byTarget(target: { kind: string; name: string; namespace?: string }, options?: { since?: Date; limit?: number }): Promise<HistoryEntry[]>;
  byFingerprint(fingerprint: string, options?: { since?: Date; limit?: number }): Promise<HistoryEntry[]>;
}

export interface EventSink {
  event(obj: KubernetesObject, type: 'Normal' | 'Warning', reason: string, message: string): void;
}

/** Informer caches of the RR and every child kind (all namespaces the Orchestrator serves). */
export interface OrchestratorCaches {
  remediationRequests: Informer<RemediationRequest>;
  signalProcessings: Informer<SignalProcessing>;
  aiAnalyses: Informer<AIAnalysis>;
  approvalRequests: Informer<RemediationApprovalRequest>;
  workflowExecutions: Informer<WorkflowExecution>;
  effectivenessAssessments: Informer<EffectivenessAssessment>;
  notifications: Informer<NotificationRequest>;
}

/** Extra informer indices the Orchestrator looks things up by. */
export const INDEX_FINGERPRINT = 'fingerprint';
export const INDEX_TARGET = 'targetResource';
export const INDEX_BLOCKING_EXECUTION = 'blockingWorkflowExecution';
export const INDEX_DUPLICATE_OF = 'duplicateOf';

export interface OrchestratorReconcilerOptions {
  caches: OrchestratorCaches;
  client: KubernautClient;
  objects: TargetObjects;
  history?: RemediationHistorySource;
  audit: AuditSink;
  events?: EventSink;
  clock: Clock;
  config: OrchestratorConfig;
  metrics?: OrchestratorMetrics;
  log?: Logger;
}

/** A decision made on a state that changed before it could be written: decide again at once. */
const AGAIN: ReconcileResult = { requeueAfterMs: 0 };

type ChildKey = 'signalProcessing' | 'aiAnalysis' | 'approvalRequest' | 'workflowExecution' | 'effectivenessAssessment';

export class OrchestratorReconciler implements Reconciler {
  private readonly log: Logger;

  constructor(private readonly o: OrchestratorReconcilerOptions) {
    this.log = o.log ?? componentLogger('orchestrator');
  }

  async reconcile(key: ObjectKey): Promise<ReconcileResult | void> {
    const rr = this.o.caches.remediationRequests.get(key);
    if (!rr) return;
    const snapshot = await this.snapshot(rr);
    return this.apply(snapshot, decide(snapshot));
  }

  // -------------------------------------------------------------------------------------------
  // Snapshot

  private async snapshot(rr: RemediationRequest): Promise<Snapshot> {
    const c = this.o.caches;
    const time = timeViewOf(this.o.clock);
    const children = await this.children(rr);
    const namespace = rr.metadata?.namespace ?? '';
    const sameFingerprint = c.remediationRequests
      .byIndex(INDEX_FINGERPRINT, rr.spec.signalFingerprint)
      .filter((o) => o.metadata?.namespace === namespace && o.metadata?.name !== rr.metadata?.name);
    const snapshot: Snapshot = { rr, children, config: this.o.config, time, sameFingerprint, executionsOnTarget: [], history: { byFingerprint: [], byTarget: [] } };

    const stage = stageToCheck(rr, children, time);
    if (stage === 'pre-analysis') {
      const [managed, byFingerprint] = await Promise.all([
        isInManagedScope(this.o.objects, signalTargetOf(rr)),
        this.historyOf(() => this.o.history!.byFingerprint(rr.spec.signalFingerprint, { limit: 100 })),
      ]);
      snapshot.managed = managed;
      snapshot.history.byFingerprint = byFingerprint;
    } else if (stage === 'post-analysis') {
      const target = remediationTargetOf(rr, children.aiAnalysis, children.signalProcessing);
      const since = new Date(time.nowMs - time.scaled(this.o.config.routing.ineffectiveChainWindowMs));
      const [hash, byTarget] = await Promise.all([
        targetSpecHash(this.o.objects, target),
        this.historyOf(() => this.o.history!.byTarget({ kind: target.kind, name: target.name, namespace: target.namespace ?? '' }, { since, limit: 100 })),
      ]);
      snapshot.targetSpecHash = hash;
      snapshot.history.byTarget = byTarget;
      snapshot.executionsOnTarget = this.executionsOn(target, rr);
    }
    return snapshot;
  }

  /** History is optional: without DataStorage (or while it is unreachable) live RRs are the only record. */
  private async historyOf(query: () => Promise<HistoryEntry[]>): Promise<HistoryEntry[]> {
    if (!this.o.history) return [];
    try {
      return await query();
    } catch (err) {
      this.log.warn({ err: messageOf(err) }, 'remediation history unavailable; routing on live RemediationRequests only');
      return [];
    }
  }

  private executionsOn(target: TargetRef, rr: RemediationRequest): ExecutionOnTarget[] {
    const c = this.o.caches;
    return c.workflowExecutions
      .byIndex(INDEX_TARGET, targetString(target))
      .filter((we) => !isControlledBy(we, rr.metadata?.uid))
      .map((we) => {
        const ns = we.metadata?.namespace ?? '';
        const owner = we.spec.remediationRequestRef.name;
        return {
          workflowExecution: we,
          remediationRequest: c.remediationRequests.get({ namespace: ns, name: owner }),
          effectivenessAssessment: c.effectivenessAssessments.get({ namespace: ns, name: effectivenessAssessmentName(owner) }),
        };
      });
  }

  /**
   * The RR's children by their names, only those it controls. One that the RR refers to but the
   * cache lacks is read from the API server before it counts as deleted: our own create may not have
   * reached the cache yet, and "deleted" fails the RR.
   */
  private async children(rr: RemediationRequest): Promise<Children> {
    const c = this.o.caches;
    const name = rr.metadata?.name ?? '';
    const ns = rr.metadata?.namespace ?? '';
    const uid = rr.metadata?.uid;
    const st = rr.status ?? {};
    const pick = async <T extends KubernetesObject>(
      kind: Parameters<KubernautClient['get']>[0],
      informer: Informer<T>,
      childName: string,
      referenced: boolean,
    ): Promise<T | undefined> => {
      let obj: T | undefined = informer.get({ namespace: ns, name: childName });
      if (!obj && referenced) obj = (await this.o.client.get(kind, { namespace: ns, name: childName })) as T | undefined;
      return obj && isControlledBy(obj, uid) ? obj : undefined;
    };
    const found: Partial<Pick<Children, ChildKey>> = {
      signalProcessing: await pick('SignalProcessing', c.signalProcessings, signalProcessingName(name), !!st.signalProcessingRef),
      aiAnalysis: await pick('AIAnalysis', c.aiAnalyses, aiAnalysisName(name), !!st.aiAnalysisRef),
      approvalRequest: await pick('RemediationApprovalRequest', c.approvalRequests, approvalRequestName(name), !!st.remediationApprovalRequestRef),
      workflowExecution: await pick('WorkflowExecution', c.workflowExecutions, workflowExecutionName(name), !!st.workflowExecutionRef),
      effectivenessAssessment: await pick('EffectivenessAssessment', c.effectivenessAssessments, effectivenessAssessmentName(name), !!st.effectivenessAssessmentRef),
    };
    const notifications: NotificationRequest[] = [];
    for (const ref of st.notificationRequestRefs ?? []) {
      const nr = await pick('NotificationRequest', c.notifications, ref.name, true);
      if (nr) notifications.push(nr);
    }
    return { ...found, notifications };
  }

  // -------------------------------------------------------------------------------------------
  // Carrying the decision out

  private async apply(s: Snapshot, d: Decision): Promise<ReconcileResult | void> {
    const rr = s.rr;
    const key = { namespace: rr.metadata?.namespace ?? '', name: rr.metadata?.name ?? '' };

    if (d.approvalStatus && !(await this.writeApprovalStatus(key.namespace, d.approvalStatus))) return AGAIN;

    for (const child of d.create) {
      try {
        await this.create(child);
      } catch (err) {
        const code = statusCodeOf(err);
        if (code !== 422 && code !== 400) throw err;
        // The API server refuses the child itself: no retry can help, the RR fails and says why.
        this.log.error({ rr: key.name, kind: child.kind, name: child.object.metadata?.name, err: messageOf(err) }, 'child refused by the API server');
        if (child.kind === 'NotificationRequest') continue;
        return this.apply(s, decideRefusedChild(s, child.kind, child.object.metadata?.name ?? '', messageOf(err)));
      }
    }

    for (const r of d.remove) {
      await this.o.client.delete(r.kind, { namespace: key.namespace, name: r.name }, { propagationPolicy: 'Background', ...(r.uid ? { uid: r.uid } : {}) });
    }

    if (d.status || d.conditions.length) {
      let stale = false;
      try {
        await this.o.client.updateStatus('RemediationRequest', key, (current) => {
          if ((current.status?.overallPhase ?? '') !== d.expectedPhase) {
            stale = true;
            return undefined;
          }
          return applyToStatus(current.status, d, this.o.clock.now());
        }, { from: rr });
      } catch (err) {
        if (statusCodeOf(err) === 404) return;
        throw err;
      }
      if (stale) return AGAIN;
      this.announce(rr, d);
    }

    if (d.markDuplicateOf) await this.recordDuplicate(key.namespace, d.markDuplicateOf, key.name);

    if (d.deleteRemediationRequest) {
      this.log.info({ rr: key.name, retentionExpiryTime: rr.status?.retentionExpiryTime }, 'retention over: deleting the RemediationRequest and, by garbage collection, its children');
      await this.o.client.delete('RemediationRequest', key, { propagationPolicy: 'Background', ...(rr.metadata?.uid ? { uid: rr.metadata.uid } : {}) });
      return;
    }
    return d.requeueAfterMs === undefined ? undefined : { requeueAfterMs: d.requeueAfterMs };
  }

  private async create(child: ChildObject): Promise<void> {
    switch (child.kind) {
      case 'SignalProcessing':
        await this.o.client.create('SignalProcessing', child.object);
        break;
      case 'AIAnalysis':
        await this.o.client.create('AIAnalysis', child.object);
        break;
      case 'RemediationApprovalRequest':
        await this.o.client.create('RemediationApprovalRequest', child.object);
        break;
      case 'WorkflowExecution':
        await this.o.client.create('WorkflowExecution', child.object);
        break;
      case 'EffectivenessAssessment':
        await this.o.client.create('EffectivenessAssessment', child.object);
        break;
      case 'NotificationRequest':
        await this.o.client.create('NotificationRequest', child.object);
        break;
    }
  }

  /** False when an expiry lost the race against an approver's decision. */
  private async writeApprovalStatus(namespace: string, w: NonNullable<Decision['approvalStatus']>): Promise<boolean> {
    let lost = false;
    try {
      await this.o.client.updateStatus('RemediationApprovalRequest', { namespace, name: w.name }, (current) => {
        const st = current.status ?? {};
        if (w.expire && st.decision) {
          lost = true;
          return undefined;
        }
        // Fields the Orchestrator sets once: a later reconcile never moves them.
        const fields = { ...w.fields };
        if (st.decidedAt && !w.expire) delete fields.decidedAt;
        if (st.createdAt) delete fields.createdAt;
        const next = { ...st, ...fields };
        if (w.ready) next.conditions = setCondition(st.conditions as KubernautCondition[] | undefined, w.ready, { now: this.o.clock.now() });
        return JSON.stringify(next) === JSON.stringify(st) ? undefined : next;
      });
    } catch (err) {
      // Gone: the next reconcile sees the deletion.
      if (statusCodeOf(err) !== 404) throw err;
    }
    return !lost;
  }

  private async recordDuplicate(namespace: string, original: string, duplicate: string): Promise<void> {
    try {
      await this.o.client.updateStatus('RemediationRequest', { namespace, name: original }, (current) => {
        const refs = current.status?.duplicateRefs ?? [];
        if (refs.includes(duplicate)) return undefined;
        const duplicateRefs = [...refs, duplicate];
        return { ...current.status, duplicateRefs, duplicateCount: duplicateRefs.length };
      });
    } catch (err) {
      if (statusCodeOf(err) !== 404) throw err;
    }
  }

  private announce(rr: RemediationRequest, d: Decision): void {
    for (const e of d.audit) this.o.audit.record(e);
    const subject = { ...rr, apiVersion: KUBERNAUT_API_VERSION, kind: 'RemediationRequest' } as KubernetesObject;
    for (const e of d.events) this.o.events?.event(subject, e.type, e.reason, e.message);
    const to = d.status?.overallPhase;
    if (to && to !== d.expectedPhase) {
      this.o.metrics?.transitions.inc({ from: d.expectedPhase || 'New', to });
      if (to === 'Blocked' && d.status?.blockReason) this.o.metrics?.blocks.inc({ reason: d.status.blockReason });
      this.log.info({ rr: rr.metadata?.name, namespace: rr.metadata?.namespace, from: d.expectedPhase || 'New', to, message: d.status?.message }, 'remediation request moved');
    }
  }
}

/** The decision's status members and conditions applied onto the current status. */
export function applyToStatus(current: RemediationRequestStatus | undefined, d: Decision, now: Date): RemediationRequestStatus {
  const status: Record<string, unknown> = { ...current };
  for (const [k, v] of Object.entries(d.status ?? {})) {
    if (v === undefined) delete status[k];
    else status[k] = v;
  }
  let conditions = current?.conditions as KubernautCondition[] | undefined;
  for (const c of d.conditions) conditions = setCondition(conditions, c, { now });
  if (conditions) status.conditions = conditions;
  return status as RemediationRequestStatus;
}
