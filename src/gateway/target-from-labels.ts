/**
 * Which Kubernetes resource an alert is about, read from its labels.
 *
 * Alerts built on kube-state-metrics (or any exporter) carry two kinds of labels: those that
 * describe the object the metric is about (`statefulset="kv-store"`) and those Prometheus adds
 * about the scrape target itself (`pod="kube-state-metrics-..."`, `service`, `instance`, `job`,
 * `container`). The latter must never become the remediation target, so pod/service values that
 * belong to the monitoring stack (judged by the value itself and the `container`/`job` hints) are
 * skipped; `instance` (host:port) and `job` (scrape job) never name a target. When Prometheus renamed a conflicting label
 * (`exported_namespace`, `exported_pod` ...), the `exported_` one is the metric's own and wins.
 */
import type { ResourceRef } from './signal.ts';

export interface TargetKind {
  kind: string;
  apiVersion: string;
  /** Label names that carry the object name, first match wins. */
  labels: string[];
  clusterScoped?: boolean;
  /** Names that can also be the scrape target's own (checked against the monitoring stack). */
  ambiguous?: boolean;
  /** How the API server validates this kind's names: DNS-1123 subdomain unless said otherwise. */
  names?: 'dns1035-label';
}

/** The fixed priority order: the most specific controller-level object first, the pod last. */
const TARGET_KINDS: TargetKind[] = [
  { kind: 'HorizontalPodAutoscaler', apiVersion: 'autoscaling/v2', labels: ['horizontalpodautoscaler', 'hpa'] },
  { kind: 'PodDisruptionBudget', apiVersion: 'policy/v1', labels: ['poddisruptionbudget', 'pdb'] },
  { kind: 'PersistentVolumeClaim', apiVersion: 'v1', labels: ['persistentvolumeclaim', 'pvc'] },
  { kind: 'Deployment', apiVersion: 'apps/v1', labels: ['deployment'] },
  { kind: 'StatefulSet', apiVersion: 'apps/v1', labels: ['statefulset'] },
  { kind: 'DaemonSet', apiVersion: 'apps/v1', labels: ['daemonset'] },
  { kind: 'ReplicaSet', apiVersion: 'apps/v1', labels: ['replicaset'] },
  { kind: 'Node', apiVersion: 'v1', labels: ['node'], clusterScoped: true },
  { kind: 'Service', apiVersion: 'v1', labels: ['exported_service', 'service'], ambiguous: true, names: 'dns1035-label' },
  // kube-state-metrics names Jobs `job_name`: the plain `job` label is always Prometheus' scrape
  // job (present on every series), so it never names a Kubernetes Job.
  { kind: 'Job', apiVersion: 'batch/v1', labels: ['job_name'] },
  { kind: 'CronJob', apiVersion: 'batch/v1', labels: ['cronjob'] },
  { kind: 'Pod', apiVersion: 'v1', labels: ['exported_pod', 'pod'], ambiguous: true },
];

/** Components of a monitoring stack whose own pods/services/jobs show up as scrape labels. */
const MONITORING_STACK =
  /(^|[-_/])(kube-state-metrics|prometheus|alertmanager|node-exporter|kubelet|cadvisor|apiserver|kube-apiserver|grafana|pushgateway|blackbox-exporter|thanos|otel-collector|opentelemetry-collector|kubernetes-pods|kubernetes-service-endpoints|kubernetes-nodes)([-_/.]|$)/;

export function isMonitoringStackName(value: string): boolean {
  return MONITORING_STACK.test(value.toLowerCase());
}

/** True when `labels[name]` is the scrape target's own pod/service/job, not the metric's object. */
function belongsToMonitoringStack(labelName: string, value: string, labels: Record<string, string>): boolean {
  if (labelName.startsWith('exported_') || labelName === 'job_name') return false;
  if (isMonitoringStackName(value)) return true;
  // The scraper's pod is usually named after its container or scrape job (`kube-state-metrics-7d9f...`).
  return [labels.container, labels.job].some((hint) => !!hint && isMonitoringStackName(hint) && value.startsWith(hint));
}

export function namespaceFromLabels(labels: Record<string, string>): string | undefined {
  return labels.exported_namespace || labels.namespace || undefined;
}

/** The resource the alert is about, or undefined when no usable label names one. */
export function targetFromLabels(labels: Record<string, string>): ResourceRef | undefined {
  const namespace = namespaceFromLabels(labels);
  for (const t of TARGET_KINDS) {
    for (const labelName of t.labels) {
      const value = labels[labelName];
      if (!value) continue;
      if (t.ambiguous && belongsToMonitoringStack(labelName, value, labels)) continue;
      if (t.clusterScoped) return { kind: t.kind, name: value, namespace: '', apiVersion: t.apiVersion };
      if (!namespace) continue; // a namespaced kind without a namespace names nothing we can find
      return { kind: t.kind, name: value, namespace, apiVersion: t.apiVersion };
    }
  }
  return undefined;
}

/** A kind the Gateway targets (the priority list above), or undefined for any other kind. */
export function targetKind(kind: string): Readonly<TargetKind> | undefined {
  return TARGET_KINDS.find((t) => t.kind === kind);
}

/** apiVersion of the kinds a signal can name directly (used when the signal did not say). */
export function apiVersionOfKind(kind: string): string | undefined {
  return targetKind(kind)?.apiVersion ?? KNOWN_API_VERSIONS[kind];
}

const KNOWN_API_VERSIONS: Record<string, string> = {
  Namespace: 'v1',
  PersistentVolume: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Endpoints: 'v1',
  ServiceAccount: 'v1',
  Ingress: 'networking.k8s.io/v1',
};
