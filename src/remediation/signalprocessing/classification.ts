/**
 * The decisions of SignalProcessing, apart from any cluster access: given the signal, the
 * Kubernetes context enrichment recorded and one snapshot of the policies, the status fields of
 * crds.md §3. Two steps, as the phases are: classification (environment, severity, signal mode,
 * priority) and categorization (business classification, custom labels), the second fed with what
 * the first recorded, so a reconcile resumed between them stays consistent with it.
 */
import type { SignalProcessingStatus } from '../../api/v1alpha1/index.ts';
import { normaliseCustomLabels } from './custom-labels.ts';
import type { PolicyName } from './policy-definitions.ts';
import { policyInput, type KubernetesContext, type Signal } from './policy-input.ts';
import type { PolicyOrigin, PolicySnapshot } from './policy-store.ts';

type Status = SignalProcessingStatus;

export interface Classification {
  environmentClassification: Required<NonNullable<Status['environmentClassification']>>;
  severity: NonNullable<Status['severity']>;
  signalMode: NonNullable<Status['signalMode']>;
  signalName: string;
  sourceSignalName: string;
  priorityAssignment: Required<NonNullable<Status['priorityAssignment']>>;
  policyHash: string;
  /** Policies that did not behave (override rejected or failed for this signal): for the condition message. */
  notes: string[];
}

export interface Categorization {
  businessClassification: NonNullable<Status['businessClassification']>;
  customLabels: Record<string, string[]>;
  policyHash: string;
  notes: string[];
}

/** What categorization needs from classification (as recorded in the status). */
export interface ClassifiedSignal {
  environment: string;
  severity: string;
  signalMode: string;
  priority: string;
}

/** priorityAssignment.source when the policy does not name one: where the policy came from. */
export const PRIORITY_SOURCES: Readonly<Record<PolicyOrigin, string>> = { default: 'default-policy', configmap: 'configmap-policy' };

export async function classifySignal(signal: Signal, context: KubernetesContext | undefined, policies: PolicySnapshot, now: Date): Promise<Classification> {
  const input = policyInput(signal, context);
  const notes = new Notes(policies);
  const environment = notes.take('environment', await policies.evaluate('environment', input));
  const severity = notes.take('severity', await policies.evaluate('severity', input));
  const mode = notes.take('signalMode', await policies.evaluate('signalMode', input));
  const priority = await policies.evaluate('priority', input, { environment: environment.environment, severity, signalMode: mode.signalMode });
  notes.take('priority', priority);
  const at = now.toISOString();
  return {
    environmentClassification: { environment: environment.environment, source: environment.source, classifiedAt: at },
    severity,
    signalMode: mode.signalMode,
    signalName: mode.signalName,
    sourceSignalName: signal.name,
    priorityAssignment: {
      priority: priority.result.priority,
      source: priority.result.source ?? PRIORITY_SOURCES[priority.policy.origin],
      policyName: priority.result.policyName,
      assignedAt: at,
    },
    policyHash: policies.hash,
    notes: notes.list,
  };
}

export async function categorizeSignal(signal: Signal, context: KubernetesContext | undefined, classified: ClassifiedSignal, policies: PolicySnapshot): Promise<Categorization> {
  const input = policyInput(signal, context);
  const notes = new Notes(policies);
  const business = notes.take('business', await policies.evaluate('business', input, classified));
  const custom = notes.take('customLabels', await policies.evaluate('customLabels', input, classified));
  return { businessClassification: business, customLabels: normaliseCustomLabels(custom), policyHash: policies.hash, notes: notes.list };
}

/** Both steps at once (what a fresh SignalProcessing goes through). */
export async function classify(signal: Signal, context: KubernetesContext | undefined, policies: PolicySnapshot, now: Date): Promise<Classification & Categorization> {
  const c = await classifySignal(signal, context, policies, now);
  const classified = { environment: c.environmentClassification.environment, severity: c.severity, signalMode: c.signalMode, priority: c.priorityAssignment.priority };
  const g = await categorizeSignal(signal, context, classified, policies);
  return { ...c, ...g, notes: [...c.notes, ...g.notes] };
}

/** Collects, per policy used, the notice of a rejected override and the note of a fallback. */
class Notes {
  readonly list: string[] = [];
  constructor(private readonly policies: PolicySnapshot) {}

  take<T>(name: PolicyName, outcome: { result: T; note?: string }): T {
    const notice = this.policies.notices[name];
    if (notice) this.list.push(notice);
    if (outcome.note) this.list.push(outcome.note);
    return outcome.result;
  }
}
