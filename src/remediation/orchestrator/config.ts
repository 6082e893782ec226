/**
 * The Orchestrator's settings: the defaults of crds.md §2.2 (routing) and §2.3 (timeouts), each
 * overridable by the caller (no ConfigMap). Every duration is nominal milliseconds: waits go through
 * the Clock, so `--time-scale` shrinks them; timestamps written from them are real time.
 */
import type { TimeoutScope } from '../../api/v1alpha1/index.ts';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export type Timeouts = Record<TimeoutScope, number>;

export interface RoutingConfig {
  /** ConsecutiveFailures: this many Failed/TimedOut RRs in a row block the next one ... */
  consecutiveFailureThreshold: number;
  /** ... for this long, then it fails with an escalation. */
  consecutiveFailureBlockMs: number;
  /** Backoff after a failed RR: min(base × 2^(n−1), max), n = consecutive failures. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** How often a DuplicateInProgress / ResourceBusy block is re-checked (besides watch events). */
  duplicateRecheckMs: number;
  resourceBusyRecheckMs: number;
  /** UnmanagedResource re-checks back off from the first to the last interval. */
  unmanagedRecheckMinMs: number;
  unmanagedRecheckMaxMs: number;
  /** RecentlyRemediated: the same workflow on the same target within this window waits for its end. */
  recentlyRemediatedMs: number;
  /** IneffectiveChain: this many ineffective remediations of the target within the window ... */
  ineffectiveChainThreshold: number;
  /** ... or this many remediations of it at all ... */
  ineffectiveChainMaxRemediations: number;
  ineffectiveChainWindowMs: number;
  /** ... where a remediation whose effectiveness score is below this is ineffective. */
  ineffectiveScoreThreshold: number;
  /** After WorkflowNotNeeded the Gateway keeps absorbing the same alert episode for this long. */
  noActionSuppressionMs: number;
}

export interface EffectivenessDefaults {
  /** EA config.stabilizationWindow (allowed 30 s – 1 h). */
  stabilizationWindowMs: number;
  /** EA config.alertCheckDelay for proactive signals. */
  proactiveAlertCheckDelayMs: number;
  /** EA config.hashComputeDelay for GitOps-managed targets and for custom-resource targets. */
  gitOpsHashDelayMs: number;
  customResourceHashDelayMs: number;
  /** verificationDeadline = ea.validityDeadline + this grace. */
  verificationGraceMs: number;
}

export interface NotificationDefaults {
  retryPolicy: { maxAttempts: number; initialBackoffSeconds: number; backoffMultiplier: number; maxBackoffSeconds: number };
  retentionDays: number;
}

export interface OrchestratorConfig {
  timeouts: Timeouts;
  routing: RoutingConfig;
  effectiveness: EffectivenessDefaults;
  notification: NotificationDefaults;
  /** Terminal RRs (and, through garbage collection, their children) are deleted this long after completedAt. */
  retentionMs: number;
  /** WE executionConfig.serviceAccountName; unset = the workflow's own (or kubernaut-workflow-runner). */
  workflowServiceAccountName?: string;
  /** SP spec.enrichmentConfig.timeout. */
  enrichmentTimeout: string;
}

export const DEFAULT_CONFIG: OrchestratorConfig = {
  timeouts: {
    global: HOUR,
    processing: 5 * MINUTE,
    analyzing: 10 * MINUTE,
    awaitingApproval: 15 * MINUTE,
    executing: 30 * MINUTE,
    verifying: 30 * MINUTE,
  },
  routing: {
    consecutiveFailureThreshold: 3,
    consecutiveFailureBlockMs: HOUR,
    backoffBaseMs: MINUTE,
    backoffMaxMs: 10 * MINUTE,
    duplicateRecheckMs: 30 * SECOND,
    resourceBusyRecheckMs: 30 * SECOND,
    unmanagedRecheckMinMs: 5 * SECOND,
    unmanagedRecheckMaxMs: 5 * MINUTE,
    recentlyRemediatedMs: 5 * MINUTE,
    ineffectiveChainThreshold: 3,
    ineffectiveChainMaxRemediations: 5,
    ineffectiveChainWindowMs: 4 * HOUR,
    ineffectiveScoreThreshold: 0.5,
    noActionSuppressionMs: 24 * HOUR,
  },
  effectiveness: {
    stabilizationWindowMs: 5 * MINUTE,
    proactiveAlertCheckDelayMs: 5 * MINUTE,
    gitOpsHashDelayMs: 3 * MINUTE,
    customResourceHashDelayMs: MINUTE,
    verificationGraceMs: 30 * SECOND,
  },
  notification: {
    retryPolicy: { maxAttempts: 5, initialBackoffSeconds: 30, backoffMultiplier: 2, maxBackoffSeconds: 480 },
    retentionDays: 7,
  },
  retentionMs: 24 * HOUR,
  enrichmentTimeout: '10s',
};

/** Overrides of any depth: `{ timeouts: { analyzing: 60_000 } }` keeps every other default. */
export type OrchestratorConfigOverrides = {
  [K in keyof OrchestratorConfig]?: OrchestratorConfig[K] extends object ? Partial<OrchestratorConfig[K]> : OrchestratorConfig[K];
};

export function resolveConfig(overrides: OrchestratorConfigOverrides = {}): OrchestratorConfig {
  return {
    ...DEFAULT_CONFIG,
    ...overrides,
    timeouts: { ...DEFAULT_CONFIG.timeouts, ...overrides.timeouts },
    routing: { ...DEFAULT_CONFIG.routing, ...overrides.routing },
    effectiveness: { ...DEFAULT_CONFIG.effectiveness, ...overrides.effectiveness },
    notification: { ...DEFAULT_CONFIG.notification, ...overrides.notification },
  } as OrchestratorConfig;
}

/** A nominal duration as the CRDs write durations: "30s", "5m", "1h30m" (whole seconds; "0s" for zero). */
export function formatDuration(ms: number): string {
  let s = Math.max(0, Math.round(ms / SECOND));
  if (s === 0) return '0s';
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
