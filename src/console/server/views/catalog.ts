/**
 * The Catalog page: the workflows DataStorage serves (each with its versions, action type,
 * parameters and labels) and the remediation history of the targets remediations touched.
 */
import type { CatalogView, CatalogWorkflow, HistoryEntry, ObjectRef } from '../../api-types.ts';
import type { RemediationHistoryEntry } from '../../../datastorage/client/history-client.ts';
import { compareTimes, num, str } from './objects.ts';

/** One catalog version as `GET /api/v1/workflows/by-catalog-id/{id}` answers it, read defensively. */
export function catalogWorkflow(entry: any, versions: string[]): CatalogWorkflow {
  const meta = entry?.metadata ?? {};
  const description = typeof meta.description === 'string' ? meta.description : str(meta.description?.what);
  const labels: CatalogWorkflow['labels'] = {};
  const copyLabels = (from: unknown, prefix = '') => {
    if (!from || typeof from !== 'object') return;
    for (const [k, v] of Object.entries(from)) {
      if (typeof v === 'string') labels[prefix + k] = v;
      else if (Array.isArray(v)) labels[prefix + k] = v.filter((x): x is string => typeof x === 'string');
    }
  };
  copyLabels(entry?.labels);
  copyLabels(entry?.customLabels, 'custom/');
  const detectedLabels: CatalogWorkflow['detectedLabels'] = {};
  for (const [k, v] of Object.entries((entry?.detectedLabels ?? {}) as Record<string, unknown>)) if (typeof v === 'string' || typeof v === 'boolean') detectedLabels[k] = v;
  const parameters = (Array.isArray(entry?.parameters) ? entry.parameters : [])
    .filter((p: any) => str(p?.name))
    .map((p: any) => ({ name: p.name as string, ...(str(p.type) ? { type: p.type as string } : {}), required: p.required === true, ...(str(p.description) ? { description: p.description as string } : {}) }));
  const version = str(meta.version) ?? '';
  return {
    workflowId: str(meta.workflowId) ?? str(entry?.workflowId) ?? '',
    version,
    actionType: str(entry?.actionType) ?? '',
    ...(description ? { description } : {}),
    ...(str(entry?.status) ? { status: entry.status as string } : {}),
    ...(str(entry?.execution?.bundle) ? { executionBundle: entry.execution.bundle as string } : {}),
    labels,
    detectedLabels,
    parameters,
    versions: versions.length ? versions : version ? [version] : [],
  };
}

/** "StatefulSet demo/kv-store" (cluster-scoped: "Node worker-1"). */
export function targetLabel(t: Pick<ObjectRef, 'kind' | 'name' | 'namespace'>): string {
  return `${t.kind} ${t.namespace ? `${t.namespace}/` : ''}${t.name}`;
}

export function historyEntry(e: RemediationHistoryEntry, rrNamespace: (name: string) => string | undefined): HistoryEntry {
  const namespace = rrNamespace(e.remediationId) ?? e.signalTarget?.namespace ?? e.remediationTarget?.namespace ?? '';
  const at = str(e.completedAt) ?? str(e.startedAt);
  const outcome = str(e.outcome) ?? str(e.phase);
  const score = num(e.effectivenessScore);
  return {
    remediation: e.remediationId,
    namespace,
    ...(str(e.workflowId) ? { workflowId: e.workflowId! } : {}),
    ...(outcome ? { outcome } : {}),
    ...(at ? { at } : {}),
    ...(score !== undefined ? { effectivenessScore: score } : {}),
  };
}

/** One group per target that has history, the most recently active first. */
export function historyGroups(byTarget: Array<{ target: ObjectRef; entries: RemediationHistoryEntry[] }>, rrNamespace: (name: string) => string | undefined): CatalogView['history'] {
  const groups = byTarget
    .filter((g) => g.entries.length > 0)
    .map((g) => {
      const entries = g.entries.map((e) => historyEntry(e, rrNamespace)).sort((a, b) => compareTimes(b.at, a.at));
      return { target: targetLabel(g.target), entries };
    });
  return groups.sort((a, b) => compareTimes(b.entries[0]?.at, a.entries[0]?.at) || a.target.localeCompare(b.target));
}
