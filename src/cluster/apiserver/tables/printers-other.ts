/**
 * Printers for the remaining API groups: storage, networking, discovery, coordination, RBAC,
 * scheduling, node, admission registration, certificates and API registration.
 */
import type { KubeObject } from '../../core/types.ts';
import { ageCol, col, nameCol } from './columns.ts';
import { humanDuration, timestampSince } from './duration.ts';
import { arr, findCondition, formatLabelSelector, obj, str } from './format.ts';
import type { Printer } from './model.ts';
import { formatQuantityText } from '../../core/quantity.ts';
import { loadBalancerIngress } from './printers-core.ts';
import { isDefaultClass } from '../../core/volumes.ts';

const name = (o: KubeObject): string => o.metadata.name ?? '';
const age = (o: KubeObject, now: Date): string => timestampSince(o.metadata.creationTimestamp, now);
const bool = (v: unknown, fallback: boolean): boolean => (typeof v === 'boolean' ? v : fallback);

/** `a,b,c` for the first three items, then `+ N more...`; `<unset>` for none. */
function listWithMore(items: string[], max = 3): string {
  if (items.length === 0) return '<unset>';
  if (items.length > max) return `${items.slice(0, max).join(',')} + ${items.length - max} more...`;
  return items.join(',');
}

// ---------------------------------------------------------------------------------------------
// storage.k8s.io

export const storageClassPrinter: Printer = {
  columns: [
    nameCol(),
    col('Provisioner', 'string', 'provisioner indicates the type of the provisioner.'),
    col('ReclaimPolicy', 'string', 'reclaimPolicy controls the reclaimPolicy for dynamically provisioned PersistentVolumes of this storage class.'),
    col('VolumeBindingMode', 'string', 'volumeBindingMode indicates how PersistentVolumeClaims should be provisioned and bound.'),
    col('AllowVolumeExpansion', 'string', 'allowVolumeExpansion shows whether the storage class allow volume expand.'),
    ageCol(),
  ],
  cells(o, now) {
    return [
      isDefaultClass(o) ? `${name(o)} (default)` : name(o),
      str(o.provisioner),
      str(o.reclaimPolicy) || 'Delete',
      str(o.volumeBindingMode) || 'Immediate',
      bool(o.allowVolumeExpansion, false),
      age(o, now),
    ];
  },
};

export const volumeAttachmentPrinter: Printer = {
  columns: [
    nameCol(),
    col('Attacher', 'string', 'attacher indicates the name of the volume driver that MUST handle this request.', 0, 'name'),
    col('PV', 'string', 'persistentVolumeName represents the name of the persistent volume to attach.'),
    col('Node', 'string', 'nodeName represents the node that the volume should be attached to.'),
    col('Attached', 'boolean', 'attached indicates the volume is successfully attached.'),
    ageCol(),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    return [name(o), str(spec.attacher), str(obj(spec.source).persistentVolumeName), str(spec.nodeName), bool(obj(o.status).attached, false), age(o, now)];
  },
};

export const csiNodePrinter: Printer = {
  columns: [nameCol(), col('Drivers', 'integer', 'Drivers indicates the number of CSI drivers registered on the node'), ageCol()],
  cells: (o, now) => [name(o), arr(obj(o.spec).drivers).length, age(o, now)],
};

export const csiDriverPrinter: Printer = {
  columns: [
    nameCol(),
    col('AttachRequired', 'boolean', 'attachRequired indicates this CSI volume driver requires an attach operation.'),
    col('PodInfoOnMount', 'boolean', 'podInfoOnMount indicates this CSI volume driver requires additional pod information during mount operations.'),
    col('StorageCapacity', 'boolean', 'storageCapacity indicates that the CSI volume driver wants pod scheduling to consider the storage capacity.'),
    col('TokenRequests', 'string', 'tokenRequests indicates the CSI driver needs pods\' service account tokens it is mounting volume for.'),
    col('RequiresRepublish', 'boolean', 'requiresRepublish indicates the CSI driver wants NodePublishVolume being periodically called.'),
    col('Modes', 'string', 'volumeLifecycleModes defines what kind of volumes this CSI volume driver supports.'),
    ageCol(),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    const modes = arr(spec.volumeLifecycleModes).map(String).join(',');
    const tokenRequests = Array.isArray(spec.tokenRequests) ? spec.tokenRequests.map((t: unknown) => str(obj(t).audience)).join(',') : '<unset>';
    return [
      name(o),
      bool(spec.attachRequired, true),
      bool(spec.podInfoOnMount, false),
      bool(spec.storageCapacity, false),
      tokenRequests,
      bool(spec.requiresRepublish, false),
      modes || '<none>',
      age(o, now),
    ];
  },
};

export const csiStorageCapacityPrinter: Printer = {
  columns: [
    nameCol(),
    col('StorageClassName', 'string', 'storageClassName represents the name of the StorageClass that the reported capacity applies to.'),
    col('Capacity', 'string', 'capacity is the value reported by the CSI driver in its GetCapacityResponse.'),
  ],
  cells: (o) => [name(o), str(o.storageClassName), o.capacity === undefined || o.capacity === null ? '<unset>' : formatQuantityText(o.capacity)],
};

// ---------------------------------------------------------------------------------------------
// networking.k8s.io, discovery.k8s.io, coordination.k8s.io

export const networkPolicyPrinter: Printer = {
  columns: [nameCol(), col('Pod-Selector', 'string', 'podSelector selects the pods to which this NetworkPolicy object applies.'), ageCol()],
  cells: (o, now) => [name(o), formatLabelSelector(obj(o.spec).podSelector ?? {}), age(o, now)],
};

/** Rule hosts, at most three, then `+ N more...` (N counts the remaining rules); `*` without hosts. */
function ingressHosts(rules: unknown): string {
  const all = arr(rules).map(obj);
  const max = 3;
  const list: string[] = [];
  let more = false;
  for (const rule of all) {
    if (list.length === max) more = true;
    if (!more && str(rule.host) !== '') list.push(str(rule.host));
  }
  if (list.length === 0) return '*';
  return more ? `${list.join(',')} + ${all.length - max} more...` : list.join(',');
}

export const ingressPrinter: Printer = {
  columns: [
    nameCol(),
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    ageCol(),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    return [
      name(o),
      typeof spec.ingressClassName === 'string' ? spec.ingressClassName : '<none>',
      ingressHosts(spec.rules),
      loadBalancerIngress(obj(obj(o.status).loadBalancer)),
      arr(spec.tls).length > 0 ? '80, 443' : '80',
      age(o, now),
    ];
  },
};

export const ingressClassPrinter: Printer = {
  columns: [
    nameCol(),
    col('Controller', 'string', 'Controller that is responsible for handling this class'),
    col('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageCol(),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    let parameters = '<none>';
    if (spec.parameters) {
      const p = obj(spec.parameters);
      parameters = `${str(p.kind)}${typeof p.apiGroup === 'string' ? `.${p.apiGroup}` : ''}/${str(p.name)}`;
    }
    return [name(o), str(spec.controller), parameters, age(o, now)];
  },
};

export const endpointSlicePrinter: Printer = {
  columns: [
    nameCol(),
    col('AddressType', 'string', 'addressType specifies the type of address carried by this EndpointSlice.'),
    col('Ports', 'string', 'ports specifies the list of network ports exposed by each endpoint in this slice.'),
    col('Endpoints', 'string', 'endpoints is a list of unique endpoints in this slice.'),
    ageCol(),
  ],
  cells(o, now) {
    const ports = arr(o.ports)
      .map(obj)
      .map((p) => (typeof p.port === 'number' ? String(p.port) : typeof p.name === 'string' ? p.name : '*'));
    const addresses = arr(o.endpoints).flatMap((e) => arr(obj(e).addresses).map(String));
    return [name(o), str(o.addressType), listWithMore(ports), listWithMore(addresses), age(o, now)];
  },
};

export const leasePrinter: Printer = {
  columns: [nameCol(), col('Holder', 'string', 'holderIdentity contains the identity of the holder of a current lease.'), ageCol()],
  cells: (o, now) => [name(o), str(obj(o.spec).holderIdentity), age(o, now)],
};

// ---------------------------------------------------------------------------------------------
// rbac.authorization.k8s.io

function bindingPrinter(what: string): Printer {
  return {
    columns: [
      nameCol(),
      col('Role', 'string', 'RoleRef can reference a Role in the current namespace or a ClusterRole in the global namespace.'),
      ageCol(),
      col('Users', 'string', `Users in the ${what}`, 1),
      col('Groups', 'string', `Groups in the ${what}`, 1),
      col('ServiceAccounts', 'string', `ServiceAccounts in the ${what}`, 1),
    ],
    cells(o, now) {
      const roleRef = obj(o.roleRef);
      const users: string[] = [];
      const groups: string[] = [];
      const sas: string[] = [];
      for (const s of arr(o.subjects).map(obj)) {
        if (s.kind === 'User') users.push(str(s.name));
        else if (s.kind === 'Group') groups.push(str(s.name));
        else if (s.kind === 'ServiceAccount') sas.push(`${str(s.namespace)}/${str(s.name)}`);
      }
      return [name(o), `${str(roleRef.kind)}/${str(roleRef.name)}`, age(o, now), users.join(', '), groups.join(', '), sas.join(', ')];
    },
  };
}

export const roleBindingPrinter = bindingPrinter('roleBinding');
export const clusterRoleBindingPrinter = bindingPrinter('clusterRoleBinding');

// ---------------------------------------------------------------------------------------------
// scheduling.k8s.io, node.k8s.io

export const priorityClassPrinter: Printer = {
  columns: [
    nameCol(),
    col('Value', 'integer', 'value represents the integer value of this priority class.'),
    col('Global-Default', 'boolean', 'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class.'),
    ageCol(),
    col('PreemptionPolicy', 'string', 'preemptionPolicy is the Policy for preempting pods with lower priority.'),
  ],
  cells: (o, now) => [name(o), typeof o.value === 'number' ? Math.trunc(o.value) : 0, bool(o.globalDefault, false), age(o, now), str(o.preemptionPolicy) || '<unset>'],
};

export const runtimeClassPrinter: Printer = {
  columns: [nameCol(), col('Handler', 'string', 'handler specifies the underlying runtime and configuration that the CRI implementation will use.'), ageCol()],
  cells: (o, now) => [name(o), str(o.handler), age(o, now)],
};

// ---------------------------------------------------------------------------------------------
// admissionregistration.k8s.io

export const webhookConfigurationPrinter: Printer = {
  columns: [nameCol(), col('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration'), ageCol()],
  cells: (o, now) => [name(o), arr(o.webhooks).length, age(o, now)],
};

export const validatingAdmissionPolicyPrinter: Printer = {
  columns: [
    nameCol(),
    col('Validations', 'integer', 'Validations indicates the number of validation rules defined in this configuration'),
    col('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'),
    ageCol(),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    const pk = spec.paramKind ? obj(spec.paramKind) : undefined;
    return [name(o), arr(spec.validations).length, pk ? `${str(pk.apiVersion)}/${str(pk.kind)}` : '<unset>', age(o, now)];
  },
};

export const validatingAdmissionPolicyBindingPrinter: Printer = {
  columns: [
    nameCol(),
    col('PolicyName', 'string', 'PolicyName indicates the policy definition which the policy binding binded to'),
    col('ParamRef', 'string', 'ParamRef indicates the param resource which sets the configration param'),
    ageCol(),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    let param = '<unset>';
    if (spec.paramRef) {
      const pr = obj(spec.paramRef);
      if (str(pr.name)) param = str(pr.namespace) ? `${pr.namespace}/${pr.name}` : `*/${pr.name}`;
      else if (pr.selector) param = formatLabelSelector(pr.selector);
    }
    return [name(o), str(spec.policyName), param, age(o, now)];
  },
};

// ---------------------------------------------------------------------------------------------
// certificates.k8s.io, apiregistration.k8s.io

function csrCondition(o: KubeObject): string {
  const types = new Set(arr(obj(o.status).conditions).map((c) => obj(c).type));
  let s = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) s += ',Failed';
  if (str(obj(o.status).certificate)) s += ',Issued';
  return s;
}

export const certificateSigningRequestPrinter: Printer = {
  columns: [
    nameCol(),
    ageCol(),
    col('SignerName', 'string', 'signerName indicates the requested signer, and is a qualified name.'),
    col('Requestor', 'string', 'username contains the name of the user that created the CertificateSigningRequest.'),
    col('RequestedDuration', 'string', 'expirationSeconds is the requested duration of validity of the issued certificate.'),
    col('Condition', 'string', 'conditions applied to the request.'),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    const duration = typeof spec.expirationSeconds === 'number' ? humanDuration(spec.expirationSeconds * 1000) : '<none>';
    return [name(o), age(o, now), str(spec.signerName) || '<none>', str(spec.username), duration, csrCondition(o)];
  },
};

export const apiServicePrinter: Printer = {
  columns: [
    nameCol(),
    col('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
    col('Available', 'string', 'Whether this service is available.'),
    ageCol(),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    const service = spec.service ? `${str(obj(spec.service).namespace)}/${str(obj(spec.service).name)}` : 'Local';
    const cond = findCondition(obj(o.status).conditions, 'Available');
    let available = 'Unknown';
    if (cond) available = cond.status !== 'True' && str(cond.reason) ? `${str(cond.status)} (${str(cond.reason)})` : str(cond.status);
    return [name(o), service, available, age(o, now)];
  },
};
