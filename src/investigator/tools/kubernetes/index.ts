/**
 * The investigator's read-only Kubernetes tools (investigation.md §4). They reach the cluster
 * only through client-node with the investigator's kubeconfig, read only allowlisted kinds
 * (kinds.ts), and return text or throw a ToolError the LLM can act on; the toolset around them
 * adds the envelope, redaction, injection scanning, truncation and the per-call time limit.
 */
import type { ToolDefinition } from '../types.ts';
import { kubectlDescribeTool } from './describe-tool.ts';
import { kubectlEventsTool } from './events.ts';
import { kubectlGetTool } from './get.ts';
import { kubectlGetByKindInClusterTool, kubectlGetByKindInNamespaceTool } from './list.ts';
import { kubectlLogsTool } from './logs.ts';

export const kubernetesTools: ToolDefinition[] = [
  kubectlGetTool,
  kubectlDescribeTool,
  kubectlEventsTool,
  kubectlLogsTool,
  kubectlGetByKindInNamespaceTool,
  kubectlGetByKindInClusterTool,
];

export { resolveKind, type ResolvedKind } from './kinds.ts';
