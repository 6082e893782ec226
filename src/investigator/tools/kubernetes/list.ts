/**
 * `kubectl_get_by_kind_in_namespace` and `kubectl_get_by_kind_in_cluster`: the table `kubectl get
 * <kind>` prints (with `-A`: a NAMESPACE column), from the server's own Table rendering, capped at
 * MAX_ROWS rows with a note saying how many were left out.
 */
import { z } from 'zod';
import type { ToolDefinition, ToolRunContext } from '../types.ts';
import { kindArg, labelSelectorArg, namespaceArg } from './args.ts';
import { KubeReader, toToolError } from './client.ts';
import { ageSince } from './format.ts';
import { pathOf, qualifiedKind, resolveKind } from './kinds.ts';
import { renderTable, tableFromList, type ServerTable } from './table.ts';

export const MAX_ROWS = 200;

const inNamespaceArgs = z.strictObject({ kind: kindArg, namespace: namespaceArg, label_selector: labelSelectorArg.optional() });
const inClusterArgs = z.strictObject({ kind: kindArg, label_selector: labelSelectorArg.optional() });

async function listAsTable(kindText: string, namespace: string | undefined, labelSelector: string | undefined, ctx: ToolRunContext): Promise<string> {
  const reader = new KubeReader(ctx.deps.kubeconfig, ctx.signal);
  const kind = await resolveKind(kindText, ctx.deps, ctx.signal);
  const ns = kind.namespaced ? namespace : undefined;
  const acrossNamespaces = kind.namespaced && ns === undefined;
  let answer: any;
  try {
    answer = await reader.table(pathOf(kind, ns), { labelSelector, limit: MAX_ROWS, includeObject: 'Metadata' });
  } catch (e) {
    return toToolError(e, `${qualifiedKind(kind)} objects${ns ? ` in namespace "${ns}"` : ''}`);
  }
  const nowMs = ctx.deps.clock.nowMs();
  const table: ServerTable = answer?.kind === 'Table' ? answer : tableFromList(answer, (t) => ageSince(t, nowMs));
  if (table.rows.length === 0) return ns ? `No resources found in ${ns} namespace.` : 'No resources found';
  let text = renderTable(table, acrossNamespaces);
  const remaining = table.metadata?.remainingItemCount;
  if (remaining && remaining > 0) text += `(${table.rows.length} rows shown, ${remaining} more not shown: narrow the list with label_selector${acrossNamespaces ? ' or a namespace' : ''})\n`;
  else if (table.metadata?.continue) text += `(${table.rows.length} rows shown, more not shown: narrow the list with label_selector${acrossNamespaces ? ' or a namespace' : ''})\n`;
  return text;
}

export const kubectlGetByKindInNamespaceTool: ToolDefinition<z.output<typeof inNamespaceArgs>> = {
  name: 'kubectl_get_by_kind_in_namespace',
  description: 'kubectl get <kind> -n <namespace>: a table of the objects of one kind (name, status, age and key fields), optionally filtered by label_selector.',
  args: inNamespaceArgs,
  run: ({ kind, namespace, label_selector }, ctx) => listAsTable(kind, namespace, label_selector, ctx),
};

export const kubectlGetByKindInClusterTool: ToolDefinition<z.output<typeof inClusterArgs>> = {
  name: 'kubectl_get_by_kind_in_cluster',
  description: 'kubectl get <kind> -A: the same table across all namespaces (with a NAMESPACE column), or of a cluster-scoped kind such as Node, PersistentVolume, StorageClass.',
  args: inClusterArgs,
  run: ({ kind, label_selector }, ctx) => listAsTable(kind, undefined, label_selector, ctx),
};
