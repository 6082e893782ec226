/**
 * DataStorage's workflow discovery API (workflow-schema.md §3) under the session's incident
 * context. The context query parameters come from the session only — severity, environment,
 * priority and custom labels from the request; component and detected labels from the most recent
 * `get_resource_context`; remediation_id for DataStorage's audit — never from the LLM, so it can
 * neither widen nor drop a filter.
 */
import { DataStorageRequestError, getJson } from '../../../datastorage/client/read-client.ts';
import { ToolError, type CatalogWorkflow, type ToolDeps, type ToolSession } from '../types.ts';

export const ACTIONS_PATH = '/api/v1/workflows/actions';
export const WORKFLOWS_PATH = '/api/v1/workflows';

/** Custom label keys DataStorage accepts; others are left out (custom labels only rank, so this never widens). */
const CUSTOM_LABEL_KEY = /^[a-z0-9_-]+$/;

/** The context query parameters of every discovery request of this session, as they stand now. */
export function contextQuery(session: ToolSession): Record<string, string> {
  const { scope, target } = session;
  const customLabels = Object.fromEntries(
    Object.entries(scope.customLabels).filter(([k, v]) => CUSTOM_LABEL_KEY.test(k) && Array.isArray(v)),
  );
  return {
    severity: scope.severity,
    // An empty environment would be refused; "unknown" keeps the filter (matches only "*" workflows).
    environment: scope.environment || 'unknown',
    priority: scope.priority,
    component: target.component,
    custom_labels: JSON.stringify(customLabels),
    detected_labels: JSON.stringify(target.detectedLabels),
    remediation_id: scope.remediationId,
  };
}

function page(offset: number | undefined, limit: number | undefined): Record<string, string | undefined> {
  return { offset: offset === undefined ? undefined : String(offset), limit: limit === undefined ? undefined : String(limit) };
}

async function discover<T>(deps: ToolDeps, path: string, query: Record<string, string | undefined>, notFoundIsUndefined = false): Promise<T | undefined> {
  return getJson<T>({ baseUrl: deps.dataStorage.baseUrl, bearerToken: deps.dataStorage.bearerToken }, path, query, { notFoundIsUndefined });
}

/** DataStorage's answer as an error the LLM can act on (a 400 names the offending parameter). */
export function discoveryError(err: unknown): Error {
  if (!(err instanceof DataStorageRequestError)) return err instanceof Error ? err : new Error(String(err));
  if (err.status === undefined) return new ToolError(`the workflow catalog (DataStorage) is unreachable: ${err.message}`);
  const errors = Array.isArray(err.problem?.errors)
    ? (err.problem!.errors as Array<{ path?: string; message?: string }>).map((e) => `${e.path ?? ''}: ${e.message ?? ''}`).join('; ')
    : '';
  return new ToolError(`the workflow catalog refused the request (${err.status}): ${err.problem?.detail ?? err.problem?.title ?? err.message}${errors ? ` [${errors}]` : ''}`);
}

export interface ActionTypesBody {
  actionTypes: Array<{ actionType: string; description: Record<string, string>; workflowCount: number }>;
  pagination: { offset: number; limit: number; total: number; hasMore: boolean };
}

/** Step 1; records the action types offered to this session (answer validation step 5 checks them). */
export async function listActionTypes(deps: ToolDeps, session: ToolSession, offset?: number, limit?: number): Promise<ActionTypesBody> {
  const body = (await discover<ActionTypesBody>(deps, ACTIONS_PATH, { ...contextQuery(session), ...page(offset, limit) }))!;
  for (const a of body.actionTypes ?? []) if (typeof a?.actionType === 'string') session.offeredActionTypes.add(a.actionType);
  return body;
}

/** Step 2: the ranked workflows of one action type. */
export async function listWorkflows(deps: ToolDeps, session: ToolSession, actionType: string, offset?: number, limit?: number): Promise<Record<string, unknown>> {
  return (await discover<Record<string, unknown>>(deps, WORKFLOWS_PATH, { actionType, ...contextQuery(session), ...page(offset, limit) }))!;
}

/** Step 3 as DataStorage answers it (the canonical entry: `metadata.workflowId`, `metadata.version`, ... plus `catalogId`, `status`, `contentHash`, `score`); undefined on 404. */
export async function getWorkflowBody(deps: ToolDeps, session: ToolSession, workflowId: string): Promise<Record<string, unknown> | undefined> {
  return discover<Record<string, unknown>>(deps, `${WORKFLOWS_PATH}/${encodeURIComponent(workflowId)}`, contextQuery(session), true);
}

/** Step 3 for answer validation: the body with `workflowId` and `version` also at the top, or undefined when it does not pass the session's filters. */
export async function getCatalogWorkflow(deps: ToolDeps, session: ToolSession, workflowId: string): Promise<CatalogWorkflow | undefined> {
  const body = await getWorkflowBody(deps, session, workflowId);
  if (!body) return undefined;
  const metadata = (body.metadata ?? {}) as { workflowId?: string; version?: string };
  return { ...body, workflowId: metadata.workflowId ?? String(body.workflowId ?? workflowId), version: metadata.version ?? String(body.version ?? '') } as CatalogWorkflow;
}
