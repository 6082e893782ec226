/**
 * How a workflow becomes a Kubernetes Job (workflow-schema.md §6), as pure functions: the lock name,
 * the labels, the pinned image and the Job itself. The same inputs always give the same Job, so a
 * restarted controller builds exactly what it built before, and a dry run records exactly what a
 * real run would have created.
 */
import { createHash } from 'node:crypto';
import type { V1EnvVar, V1Job, V1Volume, V1VolumeMount } from '@kubernetes/client-node';

export const DEFAULT_WORKFLOW_NAMESPACE = 'kubernaut-workflows';
export const DEFAULT_SERVICE_ACCOUNT = 'kubernaut-workflow-runner';
export const CONTAINER_NAME = 'workflow';
/** Kept after the execution ends only as a safety net; the controller deletes it after the cooldown. */
export const TTL_SECONDS_AFTER_FINISHED = 600;

export const LABELS = {
  workflowExecution: 'kubernaut.ai/workflow-execution',
  remediationRequest: 'kubernaut.ai/remediation-request',
  workflowId: 'kubernaut.ai/workflow-id',
  targetResource: 'kubernaut.ai/target-resource',
  sourceNamespace: 'kubernaut.ai/source-namespace',
  executionEngine: 'kubernaut.ai/execution-engine',
} as const;
export const TARGET_ANNOTATION = 'kubernaut.ai/target-resource';
/** `<namespace>/<name>` of the WorkflowExecution: the label may be shortened, this never is. */
export const EXECUTION_ANNOTATION = 'kubernaut.ai/workflow-execution';

export const RESERVED_ENV = { target: 'TARGET_RESOURCE', remediationId: 'KUBERNAUT_REMEDIATION_ID', workflowId: 'KUBERNAUT_WORKFLOW_ID' } as const;

export const SECRETS_MOUNT_ROOT = '/run/kubernaut/secrets';
export const CONFIGMAPS_MOUNT_ROOT = '/run/kubernaut/configmaps';

const MAX_LABEL_VALUE = 63;

function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** `wfe-<first 16 hex of sha256(target)>`: one name per target, so the API server itself is the lock. */
export function lockName(targetResource: string): string {
  return `wfe-${sha256Hex(targetResource).slice(0, 16)}`;
}

/**
 * A string as a label value: characters a label value cannot hold become `_`, ends are trimmed to
 * alphanumerics, and a value over 63 characters keeps its start plus a hash of the whole original
 * (so two long values with the same start stay distinct).
 */
export function labelValue(text: string): string {
  const cleaned = text.replace(/[^A-Za-z0-9._-]/g, '_');
  const trim = (s: string) => s.replace(/^[^A-Za-z0-9]+/, '').replace(/[^A-Za-z0-9]+$/, '');
  const whole = trim(cleaned);
  if (whole.length > 0 && whole.length <= MAX_LABEL_VALUE) return whole;
  const suffix = sha256Hex(text).slice(0, 10);
  const head = trim(cleaned.slice(0, MAX_LABEL_VALUE - suffix.length - 1));
  return head ? `${head}-${suffix}` : suffix;
}

/** The target as a label value: `/` becomes `.` (`ns.StatefulSet.kv-store`), then `labelValue`. */
export function targetLabelValue(targetResource: string): string {
  return labelValue(targetResource.replace(/\//g, '.'));
}

/**
 * The image pinned to its digest when one is known: `repo:tag@sha256:…`. A bundle that already
 * carries a digest keeps its name and gets the known digest (the catalog's is the one verified).
 */
export function pinnedImage(bundle: string, digest?: string): string {
  if (!digest) return bundle;
  const at = bundle.indexOf('@');
  return `${at >= 0 ? bundle.slice(0, at) : bundle}@${digest}`;
}

export interface WorkflowJobInput {
  /** The Job's name (= `lockName(targetResource)`) and namespace (the workflow namespace). */
  name: string;
  namespace: string;
  workflowExecution: { name: string; namespace: string };
  remediationRequest: string;
  workflowId: string;
  targetResource: string;
  image: string;
  serviceAccountName: string;
  /** Parameter values after defaults, in the order they are to appear. */
  parameters: [string, string][];
  /** Execution time limit, seconds. */
  activeDeadlineSeconds: number;
  dependencies: { secrets: string[]; configMaps: string[] };
}

export function workflowJobLabels(i: Pick<WorkflowJobInput, 'workflowExecution' | 'remediationRequest' | 'workflowId' | 'targetResource'>): Record<string, string> {
  return {
    [LABELS.workflowExecution]: labelValue(i.workflowExecution.name),
    [LABELS.remediationRequest]: labelValue(i.remediationRequest),
    [LABELS.workflowId]: labelValue(i.workflowId),
    [LABELS.targetResource]: targetLabelValue(i.targetResource),
    [LABELS.sourceNamespace]: i.workflowExecution.namespace,
    [LABELS.executionEngine]: 'job',
  };
}

/** The Job of workflow-schema.md §6. */
export function buildWorkflowJob(i: WorkflowJobInput): V1Job {
  const labels = workflowJobLabels(i);
  const annotations = { [TARGET_ANNOTATION]: i.targetResource, [EXECUTION_ANNOTATION]: `${i.workflowExecution.namespace}/${i.workflowExecution.name}` };
  const env: V1EnvVar[] = [
    ...i.parameters.map(([name, value]) => ({ name, value })),
    { name: RESERVED_ENV.target, value: i.targetResource },
    { name: RESERVED_ENV.remediationId, value: i.remediationRequest },
    { name: RESERVED_ENV.workflowId, value: i.workflowId },
  ];
  const volumes: V1Volume[] = [
    ...i.dependencies.secrets.map((name, n) => ({ name: `secret-${n}`, secret: { secretName: name } })),
    ...i.dependencies.configMaps.map((name, n) => ({ name: `configmap-${n}`, configMap: { name } })),
  ];
  const volumeMounts: V1VolumeMount[] = [
    ...i.dependencies.secrets.map((name, n) => ({ name: `secret-${n}`, mountPath: `${SECRETS_MOUNT_ROOT}/${name}`, readOnly: true })),
    ...i.dependencies.configMaps.map((name, n) => ({ name: `configmap-${n}`, mountPath: `${CONFIGMAPS_MOUNT_ROOT}/${name}`, readOnly: true })),
  ];
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name: i.name, namespace: i.namespace, labels, annotations },
    spec: {
      backoffLimit: 0,
      activeDeadlineSeconds: i.activeDeadlineSeconds,
      ttlSecondsAfterFinished: TTL_SECONDS_AFTER_FINISHED,
      template: {
        metadata: { labels, annotations },
        spec: {
          serviceAccountName: i.serviceAccountName,
          restartPolicy: 'Never',
          securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
          containers: [
            {
              name: CONTAINER_NAME,
              image: i.image,
              env,
              ...(volumeMounts.length ? { volumeMounts } : {}),
              securityContext: {
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                privileged: false,
                capabilities: { drop: ['ALL'] },
                seccompProfile: { type: 'RuntimeDefault' },
              },
            },
          ],
          ...(volumes.length ? { volumes } : {}),
        },
      },
    },
  };
}

/** Whether `job` was made for this WorkflowExecution (its labels say so). */
export function jobBelongsTo(job: V1Job, we: { name: string; namespace: string }): boolean {
  const l = job.metadata?.labels ?? {};
  return l[LABELS.workflowExecution] === labelValue(we.name) && l[LABELS.sourceNamespace] === we.namespace;
}

/** The WorkflowExecution a Job runs for (from its annotation, else its labels); undefined for other Jobs. */
export function executionOfJob(job: V1Job): { namespace: string; name: string } | undefined {
  const ref = job.metadata?.annotations?.[EXECUTION_ANNOTATION];
  const slash = ref ? ref.indexOf('/') : -1;
  if (ref && slash > 0 && slash < ref.length - 1) return { namespace: ref.slice(0, slash), name: ref.slice(slash + 1) };
  const l = job.metadata?.labels ?? {};
  const name = l[LABELS.workflowExecution];
  const namespace = l[LABELS.sourceNamespace];
  return name && namespace ? { namespace, name } : undefined;
}
