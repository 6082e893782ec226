/**
 * `get_resource_context` (investigation.md §4): what the investigation needs to know about a
 * remediation target before choosing a workflow — does it exist, what is its root owner, that
 * owner's spec hash (the same canonical hash the Orchestrator records), its detected labels
 * (crds.md §10, cached per session) and its remediation history from DataStorage. Computing it
 * also moves the session's discovery context to that root owner.
 */
import type { DetectedLabels, ResourceRef } from '../../api/wire.ts';
import { specHash } from '../../../api/v1alpha1/spec-hash.ts';
import { RemediationHistoryClient, type RemediationHistoryEntry } from '../../../datastorage/client/history-client.ts';
import { ToolError, type ResourceContext, type ToolDeps, type ToolSession } from '../types.ts';
import { detectLabels } from './detected-labels.ts';
import { resolveKind, SUPPORTED_KINDS } from './kinds.ts';
import { ClusterReader, type KubeObject } from './objects.ts';
import { resolveOwners } from './owner-chain.ts';

/** Remediations shown per target: the recent ones are what the LLM must not repeat blindly. */
export const HISTORY_LIMIT = 10;

export async function buildResourceContext(deps: ToolDeps, session: ToolSession, ref: ResourceRef): Promise<ResourceContext> {
  const info = resolveKind(ref.kind);
  if (!info) throw new ToolError(`unknown kind "${ref.kind}"; get_resource_context supports ${SUPPORTED_KINDS.join(', ')}`);
  const namespace = info.namespaced ? ref.namespace || session.scope.signalResource.namespace || undefined : undefined;
  if (info.namespaced && !namespace) throw new ToolError(`${info.kind} is namespaced: pass "namespace"`);

  const reader = new ClusterReader(deps.kubeconfig);
  const owners = await resolveOwners(reader, { info, name: ref.name, namespace });
  const { root, rootObject, resource } = owners;
  const below: ResourceRef[] = [{ kind: resource.kind, name: resource.name, ...(resource.namespace ? { namespace: resource.namespace } : {}) }, ...owners.ownerChain.slice(0, -1)];

  const [detected, history] = await Promise.all([
    cachedLabels(deps, session, root, below, rootObject ?? null),
    remediationHistory(deps, root),
  ]);
  session.target = { component: root.kind, detectedLabels: detected };
  return {
    resource,
    owner_chain: owners.ownerChain,
    root_owner: root,
    spec_hash: rootObject ? specHash(rootObject.spec) : null,
    detected_labels: detected,
    remediation_history: history.entries,
    warnings: [...owners.warnings, ...(history.error ? [`remediation_history_unavailable: ${history.error}`] : [])],
  };
}

/** One detection per root owner and session; a result with failed lookups is not kept, so a later call retries. */
function cachedLabels(deps: ToolDeps, session: ToolSession, root: ResourceRef, below: ResourceRef[], rootObject: KubeObject | null): Promise<DetectedLabels> {
  const key = `${root.kind}/${root.namespace ?? ''}/${root.name}`;
  const cached = session.detectedLabelsCache.get(key);
  if (cached) return cached;
  const pending = detectLabels(deps.kubeconfig, root, below, { target: rootObject });
  session.detectedLabelsCache.set(key, pending);
  void pending.then(
    (labels) => {
      if (labels.failedDetections?.length && session.detectedLabelsCache.get(key) === pending) session.detectedLabelsCache.delete(key);
    },
    () => session.detectedLabelsCache.delete(key),
  );
  return pending;
}

async function remediationHistory(deps: ToolDeps, root: ResourceRef): Promise<{ entries: Array<Record<string, unknown>>; error?: string }> {
  const client = new RemediationHistoryClient({ baseUrl: deps.dataStorage.baseUrl, bearerToken: deps.dataStorage.bearerToken });
  try {
    const entries = await client.byTarget({ kind: root.kind, name: root.name, namespace: root.namespace ?? '' }, { limit: HISTORY_LIMIT });
    return { entries: entries.slice(0, HISTORY_LIMIT).map(compactHistoryEntry) };
  } catch (err) {
    return { entries: [], error: err instanceof Error ? err.message : String(err) };
  }
}

/** The members the LLM needs to judge a past remediation; unknown (null) ones are left out. */
export function compactHistoryEntry(e: RemediationHistoryEntry): Record<string, unknown> {
  const out: Record<string, unknown> = {
    remediation_id: e.remediationId,
    workflow_id: e.workflowId,
    action_type: e.actionType,
    completed_at: e.completedAt,
    outcome: e.outcome,
    effectiveness_score: e.effectivenessScore,
    assessment_reason: e.assessmentReason,
    pre_hash: e.preRemediationSpecHash,
    post_hash: e.postRemediationSpecHash,
  };
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== null && v !== undefined));
}
