/**
 * Workflow parameters (workflow-schema.md §5): the rules a parameter *definition* must satisfy at
 * registration, and the validation of a *selection* (values travel as strings). The investigator and
 * WorkflowExecution validate selections with the same `validateParameters`, so the catalog, the LLM
 * loop and the executor agree on what a valid value is.
 */
import { z } from 'zod';

export const PARAMETER_TYPES = ['string', 'integer', 'boolean', 'array', 'float'] as const;
export type ParameterType = (typeof PARAMETER_TYPES)[number];

export const PARAMETER_NAME_RE = /^[A-Z][A-Z0-9_]{0,62}$/;
/** Names the executor sets itself; a workflow may not declare them (no overriding the target). */
const RESERVED_NAME = 'TARGET_RESOURCE';
const RESERVED_PREFIX = 'KUBERNAUT_';
const MAX_VALUE_LENGTH = 4096;

/** A value as written in YAML/JSON for `enum` and `default`: typed or already a string. */
const literalValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.unknown())], {
  error: 'must be a string, number, boolean or list',
});

const parameterObject = z.strictObject({
  name: z
    .string()
    .regex(PARAMETER_NAME_RE, 'must match ^[A-Z][A-Z0-9_]{0,62}$ (upper case, digits, underscores)')
    .refine((n) => n !== RESERVED_NAME && !n.startsWith(RESERVED_PREFIX), {
      error: `${RESERVED_NAME} and the prefix ${RESERVED_PREFIX} are reserved for the executor`,
    }),
  type: z.enum(PARAMETER_TYPES, { error: `must be one of ${PARAMETER_TYPES.join(', ')}` }),
  required: z.boolean().default(false),
  description: z.string().min(1, 'is required').max(2000, 'must be at most 2000 characters'),
  enum: z.array(literalValue).min(1, 'must not be empty').optional(),
  pattern: z.string().min(1).optional(),
  minimum: z.number().optional(),
  maximum: z.number().optional(),
  default: literalValue.optional(),
});

export type ParameterDefinition = z.output<typeof parameterObject>;

/** The wire form of a typed literal: integers base-10, floats shortest decimal, arrays as JSON. */
export function toWireValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

/** True when a typed YAML/JSON literal has the declared type (strings are checked later, as wire values). */
function literalFitsType(type: ParameterType, value: unknown): boolean {
  if (typeof value === 'string') return true;
  switch (type) {
    case 'string':
      return false;
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'float':
      return typeof value === 'number' && Number.isFinite(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
  }
}

function compilePattern(pattern: string): RegExp {
  // The pattern must match the whole value (§5), whatever anchors the author wrote.
  return new RegExp(`^(?:${pattern})$`);
}

/** Parameter definition with the cross-field rules of §5 (each violation reported with its path). */
export const parameterDefinitionSchema = parameterObject.superRefine((p, ctx) => {
  const issue = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
  if (p.pattern !== undefined) {
    if (p.type !== 'string') issue(['pattern'], 'is only allowed for type string');
    else {
      try {
        compilePattern(p.pattern);
      } catch (e) {
        issue(['pattern'], `is not a valid ECMAScript regular expression: ${(e as Error).message}`);
      }
    }
  }
  for (const bound of ['minimum', 'maximum'] as const) {
    const v = p[bound];
    if (v === undefined) continue;
    if (p.type === 'boolean') issue([bound], 'is not allowed for type boolean');
    else if (p.type !== 'float' && (!Number.isInteger(v) || (p.type !== 'integer' && v < 0))) {
      issue([bound], p.type === 'integer' ? 'must be an integer' : `must be a non-negative integer (a ${p.type === 'string' ? 'length' : 'item count'})`);
    }
  }
  if (p.minimum !== undefined && p.maximum !== undefined && p.minimum > p.maximum) issue(['maximum'], 'must not be below minimum');
  p.enum?.forEach((v, i) => {
    if (!literalFitsType(p.type, v)) issue(['enum', i], `must be a value of type ${p.type}`);
    else {
      const problems = checkValue(p, toWireValue(v), { ignoreEnum: true });
      if (problems.length > 0) issue(['enum', i], problems[0].message);
    }
  });
  if (p.default !== undefined) {
    if (!literalFitsType(p.type, p.default)) issue(['default'], `must be a value of type ${p.type}`);
    else for (const problem of checkValue(p, toWireValue(p.default))) issue(['default'], `does not validate: ${problem.message}`);
  }
});

/** A list of parameters: names unique within the list (checked even when an item has other problems). */
export const parameterListSchema = z.array(parameterDefinitionSchema).check(
  z.superRefine((list: unknown[], ctx) => {
    // Runs even when the value failed the array check (`when: () => true`): it may not be a list.
    if (!Array.isArray(list)) return;
    const seen = new Set<unknown>();
    list.forEach((p, i) => {
      const name = typeof p === 'object' && p !== null ? (p as { name?: unknown }).name : undefined;
      if (typeof name !== 'string') return;
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate parameter name ${name}`, input: name });
      seen.add(name);
    });
  }, { when: () => true }),
);

export type ParameterErrorCode =
  | 'unknown_parameter'
  | 'missing_required'
  | 'type_mismatch'
  | 'not_in_enum'
  | 'pattern_mismatch'
  | 'below_minimum'
  | 'above_maximum'
  | 'invalid_value';

export interface ParameterError {
  parameter: string;
  code: ParameterErrorCode;
  message: string;
}

const INTEGER_RE = /^-?\d+$/;

function parseArray(value: string): unknown[] | undefined {
  try {
    const v = JSON.parse(value);
    return Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Steps 4 and 5 of §5 for one value: every problem found (type problems stop the checks). */
function checkValue(p: ParameterDefinition, value: string, opts: { ignoreEnum?: boolean } = {}): ParameterError[] {
  const err = (code: ParameterErrorCode, message: string): ParameterError => ({ parameter: p.name, code, message });
  if (value.length > MAX_VALUE_LENGTH || value.includes('\0')) {
    return [err('invalid_value', `value must be at most ${MAX_VALUE_LENGTH} characters and contain no NUL`)];
  }
  let size: number; // what minimum/maximum bound: the number, the length, or the item count
  switch (p.type) {
    case 'integer':
      if (!INTEGER_RE.test(value)) return [err('type_mismatch', `"${value}" is not an integer`)];
      size = Number(value);
      break;
    case 'float':
      if (value.trim() === '' || !Number.isFinite(Number(value))) return [err('type_mismatch', `"${value}" is not a finite number`)];
      size = Number(value);
      break;
    case 'boolean':
      if (value !== 'true' && value !== 'false') return [err('type_mismatch', `"${value}" is not true or false`)];
      size = 0;
      break;
    case 'array': {
      const items = parseArray(value);
      if (!items) return [err('type_mismatch', 'value is not a JSON array')];
      size = items.length;
      break;
    }
    case 'string':
      size = [...value].length;
      break;
  }
  const errors: ParameterError[] = [];
  if (!opts.ignoreEnum && p.enum) {
    const numeric = p.type === 'integer' || p.type === 'float';
    const allowed = p.enum.map(toWireValue);
    const inEnum = numeric ? allowed.some((a) => Number(a) === Number(value)) : allowed.includes(value);
    if (!inEnum) errors.push(err('not_in_enum', `"${value}" is not one of ${allowed.join(', ')}`));
  }
  if (p.pattern !== undefined && p.type === 'string' && !compilePattern(p.pattern).test(value)) {
    errors.push(err('pattern_mismatch', `"${value}" does not match ${p.pattern}`));
  }
  const what = p.type === 'string' ? 'length' : p.type === 'array' ? 'item count' : 'value';
  if (p.minimum !== undefined && size < p.minimum) errors.push(err('below_minimum', `${what} ${size} is below the minimum ${p.minimum}`));
  if (p.maximum !== undefined && size > p.maximum) errors.push(err('above_maximum', `${what} ${size} is above the maximum ${p.maximum}`));
  return errors;
}

export interface ParameterValidation {
  /** The values to run with: given ones plus defaults of absent optional parameters. */
  values: Record<string, string>;
  errors: ParameterError[];
}

/** Validates a selection against a workflow's parameter list (§5): reports every error. */
export function validateParameters(params: ParameterDefinition[], given: Record<string, string>): ParameterValidation {
  const byName = new Map(params.map((p) => [p.name, p]));
  const errors: ParameterError[] = [];
  const values: Record<string, string> = {};
  for (const name of Object.keys(given)) {
    if (!byName.has(name)) errors.push({ parameter: name, code: 'unknown_parameter', message: `the workflow declares no parameter ${name}` });
  }
  for (const p of params) {
    const value = Object.hasOwn(given, p.name) ? given[p.name] : undefined;
    if (value === undefined || value === '') {
      if (p.required) errors.push({ parameter: p.name, code: 'missing_required', message: `${p.name} is required` });
      else if (p.default !== undefined) values[p.name] = toWireValue(p.default);
      continue;
    }
    const problems = checkValue(p, value);
    errors.push(...problems);
    if (problems.length === 0) values[p.name] = value;
  }
  return { values, errors };
}
