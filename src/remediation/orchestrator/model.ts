/**
 * What a lifecycle decision sees (Snapshot) and what it asks for (Decision). The decision itself is
 * a pure function (lifecycle.ts); the reconciler gathers the snapshot from informers and the API,
 * and carries the decision out: children created (idempotently) before the status that refers to
 * them, so a crash in between never leaves a reference to an object that was never made.
 */
import type {
  AIAnalysis,
  EffectivenessAssessment,
  NotificationRequest,
  RemediationApprovalRequest,
  RemediationApprovalRequestStatus,
  RemediationPhase,
  RemediationRequest,
  RemediationRequestStatus,
  SignalProcessing,
  WorkflowExecution,
} from '../../api/v1alpha1/index.ts';
import type { AuditEventInput } from '../../datastorage/client/audit-event.ts';
import type { OrchestratorConfig } from './config.ts';
import type { TimeView } from './time.ts';

export type BlockReason = NonNullable<RemediationRequestStatus['blockReason']>;
export type Outcome = NonNullable<RemediationRequestStatus['outcome']>;
export type NonTerminalPhase = NonNullable<RemediationRequestStatus['failurePhase']>;

/** The RR's children that exist right now (looked up by their deterministic names). */
export interface Children {
  signalProcessing?: SignalProcessing;
  aiAnalysis?: AIAnalysis;
  approvalRequest?: RemediationApprovalRequest;
  workflowExecution?: WorkflowExecution;
  effectivenessAssessment?: EffectivenessAssessment;
  notifications: NotificationRequest[];
}

/** Another RR's execution on the same remediation target (its RR and assessment when still live). */
export interface ExecutionOnTarget {
  workflowExecution: WorkflowExecution;
  remediationRequest?: RemediationRequest;
  effectivenessAssessment?: EffectivenessAssessment;
}

/**
 * One remediation as DataStorage's history reports it (a subset of its RemediationHistoryEntry:
 * only what routing reads, so any history source with these members fits).
 */
export interface HistoryEntry {
  remediationId: string;
  fingerprint?: string | null;
  workflowId?: string | null;
  outcome?: string | null;
  phase?: string | null;
  startedAt?: string | null;
  completedAt?: string | null;
  preRemediationSpecHash?: string | null;
  postRemediationSpecHash?: string | null;
  wasExecutionFailure?: boolean | null;
  blockReason?: string | null;
  effectivenessScore?: number | null;
  assessmentReason?: string | null;
}

export interface Snapshot {
  rr: RemediationRequest;
  children: Children;
  config: OrchestratorConfig;
  time: TimeView;
  /** The other RRs of the same fingerprint in the RR's namespace (live; kept for the retention period). */
  sameFingerprint: RemediationRequest[];
  /** Other RRs' WorkflowExecutions on this RR's remediation target (any phase). */
  executionsOnTarget: ExecutionOnTarget[];
  /** The durable history from DataStorage, when there is one (else only live RRs count). */
  history: { byFingerprint: HistoryEntry[]; byTarget: HistoryEntry[] };
  /** The managed-scope rule re-checked now; undefined when this reconcile did not need it. */
  managed?: boolean;
  /** `sha256:<hex>` of the remediation target's .spec now; null = target not found; undefined = not read. */
  targetSpecHash?: string | null;
}

export type ChildKind = 'SignalProcessing' | 'AIAnalysis' | 'RemediationApprovalRequest' | 'WorkflowExecution' | 'EffectivenessAssessment' | 'NotificationRequest';

export type ChildObject =
  | { kind: 'SignalProcessing'; object: SignalProcessing }
  | { kind: 'AIAnalysis'; object: AIAnalysis }
  | { kind: 'RemediationApprovalRequest'; object: RemediationApprovalRequest }
  | { kind: 'WorkflowExecution'; object: WorkflowExecution }
  | { kind: 'EffectivenessAssessment'; object: EffectivenessAssessment }
  | { kind: 'NotificationRequest'; object: NotificationRequest };

export interface ConditionUpdate {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
}

/**
 * A write of the RAR's Orchestrator-owned status fields. `expire` is conditional: it applies only
 * while the RAR is still undecided, and when an approver won the race the whole decision is dropped
 * and made again on fresh state.
 */
export interface ApprovalStatusWrite {
  name: string;
  expire: boolean;
  fields: Partial<RemediationApprovalRequestStatus>;
  /** The RAR's Ready condition (its reason is the RAR's printer column "Reason"). */
  ready?: ConditionUpdate;
}

export interface KubeEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface Decision {
  /** The phase the RR had when decided ('' = none yet); the status patch applies only while it still has it. */
  expectedPhase: string;
  /** RR status members to set; a member present with value undefined is removed. */
  status?: Partial<RemediationRequestStatus>;
  conditions: ConditionUpdate[];
  create: ChildObject[];
  remove: Array<{ kind: ChildKind; name: string; uid?: string }>;
  approvalStatus?: ApprovalStatusWrite;
  /** Record this RR in the original's duplicateRefs/duplicateCount. */
  markDuplicateOf?: string;
  audit: AuditEventInput[];
  events: KubeEvent[];
  /** Retention has passed: delete the RR (its children go with it by garbage collection). */
  deleteRemediationRequest?: boolean;
  /** Nominal ms until a timer (timeout, blockedUntil, re-check, retention) needs another look. */
  requeueAfterMs?: number;
}

export type { RemediationPhase };
