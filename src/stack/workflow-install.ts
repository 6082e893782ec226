/**
 * What the shipped workflows need in the cluster besides their catalog entries: the namespace
 * their Jobs run in, each workflow's ServiceAccount and least-privilege RBAC (`rbac.yaml` beside
 * `workflow.yaml`), and one RemediationWorkflow object per workflow mirroring its catalog
 * registration, so `kubectl get rw` lists what DataStorage offers. On a real cluster an operator
 * applies the same files; `kubernaut up` does it for the embedded one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { KubernetesObjectApi, type KubeConfig, type KubernetesObject } from '@kubernetes/client-node';
import { parse, parseAllDocuments } from 'yaml';
import { isConflict } from '../kube/api-errors.ts';
import { KubernautClient } from '../kube/kubernaut-client.ts';

export const WORKFLOW_NAMESPACE = 'kubernaut-workflows';

/** What DataStorage answered for one registered workflow. */
export interface WorkflowRegistration {
  id: string;
  path: string;
  catalogId?: string;
  status?: string;
  previouslyExisted?: boolean;
  registeredAt?: string;
}

/** Creates the object, or replaces it with this content when it exists (idempotent across restarts). */
async function createOrReplace(api: KubernetesObjectApi, obj: KubernetesObject): Promise<KubernetesObject> {
  try {
    return await api.create(obj);
  } catch (e) {
    if (!isConflict(e)) throw e;
  }
  const current = await api.read({ apiVersion: obj.apiVersion!, kind: obj.kind!, metadata: { name: obj.metadata!.name!, namespace: obj.metadata!.namespace } });
  return api.replace({ ...obj, metadata: { ...obj.metadata, resourceVersion: current.metadata?.resourceVersion } });
}

/**
 * The CRD's flattened form of a catalog entry (version, description and maintainers beside the
 * rest, the id as the object's name), so `kubectl get rw` shows the version column.
 */
function flattened(entry: Record<string, unknown>): Record<string, unknown> {
  const { metadata, ...rest } = entry as { metadata?: Record<string, unknown> };
  if (!metadata) return entry;
  const { version, description, maintainers } = metadata;
  return { ...rest, version, description, ...(maintainers !== undefined ? { maintainers } : {}) };
}

const CATALOG_STATUS: Record<string, string> = { active: 'Active', disabled: 'Disabled', deprecated: 'Deprecated', superseded: 'Superseded', archived: 'Disabled' };

export async function installShippedWorkflows(kc: KubeConfig, registrations: WorkflowRegistration[], opts: { controllerNamespace: string }): Promise<void> {
  const api = KubernetesObjectApi.makeApiClient(kc);
  // An existing namespace is all we need (and may carry labels of the operator's, kept as they are).
  await api.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: WORKFLOW_NAMESPACE, labels: { 'app.kubernetes.io/part-of': 'kubernaut' } } } as KubernetesObject).catch((e) => {
    if (!isConflict(e)) throw e;
  });
  for (const reg of registrations) {
    const rbac = join(dirname(reg.path), 'rbac.yaml');
    if (existsSync(rbac)) {
      for (const doc of parseAllDocuments(readFileSync(rbac, 'utf8'))) {
        const obj = doc.toJS() as KubernetesObject | null;
        if (obj?.kind) await createOrReplace(api, obj);
      }
    }
    const definition = flattened(parse(readFileSync(reg.path, 'utf8')) as Record<string, unknown>);
    await createOrReplace(api, {
      apiVersion: 'kubernaut.ai/v1alpha1',
      kind: 'RemediationWorkflow',
      metadata: { name: reg.id, namespace: opts.controllerNamespace, labels: { 'app.kubernetes.io/managed-by': 'kubernaut', 'kubernaut.ai/workflow': reg.id } },
      spec: definition,
    } as KubernetesObject);
    if (reg.catalogId) {
      const catalogId = reg.catalogId;
      await new KubernautClient(kc).updateStatus('RemediationWorkflow', { namespace: opts.controllerNamespace, name: reg.id }, (current) => ({
        ...current.status,
        catalogId,
        catalogStatus: (CATALOG_STATUS[reg.status ?? 'active'] ?? 'Active') as 'Active',
        registeredBy: 'kubernaut',
        ...(reg.registeredAt ? { registeredAt: reg.registeredAt } : {}),
        previouslyExisted: reg.previouslyExisted ?? false,
      }));
    }
  }
}
