/**
 * Printers for the core (`v1`) group, pods excepted (see pod-status.ts), plus the
 * `events.k8s.io` Event, which shares the core Event columns.
 */
import type { KubeObject } from '../../core/types.ts';
import { ageCol, col, containerCols, nameCol, selectorCol } from './columns.ts';
import { parseTimestamp, timestampSince } from './duration.ts';
import { arr, containerCells, countKeys, findCondition, formatAccessModes, formatLabels, int, joinHostPort, obj, str } from './format.ts';
import type { Printer } from './model.ts';
import { formatQuantityText } from '../../core/quantity.ts';

const name = (o: KubeObject): string => o.metadata.name ?? '';
const age = (o: KubeObject, now: Date): string => timestampSince(o.metadata.creationTimestamp, now);

export const namespacePrinter: Printer = {
  columns: [nameCol(), col('Status', 'string', 'The status of the namespace'), ageCol()],
  cells: (o, now) => [name(o), str(obj(o.status).phase), age(o, now)],
};

function nodeRoles(node: KubeObject): string {
  const roles = new Set<string>();
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(labels)) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(v);
    }
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function nodeAddress(node: KubeObject, type: string): string {
  const a = arr(obj(node.status).addresses).map(obj).find((x) => x.type === type);
  return a ? str(a.address) : '<none>';
}

export const nodePrinter: Printer = {
  columns: [
    nameCol(),
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageCol(),
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'List of addresses reachable to the node.', 1),
    col('External-IP', 'string', 'List of addresses reachable to the node.', 1),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).', 1),
    col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).", 1),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).', 1),
  ],
  cells(o, now) {
    const status = obj(o.status);
    const info = obj(status.nodeInfo);
    const ready = findCondition(status.conditions, 'Ready');
    const parts = [ready ? (ready.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
    if (obj(o.spec).unschedulable === true) parts.push('SchedulingDisabled');
    return [
      name(o),
      parts.join(','),
      nodeRoles(o),
      age(o, now),
      str(info.kubeletVersion),
      nodeAddress(o, 'InternalIP'),
      nodeAddress(o, 'ExternalIP'),
      str(info.osImage) || '<unknown>',
      str(info.kernelVersion) || '<unknown>',
      str(info.containerRuntimeVersion) || '<unknown>',
    ];
  },
};

/** Load-balancer ingress points (IP, else hostname), de-duplicated and sorted. */
export function loadBalancerIngress(status: unknown): string {
  const set = new Set<string>();
  for (const ing of arr(obj(status).ingress).map(obj)) {
    const v = str(ing.ip) || str(ing.hostname);
    if (v) set.add(v);
  }
  return [...set].sort().join(',');
}

function serviceExternalIP(svc: KubeObject, type: string): string {
  const spec = obj(svc.spec);
  const externalIPs = arr(spec.externalIPs).map(String);
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerIngress(obj(obj(svc.status).loadBalancer));
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(spec.externalName);
    default:
      return '<unknown>';
  }
}

/** `80/TCP`, `80:30080/TCP`, comma-separated. */
export function servicePorts(ports: unknown): string {
  return arr(ports)
    .map(obj)
    .map((p) => {
      const protocol = str(p.protocol) || 'TCP';
      return int(p.nodePort) > 0 ? `${int(p.port)}:${int(p.nodePort)}/${protocol}` : `${int(p.port)}/${protocol}`;
    })
    .join(',');
}

export const servicePrinter: Printer = {
  columns: [
    nameCol(),
    col('Type', 'string', 'type determines how the Service is exposed.'),
    col('Cluster-IP', 'string', 'clusterIP is the IP address of the service and is usually assigned randomly.'),
    col('External-IP', 'string', 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.'),
    col('Port(s)', 'string', 'The list of ports that are exposed by this service.'),
    ageCol(),
    selectorCol('Route service traffic to pods with label keys and values matching this selector.'),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    const type = str(spec.type) || 'ClusterIP';
    const clusterIPs = arr(spec.clusterIPs).map(String);
    const clusterIP = clusterIPs[0] || str(spec.clusterIP) || '<none>';
    return [name(o), type, clusterIP, serviceExternalIP(o, type), servicePorts(spec.ports) || '<none>', age(o, now), formatLabels(spec.selector)];
  },
};

/** Endpoint addresses as `ip:port`, at most three, then `+ N more...`; `<none>` without subsets. */
export function formatEndpoints(endpoints: KubeObject): string {
  const subsets = arr(endpoints.subsets).map(obj);
  if (subsets.length === 0) return '<none>';
  const max = 3;
  const list: string[] = [];
  let count = 0;
  let more = false;
  const add = (text: string): void => {
    if (list.length === max) more = true;
    else list.push(text);
  };
  for (const ss of subsets) {
    const addresses = arr(ss.addresses).map(obj);
    const ports = arr(ss.ports).map(obj);
    if (ports.length === 0) {
      count += addresses.length;
      for (const a of addresses) add(str(a.ip));
      continue;
    }
    for (const p of ports) {
      count += addresses.length;
      for (const a of addresses) add(joinHostPort(str(a.ip), int(p.port)));
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${count - max} more...` : ret;
}

export const endpointsPrinter: Printer = {
  columns: [nameCol(), col('Endpoints', 'string', 'The set of all endpoints is the union of all subsets.'), ageCol()],
  cells: (o, now) => [name(o), formatEndpoints(o), age(o, now)],
};

export const configMapPrinter: Printer = {
  columns: [nameCol(), col('Data', 'string', 'Data contains the configuration data.'), ageCol()],
  cells: (o, now) => [name(o), countKeys(o.data) + countKeys(o.binaryData), age(o, now)],
};

export const secretPrinter: Printer = {
  columns: [nameCol(), col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'), col('Data', 'string', 'Data contains the secret data.'), ageCol()],
  cells: (o, now) => [name(o), str(o.type), countKeys(o.data), age(o, now)],
};

export const serviceAccountPrinter: Printer = {
  columns: [nameCol(), col('Secrets', 'string', 'Secrets is a list of the secrets in the same namespace that pods running using this ServiceAccount are allowed to use.'), ageCol()],
  cells: (o, now) => [name(o), arr(o.secrets).length, age(o, now)],
};

// ---------------------------------------------------------------------------------------------
// Events

/** The fields the event printer reads, common to core/v1 and events.k8s.io/v1 events. */
interface EventView {
  name: string;
  type: string;
  reason: string;
  message: string;
  kind: string;
  objectName: string;
  fieldPath: string;
  component: string;
  host: string;
  firstTimestamp: unknown;
  lastTimestamp: unknown;
  eventTime: unknown;
  count: number;
  series?: { count: number; lastObservedTime: unknown };
}

function coreEventView(o: KubeObject): EventView {
  const involved = obj(o.involvedObject);
  const source = obj(o.source);
  const series = o.series ? obj(o.series) : undefined;
  return {
    name: name(o),
    type: str(o.type),
    reason: str(o.reason),
    message: str(o.message),
    kind: str(involved.kind),
    objectName: str(involved.name),
    fieldPath: str(involved.fieldPath),
    component: str(source.component) || str(o.reportingComponent),
    host: str(source.host) || str(o.reportingInstance),
    firstTimestamp: o.firstTimestamp,
    lastTimestamp: o.lastTimestamp,
    eventTime: o.eventTime,
    count: int(o.count),
    series: series ? { count: int(series.count), lastObservedTime: series.lastObservedTime } : undefined,
  };
}

function eventsV1View(o: KubeObject): EventView {
  const regarding = obj(o.regarding);
  const source = obj(o.deprecatedSource);
  const series = o.series ? obj(o.series) : undefined;
  return {
    name: name(o),
    type: str(o.type),
    reason: str(o.reason),
    message: str(o.note),
    kind: str(regarding.kind),
    objectName: str(regarding.name),
    fieldPath: str(regarding.fieldPath),
    component: str(source.component) || str(o.reportingController),
    host: str(source.host) || str(o.reportingInstance),
    firstTimestamp: o.deprecatedFirstTimestamp,
    lastTimestamp: o.deprecatedLastTimestamp,
    eventTime: o.eventTime,
    count: int(o.deprecatedCount),
    series: series ? { count: int(series.count), lastObservedTime: series.lastObservedTime } : undefined,
  };
}

function isZeroTime(v: unknown): boolean {
  return !parseTimestamp(v);
}

function eventCells(e: EventView, now: Date): unknown[] {
  const first = isZeroTime(e.firstTimestamp) ? timestampSince(e.eventTime, now) : timestampSince(e.firstTimestamp, now);
  let last = isZeroTime(e.lastTimestamp) ? first : timestampSince(e.lastTimestamp, now);
  let count = e.count;
  if (e.series) {
    last = timestampSince(e.series.lastObservedTime, now);
    count = e.series.count;
  } else if (count === 0) {
    count = 1; // singleton events carry no count in the newer API
  }
  const target = e.objectName ? `${e.kind.toLowerCase()}/${e.objectName}` : e.kind.toLowerCase();
  const source = e.host ? `${e.component}, ${e.host}` : e.component;
  return [last, e.type, e.reason, target, e.fieldPath, source, e.message.trim(), first, count, e.name];
}

const eventColumns = [
  col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
  col('Type', 'string', 'Type of this event (Normal, Warning), new types could be added in the future'),
  col('Reason', 'string', "This should be a short, machine understandable string that gives the reason for the transition into the object's current status."),
  col('Object', 'string', 'The object that this event is about.'),
  col('Subobject', 'string', 'If referring to a piece of an object instead of an entire object, this string should contain a valid JSON/Go field access statement.', 1),
  col('Source', 'string', 'The component reporting this event. Should be a short machine understandable string.', 1),
  col('Message', 'string', 'A human-readable description of the status of this operation.'),
  col('First Seen', 'string', 'The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)', 1),
  col('Count', 'string', 'The number of times this event has occurred.', 1),
  nameCol(1),
];

export const eventPrinter: Printer = {
  columns: eventColumns,
  cells: (o, now) => eventCells(coreEventView(o), now),
};

export const eventsV1Printer: Printer = {
  columns: eventColumns,
  cells: (o, now) => eventCells(eventsV1View(o), now),
};

// ---------------------------------------------------------------------------------------------
// Storage

function volumeClass(o: KubeObject): string {
  const annotated = o.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'];
  if (annotated !== undefined) return annotated;
  return str(obj(o.spec).storageClassName);
}

function optionalName(v: unknown): string {
  return typeof v === 'string' && v !== '' ? v : '<unset>';
}

export const persistentVolumePrinter: Printer = {
  columns: [
    nameCol(),
    col('Capacity', 'string', "capacity is the description of the persistent volume's resources and capacity."),
    col('Access Modes', 'string', 'accessModes contains all ways the volume can be mounted.'),
    col('Reclaim Policy', 'string', 'persistentVolumeReclaimPolicy defines what happens to a persistent volume when released from its claim.'),
    col('Status', 'string', 'phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    col('Claim', 'string', 'claimRef is part of a bi-directional binding between PersistentVolume and PersistentVolumeClaim.'),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', 'reason is a brief CamelCase string that describes any failure and is meant for machine parsing and tidy display in the CLI.'),
    ageCol(),
    col('VolumeMode', 'string', 'volumeMode defines if a volume is intended to be used with a formatted filesystem or to remain in raw block state.', 1),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    const claimRef = spec.claimRef ? obj(spec.claimRef) : undefined;
    const phase = o.metadata.deletionTimestamp ? 'Terminating' : str(obj(o.status).phase);
    return [
      name(o),
      formatQuantityText(obj(spec.capacity).storage),
      formatAccessModes(spec.accessModes),
      str(spec.persistentVolumeReclaimPolicy),
      phase,
      claimRef ? `${str(claimRef.namespace)}/${str(claimRef.name)}` : '',
      volumeClass(o),
      optionalName(spec.volumeAttributesClassName),
      str(obj(o.status).reason),
      age(o, now),
      optionalName(spec.volumeMode),
    ];
  },
};

export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    nameCol(),
    col('Status', 'string', 'phase represents the current phase of PersistentVolumeClaim.'),
    col('Volume', 'string', 'volumeName is the binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'string', 'capacity represents the actual resources of the underlying volume.'),
    col('Access Modes', 'string', 'accessModes contains the actual access modes the volume backing the PVC has.'),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    ageCol(),
    col('VolumeMode', 'string', 'volumeMode defines what type of volume is required by the claim.', 1),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    const status = obj(o.status);
    const phase = o.metadata.deletionTimestamp ? 'Terminating' : str(status.phase);
    const volumeName = str(spec.volumeName);
    const bound = volumeName !== '';
    return [
      name(o),
      phase,
      volumeName,
      bound ? formatQuantityText(obj(status.capacity).storage) : '',
      bound ? formatAccessModes(status.accessModes) : '',
      volumeClass(o),
      optionalName(spec.volumeAttributesClassName),
      age(o, now),
      optionalName(spec.volumeMode),
    ];
  },
};

// ---------------------------------------------------------------------------------------------
// Controllers and policy objects of the core group

export const replicationControllerPrinter: Printer = {
  columns: [
    nameCol(),
    col('Desired', 'integer', 'Replicas is the number of desired replicas.'),
    col('Current', 'integer', 'Replicas is the most recently observed number of replicas.'),
    col('Ready', 'integer', 'The number of ready replicas for this replication controller.'),
    ageCol(),
    ...containerCols(),
    selectorCol('Selector is a label query over pods that should match the Replicas count.'),
  ],
  cells(o, now) {
    const spec = obj(o.spec);
    const status = obj(o.status);
    const [names, images] = containerCells(obj(obj(spec.template).spec).containers);
    return [name(o), int(spec.replicas, 1), int(status.replicas), int(status.readyReplicas), age(o, now), names, images, formatLabels(spec.selector)];
  },
};

export const podTemplatePrinter: Printer = {
  columns: [
    nameCol(),
    col('Containers', 'string', 'Names of each container in the template.'),
    col('Images', 'string', 'Images referenced by each container in the template.'),
    col('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  cells(o) {
    const template = obj(o.template);
    const [names, images] = containerCells(obj(template.spec).containers);
    return [name(o), names, images, formatLabels(obj(template.metadata).labels)];
  },
};

export const resourceQuotaPrinter: Printer = {
  columns: [
    nameCol(),
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
    ageCol(),
  ],
  cells(o, now) {
    const status = obj(o.status);
    const hard = obj(status.hard);
    const used = obj(status.used);
    const requests: string[] = [];
    const limits: string[] = [];
    for (const resource of Object.keys(hard).sort()) {
      const text = `${resource}: ${formatQuantityText(used[resource])}/${formatQuantityText(hard[resource])}`;
      const pieces = resource.split('.');
      (pieces.length > 1 && pieces[0] === 'limits' ? limits : requests).push(text);
    }
    return [name(o), requests.join(', '), limits.join(', '), age(o, now)];
  },
};

export const componentStatusPrinter: Printer = {
  columns: [
    nameCol(),
    col('Status', 'string', 'Status of the component conditions'),
    col('Message', 'string', 'Message of the component conditions'),
    col('Error', 'string', 'Error of the component conditions'),
  ],
  cells(o) {
    const healthy = findCondition(o.conditions, 'Healthy');
    if (!healthy) return [name(o), 'Unknown', '', ''];
    return [name(o), healthy.status === 'True' ? 'Healthy' : 'Unhealthy', str(healthy.message), str(healthy.error)];
  },
};
