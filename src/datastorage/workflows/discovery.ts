/**
 * The three discovery steps of workflow-schema.md §3 over the catalog: action types with matching
 * workflows, ranked workflows of one type, and one workflow — every step behind the same context
 * filters, so step 3 cannot hand out a workflow that steps 1-2 would not have listed.
 */
import type { CatalogRecord, DiscoverableRow, WorkflowCatalog } from './catalog.ts';
import type { IncidentContext, Page } from './context.ts';
import type { WorkflowDescription } from './entry-schema.ts';
import { matchesContext, rankWorkflows, scoreWorkflow } from './matching.ts';

export interface Pagination {
  offset: number;
  limit: number;
  total: number;
  hasMore: boolean;
}

export interface ActionTypeSummary {
  actionType: string;
  description: WorkflowDescription;
  workflowCount: number;
}

export interface RankedWorkflow {
  workflowId: string;
  version: string;
  catalogId: string;
  description: WorkflowDescription;
  executionEngine: string;
  score: number;
  explanation: string[];
}

function paginate<T>(items: T[], page: Page): { items: T[]; pagination: Pagination } {
  const slice = items.slice(page.offset, page.offset + page.limit);
  return { items: slice, pagination: { offset: page.offset, limit: page.limit, total: items.length, hasMore: page.offset + slice.length < items.length } };
}

function matching(rows: DiscoverableRow[], ctx: IncidentContext, actionType?: string): DiscoverableRow[] {
  return rows.filter((r) => (actionType === undefined || r.actionType === actionType) && matchesContext(r, ctx));
}

/** Step 1: action types with at least one matching workflow, ordered by name. */
export async function listActionTypes(catalog: WorkflowCatalog, ctx: IncidentContext, page: Page): Promise<{ actionTypes: ActionTypeSummary[]; pagination: Pagination }> {
  const { rows, descriptions } = await catalog.discoverySnapshot();
  const counts = new Map<string, number>();
  for (const r of matching(rows, ctx)) counts.set(r.actionType, (counts.get(r.actionType) ?? 0) + 1);
  const types = [...counts.keys()].sort();
  const { items, pagination } = paginate(types, page);
  return {
    actionTypes: items.map((t) => ({ actionType: t, description: descriptions.get(t)!, workflowCount: counts.get(t)! })),
    pagination,
  };
}

/** Step 2: the matching workflows (of one type, or all), ranked by score. */
export async function listWorkflows(catalog: WorkflowCatalog, ctx: IncidentContext, page: Page, actionType?: string): Promise<{ workflows: RankedWorkflow[]; pagination: Pagination }> {
  const { rows } = await catalog.discoverySnapshot();
  const ranked = rankWorkflows(matching(rows, ctx, actionType), ctx);
  const { items, pagination } = paginate(ranked, page);
  return {
    workflows: items.map(({ item, score, explanation }) => ({
      workflowId: item.workflowId,
      version: item.version,
      catalogId: item.catalogId,
      description: item.description,
      executionEngine: item.executionEngine,
      score,
      explanation,
    })),
    pagination,
  };
}

/** Step 3: one discoverable workflow that passes the context, with its score; undefined = 404. */
export async function getWorkflow(
  catalog: WorkflowCatalog,
  ctx: IncidentContext,
  idOrCatalogId: string,
): Promise<{ record: CatalogRecord; score: number; explanation: string[] } | undefined> {
  const record = await catalog.discoverable(idOrCatalogId);
  if (!record) return undefined;
  const w = { workflowId: record.workflowId, labels: record.content.labels, detectedLabels: record.content.detectedLabels, customLabels: record.content.customLabels };
  if (!matchesContext(w, ctx)) return undefined;
  return { record, ...scoreWorkflow(w, ctx) };
}
