/**
 * The user messages the loop adds on its own: the validation feedback of fixed form
 * (investigation.md §7) and the request for an answer when a limit is reached.
 */
import type { AnswerError } from './validation-errors.ts';

/**
 * First line `Validation failed (attempt <n> of <max>)`, then the errors as one JSON array, then the
 * workflow's parameter schema. Tools (and the mock LLM) may rely on this form.
 */
export function validationFeedback(attempt: number, maxAttempts: number, errors: readonly AnswerError[], parameterSchema: unknown[] | undefined, workflowId?: string): string {
  const list = errors.map((e) => ({ code: e.code, ...(e.parameter !== undefined ? { parameter: e.parameter } : {}), message: e.message }));
  const schema =
    parameterSchema !== undefined
      ? `Parameter schema of workflow ${workflowId ?? ''}:\n${JSON.stringify(parameterSchema)}`
      : 'Parameter schema: none (no workflow from the catalog was identified in this answer).';
  return [
    `Validation failed (attempt ${attempt} of ${maxAttempts})`,
    JSON.stringify(list),
    schema,
    'Correct every error above and give the complete final answer again in the same format (one JSON object in a ```json block). You may call tools first.',
  ].join('\n');
}

export function answerNowMessage(limit: string): string {
  return `The ${limit} is reached: no more tool calls are possible. Give your final answer now, based on the evidence so far, in the final answer format (one JSON object in a \`\`\`json block).`;
}

/** The `tool` message content for a call the loop did not run (the envelope of tools/types.ts). */
export function notRunEnvelope(tool: string, why: string): string {
  return JSON.stringify({ tool, ok: false, error: why, truncated: false });
}
