/**
 * Validation of the core ("" group, v1) kinds other than the pod spec itself: Pod, PodTemplate,
 * ReplicationController, Service, Endpoints, PVC, PV, Namespace, Node, Secret, ConfigMap, Event,
 * ResourceQuota and LimitRange. Messages and field paths follow kube-apiserver v1.32.
 */
import type { KubeObject } from '../../core/types.ts';
import {
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidCIDR,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  validateLabels,
} from './names.ts';
import { compareQuantity, parseQuantity, QUANTITY_PARSE_ERROR } from '../../core/quantity.ts';
import {
  ACCESS_MODES,
  PORT_PROTOCOLS,
  validatePersistentVolumeClaimSpec,
  validatePodSpec,
  validatePodSpecUpdate,
  validatePodTemplateSpec,
  validateQuantityValue,
  validateTaintEffect,
} from './builtin-validation-pod.ts';
import {
  asArray,
  asObj,
  type Causes,
  clone,
  deepEqual,
  diffPaths,
  duplicate,
  enumField,
  FIELD_IMMUTABLE,
  forbidden,
  goStringMap,
  GoRepr,
  invalid,
  invalidEach,
  isObj,
  nonNegative,
  notSupported,
  type Obj,
  required,
  selectorMatches,
  tooLong,
} from './builtin-validation-util.ts';

export const MAX_SECRET_SIZE = 1024 * 1024;

// ---- Pod, PodTemplate, ReplicationController -------------------------------------------------

export function validatePod(obj: KubeObject, old?: KubeObject): Causes {
  const out = validatePodSpec(obj.spec, 'spec');
  if (old) out.push(...validatePodSpecUpdate(obj, old));
  return out;
}

export function validatePodTemplate(obj: KubeObject): Causes {
  return validatePodTemplateSpec(obj.template, 'template');
}

export function validateReplicationController(obj: KubeObject): Causes {
  const spec = asObj(obj.spec);
  const out: Causes = [];
  out.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (!isObj(spec.selector) || Object.keys(spec.selector).length === 0) out.push(required('spec.selector'));
  out.push(...nonNegative(spec.replicas, 'spec.replicas'));
  if (!isObj(spec.template)) {
    out.push(required('spec.template'));
    return out;
  }
  const tlabels = asObj(spec.template.metadata).labels;
  if (isObj(spec.selector) && Object.keys(spec.selector).length > 0 && !selectorMatches({ matchLabels: spec.selector }, tlabels)) {
    out.push(invalid('spec.template.metadata.labels', goStringMap(tlabels), '`selector` does not match template `labels`'));
  }
  out.push(...validateLabels(spec.selector, 'spec.selector'));
  out.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
  const ps = asObj(spec.template.spec);
  if (ps.restartPolicy !== 'Always') out.push(notSupported('spec.template.spec.restartPolicy', ps.restartPolicy ?? '', ['Always']));
  if (ps.activeDeadlineSeconds !== undefined && ps.activeDeadlineSeconds !== null) {
    out.push(forbidden('spec.template.spec.activeDeadlineSeconds', 'activeDeadlineSeconds in ReplicationController is not Supported'));
  }
  return out;
}

// ---- Service --------------------------------------------------------------------------------

function isHeadless(spec: Obj): boolean {
  return spec.clusterIP === 'None';
}

function goServicePortKey(protocol: unknown, port: unknown): GoRepr {
  return new GoRepr(
    `core.ServicePort{Name:"", Protocol:${JSON.stringify(String(protocol ?? ''))}, AppProtocol:(*string)(nil), Port:${Number(port ?? 0)}, ` +
      'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}',
  );
}

function clusterIPsOf(spec: Obj): string[] {
  const ips = asArray(spec.clusterIPs).map(String);
  if (ips.length === 0 && spec.clusterIP) return [String(spec.clusterIP)];
  return ips;
}

const goStrings = (v: string[]): GoRepr => new GoRepr(`[]string{${v.map((s) => JSON.stringify(s)).join(', ')}}`);

export function validateService(obj: KubeObject, old?: KubeObject): Causes {
  const spec = asObj(obj.spec);
  const out: Causes = [];
  const ports = asArray(spec.ports);
  const type = spec.type;
  const headless = isHeadless(spec);
  const externallyAccessible = type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && asArray(spec.externalIPs).length > 0);
  if (ports.length === 0 && !headless && type !== 'ExternalName') out.push(required('spec.ports'));
  switch (type) {
    case 'LoadBalancer':
      if (headless) out.push(invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for LoadBalancer services"));
      break;
    case 'NodePort':
      if (headless) out.push(invalid('spec.clusterIPs[0]', 'None', "may not be set to 'None' for NodePort services"));
      break;
    case 'ExternalName': {
      if (clusterIPsOf(spec).length > 0) out.push(forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
      if (asArray(spec.ipFamilies).length > 0) out.push(forbidden('spec.ipFamilies', 'may not be set for ExternalName services'));
      if (spec.ipFamilyPolicy) out.push(forbidden('spec.ipFamilyPolicy', 'may not be set for ExternalName services'));
      const cname = String(spec.externalName ?? '').replace(/\.$/, '');
      if (cname) out.push(...invalidEach('spec.externalName', cname, isDNS1123Subdomain(cname)));
      else out.push(required('spec.externalName'));
      break;
    }
    default:
      break;
  }
  const names = new Set<string>();
  ports.forEach((pt, i) => {
    const p = `spec.ports[${i}]`;
    const port = asObj(pt);
    if (ports.length > 1 && !port.name) out.push(required(`${p}.name`));
    else if (port.name) {
      out.push(...invalidEach(`${p}.name`, port.name, isDNS1123Label(String(port.name))));
      if (names.has(port.name)) out.push(duplicate(`${p}.name`, port.name));
      else names.add(port.name);
    }
    const num = typeof port.port === 'number' ? port.port : 0;
    out.push(...invalidEach(`${p}.port`, num, isValidPortNum(num)));
    out.push(...enumField(port.protocol, `${p}.protocol`, PORT_PROTOCOLS, true));
    if (typeof port.targetPort === 'string') out.push(...invalidEach(`${p}.targetPort`, port.targetPort, isValidPortName(port.targetPort)));
    else {
      const tp = typeof port.targetPort === 'number' ? port.targetPort : 0;
      out.push(...invalidEach(`${p}.targetPort`, tp, isValidPortNum(tp)));
    }
    if (port.appProtocol) out.push(...invalidEach(`${p}.appProtocol`, port.appProtocol, isQualifiedName(String(port.appProtocol))));
  });
  out.push(...validateLabels(spec.selector, 'spec.selector'));
  if (!spec.sessionAffinity) out.push(required('spec.sessionAffinity'));
  else if (!['ClientIP', 'None'].includes(spec.sessionAffinity)) out.push(notSupported('spec.sessionAffinity', spec.sessionAffinity, ['ClientIP', 'None']));
  if (spec.sessionAffinity === 'ClientIP') {
    const t = asObj(asObj(asObj(spec.sessionAffinityConfig).clientIP)).timeoutSeconds;
    if (typeof t !== 'number' || t <= 0 || t > 86400) {
      out.push(invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t ?? 0, 'must be greater than 0 and less than 86400'));
    }
  } else if (spec.sessionAffinity === 'None' && isObj(spec.sessionAffinityConfig)) {
    out.push(forbidden('spec.sessionAffinityConfig', 'must not be set when session affinity is None'));
  }
  if (type !== 'ExternalName') {
    const ips = clusterIPsOf(spec);
    ips.forEach((ip, i) => {
      if (i === 0 && ip === 'None') return;
      out.push(...invalidEach(`spec.clusterIPs[${i}]`, ip, isValidIP(ip)));
    });
    if (spec.clusterIP && asArray(spec.clusterIPs).length > 0 && spec.clusterIPs[0] !== spec.clusterIP) {
      out.push(invalid('spec.clusterIPs', goStrings(asArray(spec.clusterIPs).map(String)), 'first value must match `clusterIP`'));
    }
    if (spec.ipFamilyPolicy !== undefined && spec.ipFamilyPolicy !== null) {
      out.push(...enumField(spec.ipFamilyPolicy, 'spec.ipFamilyPolicy', ['PreferDualStack', 'RequireDualStack', 'SingleStack']));
    }
    const fams = asArray(spec.ipFamilies);
    fams.forEach((f, i) => {
      if (!['IPv4', 'IPv6'].includes(f)) out.push(notSupported(`spec.ipFamilies[${i}]`, f, ['IPv4', 'IPv6']));
      else if (fams.indexOf(f) !== i) out.push(duplicate(`spec.ipFamilies[${i}]`, f));
    });
  }
  asArray(spec.externalIPs).forEach((ip, i) => out.push(...invalidEach(`spec.externalIPs[${i}]`, ip, isValidIP(String(ip)))));
  if (!type) out.push(required('spec.type'));
  else if (!['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'].includes(type)) {
    out.push(notSupported('spec.type', type, ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort']));
  }
  if (type === 'ClusterIP') {
    ports.forEach((pt, i) => {
      if (asObj(pt).nodePort) out.push(forbidden(`spec.ports[${i}].nodePort`, "may not be used when `type` is 'ClusterIP'"));
    });
  }
  const nodePorts = new Set<string>();
  ports.forEach((pt, i) => {
    const port = asObj(pt);
    if (!port.nodePort) return;
    const key = `${port.protocol}/${port.nodePort}`;
    if (nodePorts.has(key)) out.push(duplicate(`spec.ports[${i}].nodePort`, port.nodePort));
    nodePorts.add(key);
  });
  const seen = new Set<string>();
  ports.forEach((pt, i) => {
    const port = asObj(pt);
    const key = `${port.protocol}/${port.port}`;
    if (seen.has(key)) out.push(duplicate(`spec.ports[${i}]`, goServicePortKey(port.protocol, port.port)));
    seen.add(key);
  });
  asArray(spec.loadBalancerSourceRanges).forEach((r, i) => {
    out.push(...invalidEach(`spec.loadBalancerSourceRanges[${i}]`, r, isValidCIDR(String(r).trim())));
  });
  if (!externallyAccessible) {
    if (spec.externalTrafficPolicy) out.push(invalid('spec.externalTrafficPolicy', spec.externalTrafficPolicy, 'may only be set for externally-accessible services'));
  } else {
    out.push(...enumField(spec.externalTrafficPolicy, 'spec.externalTrafficPolicy', ['Cluster', 'Local'], true));
  }
  if (spec.internalTrafficPolicy !== undefined && spec.internalTrafficPolicy !== null) {
    out.push(...enumField(spec.internalTrafficPolicy, 'spec.internalTrafficPolicy', ['Cluster', 'Local']));
  } else if (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer') {
    out.push(required('spec.internalTrafficPolicy'));
  }
  if (spec.healthCheckNodePort && !(type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local')) {
    out.push(invalid('spec.healthCheckNodePort', spec.healthCheckNodePort, 'may only be set when `type` is \'LoadBalancer\' and `externalTrafficPolicy` is \'Local\''));
  }
  if (old) out.push(...validateServiceUpdate(spec, asObj(old.spec)));
  return out;
}

function validateServiceUpdate(spec: Obj, oldSpec: Obj): Causes {
  const out: Causes = [];
  if (spec.type === 'ExternalName' || oldSpec.type === 'ExternalName') return out;
  if (isHeadless(spec) && isHeadless(oldSpec)) return out;
  const oldIPs = clusterIPsOf(oldSpec);
  let newIPs = clusterIPsOf(spec);
  // The real server carries an allocated IP over when an update leaves it out.
  if (newIPs.length === 0) newIPs = oldIPs;
  if (oldIPs.length === 0) return out;
  if (newIPs[0] !== oldIPs[0]) out.push(invalid('spec.clusterIPs[0]', goStrings(newIPs), 'may not change once set'));
  else if (newIPs.length === oldIPs.length && newIPs.length > 1 && newIPs[1] !== oldIPs[1]) {
    out.push(invalid('spec.clusterIPs[1]', goStrings(newIPs), 'may not change once set'));
  }
  return out;
}

// ---- Endpoints ------------------------------------------------------------------------------

export function validateEndpoints(obj: KubeObject): Causes {
  const out: Causes = [];
  asArray(obj.subsets).forEach((ss, i) => {
    const p = `subsets[${i}]`;
    const subset = asObj(ss);
    for (const k of ['addresses', 'notReadyAddresses']) {
      asArray(subset[k]).forEach((a, j) => {
        const ip = String(asObj(a).ip ?? '');
        out.push(...invalidEach(`${p}.${k}[${j}].ip`, ip, isValidIP(ip)));
      });
    }
    const ports = asArray(subset.ports);
    ports.forEach((pt, j) => {
      const pp = `${p}.ports[${j}]`;
      const port = asObj(pt);
      if (ports.length > 1 && !port.name) out.push(required(`${pp}.name`));
      else if (port.name) out.push(...invalidEach(`${pp}.name`, port.name, isDNS1123Label(String(port.name))));
      const n = typeof port.port === 'number' ? port.port : 0;
      out.push(...invalidEach(`${pp}.port`, n, isValidPortNum(n)));
      out.push(...enumField(port.protocol, `${pp}.protocol`, PORT_PROTOCOLS, true));
    });
  });
  return out;
}

// ---- PersistentVolumeClaim ------------------------------------------------------------------

export function validatePersistentVolumeClaim(obj: KubeObject, old?: KubeObject): Causes {
  const out = validatePersistentVolumeClaimSpec(obj.spec, 'spec');
  if (!old) return out;
  const spec = clone(asObj(obj.spec));
  const oldSpec = clone(asObj(old.spec));
  if (!oldSpec.volumeName) oldSpec.volumeName = spec.volumeName;
  // A claim may be given a storage class once, when it had none.
  if (!oldSpec.storageClassName && spec.storageClassName) oldSpec.storageClassName = spec.storageClassName;
  const phase = asObj(obj.status).phase ?? asObj(old.status).phase;
  const newReq = asObj(asObj(spec.resources).requests);
  const oldReq = asObj(asObj(oldSpec.resources).requests);
  if (phase === 'Bound' && isObj(asObj(spec.resources).requests)) {
    newReq.storage = oldReq.storage;
  }
  if (!deepEqual(spec, oldSpec)) {
    const diff = diffPaths(oldSpec, spec, 'spec');
    out.push(forbidden('spec', `spec is immutable after creation except resources.requests for bound claims\n${diff.join('\n')}`));
  }
  const newSize = parseQuantity(asObj(asObj(asObj(obj.spec).resources).requests).storage);
  const oldSize = parseQuantity(asObj(asObj(asObj(old.spec).resources).requests).storage);
  if (newSize && oldSize && compareQuantity(newSize, oldSize) < 0) {
    out.push(forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  }
  return out;
}

// ---- PersistentVolume -----------------------------------------------------------------------

const PV_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs',
  'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk',
  'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi',
];

function goResourceListKeys(list: unknown): GoRepr {
  if (!isObj(list)) return new GoRepr('core.ResourceList(nil)');
  return new GoRepr(`core.ResourceList{${Object.keys(list).sort().map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(list[k]))}`).join(', ')}}`);
}

export function validatePersistentVolume(obj: KubeObject, old?: KubeObject): Causes {
  const spec = asObj(obj.spec);
  const out: Causes = [];
  const modes = asArray(spec.accessModes);
  if (modes.length === 0) out.push(required('spec.accessModes'));
  for (const m of modes) if (!ACCESS_MODES.includes(m)) out.push(notSupported('spec.accessModes', m, ACCESS_MODES));
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) out.push(forbidden('spec.accessModes', 'may not use ReadWriteOncePod with other access modes'));
  const cap = asObj(spec.capacity);
  if (Object.keys(cap).length === 0) out.push(required('spec.capacity'));
  if (!('storage' in cap) || Object.keys(cap).length > 1) out.push(notSupported('spec.capacity', goResourceListKeys(spec.capacity), ['storage']));
  for (const [k, v] of Object.entries(cap)) {
    const f = `spec.capacity[${k}]`;
    const q = parseQuantity(v);
    if (!q) out.push(invalid(f, v, QUANTITY_PARSE_ERROR));
    else if (q.nanos <= 0n) out.push(invalid(f, String(v), 'must be greater than zero'));
  }
  if (spec.persistentVolumeReclaimPolicy) out.push(...enumField(spec.persistentVolumeReclaimPolicy, 'spec.persistentVolumeReclaimPolicy', ['Delete', 'Recycle', 'Retain']));
  if (spec.storageClassName) out.push(...invalidEach('spec.storageClassName', spec.storageClassName, isDNS1123Subdomain(String(spec.storageClassName))));
  out.push(...enumField(spec.volumeMode, 'spec.volumeMode', ['Block', 'Filesystem']));
  const present = PV_SOURCES.filter((k) => isObj(spec[k]));
  if (present.length === 0) out.push(required('spec', 'must specify a volume type'));
  present.slice(1).forEach((k) => out.push(forbidden(`spec.${k}`, 'may not specify more than 1 volume type')));
  const src = present.length ? asObj(spec[present[0]]) : {};
  switch (present[0]) {
    case 'hostPath':
      if (!src.path) out.push(required('spec.hostPath.path'));
      break;
    case 'local':
      if (!src.path) out.push(required('spec.local.path'));
      if (!isObj(spec.nodeAffinity)) out.push(required('spec.nodeAffinity', 'Local volume requires node affinity'));
      break;
    case 'nfs':
      if (!src.server) out.push(required('spec.nfs.server'));
      if (!src.path) out.push(required('spec.nfs.path'));
      else if (!String(src.path).startsWith('/')) out.push(invalid('spec.nfs.path', src.path, 'must be an absolute path'));
      break;
    case 'csi':
      if (!src.driver) out.push(required('spec.csi.driver'));
      if (!src.volumeHandle) out.push(required('spec.csi.volumeHandle'));
      break;
    default:
      break;
  }
  if (isObj(spec.claimRef) && spec.claimRef.name === '') out.push(required('spec.claimRef.name'));
  if (old) {
    const oldSpec = asObj(old.spec);
    const pick = (s: Obj): Obj => Object.fromEntries(PV_SOURCES.filter((k) => s[k] !== undefined).map((k) => [k, s[k]]));
    if (!deepEqual(pick(spec), pick(oldSpec))) {
      const diff = diffPaths(pick(oldSpec), pick(spec), 'spec');
      out.push(forbidden('spec.persistentvolumesource', `spec.persistentvolumesource is immutable after creation\n${diff.join('\n')}`));
    }
    if ((spec.volumeMode ?? null) !== (oldSpec.volumeMode ?? null)) out.push(invalid('volumeMode', spec.volumeMode ?? null, FIELD_IMMUTABLE));
    if (isObj(oldSpec.nodeAffinity) && !deepEqual(spec.nodeAffinity, oldSpec.nodeAffinity)) {
      out.push(invalid('nodeAffinity', JSON.stringify(spec.nodeAffinity ?? null), FIELD_IMMUTABLE));
    }
  }
  return out;
}

// ---- Namespace, Node ------------------------------------------------------------------------

const STANDARD_FINALIZERS = ['kubernetes', 'orphan', 'foregroundDeletion'];

export function validateNamespace(obj: KubeObject): Causes {
  const out: Causes = [];
  for (const f of asArray(asObj(obj.spec).finalizers)) {
    const name = String(f);
    const errs = isQualifiedName(name);
    if (errs.length) out.push(...invalidEach('spec.finalizers', name, errs));
    else if (!name.includes('/') && !STANDARD_FINALIZERS.includes(name)) {
      out.push(invalid('spec.finalizers', name, 'name is neither a standard finalizer name nor is it fully qualified'));
    }
  }
  return out;
}

function goTaint(t: Obj): GoRepr {
  const q = (v: unknown): string => JSON.stringify(String(v ?? ''));
  return new GoRepr(`core.Taint{Key:${q(t.key)}, Value:${q(t.value)}, Effect:${q(t.effect)}, TimeAdded:<nil>}`);
}

export function validateNode(obj: KubeObject, old?: KubeObject): Causes {
  const spec = asObj(obj.spec);
  const out: Causes = [];
  const cidrs = asArray(spec.podCIDRs);
  cidrs.forEach((c, i) => out.push(...invalidEach(`spec.podCIDRs[${i}]`, c, isValidCIDR(String(c)))));
  if (cidrs.length > 2) out.push(invalid('spec.podCIDRs', goStrings(cidrs.map(String)), 'may specify no more than one CIDR for each IP family'));
  if (spec.podCIDR) out.push(...invalidEach('spec.podCIDR', spec.podCIDR, isValidCIDR(String(spec.podCIDR))));
  const seen = new Set<string>();
  asArray(spec.taints).forEach((tt, i) => {
    const p = `spec.taints[${i}]`;
    const t = asObj(tt);
    out.push(...invalidEach(`${p}.key`, t.key ?? '', isQualifiedName(String(t.key ?? ''))));
    const verr = isValidLabelValue(String(t.value ?? ''));
    if (verr.length) out.push(invalid(`${p}.value`, String(t.value ?? ''), verr.join(';')));
    out.push(...validateTaintEffect(t.effect, false, `${p}.effect`));
    const key = `${t.effect}\u0000${t.key}`;
    if (seen.has(key)) {
      out.push({ reason: 'FieldValueDuplicate', field: p, message: `Duplicate value: ${goTaint(t).text}: taints must be unique by key and effect pair` });
    }
    seen.add(key);
  });
  if (old) {
    const oldSpec = asObj(old.spec);
    const oldCIDRs = asArray(oldSpec.podCIDRs);
    if (oldCIDRs.length > 0 && !deepEqual(oldCIDRs, cidrs)) {
      out.push(forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
    }
    if (oldSpec.providerID && oldSpec.providerID !== spec.providerID) {
      out.push(forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
    }
  }
  return out;
}

// ---- Secret, ConfigMap ----------------------------------------------------------------------

const base64Re = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function decodedLength(v: string): number {
  return Buffer.from(v, 'base64').length;
}

export function validateSecret(obj: KubeObject, old?: KubeObject): Causes {
  const out: Causes = [];
  const data = asObj(obj.data);
  let total = 0;
  for (const [key, value] of Object.entries(data)) {
    out.push(...invalidEach(`data[${key}]`, key, isConfigMapKey(key)));
    if (typeof value !== 'string' || !base64Re.test(value)) {
      out.push(invalid(`data[${key}]`, '<secret contents redacted>', 'illegal base64 data'));
      continue;
    }
    total += decodedLength(value);
  }
  if (total > MAX_SECRET_SIZE) out.push(tooLong('data', MAX_SECRET_SIZE));
  const decoded = (k: string): string | undefined => (typeof data[k] === 'string' ? Buffer.from(data[k], 'base64').toString('utf8') : undefined);
  const has = (k: string): boolean => Object.prototype.hasOwnProperty.call(data, k);
  switch (obj.type) {
    case 'kubernetes.io/service-account-token':
      if (!asObj(obj.metadata.annotations)['kubernetes.io/service-account.name']) {
        out.push(required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = obj.type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) {
        out.push(required(`data[${key}]`));
        break;
      }
      try {
        const parsed = JSON.parse(decoded(key) ?? '');
        if (!isObj(parsed)) throw new Error('json: cannot unmarshal into Go value of type map[string]interface {}');
      } catch (e) {
        out.push(invalid(`data[${key}]`, '<secret contents redacted>', (e as Error).message));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) out.push(required('data[username]'), required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (!decoded('ssh-privatekey')) out.push(required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) out.push(required('data[tls.crt]'));
      if (!has('tls.key')) out.push(required('data[tls.key]'));
      break;
    default:
      break;
  }
  if (old) {
    if ((obj.type ?? '') !== (old.type ?? '')) out.push(invalid('type', obj.type ?? '', FIELD_IMMUTABLE));
    if (old.immutable === true) {
      if (obj.immutable !== true) out.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
      if (!deepEqual(obj.data, old.data)) out.push(forbidden('data', 'field is immutable when `immutable` is set'));
    }
  }
  return out;
}

export function validateConfigMap(obj: KubeObject, old?: KubeObject): Causes {
  const out: Causes = [];
  let total = 0;
  const data = asObj(obj.data);
  for (const [key, value] of Object.entries(data)) {
    out.push(...invalidEach(`data[${key}]`, key, isConfigMapKey(key)));
    if (typeof value !== 'string') out.push(invalid(`data[${key}]`, value, 'must be a string'));
    else total += Buffer.byteLength(value);
  }
  for (const [key, value] of Object.entries(asObj(obj.binaryData))) {
    out.push(...invalidEach(`binaryData[${key}]`, key, isConfigMapKey(key)));
    if (Object.prototype.hasOwnProperty.call(data, key)) out.push(invalid(`binaryData[${key}]`, key, 'duplicate of key present in data'));
    if (typeof value !== 'string' || !base64Re.test(value)) out.push(invalid(`binaryData[${key}]`, '<binary data>', 'illegal base64 data'));
    else total += decodedLength(value);
  }
  if (total > MAX_SECRET_SIZE) out.push(tooLong('', MAX_SECRET_SIZE));
  if (old && old.immutable === true) {
    if (obj.immutable !== true) out.push(forbidden('immutable', 'field is immutable when `immutable` is set'));
    if (!deepEqual(obj.data, old.data)) out.push(forbidden('data', 'field is immutable when `immutable` is set'));
    if (!deepEqual(obj.binaryData, old.binaryData)) out.push(forbidden('binaryData', 'field is immutable when `immutable` is set'));
  }
  return out;
}

// ---- Event (core/v1 and events.k8s.io/v1) ---------------------------------------------------

export function validateEvent(obj: KubeObject, eventsGroup: boolean): Causes {
  const out: Causes = [];
  const ns = String(obj.metadata.namespace ?? '');
  const involvedField = eventsGroup ? 'regarding' : 'involvedObject';
  const involvedNs = String(asObj(eventsGroup ? obj.regarding : obj.involvedObject).namespace ?? '');
  const controllerField = eventsGroup ? 'reportingController' : 'reportingComponent';
  const controller = String(obj[controllerField] ?? '');
  const eventTime = obj.eventTime;
  if (!eventTime) {
    if (eventsGroup) out.push(required('eventTime'));
    if (!involvedNs) {
      if (ns !== '' && ns !== 'default') out.push(invalid(`${involvedField}.namespace`, involvedNs, 'does not match event.namespace'));
    } else if (ns !== involvedNs) {
      out.push(invalid(`${involvedField}.namespace`, involvedNs, 'does not match event.namespace'));
    }
  } else {
    if (!involvedNs && ns !== 'default' && ns !== 'kube-system') out.push(invalid(`${involvedField}.namespace`, involvedNs, 'does not match event.namespace'));
    if (!controller) out.push(required(controllerField));
    out.push(...invalidEach(controllerField, controller, isQualifiedName(controller)));
    const inst = String(obj.reportingInstance ?? '');
    if (!inst) out.push(required('reportingInstance'));
    if (inst.length > 128) out.push(invalid('reportingInstance', '', 'can have at most 128 characters'));
    const action = String(obj.action ?? '');
    if (!action) out.push(required('action'));
    if (action.length > 128) out.push(invalid('action', '', 'can have at most 128 characters'));
    const reason = String(obj.reason ?? '');
    if (!reason) out.push(required('reason'));
    if (reason.length > 128) out.push(invalid('reason', '', 'can have at most 128 characters'));
    const noteField = eventsGroup ? 'note' : 'message';
    if (String(obj[noteField] ?? '').length > 1024) out.push(invalid(noteField, '', 'can have at most 1024 characters'));
  }
  if (eventsGroup && obj.type && !['Normal', 'Warning'].includes(obj.type)) out.push(invalid('type', '', `has invalid value: ${obj.type}`));
  out.push(...invalidEach('namespace', ns, isDNS1123Subdomain(ns)));
  return out;
}

// ---- ResourceQuota, LimitRange --------------------------------------------------------------

function validateResourceList(list: unknown, field: string): Causes {
  const out: Causes = [];
  for (const [k, v] of Object.entries(asObj(list))) {
    const f = `${field}[${k}]`;
    out.push(...invalidEach(f, k, isQualifiedName(k)));
    out.push(...validateQuantityValue(k, v, f));
  }
  return out;
}

export function validateResourceQuota(obj: KubeObject): Causes {
  const spec = asObj(obj.spec);
  const out = validateResourceList(spec.hard, 'spec.hard');
  const scopes = ['BestEffort', 'CrossNamespacePodAffinity', 'NotBestEffort', 'NotTerminating', 'PriorityClass', 'Terminating', 'VolumeAttributesClass'];
  asArray(spec.scopes).forEach((s) => {
    if (!scopes.includes(s)) out.push(notSupported('spec.scopes', s, scopes));
  });
  if (isObj(spec.scopeSelector)) {
    asArray(spec.scopeSelector.matchExpressions).forEach((e, i) => {
      const p = `spec.scopeSelector.matchExpressions[${i}]`;
      const ex = asObj(e);
      if (!scopes.includes(ex.scopeName)) out.push(notSupported(`${p}.scopeName`, ex.scopeName ?? '', scopes));
      out.push(...enumField(ex.operator, `${p}.operator`, ['DoesNotExist', 'Exists', 'In', 'NotIn'], true));
    });
  }
  return out;
}

export function validateLimitRange(obj: KubeObject): Causes {
  const out: Causes = [];
  asArray(asObj(obj.spec).limits).forEach((l, i) => {
    const p = `spec.limits[${i}]`;
    const item = asObj(l);
    out.push(...enumField(item.type, `${p}.type`, ['Container', 'PersistentVolumeClaim', 'Pod'], true));
    for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) out.push(...validateResourceList(item[k], `${p}.${k}`));
    for (const [res, minV] of Object.entries(asObj(item.min))) {
      const mx = parseQuantity(asObj(item.max)[res]);
      const mn = parseQuantity(minV);
      if (mx && mn && compareQuantity(mn, mx) > 0) {
        out.push(invalid(`${p}.min[${res}]`, String(minV), `min value ${String(minV)} is greater than max value ${String(asObj(item.max)[res])}`));
      }
    }
  });
  return out;
}

export function validateServiceAccount(_obj: KubeObject): Causes {
  return [];
}

