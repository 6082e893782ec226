/**
 * The CEL variables `signal` and `kubernetes` every policy sees, built from the SignalProcessing
 * spec and the Kubernetes context stored in its status (not from live reads), so a reconcile that
 * resumes after a crash classifies from exactly what the first attempt recorded.
 *
 * Every member is always present (empty string, empty map, empty list): a policy never needs to
 * test for a missing field. Label and annotation maps are handed over as Maps: cel-js tells a
 * map's type by its `constructor`, which a label named "constructor" would otherwise shadow.
 */
import type { SignalProcessingSpec, SignalProcessingStatus } from '../../api/v1alpha1/index.ts';

export type Signal = SignalProcessingSpec['signal'];
export type KubernetesContext = NonNullable<SignalProcessingStatus['kubernetesContext']>;

export interface PolicyInput {
  signal: Record<string, unknown>;
  kubernetes: Record<string, unknown>;
}

export function policyInput(signal: Signal, context: KubernetesContext | undefined): PolicyInput {
  const target = signal.targetResource;
  return {
    signal: {
      fingerprint: signal.fingerprint,
      name: signal.name,
      severity: signal.severity,
      type: signal.type ?? '',
      source: signal.source ?? '',
      targetType: signal.targetType ?? 'kubernetes',
      targetResource: { apiVersion: target.apiVersion, kind: target.kind, name: target.name, namespace: target.namespace ?? '' },
      labels: stringMap(signal.labels),
      annotations: stringMap(signal.annotations),
    },
    kubernetes: {
      clusterScoped: !target.namespace,
      degradedMode: context?.degradedMode ?? false,
      namespace: {
        name: context?.namespace?.name ?? target.namespace ?? '',
        labels: stringMap(context?.namespace?.labels),
        annotations: stringMap(context?.namespace?.annotations),
      },
      workload: {
        apiVersion: context?.workload?.apiVersion ?? '',
        kind: context?.workload?.kind ?? '',
        name: context?.workload?.name ?? '',
        labels: stringMap(context?.workload?.labels),
        annotations: stringMap(context?.workload?.annotations),
      },
      ownerChain: (context?.ownerChain ?? []).map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.name, namespace: o.namespace ?? '' })),
    },
  };
}

function stringMap(m: Record<string, string | undefined> | undefined): Map<string, string> {
  const out = new Map<string, string>();
  for (const [k, v] of Object.entries(m ?? {})) if (typeof v === 'string') out.set(k, v);
  return out;
}
