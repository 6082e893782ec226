/**
 * The approval policy in force: the shipped default, or the ConfigMap's `approval.cel` when it
 * compiles, type-checks and returns the right shape on sample analyses; a text that does not is
 * rejected and the policy in force before stays (the rejection is kept as a notice the next
 * analyses carry in their condition message). `confidenceThreshold` turns the optional
 * low-confidence rule on. Removing a key brings the default back. Evaluations read one immutable
 * snapshot, so the policy and settings an analysis records belong together.
 *
 * Checking and evaluating reuse SignalProcessing's policy machinery (compiler checks, sandboxed
 * child process, ConfigMap watcher).
 */
import { Environment } from '@marcbachmann/cel-js';
import { CEL_ENVIRONMENT_OPTIONS } from '../signalprocessing/policy-definitions.ts';
import { policyTextError } from '../signalprocessing/policy-compiler.ts';
import { PolicyEvaluationError } from '../signalprocessing/policy-sandbox.ts';
import type { PolicyChangeSummary, PolicyConfigMapTarget } from '../signalprocessing/policy-configmap.ts';
import { DEFAULT_APPROVAL_POLICY, DEFAULT_APPROVAL_POLICY_NAME } from './approval-default-policy.ts';
import { APPROVAL_KEYS, APPROVAL_POLICY, APPROVAL_VARIABLES, parseApprovalResult, parseConfidenceThreshold, type ApprovalPolicyResult } from './approval-definitions.ts';
import { approvalInput, DEFAULT_APPROVAL_SETTINGS, type ApprovalFacts, type ApprovalSettings } from './approval-input.ts';

/** Evaluates a policy text (the PolicySandbox; tests may pass something simpler). */
export interface ApprovalEvaluator {
  evaluate(policy: string, text: string, vars: Record<string, unknown>): Promise<unknown>;
}

export interface ApprovalPolicyInForce {
  text: string;
  origin: 'default' | 'configmap';
  /** Named in policyEvaluation unless the policy names itself. */
  policyName: string;
}

export interface ApprovalOutcome {
  result: ApprovalPolicyResult;
  policyName: string;
  /** Set when the override failed for this analysis and the default answered instead. */
  note?: string;
}

let environment: Environment | undefined;
function approvalEnvironment(): Environment {
  if (!environment) {
    let env = new Environment(CEL_ENVIRONMENT_OPTIONS);
    for (const [name, type] of Object.entries(APPROVAL_VARIABLES)) env = env.registerVariable(name, type);
    environment = env;
  }
  return environment;
}

/** undefined when `text` is acceptable as the approval policy, else why not (static checks only). */
export function approvalCompileError(text: string): string | undefined {
  return policyTextError(approvalEnvironment(), text, 'list|map');
}

const DEFAULT_IN_FORCE: ApprovalPolicyInForce = { text: DEFAULT_APPROVAL_POLICY, origin: 'default', policyName: DEFAULT_APPROVAL_POLICY_NAME };

export class ApprovalPolicySnapshot {
  constructor(
    private readonly evaluator: ApprovalEvaluator,
    readonly policy: ApprovalPolicyInForce,
    readonly settings: ApprovalSettings,
    /** Why the latest override was refused (the previous policy being in force). */
    readonly notices: readonly string[],
  ) {}

  /**
   * The rules that match; when an override fails for this analysis (an error, the wrong shape, a
   * limit) the default answers and `note` says so. A failing default is an error the caller retries.
   */
  async evaluate(facts: ApprovalFacts): Promise<ApprovalOutcome> {
    try {
      const result = await evaluateApproval(this.evaluator, this.policy.text, facts, this.settings);
      return { result, policyName: result.policyName ?? this.policy.policyName };
    } catch (err) {
      if (this.policy.origin === 'default') throw err;
      const result = await evaluateApproval(this.evaluator, DEFAULT_APPROVAL_POLICY, facts, this.settings);
      return { result, policyName: DEFAULT_APPROVAL_POLICY_NAME, note: `${APPROVAL_KEYS.policy} failed for this analysis (${(err as Error).message}); the default policy was used` };
    }
  }
}

export class ApprovalPolicyStore implements PolicyConfigMapTarget {
  private policy: ApprovalPolicyInForce = DEFAULT_IN_FORCE;
  private settings: ApprovalSettings = DEFAULT_APPROVAL_SETTINGS;
  private notices: Partial<Record<string, string>> = {};
  /** The text last seen under each key, so an unchanged key (a resync) is not judged again. */
  private lastSeen: Partial<Record<string, string>> = {};
  private current: ApprovalPolicySnapshot;
  private updates: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly evaluator: ApprovalEvaluator,
    /** Named in notices and policy names, e.g. `ConfigMap kubernaut-system/kubernaut-aianalysis-policies`. */
    private readonly source = 'the policy ConfigMap',
  ) {
    this.current = this.makeSnapshot();
  }

  snapshot(): ApprovalPolicySnapshot {
    return this.current;
  }

  /** Takes the ConfigMap's data (undefined: the ConfigMap is gone). Updates run one at a time. */
  apply(data: Record<string, string> | undefined): Promise<PolicyChangeSummary> {
    const run = this.updates.then(() => this.update(data ?? {}));
    this.updates = run.catch(() => undefined);
    return run;
  }

  private async update(data: Record<string, string>): Promise<PolicyChangeSummary> {
    const known = Object.values(APPROVAL_KEYS) as string[];
    const report = { applied: [] as string[], reverted: [] as string[], rejected: [] as Array<{ name: string; key: string; error: string }>, unknownKeys: Object.keys(data).filter((k) => !known.includes(k)).sort() };

    const policyKey = APPROVAL_KEYS.policy;
    const text = data[policyKey];
    if (text !== this.lastSeen[policyKey]) {
      this.lastSeen[policyKey] = text;
      if (text === undefined) {
        delete this.notices[policyKey];
        if (this.policy.origin !== 'default') {
          this.policy = DEFAULT_IN_FORCE;
          report.reverted.push(policyKey);
        }
      } else {
        // Settings may change in the same update: the trial runs with the ones about to be in force.
        const settings = this.settingsFrom(data) ?? this.settings;
        const error = approvalCompileError(text) ?? (await trialError(this.evaluator, text, settings));
        if (error) {
          this.notices[policyKey] = `${policyKey} in ${this.source} was rejected (${error}); the previous policy is in force`;
          report.rejected.push({ name: policyKey, key: policyKey, error });
        } else {
          delete this.notices[policyKey];
          this.policy = { text, origin: 'configmap', policyName: `${this.source.replace(/^ConfigMap /, '')}/${policyKey}` };
          report.applied.push(policyKey);
        }
      }
    }

    const thresholdKey = APPROVAL_KEYS.confidenceThreshold;
    const threshold = data[thresholdKey];
    if (threshold !== this.lastSeen[thresholdKey]) {
      this.lastSeen[thresholdKey] = threshold;
      if (threshold === undefined) {
        delete this.notices[thresholdKey];
        if (this.settings.lowConfidenceRule) {
          this.settings = DEFAULT_APPROVAL_SETTINGS;
          report.reverted.push(thresholdKey);
        }
      } else {
        const parsed = parseConfidenceThreshold(threshold);
        if ('error' in parsed) {
          this.notices[thresholdKey] = `${thresholdKey} in ${this.source} was rejected (${parsed.error}); the previous setting is in force`;
          report.rejected.push({ name: thresholdKey, key: thresholdKey, error: parsed.error });
        } else {
          delete this.notices[thresholdKey];
          this.settings = { lowConfidenceRule: true, confidenceThreshold: parsed.value };
          report.applied.push(thresholdKey);
        }
      }
    }
    this.current = this.makeSnapshot();
    return report;
  }

  private settingsFrom(data: Record<string, string>): ApprovalSettings | undefined {
    const raw = data[APPROVAL_KEYS.confidenceThreshold];
    if (raw === undefined) return DEFAULT_APPROVAL_SETTINGS;
    const parsed = parseConfidenceThreshold(raw);
    return 'value' in parsed ? { lowConfidenceRule: true, confidenceThreshold: parsed.value } : undefined;
  }

  private makeSnapshot(): ApprovalPolicySnapshot {
    return new ApprovalPolicySnapshot(this.evaluator, this.policy, this.settings, Object.values(this.notices).filter((n): n is string => !!n));
  }
}

export async function evaluateApproval(evaluator: ApprovalEvaluator, text: string, facts: ApprovalFacts, settings: ApprovalSettings): Promise<ApprovalPolicyResult> {
  return parseApprovalResult(await evaluator.evaluate(APPROVAL_POLICY, text, approvalInput(facts, settings)));
}

/** Analyses a policy must handle before it is put in force. */
const TRIALS: Array<{ what: string; facts: ApprovalFacts }> = [
  {
    what: 'a production StatefulSet with a prompt-injection warning',
    facts: {
      severity: 'critical',
      environment: 'production',
      priority: 'P0',
      signalTarget: { apiVersion: 'v1', kind: 'Pod', name: 'db-2', namespace: 'shop' },
      affectedResource: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', namespace: 'shop' },
      confidence: 0.93,
      detectedLabels: { stateful: true, gitOpsManaged: true, gitOpsTool: 'argocd', failedDetections: ['pdbProtected'] },
      customLabels: { team: ['payments'], region: ['eu'] },
      businessClassification: { businessUnit: 'payments', criticality: 'high', slaRequirement: 'gold' },
      warnings: ['prompt_injection_suspected'],
      workflow: { workflowId: 'fix-statefulset-pvc-v1', actionType: 'FixStatefulSetPVC', version: '1.0.0' },
    },
  },
  {
    what: 'a development Deployment without an affected resource',
    facts: {
      severity: 'medium',
      environment: 'development',
      priority: 'P3',
      signalTarget: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', namespace: 'dev' },
      confidence: 0.71,
      detectedLabels: {},
      customLabels: {},
      businessClassification: {},
      warnings: [],
      workflow: { workflowId: 'restart-deployment-v1', actionType: 'RestartDeployment', version: '1.0.0' },
    },
  },
  {
    what: 'a cluster-scoped Node, little known',
    facts: {
      severity: 'unknown',
      environment: 'unknown',
      priority: '',
      signalTarget: { apiVersion: 'v1', kind: 'Node', name: 'worker-1' },
      affectedResource: { kind: 'Node', name: 'worker-1' },
      confidence: 1,
      detectedLabels: {},
      customLabels: {},
      businessClassification: {},
      warnings: [],
      workflow: {},
    },
  },
];

async function trialError(evaluator: ApprovalEvaluator, text: string, settings: ApprovalSettings): Promise<string | undefined> {
  for (const trial of TRIALS) {
    try {
      await evaluateApproval(evaluator, text, trial.facts, settings);
    } catch (err) {
      const prefix = err instanceof PolicyEvaluationError ? 'evaluation failed' : 'wrong result';
      return `${prefix} for ${trial.what}: ${(err as Error).message}`;
    }
  }
  return undefined;
}
