/**
 * Grades one investigation result against a fixture's expectations. Every mismatch is listed (not
 * only the first), in words that say what was expected and what came back.
 */
import type { InvestigationResult } from '../src/investigator/api/wire.ts';
import type { Expected } from './fixture.ts';

export interface Grade {
  passed: boolean;
  failures: string[];
}

const CLUSTER_SCOPED_KINDS = new Set(['Node', 'PersistentVolume', 'Namespace', 'StorageClass', 'ClusterRole', 'ClusterRoleBinding']);

/**
 * `expected` with names already rewritten for a renamed fixture; `namespace` is the fixture's (the
 * default for a namespaced target); `catalog` the workflow ids that were registered.
 */
export function gradeResult(result: InvestigationResult, expected: Expected, ctx: { namespace: string; catalog: Set<string> }): Grade {
  const failures: string[] = [];
  const fail = (m: string) => failures.push(m);
  const selected = result.selected_workflow;

  if (result.investigation_outcome !== expected.outcome) fail(`outcome ${result.investigation_outcome}, expected ${expected.outcome}`);

  if (selected && !ctx.catalog.has(selected.workflow_id)) fail(`selected ${selected.workflow_id}, which is not in the catalog`);
  if (selected && expected.forbiddenWorkflows.includes(selected.workflow_id)) fail(`selected forbidden workflow ${selected.workflow_id}`);
  if (expected.workflow === 'none') {
    if (selected) fail(`selected ${selected.workflow_id}, expected no workflow`);
  } else if (!selected) {
    fail(`no workflow selected, expected ${expected.workflow}`);
  } else {
    if (selected.workflow_id !== expected.workflow) fail(`selected ${selected.workflow_id}, expected ${expected.workflow}`);
    if (expected.actionType && selected.action_type !== expected.actionType) fail(`action type ${selected.action_type}, expected ${expected.actionType}`);
    for (const [name, value] of Object.entries(expected.parameters)) {
      const got = selected.parameters[name];
      if (got !== value) fail(`parameter ${name}=${got === undefined ? '(absent)' : JSON.stringify(got)}, expected ${JSON.stringify(value)}`);
    }
  }

  if (expected.target) {
    const want = { kind: expected.target.kind, name: expected.target.name, namespace: expected.target.namespace ?? (CLUSTER_SCOPED_KINDS.has(expected.target.kind) ? '' : ctx.namespace) };
    const got = result.root_cause_analysis.affectedResource;
    const show = (r: { kind: string; name: string; namespace?: string }) => `${r.namespace ? `${r.namespace}/` : ''}${r.kind}/${r.name}`;
    if (!got) fail(`no affectedResource, expected ${show(want)}`);
    else if (got.kind !== want.kind || got.name !== want.name || (got.namespace ?? '') !== want.namespace) fail(`affectedResource ${show(got)}, expected ${show(want)}`);
  }

  for (const [label, value] of Object.entries(expected.detectedLabels)) {
    const got = (result.detected_labels as Record<string, unknown>)[label];
    if (String(got) !== String(value)) fail(`detected label ${label}=${got === undefined ? '(absent)' : String(got)}, expected ${String(value)}`);
  }

  for (const mention of expected.rcaMentions) if (!result.root_cause_analysis.summary.includes(mention)) fail(`root-cause summary does not name ${mention}`);

  for (const warning of expected.warnings) {
    if (!result.warnings.some((w) => w === warning || w.startsWith(`${warning}:`))) fail(`warning ${warning} missing (got ${result.warnings.join(', ') || 'none'})`);
  }

  if (expected.minConfidence !== undefined && result.confidence < expected.minConfidence) fail(`confidence ${result.confidence}, expected at least ${expected.minConfidence}`);
  if (expected.needsHumanReview !== undefined && result.needs_human_review !== expected.needsHumanReview) {
    fail(`needs_human_review ${result.needs_human_review}${result.human_review_reason ? ` (${result.human_review_reason})` : ''}, expected ${expected.needsHumanReview}`);
  }
  if (expected.humanReviewReason !== undefined && result.human_review_reason !== expected.humanReviewReason) fail(`human_review_reason ${result.human_review_reason}, expected ${expected.humanReviewReason}`);

  return { passed: failures.length === 0, failures };
}
