/**
 * The policies in force: the shipped defaults, each replaced by its ConfigMap key when that key
 * holds a policy that compiles and evaluates to the right shape on sample inputs. A key that does
 * not is rejected and the policy in force before stays; the rejection is kept as a notice that the
 * SignalProcessings classified meanwhile carry in their conditions. Removing a key (or the whole
 * ConfigMap) brings the default back.
 *
 * Classification reads one immutable snapshot, so the policies and the hash it records belong
 * together even while the ConfigMap changes.
 */
import { createHash } from 'node:crypto';
import { DEFAULT_POLICIES } from './default-policies.ts';
import { compileError } from './policy-compiler.ts';
import { POLICY_KEYS, POLICY_NAMES, POLICY_VARIABLES, policyNameOfKey, type PolicyName } from './policy-definitions.ts';
import { policyInput, type PolicyInput } from './policy-input.ts';
import { POLICY_RESULT_PARSERS, type PolicyResults } from './policy-results.ts';
import { PolicyEvaluationError } from './policy-sandbox.ts';

export type PolicyOrigin = 'default' | 'configmap';

export interface PolicyInForce {
  name: PolicyName;
  text: string;
  origin: PolicyOrigin;
}

/** Evaluates a policy text (the PolicySandbox; tests may pass something simpler). */
export interface PolicyEvaluator {
  evaluate(policy: PolicyName, text: string, vars: Record<string, unknown>): Promise<unknown>;
}

/** Results of earlier policies that later ones see as variables. */
export interface PolicyContext {
  environment?: string;
  severity?: string;
  signalMode?: string;
  priority?: string;
}

export interface PolicyOutcome<N extends PolicyName> {
  result: PolicyResults[N];
  /** The policy that produced `result`. */
  policy: PolicyInForce;
  /** Set when the policy in force failed for this input and the default answered instead. */
  note?: string;
}

export interface PolicyChangeReport {
  /** Overrides now in force. */
  applied: PolicyName[];
  /** Back to the default (key removed, ConfigMap deleted). */
  reverted: PolicyName[];
  rejected: Array<{ name: PolicyName; key: string; error: string }>;
  unknownKeys: string[];
}

export class PolicySnapshot {
  /** sha256 (hex) of the policy texts in force, in policy order. */
  readonly hash: string;

  constructor(
    private readonly evaluator: PolicyEvaluator,
    readonly policies: Readonly<Record<PolicyName, PolicyInForce>>,
    /** Per policy: why its latest override was refused (the previous policy being in force). */
    readonly notices: Readonly<Partial<Record<PolicyName, string>>>,
  ) {
    this.hash = policyHash(policies);
  }

  /**
   * Evaluates the policy in force; when an override fails for this input (an error, the wrong
   * shape, a limit), the default answers and `note` says so. A failing default is an error
   * (a limit on a machine too busy to evaluate it: the caller retries later).
   */
  async evaluate<N extends PolicyName>(name: N, input: PolicyInput, context: PolicyContext = {}): Promise<PolicyOutcome<N>> {
    const policy = this.policies[name];
    try {
      return { result: await evaluateAs(this.evaluator, name, policy.text, input, context), policy };
    } catch (err) {
      if (policy.origin === 'default') throw err;
      const fallback: PolicyInForce = { name, text: DEFAULT_POLICIES[name], origin: 'default' };
      const result = await evaluateAs(this.evaluator, name, fallback.text, input, context);
      return { result, policy: fallback, note: `${POLICY_KEYS[name]} failed for this signal (${(err as Error).message}); the default policy was used` };
    }
  }
}

export class PolicyStore {
  private inForce: Record<PolicyName, PolicyInForce>;
  private notices: Partial<Record<PolicyName, string>> = {};
  /** The text last seen under each key, so an unchanged key (a resync) is not judged again. */
  private lastSeen: Partial<Record<PolicyName, string>> = {};
  private current: PolicySnapshot;
  private updates: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly evaluator: PolicyEvaluator,
    /** Named in notices, e.g. `ConfigMap kubernaut-system/kubernaut-signalprocessing-policies`. */
    private readonly source = 'the policy ConfigMap',
  ) {
    this.inForce = Object.fromEntries(POLICY_NAMES.map((n) => [n, { name: n, text: DEFAULT_POLICIES[n], origin: 'default' }])) as Record<PolicyName, PolicyInForce>;
    this.current = new PolicySnapshot(evaluator, { ...this.inForce }, {});
  }

  snapshot(): PolicySnapshot {
    return this.current;
  }

  /** Takes the ConfigMap's data (undefined: the ConfigMap is gone). Updates run one at a time. */
  apply(data: Record<string, string> | undefined): Promise<PolicyChangeReport> {
    const run = this.updates.then(() => this.update(data ?? {}));
    this.updates = run.catch(() => undefined);
    return run;
  }

  private async update(data: Record<string, string>): Promise<PolicyChangeReport> {
    const report: PolicyChangeReport = { applied: [], reverted: [], rejected: [], unknownKeys: Object.keys(data).filter((k) => !policyNameOfKey(k)).sort() };
    for (const name of POLICY_NAMES) {
      const key = POLICY_KEYS[name];
      const text = data[key];
      if (text === this.lastSeen[name]) continue;
      this.lastSeen[name] = text;
      if (text === undefined) {
        delete this.notices[name];
        if (this.inForce[name].origin !== 'default') {
          this.inForce[name] = { name, text: DEFAULT_POLICIES[name], origin: 'default' };
          report.reverted.push(name);
        }
        continue;
      }
      const error = compileError(name, text) ?? (await trialError(this.evaluator, name, text));
      if (error) {
        this.notices[name] = `${key} in ${this.source} was rejected (${error}); the previous policy is in force`;
        report.rejected.push({ name, key, error });
      } else {
        delete this.notices[name];
        this.inForce[name] = { name, text, origin: 'configmap' };
        report.applied.push(name);
      }
    }
    this.current = new PolicySnapshot(this.evaluator, { ...this.inForce }, { ...this.notices });
    return report;
  }
}

export function policyHash(policies: Readonly<Record<PolicyName, PolicyInForce>>): string {
  return createHash('sha256')
    .update(JSON.stringify(POLICY_NAMES.map((n) => [n, policies[n].text])))
    .digest('hex');
}

async function evaluateAs<N extends PolicyName>(evaluator: PolicyEvaluator, name: N, text: string, input: PolicyInput, context: PolicyContext): Promise<PolicyResults[N]> {
  const all: Record<string, unknown> = { ...input, ...context };
  const vars = Object.fromEntries(Object.keys(POLICY_VARIABLES[name]).map((v) => [v, all[v] ?? '']));
  const value = await evaluator.evaluate(name, text, vars);
  return POLICY_RESULT_PARSERS[name](value);
}

/**
 * Inputs a policy must handle before it is put in force: a labelled namespace, a cluster-scoped
 * target with nothing known, a namespace without labels whose context is partial.
 */
const TRIALS: Array<{ what: string; input: PolicyInput; context: PolicyContext }> = [
  {
    what: 'a Pod in a labelled production namespace',
    input: policyInput(
      { fingerprint: 'f'.repeat(64), name: 'KubePodCrashLooping', severity: 'critical', targetResource: { apiVersion: 'v1', kind: 'Pod', name: 'app-0', namespace: 'shop' }, labels: { alertname: 'KubePodCrashLooping' } },
      {
        namespace: { name: 'shop', labels: { 'kubernaut.ai/environment': 'production', 'kubernaut.ai/team': 'payments', tier: 'critical', 'kubernaut.ai/label-region': 'eu' }, annotations: { owner: 'payments' } },
        workload: { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'app', labels: { app: 'app' }, annotations: {} },
        ownerChain: [{ apiVersion: 'v1', kind: 'Pod', name: 'app-0', namespace: 'shop' }, { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'app', namespace: 'shop' }],
        degradedMode: false,
      },
    ),
    context: { environment: 'production', severity: 'critical', signalMode: 'reactive', priority: 'P0' },
  },
  {
    what: 'a cluster-scoped Node, nothing known',
    input: policyInput({ fingerprint: '0'.repeat(64), name: 'PredictedNodeNotReady', severity: 'info', targetResource: { apiVersion: 'v1', kind: 'Node', name: 'worker-1' } }, undefined),
    context: { environment: 'unknown', severity: 'unknown', signalMode: 'proactive', priority: 'P3' },
  },
  {
    what: 'a claim in a namespace without labels, partial context',
    input: policyInput(
      { fingerprint: '1'.repeat(64), name: 'KubePersistentVolumeFillingUp', severity: 'Warning', targetResource: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', name: 'data-db-0', namespace: 'dev' } },
      { namespace: { name: 'dev' }, degradedMode: true },
    ),
    context: { environment: 'development', severity: 'high', signalMode: 'reactive', priority: 'P3' },
  },
];

async function trialError(evaluator: PolicyEvaluator, name: PolicyName, text: string): Promise<string | undefined> {
  for (const trial of TRIALS) {
    try {
      await evaluateAs(evaluator, name, text, trial.input, trial.context);
    } catch (err) {
      const prefix = err instanceof PolicyEvaluationError ? 'evaluation failed' : 'wrong result';
      return `${prefix} for ${trial.what}: ${(err as Error).message}`;
    }
  }
  return undefined;
}
