/**
 * Per-RR timeout overrides: the annotation `kubernaut.ai/timeouts` on a RemediationRequest holds JSON
 * like `{"global":"1h","processing":"5m","analyzing":"10m","executing":"30m","awaitingApproval":"15m",
 * "verifying":"30m"}`. People write it by hand, so every mistake is reported with the key at fault
 * rather than silently ignored; the caller keeps its defaults when parsing fails.
 */
import { parseDuration } from '../../platform/clock.ts';

/** The timeout scopes an RR can override (§2.3 of the CRD design). */
export const TIMEOUT_SCOPES = ['global', 'processing', 'analyzing', 'awaitingApproval', 'executing', 'verifying'] as const;
export type TimeoutScope = (typeof TIMEOUT_SCOPES)[number];

/** Overrides in nominal milliseconds; a scope that is absent keeps the controller's default. */
export type TimeoutOverrides = Partial<Record<TimeoutScope, number>>;

export type TimeoutsAnnotationResult = { overrides: TimeoutOverrides } | { error: string };

const SCOPES: ReadonlySet<string> = new Set(TIMEOUT_SCOPES);
/** Duration units as Kubernetes and the CRDs write them (Go durations without ns/us). */
const DURATION = /^(\d+(\.\d+)?(ms|s|m|h))+$/;

/**
 * Parses the annotation's value. An absent or blank annotation means no overrides. Errors name the
 * offending key and value: unknown scope, a value that is not a duration string, or a zero duration.
 */
export function parseTimeoutsAnnotation(text: string | undefined): TimeoutsAnnotationResult {
  if (text === undefined || text.trim() === '') return { overrides: {} };
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    return { error: `kubernaut.ai/timeouts is not JSON: ${(err as Error).message}` };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { error: 'kubernaut.ai/timeouts must be a JSON object of durations, e.g. {"global":"1h","analyzing":"10m"}' };
  }
  const overrides: TimeoutOverrides = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!SCOPES.has(key)) return { error: `kubernaut.ai/timeouts: unknown timeout "${key}" (known: ${TIMEOUT_SCOPES.join(', ')})` };
    if (typeof value !== 'string' || !DURATION.test(value)) {
      return { error: `kubernaut.ai/timeouts: "${key}" must be a duration like "30s", "5m" or "1h30m", not ${JSON.stringify(value)}` };
    }
    const ms = parseDuration(value);
    if (ms <= 0) return { error: `kubernaut.ai/timeouts: "${key}" must be longer than zero` };
    overrides[key as TimeoutScope] = ms;
  }
  return { overrides };
}
