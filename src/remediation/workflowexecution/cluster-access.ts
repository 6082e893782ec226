/**
 * The WorkflowExecution controller's reads and writes of built-in kinds, through client-node: Jobs
 * (the executions and the per-target lock), their pods and log tails (for failure details), the
 * dependencies a workflow mounts, and the dry-run markers on namespaces and RemediationRequests.
 * An interface, so the reconciler can be driven by a fake as well.
 */
import { BatchV1Api, CoreV1Api, type KubeConfig, type V1Job, type V1Pod } from '@kubernetes/client-node';
import type { RemediationRequest } from '../../api/v1alpha1/index.ts';
import { isConflict, isNotFound } from '../../kube/api-errors.ts';
import { KubernautClient } from '../../kube/kubernaut-client.ts';
import type { ObjectKey } from '../../kube/object-key.ts';

/** Bounds of one log read: enough lines for a summary, never a large transfer. */
export const LOG_TAIL_LINES = 50;
export const LOG_LIMIT_BYTES = 16_384;

export interface WorkflowClusterAccess {
  /** The created Job, or `exists` when a Job of that name is there already. */
  createJob(job: V1Job): Promise<V1Job | 'exists'>;
  getJob(namespace: string, name: string): Promise<V1Job | undefined>;
  /** Deletes exactly that Job (uid precondition), its pods in the background; false when it was gone. */
  deleteJob(namespace: string, name: string, uid: string | undefined): Promise<boolean>;
  /** The Job's newest pod, if any. */
  podOfJob(job: V1Job): Promise<V1Pod | undefined>;
  /** The last lines of a container's log; undefined when it cannot be read (best effort). */
  logTail(pod: V1Pod, container: string): Promise<string | undefined>;
  /** Names of the dependencies that do not exist, as `Secret <n>` / `ConfigMap <n>`. */
  missingDependencies(namespace: string, deps: { secrets: string[]; configMaps: string[] }): Promise<string[]>;
  namespaceLabels(name: string): Promise<Record<string, string> | undefined>;
  remediationRequest(key: ObjectKey): Promise<RemediationRequest | undefined>;
}

export class KubeWorkflowClusterAccess implements WorkflowClusterAccess {
  private readonly batch: BatchV1Api;
  private readonly core: CoreV1Api;
  private readonly kubernaut: KubernautClient;

  constructor(kc: KubeConfig) {
    this.batch = kc.makeApiClient(BatchV1Api);
    this.core = kc.makeApiClient(CoreV1Api);
    this.kubernaut = new KubernautClient(kc);
  }

  async createJob(job: V1Job): Promise<V1Job | 'exists'> {
    try {
      return await this.batch.createNamespacedJob({ namespace: job.metadata!.namespace!, body: job });
    } catch (err) {
      if (isConflict(err)) return 'exists';
      throw err;
    }
  }

  async getJob(namespace: string, name: string): Promise<V1Job | undefined> {
    try {
      return await this.batch.readNamespacedJob({ namespace, name });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async deleteJob(namespace: string, name: string, uid: string | undefined): Promise<boolean> {
    try {
      await this.batch.deleteNamespacedJob({ namespace, name, body: { propagationPolicy: 'Background', ...(uid ? { preconditions: { uid } } : {}) } });
      return true;
    } catch (err) {
      // 409 is a failed uid precondition: the Job we meant is gone, another took its name.
      if (isNotFound(err) || (uid && isConflict(err))) return false;
      throw err;
    }
  }

  async podOfJob(job: V1Job): Promise<V1Pod | undefined> {
    const namespace = job.metadata?.namespace ?? '';
    const list = await this.core.listNamespacedPod({ namespace, labelSelector: `batch.kubernetes.io/job-name=${job.metadata?.name ?? ''}` });
    const uid = job.metadata?.uid;
    const mine = list.items.filter((p) => !uid || (p.metadata?.ownerReferences ?? []).some((o) => o.uid === uid));
    const created = (p: V1Pod) => new Date(p.metadata?.creationTimestamp ?? 0).getTime();
    return mine.sort((a, b) => created(b) - created(a))[0];
  }

  async logTail(pod: V1Pod, container: string): Promise<string | undefined> {
    try {
      const text = await this.core.readNamespacedPodLog({
        namespace: pod.metadata?.namespace ?? '',
        name: pod.metadata?.name ?? '',
        container,
        tailLines: LOG_TAIL_LINES,
        limitBytes: LOG_LIMIT_BYTES,
      });
      return typeof text === 'string' ? text.slice(-LOG_LIMIT_BYTES) : undefined;
    } catch {
      // No node to ask, a container that never started, a log rotated away: the summary does without.
      return undefined;
    }
  }

  async missingDependencies(namespace: string, deps: { secrets: string[]; configMaps: string[] }): Promise<string[]> {
    const missing: string[] = [];
    const absent = async (read: () => Promise<unknown>): Promise<boolean> => {
      try {
        await read();
        return false;
      } catch (err) {
        if (isNotFound(err)) return true;
        throw err;
      }
    };
    for (const name of deps.secrets) if (await absent(() => this.core.readNamespacedSecret({ namespace, name }))) missing.push(`Secret ${name}`);
    for (const name of deps.configMaps) if (await absent(() => this.core.readNamespacedConfigMap({ namespace, name }))) missing.push(`ConfigMap ${name}`);
    return missing;
  }

  async namespaceLabels(name: string): Promise<Record<string, string> | undefined> {
    try {
      return (await this.core.readNamespace({ name })).metadata?.labels ?? {};
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  remediationRequest(key: ObjectKey): Promise<RemediationRequest | undefined> {
    return this.kubernaut.get('RemediationRequest', key);
  }
}
