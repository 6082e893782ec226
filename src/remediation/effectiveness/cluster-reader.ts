/**
 * What the assessment reads from the cluster, through client-node only: the remediation target
 * (any kind), its pods, whether pods named by alerts still exist, and the RR's other children
 * (the WorkflowExecution: did anything run; the AIAnalysis: is the target GitOps-managed).
 */
import { CoreV1Api, KubernetesObjectApi, type KubeConfig, type KubernetesObject, type V1LabelSelector, type V1Pod } from '@kubernetes/client-node';
import { LABEL_REMEDIATION_REQUEST, type AIAnalysis, type EffectivenessAssessment, type WorkflowExecution } from '../../api/v1alpha1/index.ts';
import { isNotFound } from '../../kube/api-errors.ts';
import type { KubernautClient, KubernautTypes } from '../../kube/kubernaut-client.ts';
import { knownApiVersion } from '../orchestrator/targets.ts';

export interface TargetRef {
  apiVersion?: string;
  kind: string;
  name: string;
  namespace?: string;
}

/** At most this many pods are looked up one by one for the alerts that name them. */
export const MAX_POD_LOOKUPS = 50;
const MAX_LABEL_VALUE = 63;

export interface ClusterReader {
  /** The object; undefined when it does not exist; `unaddressable` when its kind has no known apiVersion. */
  readTarget(ref: TargetRef): Promise<KubernetesObject | undefined | 'unaddressable'>;
  /** Pods of the namespace matching the selector (an empty or missing selector matches none). */
  podsOf(namespace: string, selector: V1LabelSelector | undefined): Promise<V1Pod[]>;
  /** Which of these pod names exist in the namespace. */
  existingPods(namespace: string, names: string[]): Promise<Set<string>>;
  /** The RR's WorkflowExecutions and AIAnalyses (by the children's label). */
  workflowExecutions(ea: EffectivenessAssessment): Promise<WorkflowExecution[]>;
  aiAnalyses(ea: EffectivenessAssessment): Promise<AIAnalysis[]>;
}

/** `a=b,c in (d,e),!f`: a selector in the API's query syntax; undefined when it selects nothing sensible. */
export function selectorString(sel: V1LabelSelector | undefined): string | undefined {
  if (!sel) return undefined;
  const parts = Object.entries(sel.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of sel.matchExpressions ?? []) {
    const values = (e.values ?? []).join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.length ? parts.join(',') : undefined;
}

export class KubeClusterReader implements ClusterReader {
  private readonly objects: KubernetesObjectApi;
  private readonly core: CoreV1Api;

  constructor(
    kc: KubeConfig,
    private readonly kubernaut: KubernautClient,
  ) {
    this.objects = KubernetesObjectApi.makeApiClient(kc);
    this.core = kc.makeApiClient(CoreV1Api);
  }

  async readTarget(ref: TargetRef): Promise<KubernetesObject | undefined | 'unaddressable'> {
    const apiVersion = ref.apiVersion || knownApiVersion(ref.kind);
    if (!apiVersion) return 'unaddressable';
    try {
      return await this.objects.read({ apiVersion, kind: ref.kind, metadata: { name: ref.name, ...(ref.namespace ? { namespace: ref.namespace } : {}) } });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  async podsOf(namespace: string, selector: V1LabelSelector | undefined): Promise<V1Pod[]> {
    const labelSelector = selectorString(selector);
    if (!labelSelector) return [];
    return (await this.core.listNamespacedPod({ namespace, labelSelector })).items;
  }

  async existingPods(namespace: string, names: string[]): Promise<Set<string>> {
    const found = new Set<string>();
    for (const name of names.slice(0, MAX_POD_LOOKUPS)) {
      try {
        await this.core.readNamespacedPod({ namespace, name });
        found.add(name);
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    }
    // Beyond the lookup limit, a named pod is assumed to exist: better a low score than a false 1.
    for (const name of names.slice(MAX_POD_LOOKUPS)) found.add(name);
    return found;
  }

  workflowExecutions(ea: EffectivenessAssessment): Promise<WorkflowExecution[]> {
    return this.children(ea, 'WorkflowExecution', 'we-');
  }

  aiAnalyses(ea: EffectivenessAssessment): Promise<AIAnalysis[]> {
    return this.children(ea, 'AIAnalysis', 'ai-');
  }

  /** By the children's label; an RR name too long to be a label value by the child's name instead. */
  private async children<K extends 'WorkflowExecution' | 'AIAnalysis'>(ea: EffectivenessAssessment, kind: K, prefix: string): Promise<KubernautTypes[K][]> {
    const { name, namespace } = ea.spec.remediationRequestRef;
    if (name.length <= MAX_LABEL_VALUE) return this.kubernaut.list(kind, namespace, { labelSelector: `${LABEL_REMEDIATION_REQUEST}=${name}` });
    const child = await this.kubernaut.get(kind, { namespace, name: `${prefix}${name}` });
    return child ? [child] : [];
  }
}
