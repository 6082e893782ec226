/** Field tables for `k8s.io/api/apps/v1` messages (see ./types.ts). */
import type { MessageTables } from './types.ts';

const workloadCondition = {
  1: ['type', 's!'], 2: ['status', 's!'], 3: ['lastTransitionTime', 'time'], 4: ['reason', 's'], 5: ['message', 's'],
} as const;

export const APPS_V1: MessageTables = {
  Deployment: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'DeploymentSpec'], 3: ['status', 'DeploymentStatus'] },
  DeploymentSpec: {
    1: ['replicas', 'i!'], 2: ['selector', 'LabelSelector'], 3: ['template', 'PodTemplateSpec'],
    4: ['strategy', 'DeploymentStrategy'], 5: ['minReadySeconds', 'i'], 6: ['revisionHistoryLimit', 'i!'],
    7: ['paused', 'b'], 9: ['progressDeadlineSeconds', 'i!'], 10: ['podReplacementPolicy', 's!'],
  },
  DeploymentStrategy: { 1: ['type', 's'], 2: ['rollingUpdate', 'RollingUpdateDeployment'] },
  RollingUpdateDeployment: { 1: ['maxUnavailable', 'ios'], 2: ['maxSurge', 'ios'] },
  DeploymentStatus: {
    1: ['observedGeneration', 'l'], 2: ['replicas', 'i'], 3: ['updatedReplicas', 'i'], 7: ['readyReplicas', 'i'],
    4: ['availableReplicas', 'i'], 5: ['unavailableReplicas', 'i'], 9: ['terminatingReplicas', 'i!'],
    6: ['conditions', '[]DeploymentCondition'], 8: ['collisionCount', 'i!'],
  },
  DeploymentCondition: {
    1: ['type', 's!'], 2: ['status', 's!'], 6: ['lastUpdateTime', 'time'], 7: ['lastTransitionTime', 'time'],
    4: ['reason', 's'], 5: ['message', 's'],
  },
  ReplicaSet: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'ReplicaSetSpec'], 3: ['status', 'ReplicaSetStatus'] },
  ReplicaSetSpec: {
    1: ['replicas', 'i!'], 4: ['minReadySeconds', 'i'], 2: ['selector', 'LabelSelector'], 3: ['template', 'PodTemplateSpec'],
  },
  ReplicaSetStatus: {
    1: ['replicas', 'i!'], 2: ['fullyLabeledReplicas', 'i'], 4: ['readyReplicas', 'i'], 5: ['availableReplicas', 'i'],
    7: ['terminatingReplicas', 'i!'], 3: ['observedGeneration', 'l'], 6: ['conditions', '[]ReplicaSetCondition'],
  },
  ReplicaSetCondition: workloadCondition,
  DaemonSet: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'DaemonSetSpec'], 3: ['status', 'DaemonSetStatus'] },
  DaemonSetSpec: {
    1: ['selector', 'LabelSelector'], 2: ['template', 'PodTemplateSpec'], 3: ['updateStrategy', 'DaemonSetUpdateStrategy'],
    4: ['minReadySeconds', 'i'], 6: ['revisionHistoryLimit', 'i!'],
  },
  DaemonSetUpdateStrategy: { 1: ['type', 's'], 2: ['rollingUpdate', 'RollingUpdateDaemonSet'] },
  RollingUpdateDaemonSet: { 1: ['maxUnavailable', 'ios'], 2: ['maxSurge', 'ios'] },
  DaemonSetStatus: {
    1: ['currentNumberScheduled', 'i!'], 2: ['numberMisscheduled', 'i!'], 3: ['desiredNumberScheduled', 'i!'],
    4: ['numberReady', 'i!'], 5: ['observedGeneration', 'l'], 6: ['updatedNumberScheduled', 'i'],
    7: ['numberAvailable', 'i'], 8: ['numberUnavailable', 'i'], 9: ['collisionCount', 'i!'],
    10: ['conditions', '[]DaemonSetCondition'],
  },
  DaemonSetCondition: workloadCondition,
  StatefulSet: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'StatefulSetSpec'], 3: ['status', 'StatefulSetStatus'] },
  StatefulSetSpec: {
    1: ['replicas', 'i!'], 2: ['selector', 'LabelSelector'], 3: ['template', 'PodTemplateSpec'],
    4: ['volumeClaimTemplates', '[]PersistentVolumeClaim'], 5: ['serviceName', 's'], 6: ['podManagementPolicy', 's'],
    7: ['updateStrategy', 'StatefulSetUpdateStrategy'], 8: ['revisionHistoryLimit', 'i!'], 9: ['minReadySeconds', 'i'],
    10: ['persistentVolumeClaimRetentionPolicy', 'StatefulSetPersistentVolumeClaimRetentionPolicy'],
    11: ['ordinals', 'StatefulSetOrdinals'],
  },
  StatefulSetUpdateStrategy: { 1: ['type', 's'], 2: ['rollingUpdate', 'RollingUpdateStatefulSetStrategy'] },
  RollingUpdateStatefulSetStrategy: { 1: ['partition', 'i!'], 2: ['maxUnavailable', 'ios'] },
  StatefulSetPersistentVolumeClaimRetentionPolicy: { 1: ['whenDeleted', 's'], 2: ['whenScaled', 's'] },
  StatefulSetOrdinals: { 1: ['start', 'i'] },
  StatefulSetStatus: {
    1: ['observedGeneration', 'l'], 2: ['replicas', 'i!'], 3: ['readyReplicas', 'i'], 4: ['currentReplicas', 'i'],
    5: ['updatedReplicas', 'i'], 6: ['currentRevision', 's'], 7: ['updateRevision', 's'], 9: ['collisionCount', 'i!'],
    10: ['conditions', '[]StatefulSetCondition'], 11: ['availableReplicas', 'i!'],
  },
  StatefulSetCondition: workloadCondition,
  ControllerRevision: { 1: ['metadata', 'ObjectMeta'], 2: ['data', 'raw'], 3: ['revision', 'l!'] },
};
