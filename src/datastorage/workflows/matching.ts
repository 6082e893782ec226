/**
 * Matching and ranking of catalog entries against an incident context (workflow-schema.md §4).
 * Pure functions over the parts of an entry that matter (labels, detected and custom labels), so
 * the same rules serve every discovery step and can be tested without a database.
 */
import type { IncidentContext } from './context.ts';
import { BOOLEAN_DETECTED_LABELS, componentKind, labelValues, type BooleanDetectedLabel, type WorkflowCustomLabels, type WorkflowDetectedLabels, type WorkflowLabels } from './entry-schema.ts';

export interface MatchableWorkflow {
  workflowId: string;
  labels: WorkflowLabels;
  detectedLabels?: WorkflowDetectedLabels;
  customLabels?: WorkflowCustomLabels;
}

function inDimension(declared: string | string[], incident: string | undefined, compare = (a: string, b: string) => a === b): boolean {
  if (incident === undefined) return true; // an omitted dimension is unconstrained
  const allowed = labelValues(declared);
  return allowed === null || allowed.some((v) => compare(v, incident));
}

/** The context filters of §4.1 (except status/latest, which the catalog applies) and §4.2. */
export function matchesContext(w: MatchableWorkflow, ctx: IncidentContext): boolean {
  const l = w.labels;
  if (!inDimension(l.severity, ctx.severity)) return false;
  if (!inDimension(l.environment, ctx.environment)) return false;
  if (!inDimension(l.priority, ctx.priority)) return false;
  if (!inDimension(l.component, ctx.component, (declared, kind) => componentKind(declared) === kind)) return false;
  const declared = w.detectedLabels ?? {};
  for (const label of BOOLEAN_DETECTED_LABELS) {
    // A label true for the incident excludes workflows that declare it "false".
    if (ctx.detectedLabels.flags[label] === true && declared[label] === 'false') return false;
  }
  for (const label of ['gitOpsTool', 'serviceMesh'] as const) {
    const incident = ctx.detectedLabels[label];
    const value = declared[label];
    if (incident && value !== undefined && value !== '*' && value !== incident) return false;
  }
  return true;
}

/** Boosts in thousandths of a raw point (the raw total is divided by 10 into the score). */
const BOOLEAN_BOOSTS: Record<BooleanDetectedLabel, number> = {
  gitOpsManaged: 100,
  pdbProtected: 50,
  networkIsolated: 30,
  helmManaged: 20,
  stateful: 20,
  hpaEnabled: 20,
};
const BASE = 5000;
const GITOPS_TOOL_BOOST = { exact: 100, wildcard: 50 };
const SERVICE_MESH_BOOST = { exact: 50, wildcard: 25 };
const CUSTOM_BOOST = { exact: 150, wildcard: 75 };
const PENALTY = 100;

export interface Score {
  /** `min((5.0 + boosts − penalties) / 10, 1.0)`, 3 decimals. */
  score: number;
  /** One line per contribution, for humans and the LLM. */
  explanation: string[];
}

const points = (thousandths: number) => (thousandths / 1000).toFixed(3).replace(/0+$/, '').replace(/\.$/, '.0');

/** The score of §4.3 with how it came about. Integer arithmetic: no 0.1 + 0.2 surprises. */
export function scoreWorkflow(w: MatchableWorkflow, ctx: IncidentContext): Score {
  let total = BASE;
  const explanation = ['base 5.0'];
  const add = (delta: number, why: string) => {
    total += delta;
    explanation.push(`${delta >= 0 ? '+' : '-'}${points(Math.abs(delta))} ${why}`);
  };
  const declared = w.detectedLabels ?? {};
  const { flags, gitOpsTool, serviceMesh } = ctx.detectedLabels;
  for (const label of BOOLEAN_DETECTED_LABELS) {
    if (flags[label] === true && declared[label] === 'true') add(BOOLEAN_BOOSTS[label], `detected ${label} matches`);
  }
  if (gitOpsTool && declared.gitOpsTool !== undefined) {
    if (declared.gitOpsTool === gitOpsTool) add(GITOPS_TOOL_BOOST.exact, `detected gitOpsTool ${gitOpsTool} matches`);
    else if (declared.gitOpsTool === '*') add(GITOPS_TOOL_BOOST.wildcard, `workflow supports any gitOpsTool (${gitOpsTool})`);
  }
  if (serviceMesh && declared.serviceMesh !== undefined) {
    if (declared.serviceMesh === serviceMesh) add(SERVICE_MESH_BOOST.exact, `detected serviceMesh ${serviceMesh} matches`);
    else if (declared.serviceMesh === '*') add(SERVICE_MESH_BOOST.wildcard, `workflow supports any serviceMesh (${serviceMesh})`);
  }
  const custom = w.customLabels ?? {};
  for (const [key, values] of Object.entries(ctx.customLabels)) {
    const accepted = custom[key];
    if (accepted === undefined) continue;
    for (const value of values) {
      if (accepted === '*') add(CUSTOM_BOOST.wildcard, `custom label ${key}=${value} (workflow accepts any)`);
      else if (accepted.includes(value)) add(CUSTOM_BOOST.exact, `custom label ${key}=${value} matches`);
    }
  }
  if (flags.gitOpsManaged === true && declared.gitOpsManaged !== 'true') add(-PENALTY, 'target is GitOps-managed but the workflow does not declare gitOpsManaged');
  if (gitOpsTool && declared.gitOpsTool === undefined) add(-PENALTY, `target uses ${gitOpsTool} but the workflow does not declare gitOpsTool`);
  // Rounded half up to 3 decimals of the score, i.e. to whole hundredths of a raw point.
  const score = Math.min(Math.max(Math.round(total / 10), 0), 1000) / 1000;
  return { score, explanation };
}

export interface Ranked<T> {
  item: T;
  score: number;
  explanation: string[];
}

/** Filters by context and orders by score DESC, workflowId ASC. */
export function rankWorkflows<T extends MatchableWorkflow>(items: T[], ctx: IncidentContext): Ranked<T>[] {
  return items
    .filter((w) => matchesContext(w, ctx))
    .map((item) => ({ item, ...scoreWorkflow(item, ctx) }))
    .sort((a, b) => b.score - a.score || (a.item.workflowId < b.item.workflowId ? -1 : a.item.workflowId > b.item.workflowId ? 1 : 0));
}
