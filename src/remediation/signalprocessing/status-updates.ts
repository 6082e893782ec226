/**
 * The status a SignalProcessing gets at each step, as pure functions of the current object: the
 * next phase with its conditions, a failure to retry, the end in Failed. The reconciler applies
 * them through conditional status writes.
 */
import type { SignalProcessing, SignalProcessingStatus } from '../../api/v1alpha1/index.ts';
import { setCondition, type ConditionInput } from '../../kube/conditions.ts';

type Status = SignalProcessingStatus;
export type Phase = NonNullable<Status['phase']>;

export const CONDITIONS = {
  enrichment: 'EnrichmentComplete',
  classification: 'ClassificationComplete',
  categorization: 'CategorizationComplete',
  processing: 'ProcessingComplete',
  ready: 'Ready',
} as const;

/** Condition messages stay readable in `kubectl describe` (the CRD would take 32 KiB). */
const MAX_MESSAGE = 4096;
const MAX_ERROR = 32_768;

const NEXT_PHASE: Partial<Record<Phase | '', Phase>> = { '': 'Pending', Pending: 'Enriching', Enriching: 'Classifying', Classifying: 'Categorizing', Categorizing: 'Completed' };
/** The condition of the step each phase works on. */
const STEP_CONDITION: Partial<Record<Phase | '', string>> = { Enriching: CONDITIONS.enrichment, Classifying: CONDITIONS.classification, Categorizing: CONDITIONS.categorization };

export function truncate(message: string, max = MAX_MESSAGE): string {
  return message.length <= max ? message : `${message.slice(0, max - 1)}…`;
}

function withConditions(sp: SignalProcessing, conditions: ConditionInput[], now: Date): Status['conditions'] {
  let list = sp.status?.conditions;
  for (const c of conditions) list = setCondition(list, { ...c, message: truncate(c.message) }, { observedGeneration: sp.metadata?.generation, now });
  return list;
}

/**
 * Phase `to` (the one after the current), with the fields `fill` adds, `conditions`, Ready False
 * naming the phase while in progress, and the failure count reset: the step succeeded.
 */
export function advancedStatus(sp: SignalProcessing, to: Phase, fill: (s: Status) => Status, conditions: ConditionInput[], now: Date): Status {
  const from = sp.status?.phase ?? '';
  if (NEXT_PHASE[from] !== to) throw new Error(`internal: ${from || '(none)'} -> ${to} is not a phase transition`);
  const all = to === 'Completed' ? conditions : [...conditions, { type: CONDITIONS.ready, status: 'False' as const, reason: to, message: `${to.toLowerCase()} the signal` }];
  const next = fill({ ...sp.status });
  return { ...next, phase: to, conditions: withConditions(sp, all, now), ...(next.consecutiveFailures ? { consecutiveFailures: 0 } : {}) };
}

/** The phase stays; the failure is counted and Ready says a retry is due. */
export function retryingStatus(sp: SignalProcessing, failures: number, message: string, now: Date): Status {
  return {
    ...sp.status,
    consecutiveFailures: failures,
    lastFailureTime: now.toISOString(),
    conditions: withConditions(sp, [{ type: CONDITIONS.ready, status: 'False', reason: 'Retrying', message }], now),
  };
}

/** Failed with `error`: the step's condition, ProcessingComplete and Ready False. */
export function failedStatus(sp: SignalProcessing, error: string, failures: number, now: Date): Status {
  const step = STEP_CONDITION[sp.status?.phase ?? ''];
  const conditions: ConditionInput[] = [
    ...(step ? [{ type: step, status: 'False' as const, reason: 'Failed', message: error }] : []),
    { type: CONDITIONS.processing, status: 'False', reason: 'Failed', message: error },
    { type: CONDITIONS.ready, status: 'False', reason: 'Failed', message: error },
  ];
  return {
    ...sp.status,
    phase: 'Failed',
    error: truncate(error, MAX_ERROR),
    consecutiveFailures: failures,
    lastFailureTime: now.toISOString(),
    completionTime: now.toISOString(),
    startTime: sp.status?.startTime ?? now.toISOString(),
    conditions: withConditions(sp, conditions, now),
  };
}
