/**
 * The six classification policies of SignalProcessing: their ConfigMap keys, the CEL variables each
 * one sees and the shape of result each must produce. Policies run in this order; each sees the
 * results of the ones before it (priority knows the environment and the normalised severity).
 * The policy sandbox worker builds its CEL environments from the same declarations, so a policy
 * that type-checks here evaluates with exactly these variables there.
 */

export const POLICY_NAMES = ['environment', 'severity', 'signalMode', 'priority', 'business', 'customLabels'] as const;
export type PolicyName = (typeof POLICY_NAMES)[number];

/** The ConfigMap key that overrides each policy. */
export const POLICY_KEYS: Readonly<Record<PolicyName, string>> = {
  environment: 'environment.cel',
  severity: 'severity.cel',
  signalMode: 'signalMode.cel',
  priority: 'priority.cel',
  business: 'business.cel',
  customLabels: 'customLabels.cel',
};

export function policyNameOfKey(key: string): PolicyName | undefined {
  return POLICY_NAMES.find((n) => POLICY_KEYS[n] === key);
}

/** What every policy sees: the signal (spec) and the Kubernetes context found by enrichment. */
const BASE_VARIABLES = { signal: 'map<string, dyn>', kubernetes: 'map<string, dyn>' } as const;

/** CEL variable name -> CEL type, per policy (results of earlier policies as plain strings). */
export const POLICY_VARIABLES: Readonly<Record<PolicyName, Readonly<Record<string, string>>>> = {
  environment: BASE_VARIABLES,
  severity: BASE_VARIABLES,
  signalMode: BASE_VARIABLES,
  priority: { ...BASE_VARIABLES, environment: 'string', severity: 'string', signalMode: 'string' },
  business: { ...BASE_VARIABLES, environment: 'string', severity: 'string', signalMode: 'string', priority: 'string' },
  customLabels: { ...BASE_VARIABLES, environment: 'string', severity: 'string', signalMode: 'string', priority: 'string' },
};

/** The CEL type a policy's result must have ('map' also accepts any map<...>; 'map|list' either). */
export const POLICY_RESULT_TYPES: Readonly<Record<PolicyName, 'string' | 'map' | 'map|list'>> = {
  environment: 'map',
  severity: 'string',
  signalMode: 'map',
  priority: 'map',
  business: 'map',
  customLabels: 'map|list',
};

/**
 * Options of every policy environment. Mixed literals (`{"key": k, "values": [v]}`) are what
 * policies naturally write; optional indexing (`labels[?"tier"].orValue("")`) is how they read a
 * label that may be missing. The structural limits bound the work one policy can describe.
 */
export const CEL_ENVIRONMENT_OPTIONS = {
  homogeneousAggregateLiterals: false,
  enableOptionalTypes: true,
  limits: { maxAstNodes: 4000, maxDepth: 48, maxListElements: 256, maxMapEntries: 256, maxCallArguments: 16 },
} as const;

/** Longest policy text accepted (a ConfigMap value may be 1 MiB; a policy is a few hundred bytes). */
export const MAX_POLICY_TEXT = 32 * 1024;
/** Comprehensions (all, exists, exists_one, map, filter) nested deeper than this are refused. */
export const MAX_COMPREHENSION_NESTING = 2;
