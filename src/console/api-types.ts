/**
 * The console's HTTP API: what the server (src/console/server) answers and the page
 * (src/console/web) renders. One contract, imported as types by both sides.
 *
 * Every string in these views may come from a signal, a pod log or an LLM answer: the page shows
 * them as text only (never as HTML), whatever they contain.
 *
 * Routes (all JSON, GET unless said):
 *   /api/session                         SessionView
 *   POST /api/session   {token}          sign in with a bearer token (sets the session cookie) → SessionView
 *   DELETE /api/session                  sign out → SessionView
 *   /api/remediations                    RemediationList (query: namespace, phase, outcome, target: substring filters)
 *   /api/remediations/:namespace/:name   RemediationDetail
 *   /api/approvals                       ApprovalList
 *   POST /api/approvals/:namespace/:name/decision  DecisionRequest → ApprovalView   (needs a signed-in user + X-CSRF-Token)
 *   /api/catalog                         CatalogView
 *   /api/alerts                          AlertsView
 *   /api/events                          text/event-stream of ConsoleEvent (event name `change`), `: ping` comments
 * Errors are RFC 7807 problem documents ({title, status, detail}).
 * Page routes (/, /remediations/:ns/:name, /approvals, /catalog, /alerts, /sign-in) all serve the same index.html.
 */

/** The RemediationRequest's kinds of children, in pipeline order. */
export type ChildKind = 'SignalProcessing' | 'AIAnalysis' | 'RemediationApprovalRequest' | 'WorkflowExecution' | 'EffectivenessAssessment' | 'NotificationRequest';

export interface ObjectRef {
  kind: string;
  name: string;
  namespace?: string;
}

export interface RemediationRow {
  namespace: string;
  name: string;
  /** RFC 3339, the RR's creationTimestamp (the page computes the age from it). */
  createdAt: string;
  signalName: string;
  severity: string;
  target: ObjectRef;
  /** status.overallPhase ('Pending' until the orchestrator sets one). */
  phase: string;
  outcome?: string;
  /** Where the remediation is now, in words: e.g. "AIAnalysis Investigating", "awaiting approval", "Completed". */
  stage: string;
  awaitingApproval: boolean;
  completedAt?: string;
  environment?: string;
  priority?: string;
  workflowId?: string;
}

export interface RemediationList {
  items: RemediationRow[];
  /** Every namespace that has a remediation (for the filter). */
  namespaces: string[];
  /** Present when more remediations matched than `items` holds (the newest are kept): how many matched. */
  total?: number;
}

export interface TimelineEntry {
  kind: 'RemediationRequest' | ChildKind | 'Job';
  name: string;
  phase?: string;
  /** RFC 3339. */
  startedAt?: string;
  endedAt?: string;
  durationMs?: number;
  /** One line: what happened (reason, message, outcome). */
  detail?: string;
}

export interface SignalView {
  name: string;
  severity: string;
  source: string;
  type: string;
  fingerprint: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  firingTime?: string;
  receivedTime?: string;
  /** How many times the Gateway saw this signal (deduplication occurrence count, at least 1). */
  occurrences: number;
  lastSeen?: string;
}

export interface EnrichmentView {
  phase?: string;
  environment?: string;
  priority?: string;
  severity?: string;
  signalMode?: string;
  businessUnit?: string;
  criticality?: string;
  /** The target's owner chain, target first. */
  ownerChain: ObjectRef[];
  /** Detected labels (stateful, helmManaged, gitOpsManaged, pdbProtected, hpaEnabled, ...). */
  detectedLabels: Record<string, string | boolean | number>;
  failedDetections?: string[];
}

export interface ToolCallView {
  /** 1-based order of the call in the investigation. */
  index: number;
  tool: string;
  /** The arguments as JSON text. */
  arguments: string;
  /** The tool's output, cut to a few KB (truncated says so). */
  output: string;
  truncated: boolean;
  at?: string;
  durationMs?: number;
}

export interface WorkflowChoice {
  workflowId: string;
  version?: string;
  actionType?: string;
  executionBundle?: string;
  confidence?: number;
  rationale?: string;
  parameters: Record<string, string>;
}

export interface AnalysisView {
  name: string;
  phase?: string;
  reason?: string;
  message?: string;
  outcome?: string;
  rootCause?: string;
  rootCauseSummary?: string;
  contributingFactors: string[];
  affectedResource?: ObjectRef;
  confidence?: number;
  workflow?: WorkflowChoice;
  approvalRequired?: boolean;
  approvalReason?: string;
  needsHumanReview?: boolean;
  humanReviewReason?: string;
  warnings: string[];
  usage?: { provider?: string; model?: string; promptTokens?: number; completionTokens?: number; totalTokens?: number; llmTurns?: number; toolCalls?: number; latencyMs?: number };
  /** The tool calls the investigation made, in order (from the audit trail). */
  evidence: ToolCallView[];
}

export interface ApprovalView {
  namespace: string;
  /** The RemediationApprovalRequest's name (rar-<rr>). */
  name: string;
  remediation: string;
  confidence?: number;
  confidenceLevel?: string;
  reason?: string;
  whyApprovalRequired?: string;
  investigationSummary?: string;
  evidence: string[];
  target?: ObjectRef;
  workflow?: WorkflowChoice;
  createdAt?: string;
  /** RFC 3339: after this the request expires (the page counts down to it). */
  requiredBy: string;
  decision?: 'Approved' | 'Rejected' | 'Expired';
  decidedBy?: string;
  decidedAt?: string;
  decisionMessage?: string;
  expired: boolean;
  /** Whether a decision can still be made (no decision, not expired, deadline ahead). */
  open: boolean;
}

export interface ApprovalList {
  pending: ApprovalView[];
  /** Decided or expired requests, newest first (at most 50). */
  recent: ApprovalView[];
}

export interface DecisionRequest {
  decision: 'Approved' | 'Rejected';
  /** At most 1,000 characters. */
  message?: string;
}

export interface ExecutionView {
  name: string;
  phase?: string;
  workflowId?: string;
  startedAt?: string;
  completedAt?: string;
  failureReason?: string;
  job?: ObjectRef;
  /** The Job's pod log (tail, a few KB); absent when no pod/log is available. */
  log?: { pod: string; text: string; truncated: boolean };
}

export interface EffectivenessView {
  name: string;
  phase?: string;
  overallScore?: number;
  reason?: string;
  message?: string;
  completedAt?: string;
  /** Per component (health, alert, metrics, hash...): assessed, score, details. */
  components: Array<{ name: string; assessed?: boolean; score?: number; details?: string }>;
}

export interface NotificationView {
  name: string;
  type: string;
  subject: string;
  phase?: string;
  channels: string[];
  createdAt?: string;
}

export interface AuditEventView {
  at: string;
  type: string;
  category?: string;
  outcome?: string;
  actor?: string;
  resource?: string;
  /** One line of what the event says (cut). */
  summary?: string;
}

export interface AuditView {
  events: AuditEventView[];
  /** The hash chain check of DataStorage over these events; error when it could not be asked. */
  chain?: { valid: boolean; checked: number; detail?: string };
  error?: string;
}

export interface RemediationDetail {
  row: RemediationRow;
  message?: string;
  failure?: { phase?: string; reason?: string; message?: string };
  signal: SignalView;
  timeline: TimelineEntry[];
  enrichment?: EnrichmentView;
  analysis?: AnalysisView;
  approval?: ApprovalView;
  execution?: ExecutionView;
  effectiveness?: EffectivenessView;
  notifications: NotificationView[];
  audit: AuditView;
}

export interface CatalogParameter {
  name: string;
  type?: string;
  required: boolean;
  description?: string;
}

export interface CatalogWorkflow {
  workflowId: string;
  name?: string;
  version: string;
  actionType: string;
  description?: string;
  status?: string;
  executionBundle?: string;
  labels: Record<string, string | string[]>;
  detectedLabels: Record<string, string | boolean>;
  parameters: CatalogParameter[];
  /** All registered versions of this workflow, newest first. */
  versions: string[];
}

export interface HistoryEntry {
  remediation: string;
  namespace: string;
  workflowId?: string;
  outcome?: string;
  at?: string;
  effectivenessScore?: number;
}

export interface CatalogView {
  workflows: CatalogWorkflow[];
  /** Remediation history per target ("Kind ns/name"), newest first. */
  history: Array<{ target: string; entries: HistoryEntry[] }>;
  error?: string;
}

export interface AlertView {
  name: string;
  state: 'firing' | 'pending' | string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  activeAt?: string;
  value?: string;
}

export interface AlertsView {
  /** The alerting's own alerts page (a link), when the console knows one. */
  alertsPage?: string;
  alerts: AlertView[];
  error?: string;
}

export interface SessionView {
  /** The signed-in user; absent for an anonymous reader. */
  user?: { username: string; groups: string[] };
  /** Anonymous read-only access is on (the embedded cluster only). */
  anonymousRead: boolean;
  /** Send as the X-CSRF-Token header with every state-changing request. */
  csrfToken?: string;
}

/** One change the server saw through its watches; the page refetches what it shows when it concerns it. */
export interface ConsoleEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  kind: 'RemediationRequest' | ChildKind;
  namespace: string;
  name: string;
  /** The RemediationRequest the object belongs to ("namespace/name"), when known. */
  remediation?: string;
}
