/** Turning zod failures and our own checks into one RFC 7807 400 with `errors: [{path, message}]`. */
import type { z } from 'zod';
import { ProblemError } from '../../platform/http/app.ts';

export interface FieldError {
  path: string;
  message: string;
}

/** `alerts[0].labels.alertname` style paths, as a user would look for them in the payload. */
export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : out ? `${out}.${String(key)}` : String(key)), '') || '(body)';
}

export function invalidPayload(what: string, errors: FieldError[]): ProblemError {
  return new ProblemError(400, 'Invalid signal payload', `${what}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors });
}

export function parseOrThrow<S extends z.ZodType>(schema: S, body: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  throw invalidPayload(what, result.error.issues.map((i) => ({ path: formatPath(i.path), message: i.message })));
}

/** Signals claiming to start far in the future are clock-skewed or forged: refuse them. */
export const MAX_FUTURE_SKEW_MS = 5 * 60_000;
