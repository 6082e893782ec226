/**
 * Turns zod validation failures into the RFC 7807 400 every DataStorage endpoint answers with:
 * `{..., errors: [{path, message}]}`, path written like `events[3].eventId`.
 */
import type { z } from 'zod';
import { ProblemError } from '../../platform/http/app.ts';

export interface FieldError {
  path: string;
  message: string;
}

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out === '' ? String(key) : `.${String(key)}`;
  }
  return out === '' ? '(root)' : out;
}

export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: formatPath(issue.path), message: issue.message }));
}

/** Parses `input` with `schema` or throws a 400 problem listing every invalid field. */
export function parseOrProblem<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = fieldErrors(result.error);
  throw new ProblemError(400, 'Invalid Request', `${what} is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors });
}
