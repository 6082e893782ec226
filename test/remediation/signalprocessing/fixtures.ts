/** Builders shared by the SignalProcessing tests: signals, Kubernetes contexts, the reference namespace. */
import type { SignalProcessing } from '../../../src/api/v1alpha1/index.ts';
import type { KubernetesContext, Signal } from '../../../src/remediation/signalprocessing/policy-input.ts';

/** The labels of deploy/demo/scenarios/statefulset-pvc-failure/manifests/namespace.yaml. */
export const REFERENCE_NAMESPACE_LABELS = {
  'kubernetes.io/metadata.name': 'demo-statefulset',
  'kubernaut.ai/environment': 'production',
  'kubernaut.ai/business-unit': 'engineering',
  'kubernaut.ai/service-owner': 'backend-team',
  'kubernaut.ai/criticality': 'high',
  'kubernaut.ai/sla-tier': 'tier-1',
};

export const FINGERPRINT = 'a'.repeat(64);

export function signal(over: Partial<Signal> = {}): Signal {
  return {
    fingerprint: FINGERPRINT,
    name: 'KubernautStatefulSetReplicasMismatch',
    severity: 'critical',
    type: 'alert',
    source: 'prometheus',
    targetType: 'kubernetes',
    targetResource: { apiVersion: 'v1', kind: 'Pod', name: 'kv-store-2', namespace: 'demo-statefulset' },
    ...over,
  };
}

/** A context as enrichment records it: the namespace `name` with `labels`. */
export function nsContext(name: string, labels: Record<string, string> = {}, extra: Partial<KubernetesContext> = {}): KubernetesContext {
  return { namespace: { name, labels, annotations: {} }, ownerChain: [], degradedMode: false, ...extra };
}

/** A signal about a Pod in namespace `ns`. */
export function podSignal(ns: string, over: Partial<Signal> = {}): Signal {
  return signal({ targetResource: { apiVersion: 'v1', kind: 'Pod', name: 'app-0', namespace: ns }, ...over });
}

export function signalProcessing(name: string, namespace: string, sig: Signal, status?: SignalProcessing['status']): SignalProcessing {
  return {
    apiVersion: 'kubernaut.ai/v1alpha1',
    kind: 'SignalProcessing',
    metadata: { name, namespace, generation: 1, uid: `uid-${name}` },
    spec: { remediationRequestRef: { name: name.replace(/^sp-/, ''), namespace }, signal: sig },
    ...(status ? { status } : {}),
  };
}
