/**
 * What each policy must return, checked after every evaluation: CEL's static types cannot see
 * through `dyn` (labels are dynamic), so a policy whose result has the wrong shape is caught here,
 * named precisely, and treated like a policy that fails.
 */
import type { PolicyName } from './policy-definitions.ts';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const PRIORITIES = ['P0', 'P1', 'P2', 'P3'] as const;
export type Priority = (typeof PRIORITIES)[number];
export const SIGNAL_MODES = ['reactive', 'proactive'] as const;
export type SignalMode = (typeof SIGNAL_MODES)[number];

export interface EnvironmentResult {
  environment: string;
  source: string;
}
export interface SignalModeResult {
  signalMode: SignalMode;
  signalName: string;
}
export interface PriorityResult {
  priority: Priority;
  policyName: string;
  /** Absent: the status says where the policy came from (`default` or `configmap`). */
  source?: string;
}
export interface BusinessResult {
  businessUnit?: string;
  serviceOwner?: string;
  criticality?: string;
  slaRequirement?: string;
}
/** Keys as the policy wrote them; SignalProcessing normalises them afterwards. */
export type CustomLabelsResult = Array<{ key: string; values: string[] }>;

export interface PolicyResults {
  environment: EnvironmentResult;
  severity: Severity;
  signalMode: SignalModeResult;
  priority: PriorityResult;
  business: BusinessResult;
  customLabels: CustomLabelsResult;
}

/** The result has the wrong type or shape. */
export class PolicyResultError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PolicyResultError';
  }
}

export const POLICY_RESULT_PARSERS: { readonly [N in PolicyName]: (v: unknown) => PolicyResults[N] } = {
  environment: (v) => {
    const m = record(v, 'a map {"environment", "source"}');
    return { environment: text(m, 'environment', 63, true)!, source: text(m, 'source', 63) ?? 'policy' };
  },
  severity: (v) => oneOf(v, SEVERITIES, 'the severity'),
  signalMode: (v) => {
    const m = record(v, 'a map {"signalMode", "signalName"}');
    return { signalMode: oneOf(m.signalMode, SIGNAL_MODES, '"signalMode"'), signalName: text(m, 'signalName', 253, true)! };
  },
  priority: (v) => {
    const m = record(v, 'a map {"priority", "policyName"}');
    const source = text(m, 'source', 63);
    return { priority: oneOf(m.priority, PRIORITIES, '"priority"'), policyName: text(m, 'policyName', 253, true)!, ...(source ? { source } : {}) };
  },
  business: (v) => {
    const m = record(v, 'a map {"businessUnit", "serviceOwner", "criticality", "slaRequirement"}');
    const out: BusinessResult = {};
    for (const [field, max] of [['businessUnit', 253], ['serviceOwner', 253], ['criticality', 63], ['slaRequirement', 63]] as const) {
      const value = text(m, field, max);
      if (value) out[field] = value;
    }
    return out;
  },
  customLabels: (v) => {
    // Either {"key": ["value", ...]} (or a single string) or [{"key": k, "values": [...]}, ...].
    if (Array.isArray(v)) {
      return v.map((entry, i) => {
        const m = record(entry, `entry ${i}: a map {"key", "values"}`);
        return { key: text(m, 'key', Infinity, true)!, values: stringList(m.values, `entry ${i} "values"`) };
      });
    }
    const m = record(v, 'a map of key to list of strings, or a list of {"key", "values"}');
    return Object.entries(m).map(([key, values]) => ({ key, values: typeof values === 'string' ? [values] : stringList(values, `"${key}"`) }));
  },
};

function record(v: unknown, what: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new PolicyResultError(`the result must be ${what}, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

/** A string member (at most `max` characters), or undefined when absent or empty and optional. */
function text(m: Record<string, unknown>, key: string, max: number, required = false): string | undefined {
  const v = m[key];
  if (v === undefined || v === null || v === '') {
    if (required) throw new PolicyResultError(`the result has no "${key}"`);
    return undefined;
  }
  if (typeof v !== 'string') throw new PolicyResultError(`"${key}" must be a string, got ${describe(v)}`);
  if (v.length > max) throw new PolicyResultError(`"${key}" is longer than ${max} characters`);
  return v;
}

function oneOf<T extends string>(v: unknown, allowed: readonly T[], what: string): T {
  if (typeof v !== 'string' || !allowed.includes(v as T)) throw new PolicyResultError(`${what} must be one of ${allowed.join(', ')}, got ${describe(v)}`);
  return v as T;
}

function stringList(v: unknown, what: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw new PolicyResultError(`${what} must be a list of strings, got ${describe(v)}`);
  return v as string[];
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `"${v.length > 40 ? `${v.slice(0, 40)}…` : v}"`;
  return `${typeof v === 'number' ? 'a number' : typeof v} ${String(v)}`;
}
