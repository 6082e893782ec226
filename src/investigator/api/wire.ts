/**
 * The investigator's HTTP contract (investigation.md §1-§3): what the AIAnalysis controller sends to
 * `POST /api/v1/incident/analyze`, the session document, and the result. One zod schema per
 * document is the source of truth for both sides; field names are the design note's (snake_case).
 */
import { z } from 'zod';

export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
export const INVESTIGATION_OUTCOMES = ['actionable', 'resolved', 'inconclusive'] as const;
export const SESSION_STATUSES = ['pending', 'investigating', 'completed', 'failed'] as const;
export const HUMAN_REVIEW_REASONS = [
  'workflow_not_found',
  'image_mismatch',
  'parameter_validation_failed',
  'no_matching_workflows',
  'low_confidence',
  'llm_parsing_error',
  'investigation_inconclusive',
  'rca_incomplete',
] as const;
export type HumanReviewReason = (typeof HUMAN_REVIEW_REASONS)[number];

const name = z.string().max(253);
const text = (max: number) => z.string().max(max);
const stringMap = z.record(z.string().max(317), z.string().max(65_536));

/** `POST /api/v1/incident/analyze` (investigation.md §2). Unknown members are refused. */
export const analyzeRequestSchema = z.strictObject({
  incident_id: z.string().min(1).max(253),
  remediation_id: z.string().min(1).max(253),
  signal_name: z.string().min(1).max(253),
  source_signal_name: name.optional(),
  signal_mode: z.enum(['reactive', 'proactive']).default('reactive'),
  severity: z.enum(SEVERITIES),
  signal_source: z.string().max(63).default('prometheus'),
  resource_namespace: z.string().max(63).default(''),
  resource_kind: z.string().min(1).max(63),
  resource_name: z.string().min(1).max(253),
  error_message: text(32_768).default(''),
  description: text(32_768).default(''),
  environment: z.string().max(63).default('unknown'),
  priority: z.string().max(8).default('P2'),
  risk_tolerance: z.string().max(63).default('medium'),
  business_category: z.string().max(63).default('standard'),
  cluster_name: z.string().max(253).default('default'),
  firing_time: z.string().max(64).optional(),
  received_time: z.string().max(64).optional(),
  occurrence_count: z.number().int().min(0).optional(),
  first_seen: z.string().max(64).optional(),
  last_seen: z.string().max(64).optional(),
  signal_labels: stringMap.default({}),
  signal_annotations: stringMap.default({}),
  /** `{kubernetesContext, customLabels, businessClassification}` of the SignalProcessing status, as stored there. */
  enrichment_results: z
    .strictObject({
      kubernetesContext: z.record(z.string(), z.unknown()).optional(),
      customLabels: z.record(z.string(), z.array(z.string().max(253)).max(64)).optional(),
      businessClassification: z.record(z.string(), z.unknown()).optional(),
    })
    .default({}),
});
export type AnalyzeRequest = z.output<typeof analyzeRequestSchema>;
export type AnalyzeRequestInput = z.input<typeof analyzeRequestSchema>;

export const sessionSchema = z.object({
  session_id: z.string(),
  incident_id: z.string(),
  status: z.enum(SESSION_STATUSES),
  created_at: z.string(),
  updated_at: z.string(),
  /** Why a `failed` session failed (a short machine-readable reason and a message). */
  error: z.object({ reason: z.string(), message: z.string() }).nullable(),
});
export type SessionDocument = z.output<typeof sessionSchema>;

export const resourceRefSchema = z.object({ kind: z.string(), name: z.string(), namespace: z.string().optional() });
export type ResourceRef = z.output<typeof resourceRefSchema>;

export const detectedLabelsSchema = z.object({
  gitOpsManaged: z.boolean().optional(),
  gitOpsTool: z.enum(['argocd', 'flux', '']).optional(),
  pdbProtected: z.boolean().optional(),
  hpaEnabled: z.boolean().optional(),
  stateful: z.boolean().optional(),
  helmManaged: z.boolean().optional(),
  networkIsolated: z.boolean().optional(),
  serviceMesh: z.enum(['istio', 'linkerd', '']).optional(),
  failedDetections: z.array(z.string()).optional(),
});
export type DetectedLabels = z.output<typeof detectedLabelsSchema>;

export const selectedWorkflowSchema = z.object({
  workflow_id: z.string(),
  action_type: z.string(),
  version: z.string(),
  /** The catalog's UUID of this exact (workflow_id, version). */
  catalog_id: z.string().optional(),
  execution_bundle: z.string(),
  execution_bundle_digest: z.string().optional(),
  execution_engine: z.string(),
  engine_config: z.record(z.string(), z.unknown()).optional(),
  confidence: z.number().min(0).max(1),
  rationale: z.string(),
  parameters: z.record(z.string(), z.string()),
});
export type SelectedWorkflow = z.output<typeof selectedWorkflowSchema>;

export const validationAttemptSchema = z.object({
  attempt: z.number().int().min(1),
  workflow_id: z.string().nullable(),
  is_valid: z.boolean(),
  errors: z.array(z.object({ code: z.string(), parameter: z.string().optional(), message: z.string() })),
  timestamp: z.string(),
});
export type ValidationAttempt = z.output<typeof validationAttemptSchema>;

export const usageSchema = z.object({
  prompt_tokens: z.number().int().min(0),
  completion_tokens: z.number().int().min(0),
  /** True when counted with a tokenizer over what was sent because the provider reported none. */
  tokens_estimated: z.boolean(),
  llm_turns: z.number().int().min(0),
  tool_calls: z.number().int().min(0),
  latency_ms: z.number().int().min(0),
  estimated_cost_usd: z.number().min(0).optional(),
});
export type InvestigationUsage = z.output<typeof usageSchema>;

/** One tool call the investigation made, in order: the evidence it rests on (output shortened). */
export const evidenceSchema = z.object({
  tool: z.string(),
  arguments: z.record(z.string(), z.unknown()),
  ok: z.boolean(),
  /** The first characters of the (redacted) result the LLM saw. */
  excerpt: z.string(),
  truncated: z.boolean(),
});
export type Evidence = z.output<typeof evidenceSchema>;

/** `GET /api/v1/incident/session/{id}/result` (investigation.md §3). */
export const investigationResultSchema = z.object({
  incident_id: z.string(),
  investigation_outcome: z.enum(INVESTIGATION_OUTCOMES),
  analysis: z.string(),
  root_cause_analysis: z.object({
    summary: z.string(),
    severity: z.string(),
    contributing_factors: z.array(z.string()),
    affectedResource: resourceRefSchema.nullable(),
  }),
  selected_workflow: selectedWorkflowSchema.nullable(),
  alternative_workflows: z.array(z.object({ workflow_id: z.string(), execution_bundle: z.string().optional(), confidence: z.number(), rationale: z.string() })),
  confidence: z.number().min(0).max(1),
  needs_human_review: z.boolean(),
  human_review_reason: z.enum(HUMAN_REVIEW_REASONS).nullable(),
  /** e.g. `prompt_injection_suspected`, `affected_resource_resolved_to_root_owner`, `detection_failed:<label>`. */
  warnings: z.array(z.string()),
  detected_labels: detectedLabelsSchema,
  validation_attempts_history: z.array(validationAttemptSchema).max(3),
  evidence: z.array(evidenceSchema),
  timestamp: z.string(),
  provider: z.string(),
  model: z.string(),
  usage: usageSchema,
});
export type InvestigationResult = z.output<typeof investigationResultSchema>;
