/**
 * Workload controller families: StatefulSet, Deployment, ReplicaSet, DaemonSet,
 * Job, HorizontalPodAutoscaler and PodDisruptionBudget.
 */
import type { KubeObject } from '../core/types.ts';
import { gauge, namespaced, num, obj, perObject, type ClusterSnapshot, type MetricFamily } from './model.ts';

type Pick = (s: ClusterSnapshot) => KubeObject[];
type Value = (o: KubeObject) => number | undefined;

function family(name: string, help: string, pick: Pick, kindLabel: string, value: Value): MetricFamily {
  const identity = namespaced(kindLabel);
  return gauge(name, help, (s) => perObject(pick(s), identity, value));
}

const status = (field: string): Value => (o) => num(obj(o.status)[field]);
/** spec.replicas, defaulted to 1 as the API server does when it is absent. */
const specReplicas: Value = (o) => num(obj(o.spec).replicas, 1);
const generation: Value = (o) => num(o.metadata?.generation);

const sts: Pick = (s) => s.statefulSets;
const deploy: Pick = (s) => s.deployments;
const rs: Pick = (s) => s.replicaSets;
const ds: Pick = (s) => s.daemonSets;
const jobs: Pick = (s) => s.jobs;
const hpa: Pick = (s) => s.horizontalPodAutoscalers;
const pdb: Pick = (s) => s.podDisruptionBudgets;

export const statefulSetFamilies: MetricFamily[] = [
  family('kube_statefulset_replicas', 'Number of desired pods for a StatefulSet.', sts, 'statefulset', specReplicas),
  family('kube_statefulset_status_replicas', 'The number of replicas per StatefulSet.', sts, 'statefulset', status('replicas')),
  family('kube_statefulset_status_replicas_ready', 'The number of ready replicas per StatefulSet.', sts, 'statefulset', status('readyReplicas')),
  family('kube_statefulset_status_replicas_current', 'The number of current replicas per StatefulSet.', sts, 'statefulset', status('currentReplicas')),
  family('kube_statefulset_status_replicas_updated', 'The number of updated replicas per StatefulSet.', sts, 'statefulset', status('updatedReplicas')),
  family('kube_statefulset_status_replicas_available', 'The number of available replicas per StatefulSet.', sts, 'statefulset', status('availableReplicas')),
  family(
    'kube_statefulset_status_observed_generation',
    'The generation observed by the StatefulSet controller.',
    sts,
    'statefulset',
    status('observedGeneration'),
  ),
  family('kube_statefulset_metadata_generation', 'Sequence number representing a specific generation of the desired state for the StatefulSet.', sts, 'statefulset', generation),
];

export const deploymentFamilies: MetricFamily[] = [
  family('kube_deployment_spec_replicas', 'Number of desired pods for a deployment.', deploy, 'deployment', specReplicas),
  family('kube_deployment_status_replicas', 'The number of replicas per deployment.', deploy, 'deployment', status('replicas')),
  family('kube_deployment_status_replicas_available', 'The number of available replicas per deployment.', deploy, 'deployment', status('availableReplicas')),
  family('kube_deployment_status_replicas_unavailable', 'The number of unavailable replicas per deployment.', deploy, 'deployment', status('unavailableReplicas')),
  family('kube_deployment_status_replicas_updated', 'The number of updated replicas per deployment.', deploy, 'deployment', status('updatedReplicas')),
  family('kube_deployment_status_observed_generation', 'The generation observed by the deployment controller.', deploy, 'deployment', status('observedGeneration')),
  family('kube_deployment_metadata_generation', 'Sequence number representing a specific generation of the desired state.', deploy, 'deployment', generation),
];

export const replicaSetFamilies: MetricFamily[] = [
  family('kube_replicaset_spec_replicas', 'Number of desired pods for a ReplicaSet.', rs, 'replicaset', specReplicas),
  family('kube_replicaset_status_ready_replicas', 'The number of ready replicas per ReplicaSet.', rs, 'replicaset', status('readyReplicas')),
];

export const daemonSetFamilies: MetricFamily[] = [
  family(
    'kube_daemonset_status_desired_number_scheduled',
    'The number of nodes that should be running the daemon pod.',
    ds,
    'daemonset',
    status('desiredNumberScheduled'),
  ),
  family(
    'kube_daemonset_status_number_ready',
    'The number of nodes that should be running the daemon pod and have one or more of the daemon pod running and ready.',
    ds,
    'daemonset',
    status('numberReady'),
  ),
];

export const jobFamilies: MetricFamily[] = [
  family('kube_job_status_succeeded', 'The number of pods which reached Phase Succeeded.', jobs, 'job_name', status('succeeded')),
  family('kube_job_status_failed', 'The number of pods which reached Phase Failed.', jobs, 'job_name', status('failed')),
  family('kube_job_status_active', 'The number of actively running pods.', jobs, 'job_name', status('active')),
];

export const horizontalPodAutoscalerFamilies: MetricFamily[] = [
  family(
    'kube_horizontalpodautoscaler_spec_min_replicas',
    'Lower limit for the number of pods that can be set by the autoscaler, default 1.',
    hpa,
    'horizontalpodautoscaler',
    (o) => num(obj(o.spec).minReplicas, 1),
  ),
  family(
    'kube_horizontalpodautoscaler_spec_max_replicas',
    'Upper limit for the number of pods that can be set by the autoscaler; cannot be smaller than MinReplicas.',
    hpa,
    'horizontalpodautoscaler',
    (o) => num(obj(o.spec).maxReplicas),
  ),
  family(
    'kube_horizontalpodautoscaler_status_current_replicas',
    'Current number of replicas of pods managed by this autoscaler.',
    hpa,
    'horizontalpodautoscaler',
    status('currentReplicas'),
  ),
  family(
    'kube_horizontalpodautoscaler_status_desired_replicas',
    'Desired number of replicas of pods managed by this autoscaler.',
    hpa,
    'horizontalpodautoscaler',
    status('desiredReplicas'),
  ),
];

export const podDisruptionBudgetFamilies: MetricFamily[] = [
  family('kube_poddisruptionbudget_status_current_healthy', 'Current number of healthy pods.', pdb, 'poddisruptionbudget', status('currentHealthy')),
  family('kube_poddisruptionbudget_status_desired_healthy', 'Minimum desired number of healthy pods.', pdb, 'poddisruptionbudget', status('desiredHealthy')),
  family(
    'kube_poddisruptionbudget_status_pod_disruptions_allowed',
    'Number of pod disruptions that are currently allowed.',
    pdb,
    'poddisruptionbudget',
    status('disruptionsAllowed'),
  ),
  family('kube_poddisruptionbudget_status_expected_pods', 'Total number of pods counted by this disruption budget.', pdb, 'poddisruptionbudget', status('expectedPods')),
];
