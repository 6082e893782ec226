/**
 * Field tables for the smaller API groups: batch/v1, policy/v1, rbac.authorization.k8s.io/v1,
 * scheduling.k8s.io/v1, networking.k8s.io/v1, authorization.k8s.io/v1, authentication.k8s.io/v1
 * and autoscaling/v1 (see ./types.ts for the notation).
 */
import type { MessageTables } from './types.ts';

export const BATCH_V1: MessageTables = {
  Job: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'JobSpec'], 3: ['status', 'JobStatus'] },
  JobSpec: {
    1: ['parallelism', 'i!'], 2: ['completions', 'i!'], 3: ['activeDeadlineSeconds', 'l!'],
    11: ['podFailurePolicy', 'PodFailurePolicy'], 16: ['successPolicy', 'SuccessPolicy'], 7: ['backoffLimit', 'i!'],
    12: ['backoffLimitPerIndex', 'i!'], 13: ['maxFailedIndexes', 'i!'], 4: ['selector', 'LabelSelector'],
    5: ['manualSelector', 'b!'], 6: ['template', 'PodTemplateSpec'], 8: ['ttlSecondsAfterFinished', 'i!'],
    9: ['completionMode', 's!'], 10: ['suspend', 'b!'], 14: ['podReplacementPolicy', 's!'], 15: ['managedBy', 's!'],
  },
  PodFailurePolicy: { 1: ['rules', '[]PodFailurePolicyRule'] },
  PodFailurePolicyRule: {
    1: ['action', 's!'], 2: ['onExitCodes', 'PodFailurePolicyOnExitCodesRequirement'],
    3: ['onPodConditions', '[]PodFailurePolicyOnPodConditionsPattern'],
  },
  PodFailurePolicyOnExitCodesRequirement: { 1: ['containerName', 's!'], 2: ['operator', 's!'], 3: ['values', '[]i'] },
  PodFailurePolicyOnPodConditionsPattern: { 1: ['type', 's!'], 2: ['status', 's'] },
  SuccessPolicy: { 1: ['rules', '[]SuccessPolicyRule'] },
  SuccessPolicyRule: { 1: ['succeededIndexes', 's!'], 2: ['succeededCount', 'i!'] },
  JobStatus: {
    1: ['conditions', '[]JobCondition'], 2: ['startTime', 'time'], 3: ['completionTime', 'time'], 4: ['active', 'i'],
    5: ['succeeded', 'i'], 6: ['failed', 'i'], 11: ['terminating', 'i!'], 7: ['completedIndexes', 's'],
    10: ['failedIndexes', 's!'], 8: ['uncountedTerminatedPods', 'UncountedTerminatedPods'], 9: ['ready', 'i!'],
  },
  JobCondition: {
    1: ['type', 's!'], 2: ['status', 's!'], 3: ['lastProbeTime', 'time'], 4: ['lastTransitionTime', 'time'],
    5: ['reason', 's'], 6: ['message', 's'],
  },
  UncountedTerminatedPods: { 1: ['succeeded', '[]s'], 2: ['failed', '[]s'] },
  CronJob: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'CronJobSpec'], 3: ['status', 'CronJobStatus'] },
  CronJobSpec: {
    1: ['schedule', 's!'], 8: ['timeZone', 's!'], 2: ['startingDeadlineSeconds', 'l!'], 3: ['concurrencyPolicy', 's'],
    4: ['suspend', 'b!'], 5: ['jobTemplate', 'JobTemplateSpec'], 6: ['successfulJobsHistoryLimit', 'i!'],
    7: ['failedJobsHistoryLimit', 'i!'],
  },
  JobTemplateSpec: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'JobSpec'] },
  CronJobStatus: {
    1: ['active', '[]ObjectReference'], 4: ['lastScheduleTime', 'time'], 5: ['lastSuccessfulTime', 'time'],
  },
};

export const POLICY_V1: MessageTables = {
  PodDisruptionBudget: {
    1: ['metadata', 'ObjectMeta'], 2: ['spec', 'PodDisruptionBudgetSpec'], 3: ['status', 'PodDisruptionBudgetStatus'],
  },
  PodDisruptionBudgetSpec: {
    1: ['minAvailable', 'ios'], 2: ['selector', 'LabelSelector'], 3: ['maxUnavailable', 'ios'],
    4: ['unhealthyPodEvictionPolicy', 's!'],
  },
  PodDisruptionBudgetStatus: {
    1: ['observedGeneration', 'l'], 2: ['disruptedPods', 'map:time'], 3: ['disruptionsAllowed', 'i!'],
    4: ['currentHealthy', 'i!'], 5: ['desiredHealthy', 'i!'], 6: ['expectedPods', 'i!'], 7: ['conditions', '[]Condition'],
  },
  Eviction: { 1: ['metadata', 'ObjectMeta'], 2: ['deleteOptions', 'DeleteOptions'] },
};

export const RBAC_V1: MessageTables = {
  Role: { 1: ['metadata', 'ObjectMeta'], 2: ['rules', '[]PolicyRule'] },
  ClusterRole: { 1: ['metadata', 'ObjectMeta'], 2: ['rules', '[]PolicyRule'], 3: ['aggregationRule', 'AggregationRule'] },
  AggregationRule: { 1: ['clusterRoleSelectors', '[]LabelSelector'] },
  PolicyRule: {
    1: ['verbs', '[]s'], 2: ['apiGroups', '[]s'], 3: ['resources', '[]s'], 4: ['resourceNames', '[]s'],
    5: ['nonResourceURLs', '[]s'],
  },
  RoleBinding: { 1: ['metadata', 'ObjectMeta'], 2: ['subjects', '[]Subject'], 3: ['roleRef', 'RoleRef'] },
  ClusterRoleBinding: { 1: ['metadata', 'ObjectMeta'], 2: ['subjects', '[]Subject'], 3: ['roleRef', 'RoleRef'] },
  Subject: { 1: ['kind', 's!'], 2: ['apiGroup', 's'], 3: ['name', 's!'], 4: ['namespace', 's'] },
  RoleRef: { 1: ['apiGroup', 's!'], 2: ['kind', 's!'], 3: ['name', 's!'] },
};

export const SCHEDULING_V1: MessageTables = {
  PriorityClass: {
    1: ['metadata', 'ObjectMeta'], 2: ['value', 'i!'], 3: ['globalDefault', 'b'], 4: ['description', 's'],
    5: ['preemptionPolicy', 's!'],
  },
};

export const NETWORKING_V1: MessageTables = {
  Ingress: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'IngressSpec'], 3: ['status', 'IngressStatus'] },
  IngressSpec: {
    4: ['ingressClassName', 's!'], 1: ['defaultBackend', 'IngressBackend'], 2: ['tls', '[]IngressTLS'],
    3: ['rules', '[]IngressRule'],
  },
  IngressBackend: { 4: ['service', 'IngressServiceBackend'], 3: ['resource', 'TypedLocalObjectReference'] },
  IngressServiceBackend: { 1: ['name', 's!'], 2: ['port', 'ServiceBackendPort'] },
  ServiceBackendPort: { 1: ['name', 's'], 2: ['number', 'i'] },
  IngressTLS: { 1: ['hosts', '[]s'], 2: ['secretName', 's'] },
  IngressRule: { 1: ['host', 's'], 2: ['', 'IngressRuleValue'] },
  IngressRuleValue: { 1: ['http', 'HTTPIngressRuleValue'] },
  HTTPIngressRuleValue: { 1: ['paths', '[]HTTPIngressPath'] },
  HTTPIngressPath: { 1: ['path', 's'], 3: ['pathType', 's!'], 2: ['backend', 'IngressBackend'] },
  IngressStatus: { 1: ['loadBalancer', 'IngressLoadBalancerStatus'] },
  IngressLoadBalancerStatus: { 1: ['ingress', '[]IngressLoadBalancerIngress'] },
  IngressLoadBalancerIngress: { 1: ['ip', 's'], 2: ['hostname', 's'], 4: ['ports', '[]IngressPortStatus'] },
  IngressPortStatus: { 1: ['port', 'i!'], 2: ['protocol', 's!'], 3: ['error', 's!'] },
  IngressClass: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'IngressClassSpec'] },
  IngressClassSpec: { 1: ['controller', 's'], 2: ['parameters', 'IngressClassParametersReference'] },
  IngressClassParametersReference: {
    1: ['apiGroup', 's!'], 2: ['kind', 's!'], 3: ['name', 's!'], 4: ['scope', 's!'], 5: ['namespace', 's!'],
  },
  NetworkPolicy: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'NetworkPolicySpec'] },
  NetworkPolicySpec: {
    1: ['podSelector', 'LabelSelector'], 2: ['ingress', '[]NetworkPolicyIngressRule'],
    3: ['egress', '[]NetworkPolicyEgressRule'], 4: ['policyTypes', '[]s'],
  },
  NetworkPolicyIngressRule: { 1: ['ports', '[]NetworkPolicyPort'], 2: ['from', '[]NetworkPolicyPeer'] },
  NetworkPolicyEgressRule: { 1: ['ports', '[]NetworkPolicyPort'], 2: ['to', '[]NetworkPolicyPeer'] },
  NetworkPolicyPeer: {
    1: ['podSelector', 'LabelSelector'], 2: ['namespaceSelector', 'LabelSelector'], 3: ['ipBlock', 'IPBlock'],
  },
  IPBlock: { 1: ['cidr', 's!'], 2: ['except', '[]s'] },
  NetworkPolicyPort: { 1: ['protocol', 's!'], 2: ['port', 'ios'], 3: ['endPort', 'i!'] },
};

export const AUTHORIZATION_V1: MessageTables = {
  SelfSubjectAccessReview: {
    1: ['metadata', 'ObjectMeta'], 2: ['spec', 'SelfSubjectAccessReviewSpec'], 3: ['status', 'SubjectAccessReviewStatus'],
  },
  SelfSubjectAccessReviewSpec: {
    1: ['resourceAttributes', 'ResourceAttributes'], 2: ['nonResourceAttributes', 'NonResourceAttributes'],
  },
  SubjectAccessReview: {
    1: ['metadata', 'ObjectMeta'], 2: ['spec', 'SubjectAccessReviewSpec'], 3: ['status', 'SubjectAccessReviewStatus'],
  },
  SubjectAccessReviewSpec: {
    1: ['resourceAttributes', 'ResourceAttributes'], 2: ['nonResourceAttributes', 'NonResourceAttributes'],
    3: ['user', 's'], 4: ['groups', '[]s'], 5: ['extra', 'map:strings'], 6: ['uid', 's'],
  },
  ResourceAttributes: {
    1: ['namespace', 's'], 2: ['verb', 's'], 3: ['group', 's'], 4: ['version', 's'], 5: ['resource', 's'],
    6: ['subresource', 's'], 7: ['name', 's'], 8: ['fieldSelector', 'FieldSelectorAttributes'],
    9: ['labelSelector', 'LabelSelectorAttributes'],
  },
  FieldSelectorAttributes: { 1: ['rawSelector', 's'], 2: ['requirements', '[]FieldSelectorRequirement'] },
  LabelSelectorAttributes: { 1: ['rawSelector', 's'], 2: ['requirements', '[]LabelSelectorRequirement'] },
  NonResourceAttributes: { 1: ['path', 's'], 2: ['verb', 's'] },
  SubjectAccessReviewStatus: { 1: ['allowed', 'b!'], 4: ['denied', 'b'], 2: ['reason', 's'], 3: ['evaluationError', 's'] },
  SelfSubjectRulesReview: {
    1: ['metadata', 'ObjectMeta'], 2: ['spec', 'SelfSubjectRulesReviewSpec'], 3: ['status', 'SubjectRulesReviewStatus'],
  },
  SelfSubjectRulesReviewSpec: { 1: ['namespace', 's'] },
  SubjectRulesReviewStatus: {
    1: ['resourceRules', '[]ResourceRule'], 2: ['nonResourceRules', '[]NonResourceRule'], 3: ['incomplete', 'b!'],
    4: ['evaluationError', 's'],
  },
  ResourceRule: { 1: ['verbs', '[]s'], 2: ['apiGroups', '[]s'], 3: ['resources', '[]s'], 4: ['resourceNames', '[]s'] },
  NonResourceRule: { 1: ['verbs', '[]s'], 2: ['nonResourceURLs', '[]s'] },
};

export const AUTHENTICATION_V1: MessageTables = {
  TokenRequest: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'TokenRequestSpec'], 3: ['status', 'TokenRequestStatus'] },
  TokenRequestSpec: {
    1: ['audiences', '[]s'], 4: ['expirationSeconds', 'l!'], 3: ['boundObjectRef', 'BoundObjectReference'],
  },
  BoundObjectReference: { 1: ['kind', 's'], 2: ['apiVersion', 's'], 3: ['name', 's'], 4: ['uid', 's'] },
  TokenRequestStatus: { 1: ['token', 's!'], 2: ['expirationTimestamp', 'time'] },
  TokenReview: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'TokenReviewSpec'], 3: ['status', 'TokenReviewStatus'] },
  TokenReviewSpec: { 1: ['token', 's'], 2: ['audiences', '[]s'] },
  TokenReviewStatus: { 1: ['authenticated', 'b'], 2: ['user', 'UserInfo'], 4: ['audiences', '[]s'], 3: ['error', 's'] },
  UserInfo: { 1: ['username', 's'], 2: ['uid', 's'], 3: ['groups', '[]s'], 4: ['extra', 'map:strings'] },
  SelfSubjectReview: { 1: ['metadata', 'ObjectMeta'], 2: ['status', 'SelfSubjectReviewStatus'] },
  SelfSubjectReviewStatus: { 1: ['userInfo', 'UserInfo'] },
};

export const AUTOSCALING_V1: MessageTables = {
  HorizontalPodAutoscaler: {
    1: ['metadata', 'ObjectMeta'], 2: ['spec', 'HorizontalPodAutoscalerSpec'], 3: ['status', 'HorizontalPodAutoscalerStatus'],
  },
  HorizontalPodAutoscalerSpec: {
    1: ['scaleTargetRef', 'CrossVersionObjectReference'], 2: ['minReplicas', 'i!'], 3: ['maxReplicas', 'i!'],
    4: ['targetCPUUtilizationPercentage', 'i!'],
  },
  CrossVersionObjectReference: { 1: ['kind', 's!'], 2: ['name', 's!'], 3: ['apiVersion', 's'] },
  HorizontalPodAutoscalerStatus: {
    1: ['observedGeneration', 'l!'], 2: ['lastScaleTime', 'time'], 3: ['currentReplicas', 'i!'], 4: ['desiredReplicas', 'i!'],
    5: ['currentCPUUtilizationPercentage', 'i!'],
  },
  Scale: { 1: ['metadata', 'ObjectMeta'], 2: ['spec', 'ScaleSpec'], 3: ['status', 'ScaleStatus'] },
  ScaleSpec: { 1: ['replicas', 'i'] },
  ScaleStatus: { 1: ['replicas', 'i!'], 2: ['selector', 's'] },
};
