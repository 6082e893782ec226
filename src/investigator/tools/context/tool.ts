/** The `get_resource_context` tool (investigation.md §4). */
import { z } from 'zod';
import type { ToolDefinition } from '../types.ts';
import { buildResourceContext } from './resource-context.ts';

const args = z.strictObject({
  kind: z.string().min(1).max(63).describe('Kind, e.g. StatefulSet, Pod, PersistentVolumeClaim'),
  name: z.string().min(1).max(253),
  namespace: z.string().max(63).optional().describe("default: the signal's namespace"),
});

export const getResourceContextTool: ToolDefinition<z.output<typeof args>> = {
  name: 'get_resource_context',
  description:
    'Resolves a resource to its remediation target: existence, controller owner chain, root_owner (use it as affectedResource), spec_hash, detected_labels and remediation_history. ' +
    'A claim <template>-<statefulset>-<n> resolves to its StatefulSet even when deleted. Also sets the workflow-discovery context to the root owner.',
  args,
  run: (a, ctx) => buildResourceContext(ctx.deps, ctx.session, { kind: a.kind, name: a.name, ...(a.namespace ? { namespace: a.namespace } : {}) }),
};
