/**
 * Validation of a parsed final answer against the cluster and the catalog (investigation.md §7),
 * collecting every error: outcome consistency, the remediation target (resolved to its root owner,
 * which also moves the session's discovery context to it), the workflow under those same context
 * filters, the action type offered, the bundle, and the parameters (workflow-schema.md §5). What
 * the catalog knows (version, bundle, digest, engine, engine config, catalog id) always comes from
 * the catalog, whatever the model wrote.
 */
import { parameterListSchema, toWireValue, validateParameters, type ParameterDefinition } from '../../datastorage/workflows/parameters.ts';
import type { DetectedLabels, ResourceRef, SelectedWorkflow } from '../api/wire.ts';
import type { CatalogWorkflow, Toolset } from '../tools/types.ts';
import type { AnswerWorkflow, LlmAnswer } from './answer-schema.ts';
import type { AnswerError } from './validation-errors.ts';

export interface AnswerValidation {
  errors: AnswerError[];
  /** The remediation target after root-owner resolution (null when the answer names none). */
  affectedResource: ResourceRef | null;
  detectedLabels: DetectedLabels;
  warnings: string[];
  /** The selection, completed from the catalog as far as the workflow was found; null when none was selected. */
  selection: SelectedWorkflow | null;
  /** The catalog's parameter list of the selected workflow, for the feedback message. */
  parameterSchema?: unknown[];
}

export async function validateAnswer(answer: LlmAnswer, toolset: Toolset, signal: AbortSignal): Promise<AnswerValidation> {
  const errors: AnswerError[] = [];
  const warnings: string[] = [];
  const outcome = answer.investigation_outcome;
  const chosen = answer.selected_workflow;

  if (outcome === 'actionable') {
    if (!answer.root_cause_analysis.affectedResource) {
      errors.push({ code: 'rca_incomplete', message: 'investigation_outcome "actionable" needs root_cause_analysis.affectedResource: the resource to remediate (its root owner, from get_resource_context)' });
    }
    if (!chosen && !answer.needs_human_review) {
      errors.push({
        code: 'no_matching_workflows',
        message: 'investigation_outcome "actionable" needs selected_workflow; if no workflow fits, answer selected_workflow null with needs_human_review true and human_review_reason "no_matching_workflows"',
      });
    }
  } else if (chosen) {
    errors.push({ code: 'llm_parsing_error', message: `investigation_outcome "${outcome}" must not select a workflow: set selected_workflow to null, or use "actionable"` });
  }

  // Step 3: the target, replaced by its root owner; this also moves the discovery context to it.
  let affectedResource: ResourceRef | null = answer.root_cause_analysis.affectedResource ?? null;
  let detectedLabels: DetectedLabels = {};
  if (affectedResource) {
    const given = affectedResource;
    try {
      const context = await toolset.resourceContext(given, { signal });
      const root = context.root_owner;
      if (!context.resource.exists && sameRef(root, given)) {
        if (outcome === 'actionable') errors.push({ code: 'rca_incomplete', message: `affectedResource ${describeRef(given)} does not exist` });
      } else {
        if (!sameRef(root, given)) warnings.push('affected_resource_resolved_to_root_owner');
        affectedResource = cleanRef(root);
        detectedLabels = context.detected_labels ?? {};
        warnings.push(...(context.warnings ?? []));
      }
    } catch (err) {
      if (outcome === 'actionable') errors.push({ code: 'rca_incomplete', message: `affectedResource ${describeRef(given)} cannot be resolved: ${(err as Error).message}` });
    }
  }

  if (!chosen || outcome !== 'actionable') {
    return { errors, affectedResource, detectedLabels, warnings, selection: chosen && outcome === 'actionable' ? unverifiedSelection(chosen, answer.confidence) : null };
  }

  // Step 4: the workflow under the (possibly just recomputed) session context.
  let workflow: CatalogWorkflow | undefined;
  try {
    workflow = await toolset.getWorkflow(chosen.workflow_id, { signal });
  } catch (err) {
    errors.push({ code: 'workflow_not_found', message: `workflow ${chosen.workflow_id} could not be looked up: ${(err as Error).message}` });
  }
  if (!workflow) {
    if (!errors.some((e) => e.code === 'workflow_not_found')) {
      errors.push({
        code: 'workflow_not_found',
        message: `workflow "${chosen.workflow_id}" is not in the catalog for this incident's context${affectedResource ? ` (remediation target ${describeRef(affectedResource)})` : ''}: choose one that list_workflows returned`,
      });
    }
    return { errors, affectedResource, detectedLabels, warnings, selection: unverifiedSelection(chosen, answer.confidence) };
  }

  // Step 5: the action type is the catalog's, and was offered in this session.
  if (chosen.action_type !== workflow.actionType) {
    errors.push({ code: 'workflow_not_found', message: `action_type "${chosen.action_type}" does not match the action type "${workflow.actionType}" of workflow ${workflow.workflowId}` });
  }
  if (!toolset.session.offeredActionTypes.has(workflow.actionType)) {
    errors.push({ code: 'workflow_not_found', message: `action type "${workflow.actionType}" was not offered by list_available_actions in this investigation: discover workflows with list_available_actions, list_workflows and get_workflow` });
  }

  // Step 6: a bundle the model names must be the catalog's.
  const execution = workflow.execution;
  if (chosen.execution_bundle !== undefined && chosen.execution_bundle !== '' && !sameBundle(chosen.execution_bundle, execution.bundle, execution.bundleDigest)) {
    errors.push({ code: 'image_mismatch', message: `execution_bundle "${chosen.execution_bundle}" is not the bundle of workflow ${workflow.workflowId} (leave it out: it is taken from the catalog)` });
  }
  if (chosen.execution_bundle_digest && execution.bundleDigest && chosen.execution_bundle_digest !== execution.bundleDigest) {
    errors.push({ code: 'image_mismatch', message: `execution_bundle_digest "${chosen.execution_bundle_digest}" is not the digest of workflow ${workflow.workflowId}` });
  }

  // Step 7: parameters against the catalog's schema (unknown ones rejected).
  const definitions = parameterDefinitions(workflow.parameters);
  const given = canonicalParameters(chosen.parameters);
  const checked = validateParameters(definitions, given);
  for (const e of checked.errors) errors.push({ code: e.code, parameter: e.parameter, message: e.message });

  const { engine, bundle, bundleDigest, engineConfig } = execution;
  const selection: SelectedWorkflow = {
    workflow_id: workflow.workflowId,
    action_type: workflow.actionType,
    version: workflow.version,
    catalog_id: workflow.catalogId,
    execution_bundle: bundle,
    ...(bundleDigest ? { execution_bundle_digest: bundleDigest } : {}),
    execution_engine: engine,
    ...(isRecord(engineConfig) ? { engine_config: engineConfig } : {}),
    confidence: chosen.confidence ?? answer.confidence,
    rationale: chosen.rationale,
    // Valid: with the defaults of absent optional parameters; invalid: what the model sent, for the human.
    parameters: checked.errors.length === 0 ? checked.values : given,
  };
  return { errors, affectedResource, detectedLabels, warnings, selection, parameterSchema: workflow.parameters ?? [] };
}

/** The model's selection as it wrote it, for a human to look at when it could not be verified. */
function unverifiedSelection(chosen: AnswerWorkflow, confidence: number): SelectedWorkflow {
  return {
    workflow_id: chosen.workflow_id,
    action_type: chosen.action_type,
    version: chosen.version ?? '',
    execution_bundle: chosen.execution_bundle ?? '',
    ...(chosen.execution_bundle_digest ? { execution_bundle_digest: chosen.execution_bundle_digest } : {}),
    execution_engine: chosen.execution_engine ?? '',
    confidence: chosen.confidence ?? confidence,
    rationale: chosen.rationale,
    parameters: canonicalParameters(chosen.parameters),
  };
}

/** workflow-schema.md §5 step 1: values travel as strings; null means "not given". */
export function canonicalParameters(values: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(values)) {
    if (value === null || value === undefined) continue;
    out[name] = toWireValue(value);
  }
  return out;
}

function parameterDefinitions(raw: unknown): ParameterDefinition[] {
  const parsed = parameterListSchema.safeParse(raw ?? []);
  // The catalog validated them at registration; a list it serves that no longer parses is used as is.
  return parsed.success ? parsed.data : ((Array.isArray(raw) ? raw : []) as ParameterDefinition[]);
}

function sameBundle(given: string, bundle: string, digest: string | undefined): boolean {
  if (given === bundle) return true;
  // The model may name the pinned form `<bundle>@<digest>`.
  return digest !== undefined && (given === `${bundle}@${digest}` || given === `${bundle.replace(/@sha256:[0-9a-f]+$/, '')}@${digest}`);
}

export function sameRef(a: ResourceRef, b: ResourceRef): boolean {
  return a.kind.toLowerCase() === b.kind.toLowerCase() && a.name === b.name && (a.namespace || '') === (b.namespace || '');
}

function cleanRef(r: ResourceRef): ResourceRef {
  return { kind: r.kind, name: r.name, ...(r.namespace ? { namespace: r.namespace } : {}) };
}

export function describeRef(r: ResourceRef): string {
  return r.namespace ? `${r.kind} ${r.namespace}/${r.name}` : `${r.kind} ${r.name}`;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
