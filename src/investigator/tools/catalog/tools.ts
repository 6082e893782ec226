/**
 * The three catalog-discovery tools (investigation.md §4, workflow-schema.md §3). Their arguments
 * are only paging, the action type and the workflow id: the incident's context filters are added
 * by discovery.ts and an argument naming one is refused as unknown.
 */
import { z } from 'zod';
import { ACTION_TYPE_RE, RESERVED_WORKFLOW_IDS, WORKFLOW_ID_RE } from '../../../datastorage/workflows/entry-schema.ts';
import { ToolError, type ToolDefinition } from '../types.ts';
import { discoveryError, getWorkflowBody, listActionTypes, listWorkflows } from './discovery.ts';

const offset = z.number().int().min(0).max(1_000_000).optional();
const limit = z.number().int().min(1).max(50).optional().describe('1-50, default 10');

const listActionsArgs = z.strictObject({ offset, limit });
const listWorkflowsArgs = z.strictObject({
  action_type: z.string().regex(ACTION_TYPE_RE, 'must be an action type as list_available_actions returned it (PascalCase)'),
  offset,
  limit,
});
const getWorkflowArgs = z.strictObject({
  workflow_id: z
    .string()
    .max(253)
    .regex(WORKFLOW_ID_RE, 'must be a workflowId as list_workflows returned it')
    .refine((id) => !RESERVED_WORKFLOW_IDS.includes(id), { error: 'must be a workflowId as list_workflows returned it' }),
});

async function guarded<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw discoveryError(err);
  }
}

export const listAvailableActionsTool: ToolDefinition<z.output<typeof listActionsArgs>> = {
  name: 'list_available_actions',
  description: "Step 1 of workflow discovery: the action types with workflows fitting this incident's context (filters are applied automatically). Page with offset while pagination.hasMore.",
  args: listActionsArgs,
  scanForInjection: false,
  run: (a, ctx) => guarded(() => listActionTypes(ctx.deps, ctx.session, a.offset, a.limit)),
};

export const listWorkflowsTool: ToolDefinition<z.output<typeof listWorkflowsArgs>> = {
  name: 'list_workflows',
  description: 'Step 2: the workflows of one action type for this incident, best first. Page with offset while pagination.hasMore.',
  args: listWorkflowsArgs,
  scanForInjection: false,
  run: (a, ctx) => guarded(() => listWorkflows(ctx.deps, ctx.session, a.action_type, a.offset, a.limit)),
};

export const getWorkflowTool: ToolDefinition<z.output<typeof getWorkflowArgs>> = {
  name: 'get_workflow',
  description: 'Step 3: one workflow with its parameter schema; fill parameters strictly from it.',
  args: getWorkflowArgs,
  scanForInjection: false,
  run: (a, ctx) =>
    guarded(async () => {
      const found = await getWorkflowBody(ctx.deps, ctx.session, a.workflow_id);
      if (!found) {
        throw new ToolError(`no workflow "${a.workflow_id}" fits this incident's context (unknown, or not applicable to ${ctx.session.target.component}); use an id list_workflows returned`);
      }
      return found;
    }),
};

export const catalogTools: ToolDefinition[] = [listAvailableActionsTool, listWorkflowsTool, getWorkflowTool];
