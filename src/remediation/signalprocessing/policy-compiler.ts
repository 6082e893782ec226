/**
 * Static checks of a policy text before it is ever evaluated: size, syntax, CEL type checking
 * against the policy's declared variables, the result type where CEL knows it, and how deeply
 * comprehensions nest (the one construct whose cost multiplies with the size of the input).
 * Runs in the controller's thread: parsing is bounded by the text and AST limits.
 */
import { Environment, type ASTNode } from '@marcbachmann/cel-js';
import {
  CEL_ENVIRONMENT_OPTIONS,
  MAX_COMPREHENSION_NESTING,
  MAX_POLICY_TEXT,
  POLICY_NAMES,
  POLICY_RESULT_TYPES,
  POLICY_VARIABLES,
  type PolicyName,
} from './policy-definitions.ts';

const environments = new Map<PolicyName, Environment>(
  POLICY_NAMES.map((name) => {
    let env = new Environment(CEL_ENVIRONMENT_OPTIONS);
    for (const [variable, type] of Object.entries(POLICY_VARIABLES[name])) env = env.registerVariable(variable, type);
    return [name, env];
  }),
);

const COMPREHENSIONS = new Set(['all', 'exists', 'exists_one', 'map', 'filter']);

/** undefined when `text` is acceptable as policy `name`, else why not. */
export function compileError(name: PolicyName, text: string): string | undefined {
  return policyTextError(environments.get(name)!, text, POLICY_RESULT_TYPES[name]);
}

/**
 * The same checks for any policy: `env` declares its variables, `resultType` is the CEL type its
 * result must have ('map' also accepts any map<...>; 'a|b' either). Other controllers' policies
 * (AIAnalysis approval) are checked with it too.
 */
export function policyTextError(env: Environment, text: string, resultType: string, limits: { maxText?: number; maxNesting?: number } = {}): string | undefined {
  const maxText = limits.maxText ?? MAX_POLICY_TEXT;
  const maxNesting = limits.maxNesting ?? MAX_COMPREHENSION_NESTING;
  if (text.trim() === '') return 'the policy is empty';
  if (text.length > maxText) return `the policy is longer than ${maxText} characters`;
  let ast: ASTNode;
  let type: string;
  try {
    const checked = env.check(text);
    if (!checked.valid) return firstLine(checked.error?.message ?? 'type check failed');
    type = checked.type ?? 'dyn';
    ast = env.parse(text).ast;
  } catch (err) {
    return firstLine((err as Error).message);
  }
  if (!resultTypeFits(resultType, type)) return `the policy must evaluate to a ${resultType.replace('|', ' or ')}, not ${type}`;
  const nesting = comprehensionNesting(ast);
  if (nesting > maxNesting) return `comprehensions are nested ${nesting} deep; at most ${maxNesting} are allowed`;
  return undefined;
}

/** `dyn` is decided at evaluation time, where the result is checked again. */
function resultTypeFits(expected: string, actual: string): boolean {
  if (actual === 'dyn') return true;
  return expected.split('|').some((t) => actual === t || actual.startsWith(`${t}<`));
}

function comprehensionNesting(node: unknown): number {
  if (Array.isArray(node)) return Math.max(0, ...node.map(comprehensionNesting));
  if (!node || typeof node !== 'object' || !('op' in node)) return 0;
  const { op, args } = node as { op: string; args: unknown };
  // rcall: [method, receiver, [arguments]]. A comprehension's body runs once per element; its
  // receiver (e.g. the filter of `l.filter(...).map(...)`) runs once: chaining does not multiply.
  if (op === 'rcall' && Array.isArray(args) && COMPREHENSIONS.has(args[0] as string)) {
    return Math.max(comprehensionNesting(args[1]), 1 + comprehensionNesting(args[2]));
  }
  return comprehensionNesting(args);
}

function firstLine(message: string): string {
  return message.split('\n')[0];
}
