/**
 * Patch meta for built-in kinds. The type graph (which field holds which model, lists, maps)
 * comes from @kubernetes/client-node's generated models: every model class carries a static
 * `attributeTypeMap` of `{ baseName, type }` with types like `Array<V1Container>` or
 * `{ [key: string]: string; }`. Those models do not carry the patch facts, so the only
 * hand-written part is FIELD_FACTS / ATOMIC_STRUCTS below, keyed `Model.jsonField`.
 *
 * We import the generated-models barrel rather than the package root: it holds the same classes
 * without loading the HTTP client, and halves the start-up cost.
 */
import * as models from '@kubernetes/client-node/dist/gen/models/all.js';
import {
  listMeta,
  mapMeta,
  SCALAR,
  structMeta,
  UNTYPED,
  withFacts,
  type MetaFacts,
  type PatchMeta,
} from './patch-meta.ts';

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

interface Attribute {
  baseName: string;
  type: string;
}

const registry = models as unknown as Record<string, { attributeTypeMap?: Attribute[] } | undefined>;

const byName = (patchMergeKey: string, more: MetaFacts = {}): MetaFacts => ({ patchMergeKey, patchStrategy: 'merge', ...more });
const mergedSet: MetaFacts = { patchStrategy: 'merge', listType: 'set' };
const conditions = byName('type');
/** Key fields with a server default must match items that omit them (SSA keys). */
const tcpDefault = { protocol: 'TCP' };

const containerFacts: Record<string, MetaFacts> = {
  env: byName('name'),
  ports: byName('containerPort', { listMapKeys: ['containerPort', 'protocol'], keyDefaults: tcpDefault }),
  volumeMounts: byName('mountPath'),
  volumeDevices: byName('devicePath'),
};

/**
 * `Model.field` -> how that field merges. Lists not listed here are atomic (replaced by SMP,
 * owned whole by SSA); maps and structs not listed merge per key.
 */
const FIELD_FACTS: Record<string, MetaFacts> = {
  'V1ObjectMeta.finalizers': mergedSet,
  'V1ObjectMeta.ownerReferences': byName('uid'),
  // core/v1 Pod (and every pod template)
  'V1PodSpec.containers': byName('name'),
  'V1PodSpec.initContainers': byName('name'),
  'V1PodSpec.ephemeralContainers': byName('name'),
  'V1PodSpec.volumes': byName('name', { retainKeys: true }),
  'V1PodSpec.imagePullSecrets': byName('name'),
  'V1PodSpec.hostAliases': byName('ip'),
  'V1PodSpec.topologySpreadConstraints': byName('topologyKey', { listMapKeys: ['topologyKey', 'whenUnsatisfiable'] }),
  'V1PodSpec.resourceClaims': byName('name', { retainKeys: true }),
  'V1PodSpec.schedulingGates': byName('name'),
  'V1PodSpec.nodeSelector': { mapType: 'atomic' },
  ...prefixed('V1Container', containerFacts),
  ...prefixed('V1EphemeralContainer', containerFacts),
  'V1ResourceRequirements.claims': { listType: 'map', listMapKeys: ['name'] },
  'V1PodStatus.conditions': conditions,
  'V1PodStatus.podIPs': byName('ip'),
  'V1PodStatus.hostIPs': byName('ip', { listType: 'atomic' }),
  'V1PodStatus.resourceClaimStatuses': byName('name'),
  // core/v1 others
  'V1NodeSpec.podCIDRs': mergedSet,
  'V1NodeStatus.conditions': conditions,
  'V1NodeStatus.addresses': byName('type'),
  'V1ServiceSpec.ports': byName('port', { listMapKeys: ['port', 'protocol'], keyDefaults: tcpDefault }),
  'V1ServiceStatus.conditions': conditions,
  'V1PersistentVolumeClaimStatus.conditions': conditions,
  'V1NamespaceStatus.conditions': conditions,
  'V1ServiceAccount.secrets': byName('name'),
  // apps/v1
  'V1DeploymentSpec.strategy': { retainKeys: true },
  'V1DeploymentStatus.conditions': conditions,
  'V1StatefulSetStatus.conditions': conditions,
  'V1DaemonSetStatus.conditions': conditions,
  'V1ReplicaSetStatus.conditions': conditions,
  // batch/v1: Job conditions merge by type for SMP but are atomic for SSA.
  'V1JobStatus.conditions': byName('type', { listType: 'atomic' }),
  // policy, autoscaling, apiextensions
  'V1PodDisruptionBudgetStatus.conditions': conditions,
  'V2HorizontalPodAutoscalerStatus.conditions': conditions,
  'V1CustomResourceDefinitionStatus.conditions': { listType: 'map', listMapKeys: ['type'] },
};

/** Structs SSA owns as one value (`+structType=atomic`), e.g. a Deployment's selector. */
const ATOMIC_STRUCTS = new Set([
  'V1LabelSelector',
  'V1LocalObjectReference',
  'V1ObjectReference',
  'V1TypedLocalObjectReference',
  'V1ConfigMapKeySelector',
  'V1SecretKeySelector',
  'V1ObjectFieldSelector',
  'V1ResourceFieldSelector',
  'V1NodeSelector',
  'V1NodeSelectorTerm',
]);

function prefixed(model: string, facts: Record<string, MetaFacts>): Record<string, MetaFacts> {
  return Object.fromEntries(Object.entries(facts).map(([f, v]) => [`${model}.${f}`, v]));
}

/** The fact table, exposed so tests can check every entry names a real model field. */
export const builtinFieldFacts: Readonly<Record<string, MetaFacts>> = FIELD_FACTS;
export const builtinAtomicStructs: ReadonlySet<string> = ATOMIC_STRUCTS;

export function modelAttributes(model: string): Attribute[] | undefined {
  const map = registry[model]?.attributeTypeMap;
  return Array.isArray(map) ? map : undefined;
}

const modelCache = new Map<string, PatchMeta>();

function modelMeta(model: string): PatchMeta {
  let meta = modelCache.get(model);
  if (!meta) {
    meta = structMeta(
      () => {
        const fields = new Map<string, PatchMeta>();
        for (const attr of modelAttributes(model) ?? []) {
          fields.set(attr.baseName, typeMeta(attr.type, FIELD_FACTS[`${model}.${attr.baseName}`]));
        }
        return fields;
      },
      ATOMIC_STRUCTS.has(model) ? { mapType: 'atomic' } : {},
    );
    modelCache.set(model, meta);
  }
  return meta;
}

const ARRAY = /^Array<(.+)>$/;
const MAP = /^\{ \[key: string\]: (.+); \}$/;

/** Meta for one generated type name, with the facts of the field that holds it. */
function typeMeta(type: string, facts: MetaFacts | undefined): PatchMeta {
  const list = ARRAY.exec(type);
  if (list) return listMeta(() => typeMeta(list[1], undefined), facts);
  const map = MAP.exec(type);
  if (map) return mapMeta(() => typeMeta(map[1], undefined), facts);
  if (type === 'any') return facts ? withFacts(UNTYPED, facts) : UNTYPED;
  if (modelAttributes(type)) return facts ? withFacts(modelMeta(type), facts) : modelMeta(type);
  return SCALAR; // string, number, boolean, Date, IntOrString
}

/** API groups served by the real kube-apiserver; a CR group must never resolve to a model. */
const BUILTIN_GROUPS = new Set([
  '',
  'apps',
  'batch',
  'autoscaling',
  'policy',
  'networking.k8s.io',
  'coordination.k8s.io',
  'storage.k8s.io',
  'events.k8s.io',
  'apiextensions.k8s.io',
  'apiregistration.k8s.io',
  'rbac.authorization.k8s.io',
  'admissionregistration.k8s.io',
  'discovery.k8s.io',
  'node.k8s.io',
  'scheduling.k8s.io',
  'certificates.k8s.io',
  'flowcontrol.apiserver.k8s.io',
  'resource.k8s.io',
  'authentication.k8s.io',
  'authorization.k8s.io',
  'storagemigration.k8s.io',
  'internal.apiserver.k8s.io',
]);

const capitalize = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * The generated model for a built-in kind. Models are named `<Version><Kind>` (`V1Pod`,
 * `V2HorizontalPodAutoscaler`), or `<Group><Version><Kind>` where two groups share a kind
 * (`CoreV1Event`, `EventsV1Event`).
 */
export function modelNameFor(gvk: Gvk): string | undefined {
  if (!BUILTIN_GROUPS.has(gvk.group)) return undefined;
  const version = capitalize(gvk.version);
  const groupPrefix = gvk.group === '' ? 'Core' : capitalize(gvk.group.split('.')[0]);
  for (const name of [`${groupPrefix}${version}${gvk.kind}`, `${version}${gvk.kind}`]) {
    const attrs = modelAttributes(name);
    // Only top-level objects (with metadata) are kinds; this skips e.g. `V1PodSpec`.
    if (attrs?.some((a) => a.baseName === 'metadata') && attrs.some((a) => a.baseName === 'kind')) return name;
  }
  return undefined;
}

export function patchMetaForBuiltin(gvk: Gvk): PatchMeta | undefined {
  const name = modelNameFor(gvk);
  return name ? modelMeta(name) : undefined;
}

/** ObjectMeta's meta, shared by custom resources (whose schemas do not describe metadata). */
export function objectMetaMeta(): PatchMeta {
  return modelMeta('V1ObjectMeta');
}
