/** ResourceInfo fixtures shaped like the server's built-in registry and a Kubernaut CRD. */
import type { JSONSchemaProps, ResourceInfo } from '../../../../src/cluster/core/types.ts';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function builtin(
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced: boolean,
  subresources: ResourceInfo['subresources'] = {},
): ResourceInfo {
  return {
    group,
    version,
    resource,
    kind,
    listKind: `${kind}List`,
    singular: kind.toLowerCase(),
    namespaced,
    shortNames: [],
    categories: [],
    verbs: ALL_VERBS,
    subresources,
    storageVersion: version,
  };
}

export const BUILTINS: ResourceInfo[] = [
  builtin('', 'v1', 'pods', 'Pod', true, { status: true, log: true, binding: true, eviction: true }),
  builtin('', 'v1', 'services', 'Service', true, { status: true }),
  builtin('', 'v1', 'configmaps', 'ConfigMap', true),
  builtin('', 'v1', 'secrets', 'Secret', true),
  builtin('', 'v1', 'namespaces', 'Namespace', false, { status: true }),
  builtin('', 'v1', 'nodes', 'Node', false, { status: true }),
  builtin('', 'v1', 'events', 'Event', true),
  builtin('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, { status: true }),
  builtin('apps', 'v1', 'deployments', 'Deployment', true, {
    status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
  }),
  builtin('apps', 'v1', 'statefulsets', 'StatefulSet', true, {
    status: true,
    scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' },
  }),
  builtin('batch', 'v1', 'jobs', 'Job', true, { status: true }),
  builtin('coordination.k8s.io', 'v1', 'leases', 'Lease', true),
  builtin('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, { status: true }),
  builtin('events.k8s.io', 'v1', 'events', 'Event', true),
  builtin('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler', true, { status: true }),
];

export const REMEDIATION_SCHEMA: JSONSchemaProps = {
  type: 'object',
  description: 'RemediationRequest asks Kubernaut to remediate an incident.',
  properties: {
    spec: {
      type: 'object',
      description: 'What to remediate.',
      required: ['signalName'],
      properties: {
        signalName: { type: 'string', description: 'Name of the signal that triggered the request.' },
        severity: { type: 'string', enum: ['critical', 'warning', 'info'], description: 'How bad it is.' },
        targets: {
          type: 'array',
          description: 'Resources affected.',
          items: {
            type: 'object',
            properties: { kind: { type: 'string' }, name: { type: 'string' } },
          },
        },
        replicas: { 'x-kubernetes-int-or-string': true, description: 'Wanted replicas.' },
      },
    },
    status: {
      type: 'object',
      description: 'Progress of the remediation.',
      properties: { phase: { type: 'string', nullable: true, description: 'Current phase.' } },
    },
  },
};

export function remediationCrd(version = 'v1alpha1', schema: JSONSchemaProps = REMEDIATION_SCHEMA): ResourceInfo {
  return {
    group: 'kubernaut.ai',
    version,
    resource: 'remediationrequests',
    kind: 'RemediationRequest',
    listKind: 'RemediationRequestList',
    singular: 'remediationrequest',
    namespaced: true,
    shortNames: ['rr'],
    categories: ['kubernaut'],
    verbs: ALL_VERBS,
    subresources: { status: true, scale: { specReplicasPath: '.spec.replicas', statusReplicasPath: '.status.replicas' } },
    storageVersion: version,
    crd: {
      name: 'remediationrequests.kubernaut.ai',
      schema,
      printerColumns: [],
      selectableFields: [],
      preserveUnknownFields: false,
    },
  };
}
