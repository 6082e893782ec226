/**
 * The final answer the LLM writes (investigation.md §6), as a zod schema. It is deliberately more
 * lenient than the result document (optional members get defaults, parameter values may be typed)
 * because models differ in what they leave out; what it accepts is then validated against the
 * catalog (§7) and turned into the result.
 */
import { z } from 'zod';
import { HUMAN_REVIEW_REASONS, INVESTIGATION_OUTCOMES } from '../api/wire.ts';

const shortText = z.string().max(253);
const prose = z.string().max(20_000);
const confidence = z.number().min(0, 'must be between 0 and 1').max(1, 'must be between 0 and 1');

export const answerResourceSchema = z.object({
  kind: shortText.min(1),
  name: shortText.min(1),
  namespace: shortText.nullish().transform((v) => v || undefined),
});

/** Values may be strings, numbers, booleans or arrays; they are canonicalised to strings (workflow-schema.md §5). */
const parameterValue = z.union([z.string(), z.number(), z.boolean(), z.array(z.unknown()), z.null()]);

export const answerWorkflowSchema = z.object({
  workflow_id: shortText.min(1),
  action_type: shortText.min(1),
  parameters: z.record(z.string().max(253), parameterValue).default({}),
  confidence: confidence.optional(),
  rationale: prose.default(''),
  version: shortText.optional(),
  execution_bundle: z.string().max(2048).optional(),
  execution_bundle_digest: z.string().max(253).optional(),
  execution_engine: shortText.optional(),
});

export const llmAnswerSchema = z.object({
  investigation_outcome: z.enum(INVESTIGATION_OUTCOMES),
  root_cause_analysis: z.object({
    summary: prose.min(1),
    severity: shortText.optional(),
    contributing_factors: z.array(prose).max(50).default([]),
    affectedResource: answerResourceSchema.nullish().transform((v) => v ?? null),
  }),
  // Required by §6, but a model that found nothing to run often leaves it out: absent = null.
  selected_workflow: answerWorkflowSchema.nullish().transform((v) => v ?? null),
  alternative_workflows: z
    .array(
      z.object({
        workflow_id: shortText.min(1),
        execution_bundle: z.string().max(2048).optional(),
        confidence: confidence.default(0),
        rationale: prose.default(''),
      }),
    )
    .max(20)
    .default([]),
  confidence,
  needs_human_review: z.boolean().default(false),
  human_review_reason: z.enum(HUMAN_REVIEW_REASONS).nullish().transform((v) => v ?? null),
  analysis: prose.optional(),
});

export type LlmAnswer = z.output<typeof llmAnswerSchema>;
export type AnswerWorkflow = z.output<typeof answerWorkflowSchema>;
