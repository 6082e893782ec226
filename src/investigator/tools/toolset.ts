/**
 * The investigator's toolset: every tool of investigation.md §4 behind the runner of runner.ts.
 *
 *   const toolset = createToolset(deps, scope);
 *   llm.chat({ tools: toolset.schemas, ... });
 *   const execution = await toolset.execute(call, { signal });   // never throws
 *   messages.push({ role: 'tool', toolCallId: call.id, name: call.name, content: execution.content });
 */
import { getResourceContextTool } from './context/tool.ts';
import { catalogTools } from './catalog/tools.ts';
import { kubernetesTools } from './kubernetes/index.ts';
import { prometheusTools } from './prometheus/tools.ts';
import { createToolsetFrom, type ToolsetOptions } from './runner.ts';
import type { IncidentScope, ToolDefinition, ToolDeps, Toolset } from './types.ts';

/** In the order the LLM is offered them: look at the cluster, the metrics, resolve the target, then discover a workflow. */
export const ALL_TOOLS: ToolDefinition[] = [...kubernetesTools, ...prometheusTools, getResourceContextTool, ...catalogTools];

export const TOOL_NAMES: readonly string[] = ALL_TOOLS.map((t) => t.name);

export function createToolset(deps: ToolDeps, scope: IncidentScope, options: ToolsetOptions = {}): Toolset {
  return createToolsetFrom(ALL_TOOLS, deps, scope, options);
}
