/**
 * Entry point for validating built-in kinds as kube-apiserver v1.32 does: object metadata (names,
 * labels, annotations, finalizers, owner references) and per-kind spec rules, on create and update.
 *
 * Every function returns `StatusCause`s with the real server's field paths and messages; the
 * caller turns a non-empty list into a 422 with `errors.invalid(...)`.
 */
import type { StatusCause } from '../errors.ts';
import type { KubeObject } from '../../core/types.ts';
import type { Gvk } from './builtin-defaults.ts';
import {
  isDNS1123Label,
  isQualifiedName,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  nameIsPathSegment,
  validateAnnotations,
  validateLabels,
} from './names.ts';
import {
  validateConfigMap,
  validateEndpoints,
  validateEvent,
  validateLimitRange,
  validateNamespace,
  validateNode,
  validatePersistentVolume,
  validatePersistentVolumeClaim,
  validatePod,
  validatePodTemplate,
  validateReplicationController,
  validateResourceQuota,
  validateSecret,
  validateService,
  validateServiceAccount,
} from './builtin-validation-core.ts';
import {
  validateControllerRevision,
  validateDaemonSet,
  validateDeployment,
  validateReplicaSet,
  validateStatefulSet,
} from './builtin-validation-apps.ts';
import { validateCronJob, validateJob } from './builtin-validation-batch.ts';
import {
  validateEndpointSlice,
  validateHPA,
  validateIngress,
  validateIngressClass,
  validateLease,
  validateNetworkPolicy,
  validatePodDisruptionBudget,
  validatePriorityClass,
  validateRole,
  validateRoleBinding,
  validateStorageClass,
} from './builtin-validation-other.ts';
import {
  asArray,
  asObj,
  type Causes,
  duplicate,
  FIELD_IMMUTABLE,
  forbidden,
  GoRepr,
  invalid,
  invalidEach,
  isObj,
  nonNegative,
  required,
} from './builtin-validation-util.ts';

export type { Gvk } from './builtin-defaults.ts';
export { defaultBuiltin, prepareBuiltinUpdate, type DefaultOptions } from './builtin-defaults.ts';

/**
 * How a kind's `metadata.name` is checked: DNS-1123 subdomain (most kinds), DNS-1123 label
 * (namespaces), DNS-1035 label (services), or merely a valid URL path segment (RBAC, CRs).
 */
export type NameRule = 'subdomain' | 'label' | 'dns1035-label' | 'path-segment';

const BUILTIN_GROUPS = new Set([
  '', 'apps', 'batch', 'autoscaling', 'policy', 'networking.k8s.io', 'storage.k8s.io', 'coordination.k8s.io',
  'apiextensions.k8s.io', 'rbac.authorization.k8s.io', 'scheduling.k8s.io', 'discovery.k8s.io', 'events.k8s.io',
  'admissionregistration.k8s.io', 'apiregistration.k8s.io', 'certificates.k8s.io', 'node.k8s.io',
  'flowcontrol.apiserver.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'resource.k8s.io',
  'storagemigration.k8s.io', 'internal.apiserver.k8s.io',
]);

const PATH_SEGMENT_GROUPS = new Set(['rbac.authorization.k8s.io', 'flowcontrol.apiserver.k8s.io', 'certificates.k8s.io']);

export function nameRuleFor(gvk: Gvk): NameRule {
  if (!BUILTIN_GROUPS.has(gvk.group)) return 'path-segment';
  if (gvk.group === '' && gvk.kind === 'Namespace') return 'label';
  if (gvk.group === '' && gvk.kind === 'Service') return 'dns1035-label';
  if (PATH_SEGMENT_GROUPS.has(gvk.group)) return 'path-segment';
  return 'subdomain';
}

function nameErrors(rule: NameRule, name: string, prefix: boolean): string[] {
  switch (rule) {
    case 'label':
      return nameIsDNSLabel(name, prefix);
    case 'dns1035-label':
      return nameIsDNS1035Label(name, prefix);
    case 'path-segment':
      return nameIsPathSegment(name, prefix);
    default:
      return nameIsDNSSubdomain(name, prefix);
  }
}

function goOwnerRefs(refs: unknown[]): GoRepr {
  const q = (v: unknown): string => JSON.stringify(String(v ?? ''));
  const b = (v: unknown): string => (typeof v === 'boolean' ? `(*bool)(${v})` : '(*bool)(nil)');
  return new GoRepr(
    `[]v1.OwnerReference{${refs
      .map((r) => {
        const o = asObj(r);
        return `v1.OwnerReference{APIVersion:${q(o.apiVersion)}, Kind:${q(o.kind)}, Name:${q(o.name)}, UID:${q(o.uid)}, Controller:${b(o.controller)}, BlockOwnerDeletion:${b(o.blockOwnerDeletion)}}`;
      })
      .join(', ')}}`,
  );
}

/** The version part of an apiVersion ("apps/v1" → "v1", "v1" → "v1"). */
function versionOf(apiVersion: string): string {
  const i = apiVersion.lastIndexOf('/');
  return i < 0 ? apiVersion : apiVersion.slice(i + 1);
}

/**
 * ObjectMeta checks shared by every kind. The caller fills `name` from `generateName` first; a
 * missing name is reported only when there is no generateName either.
 */
export function validateObjectMeta(obj: KubeObject, opts: { namespaced: boolean; nameRule: NameRule }): StatusCause[] {
  const meta = asObj(obj.metadata);
  const out: Causes = [];
  const rule = opts.nameRule;
  if (meta.generateName) {
    out.push(...invalidEach('metadata.generateName', meta.generateName, nameErrors(rule, String(meta.generateName), true)));
  }
  if (!meta.name) {
    if (!meta.generateName) out.push(required('metadata.name', 'name or generateName is required'));
  } else {
    out.push(...invalidEach('metadata.name', meta.name, nameErrors(rule, String(meta.name), false)));
  }
  if (opts.namespaced) {
    if (!meta.namespace) out.push(required('metadata.namespace'));
    else out.push(...invalidEach('metadata.namespace', meta.namespace, isDNS1123Label(String(meta.namespace))));
  } else if (meta.namespace) {
    out.push(forbidden('metadata.namespace', 'not allowed on this type'));
  }
  out.push(...nonNegative(meta.generation, 'metadata.generation'));
  out.push(...validateLabels(meta.labels, 'metadata.labels'));
  out.push(...validateAnnotations(meta.annotations, 'metadata.annotations'));
  // Owner references.
  const refs = asArray(meta.ownerReferences);
  let firstController = '';
  for (const r of refs) {
    const ref = asObj(r);
    const apiVersion = String(ref.apiVersion ?? '');
    if (!versionOf(apiVersion)) out.push(invalid('metadata.ownerReferences.apiVersion', apiVersion, 'version must not be empty'));
    if (!ref.kind) out.push(invalid('metadata.ownerReferences.kind', ref.kind ?? '', 'kind must not be empty'));
    if (!ref.name) out.push(invalid('metadata.ownerReferences.name', ref.name ?? '', 'name must not be empty'));
    if (!ref.uid) out.push(invalid('metadata.ownerReferences.uid', ref.uid ?? '', 'uid must not be empty'));
    if (apiVersion === 'v1' && ref.kind === 'Event') {
      out.push(invalid('metadata.ownerReferences', goOwnerRefs([ref]), '/v1, Kind=Event is disallowed from being an owner'));
    }
    if (ref.controller === true) {
      const cur = `${ref.kind}/${ref.name}`;
      if (firstController) {
        out.push(
          invalid(
            'metadata.ownerReferences',
            goOwnerRefs(refs),
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${cur}`,
          ),
        );
      } else firstController = cur;
    }
  }
  // Finalizers.
  const fins = asArray(meta.finalizers).map(String);
  const seen = new Set<string>();
  for (const f of fins) {
    out.push(...invalidEach('metadata.finalizers', f, isQualifiedName(f)));
    if (seen.has(f)) out.push(duplicate('metadata.finalizers', f));
    seen.add(f);
  }
  if (fins.includes('orphan') && fins.includes('foregroundDeletion')) {
    out.push(invalid('metadata.finalizers', new GoRepr(`[]string{${fins.map((f) => JSON.stringify(f)).join(', ')}}`), 'finalizer orphan and foregroundDeletion cannot be both set'));
  }
  return out;
}

/** ObjectMeta update rules: identity fields are immutable, no new finalizers while deleting. */
export function validateObjectMetaUpdate(obj: KubeObject, old: KubeObject): StatusCause[] {
  const m = asObj(obj.metadata);
  const o = asObj(old.metadata);
  const out: Causes = [];
  if (o.deletionTimestamp) {
    const oldFins = new Set(asArray(o.finalizers));
    const extra = asArray(m.finalizers).filter((f) => !oldFins.has(f));
    if (extra.length) {
      out.push(forbidden('metadata.finalizers', `no new finalizers can be added if the object is being deleted, found new finalizers []string{${extra.map((f) => JSON.stringify(String(f))).join(', ')}}`));
    }
  }
  if (typeof m.generation === 'number' && typeof o.generation === 'number' && m.generation < o.generation) {
    out.push(invalid('metadata.generation', m.generation, 'must not be decremented'));
  }
  for (const k of ['name', 'namespace', 'uid', 'creationTimestamp', 'deletionTimestamp', 'deletionGracePeriodSeconds']) {
    const nv = m[k] ?? '';
    const ov = o[k] ?? '';
    if (nv !== ov) out.push(invalid(`metadata.${k}`, m[k] ?? (k === 'deletionGracePeriodSeconds' || k === 'deletionTimestamp' ? null : ''), FIELD_IMMUTABLE));
  }
  return out;
}

type Validator = (obj: KubeObject, old: KubeObject | undefined, version: string) => Causes;

const VALIDATORS: Record<string, Validator> = {
  '/Pod': (o, old) => validatePod(o, old),
  '/PodTemplate': (o) => validatePodTemplate(o),
  '/ReplicationController': (o) => validateReplicationController(o),
  '/Service': (o, old) => validateService(o, old),
  '/Endpoints': (o) => validateEndpoints(o),
  '/PersistentVolumeClaim': (o, old) => validatePersistentVolumeClaim(o, old),
  '/PersistentVolume': (o, old) => validatePersistentVolume(o, old),
  '/Namespace': (o) => validateNamespace(o),
  '/Node': (o, old) => validateNode(o, old),
  '/Secret': (o, old) => validateSecret(o, old),
  '/ConfigMap': (o, old) => validateConfigMap(o, old),
  '/ServiceAccount': (o) => validateServiceAccount(o),
  '/Event': (o) => validateEvent(o, false),
  '/ResourceQuota': (o) => validateResourceQuota(o),
  '/LimitRange': (o) => validateLimitRange(o),
  'apps/Deployment': (o, old) => validateDeployment(o, old),
  'apps/ReplicaSet': (o, old) => validateReplicaSet(o, old),
  'apps/StatefulSet': (o, old) => validateStatefulSet(o, old),
  'apps/DaemonSet': (o, old) => validateDaemonSet(o, old),
  'apps/ControllerRevision': (o, old) => validateControllerRevision(o, old),
  'batch/Job': (o, old) => validateJob(o, old),
  'batch/CronJob': (o, old) => validateCronJob(o, old),
  'autoscaling/HorizontalPodAutoscaler': (o, _old, v) => validateHPA(o, v),
  'policy/PodDisruptionBudget': (o) => validatePodDisruptionBudget(o),
  'networking.k8s.io/NetworkPolicy': (o) => validateNetworkPolicy(o),
  'networking.k8s.io/Ingress': (o) => validateIngress(o),
  'networking.k8s.io/IngressClass': (o, old) => validateIngressClass(o, old),
  'storage.k8s.io/StorageClass': (o, old) => validateStorageClass(o, old),
  'coordination.k8s.io/Lease': (o) => validateLease(o),
  'rbac.authorization.k8s.io/Role': (o) => validateRole(o, true),
  'rbac.authorization.k8s.io/ClusterRole': (o) => validateRole(o, false),
  'rbac.authorization.k8s.io/RoleBinding': (o, old) => validateRoleBinding(o, true, old),
  'rbac.authorization.k8s.io/ClusterRoleBinding': (o, old) => validateRoleBinding(o, false, old),
  'scheduling.k8s.io/PriorityClass': (o, old) => validatePriorityClass(o, old),
  'discovery.k8s.io/EndpointSlice': (o, old) => validateEndpointSlice(o, old),
  'events.k8s.io/Event': (o) => validateEvent(o, true),
};

/**
 * Kind-specific validation of a built-in object: spec validity on create (`old` undefined), plus
 * immutability rules on update. Metadata is checked separately by {@link validateObjectMeta};
 * CustomResourceDefinitions are validated by crd-definition.ts, not here.
 * Run it after {@link defaultBuiltin}. Unknown kinds yield no causes.
 */
export function validateBuiltin(gvk: Gvk, obj: KubeObject, old?: KubeObject): StatusCause[] {
  if (!isObj(obj) || !isObj(obj.metadata)) return [required('metadata')];
  const fn = VALIDATORS[`${gvk.group}/${gvk.kind}`];
  return fn ? fn(obj, old, gvk.version) : [];
}

const STATUS_COUNTERS: Record<string, string[]> = {
  'apps/Deployment': ['replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas', 'observedGeneration', 'collisionCount'],
  'apps/ReplicaSet': ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'],
  'apps/StatefulSet': ['replicas', 'readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'observedGeneration', 'collisionCount'],
  'apps/DaemonSet': ['currentNumberScheduled', 'numberMisscheduled', 'desiredNumberScheduled', 'numberReady', 'observedGeneration', 'updatedNumberScheduled', 'numberAvailable', 'numberUnavailable', 'collisionCount'],
  '/ReplicationController': ['replicas', 'fullyLabeledReplicas', 'readyReplicas', 'availableReplicas', 'observedGeneration'],
  'batch/Job': ['active', 'succeeded', 'failed', 'terminating', 'ready'],
};

/** Status-subresource checks: counters are non-negative, replica counts do not exceed `replicas`. */
export function validateBuiltinStatus(gvk: Gvk, obj: KubeObject, old?: KubeObject): StatusCause[] {
  const key = `${gvk.group}/${gvk.kind}`;
  const status = asObj(obj.status);
  const out: Causes = [];
  for (const f of STATUS_COUNTERS[key] ?? []) out.push(...nonNegative(status[f], `status.${f}`));
  if (key === 'apps/StatefulSet' || key === 'apps/ReplicaSet' || key === '/ReplicationController') {
    const replicas = typeof status.replicas === 'number' ? status.replicas : 0;
    for (const f of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas', 'fullyLabeledReplicas']) {
      if (typeof status[f] === 'number' && status[f] > replicas) out.push(invalid(`status.${f}`, status[f], 'cannot be greater than status.replicas'));
    }
  }
  if (key === '/Pod' && old) {
    const nn = asObj(obj.spec).nodeName ?? '';
    const on = asObj(old.spec).nodeName ?? '';
    if (on && nn !== on) out.push(forbidden('status.nodeName', 'may not be changed directly'));
  }
  if (key === '/PersistentVolumeClaim' || key === '/PersistentVolume') {
    const phases = key === '/PersistentVolume' ? ['Pending', 'Available', 'Bound', 'Released', 'Failed'] : ['Pending', 'Bound', 'Lost'];
    if (status.phase && !phases.includes(status.phase)) out.push(invalid('status.phase', status.phase, `must be one of ${phases.join(', ')}`));
  }
  if (old && typeof asObj(old.status).collisionCount === 'number') {
    const cur = typeof status.collisionCount === 'number' ? status.collisionCount : 0;
    if (cur < old.status.collisionCount) out.push(invalid('status.collisionCount', cur, 'cannot be decremented'));
  }
  return out;
}

/** True when `validateBuiltin` has rules for this kind. */
export function hasBuiltinValidation(gvk: Gvk): boolean {
  return `${gvk.group}/${gvk.kind}` in VALIDATORS;
}

