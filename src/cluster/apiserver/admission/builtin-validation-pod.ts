/**
 * Pod spec and pod template validation (core/v1), shared by Pods, PodTemplates and every workload
 * that embeds a pod template. Field paths and messages follow kube-apiserver v1.32.
 */
import {
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isQualifiedName,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  inclusiveRangeError,
  validateAnnotations,
  validateLabels,
} from './names.ts';
import { compareQuantity, parseQuantity, QUANTITY_PARSE_ERROR } from '../../core/quantity.ts';
import {
  asArray,
  asObj,
  type Causes,
  clone,
  deepEqual,
  diffPaths,
  duplicate,
  enumField,
  forbidden,
  GoRepr,
  invalid,
  invalidEach,
  isObj,
  nonNegative,
  notFound,
  notSupported,
  type Obj,
  required,
  validateLabelSelector,
} from './builtin-validation-util.ts';

const MAX_INT32 = 2147483647;
export const PORT_PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
export const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const FIELD_REF_PATHS = [
  'metadata.name',
  'metadata.namespace',
  'metadata.uid',
  'spec.nodeName',
  'spec.serviceAccountName',
  'status.hostIP',
  'status.hostIPs',
  'status.podIP',
  'status.podIPs',
];
const RESOURCE_FIELD_REFS = [
  'limits.cpu',
  'limits.ephemeral-storage',
  'limits.memory',
  'requests.cpu',
  'requests.ephemeral-storage',
  'requests.memory',
];
const HOST_PATH_TYPES = ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'];
export const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

/** Keys of a volume (or PV) that name a volume source. */
const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

export interface PodSpecOptions {
  /** Names that volumeMounts may refer to besides spec.volumes (a StatefulSet's volumeClaimTemplates). */
  extraVolumeNames?: string[];
}

// ---- resources ------------------------------------------------------------------------------

function isHugePages(name: string): boolean {
  return name.startsWith('hugepages-');
}

function isStandardContainerResource(name: string): boolean {
  return name === 'cpu' || name === 'memory' || name === 'ephemeral-storage' || isHugePages(name);
}

/** Native resources have no domain, or a kubernetes.io one; the rest are "extended" resources. */
function isNativeResource(name: string): boolean {
  return !name.includes('/') || name.includes('kubernetes.io/');
}

/** Extended and hugepages resources cannot be overcommitted: request must equal limit. */
function overcommitAllowed(name: string): boolean {
  return isNativeResource(name) && !isHugePages(name);
}

function validateResourceName(name: string, field: string, forContainer: boolean): Causes {
  const out = invalidEach(field, name, isQualifiedName(name));
  if (out.length) return out;
  if (forContainer && !name.includes('/') && !isStandardContainerResource(name)) {
    out.push(invalid(field, name, 'must be a standard resource for containers'));
  }
  return out;
}

/** A quantity that must parse and be >= 0 (and whole, for extended resources counted in units). */
export function validateQuantityValue(resource: string, value: unknown, field: string): Causes {
  const q = parseQuantity(value);
  if (!q) return [invalid(field, value, QUANTITY_PARSE_ERROR)];
  if (q.nanos < 0n) return [invalid(field, String(value), 'must be greater than or equal to 0')];
  if (!isNativeResource(resource) && q.nanos % 1_000_000_000n !== 0n) return [invalid(field, String(value), 'must be an integer')];
  return [];
}

export function validateResourceRequirements(res: unknown, field: string): Causes {
  const out: Causes = [];
  if (res === undefined || res === null) return out;
  const r = asObj(res);
  const limits = asObj(r.limits);
  const requests = asObj(r.requests);
  for (const [name, v] of Object.entries(limits)) {
    const f = `${field}.limits[${name}]`;
    out.push(...validateResourceName(name, f, true), ...validateQuantityValue(name, v, f));
  }
  for (const [name, v] of Object.entries(requests)) {
    const f = `${field}.requests[${name}]`;
    out.push(...validateResourceName(name, f, true), ...validateQuantityValue(name, v, f));
    const req = parseQuantity(v);
    if (name in limits) {
      const lim = parseQuantity(limits[name]);
      if (!req || !lim) continue;
      const cmp = compareQuantity(req, lim);
      if (cmp !== 0 && !overcommitAllowed(name)) {
        out.push(invalid(`${field}.requests`, String(v), `must be equal to ${name} limit of ${String(limits[name])}`));
      } else if (cmp > 0) {
        out.push(invalid(`${field}.requests`, String(v), `must be less than or equal to ${name} limit of ${String(limits[name])}`));
      }
    } else if (!overcommitAllowed(name)) {
      out.push(required(`${field}.limits`, 'Limit must be set for non overcommitable resources'));
    }
  }
  return out;
}

// ---- volumes --------------------------------------------------------------------------------

function validateLocalDescendingPath(p: unknown, field: string): Causes {
  const s = String(p ?? '');
  const out: Causes = [];
  if (s.startsWith('/')) out.push(invalid(field, s, 'must be a relative path'));
  if (s.split('/').includes('..')) out.push(invalid(field, s, "must not contain '..'"));
  return out;
}

function validateFileMode(mode: unknown, field: string): Causes {
  if (mode === undefined || mode === null) return [];
  if (typeof mode !== 'number' || !Number.isInteger(mode) || mode < 0 || mode > 0o777) {
    return [invalid(field, mode, 'must be a number between 0 and 0777 (octal), both inclusive')];
  }
  return [];
}

function validateKeyToPaths(items: unknown, field: string): Causes {
  const out: Causes = [];
  asArray(items).forEach((it, i) => {
    const p = `${field}[${i}]`;
    const item = asObj(it);
    if (!item.key) out.push(required(`${p}.key`));
    if (!item.path) out.push(required(`${p}.path`));
    else out.push(...validateLocalDescendingPath(item.path, `${p}.path`));
    out.push(...validateFileMode(item.mode, `${p}.mode`));
  });
  return out;
}

function validateObjectFieldSelector(ref: Obj, field: string, allowed: string[]): Causes {
  const out: Causes = [];
  if (!ref.apiVersion) out.push(required(`${field}.apiVersion`));
  if (!ref.fieldPath) {
    out.push(required(`${field}.fieldPath`));
    return out;
  }
  const fp = String(ref.fieldPath);
  const sub = /^metadata\.(labels|annotations)\['(.*)'\]$/.exec(fp);
  if (sub) {
    const key = sub[2];
    if (sub[1] === 'labels') out.push(...invalidEach(`${field}.fieldPath`, key, isQualifiedName(key)));
    else out.push(...invalidEach(`${field}.fieldPath`, key, isQualifiedName(key.toLowerCase())));
  } else if (!allowed.includes(fp)) {
    out.push(notSupported(`${field}.fieldPath`, fp, allowed));
  }
  return out;
}

function validateDownwardAPIItems(items: unknown, field: string): Causes {
  const out: Causes = [];
  asArray(items).forEach((it, i) => {
    const p = `${field}[${i}]`;
    const item = asObj(it);
    if (!item.path) out.push(required(`${p}.path`));
    else out.push(...validateLocalDescendingPath(item.path, `${p}.path`));
    out.push(...validateFileMode(item.mode, `${p}.mode`));
    const hasField = isObj(item.fieldRef);
    const hasRes = isObj(item.resourceFieldRef);
    if (hasField && hasRes) out.push(invalid(p, '', 'fieldRef and resourceFieldRef can not be specified simultaneously'));
    else if (!hasField && !hasRes) out.push(required(p, 'one of fieldRef and resourceFieldRef is required'));
    if (hasField) {
      out.push(...validateObjectFieldSelector(item.fieldRef, `${p}.fieldRef`, ['metadata.name', 'metadata.namespace', 'metadata.labels', 'metadata.annotations', 'metadata.uid']));
    }
  });
  return out;
}

/** The volume-source part of a pod volume; `field` is `spec.volumes[i]`. */
function validateVolumeSource(vol: Obj, field: string): Causes {
  const out: Causes = [];
  const present = VOLUME_SOURCES.filter((k) => vol[k] !== undefined && vol[k] !== null);
  if (present.length === 0) return [required(field, 'must specify a volume type')];
  present.slice(1).forEach((k) => out.push(forbidden(`${field}.${k}`, 'may not specify more than 1 volume type')));
  const k = present[0];
  const src = asObj(vol[k]);
  const p = `${field}.${k}`;
  switch (k) {
    case 'hostPath':
      if (!src.path) out.push(required(`${p}.path`));
      else if (String(src.path).split('/').includes('..')) out.push(invalid(`${p}.path`, src.path, "must not contain '..'"));
      if (src.type !== undefined && src.type !== null && !HOST_PATH_TYPES.includes(src.type)) out.push(notSupported(`${p}.type`, src.type, HOST_PATH_TYPES));
      break;
    case 'secret':
      if (!src.secretName) out.push(required(`${p}.secretName`));
      out.push(...validateFileMode(src.defaultMode, `${p}.defaultMode`), ...validateKeyToPaths(src.items, `${p}.items`));
      break;
    case 'configMap':
      if (!src.name) out.push(required(`${p}.name`));
      out.push(...validateFileMode(src.defaultMode, `${p}.defaultMode`), ...validateKeyToPaths(src.items, `${p}.items`));
      break;
    case 'persistentVolumeClaim':
      if (!src.claimName) out.push(required(`${p}.claimName`));
      break;
    case 'emptyDir':
      if (src.medium !== undefined && !['', 'Memory', 'HugePages'].includes(src.medium) && !String(src.medium).startsWith('HugePages-')) {
        out.push(notSupported(`${p}.medium`, src.medium, ['', 'Memory', 'HugePages']));
      }
      if (src.sizeLimit !== undefined) {
        const q = parseQuantity(src.sizeLimit);
        if (!q) out.push(invalid(`${p}.sizeLimit`, src.sizeLimit, QUANTITY_PARSE_ERROR));
        else if (q.nanos <= 0n) out.push(forbidden(`${p}.sizeLimit`, 'SizeLimit field must be a valid resource quantity'));
      }
      break;
    case 'nfs':
      if (!src.server) out.push(required(`${p}.server`));
      if (!src.path) out.push(required(`${p}.path`));
      else if (!String(src.path).startsWith('/')) out.push(invalid(`${p}.path`, src.path, 'must be an absolute path'));
      break;
    case 'downwardAPI':
      out.push(...validateFileMode(src.defaultMode, `${p}.defaultMode`), ...validateDownwardAPIItems(src.items, `${p}.items`));
      break;
    case 'projected':
      out.push(...validateFileMode(src.defaultMode, `${p}.defaultMode`));
      asArray(src.sources).forEach((s, i) => {
        const sp = `${p}.sources[${i}]`;
        const so = asObj(s);
        const kinds = ['secret', 'downwardAPI', 'configMap', 'serviceAccountToken', 'clusterTrustBundle'].filter((x) => isObj(so[x]));
        if (kinds.length === 0) out.push(required(sp, 'must specify exactly 1 volume type'));
        kinds.slice(1).forEach((x) => out.push(forbidden(`${sp}.${x}`, 'may not specify more than 1 volume type per source')));
        if (isObj(so.secret)) out.push(...validateKeyToPaths(so.secret.items, `${sp}.secret.items`));
        if (isObj(so.configMap)) out.push(...validateKeyToPaths(so.configMap.items, `${sp}.configMap.items`));
        if (isObj(so.downwardAPI)) out.push(...validateDownwardAPIItems(so.downwardAPI.items, `${sp}.downwardAPI.items`));
        if (isObj(so.serviceAccountToken)) {
          const t = so.serviceAccountToken;
          if (!t.path) out.push(required(`${sp}.serviceAccountToken.path`));
          if (typeof t.expirationSeconds === 'number') {
            if (t.expirationSeconds < 600) out.push(invalid(`${sp}.serviceAccountToken.expirationSeconds`, t.expirationSeconds, 'may not specify a duration less than 10 minutes'));
            else if (t.expirationSeconds > 4294967296) out.push(invalid(`${sp}.serviceAccountToken.expirationSeconds`, t.expirationSeconds, 'may not specify a duration larger than 2^32 seconds'));
          }
        }
      });
      break;
    case 'csi':
      if (!src.driver) out.push(required(`${p}.driver`));
      break;
    case 'ephemeral':
      if (!isObj(src.volumeClaimTemplate)) out.push(required(`${p}.volumeClaimTemplate`));
      else out.push(...validatePersistentVolumeClaimSpec(src.volumeClaimTemplate.spec, `${p}.volumeClaimTemplate.spec`));
      break;
    case 'image':
      if (!src.reference) out.push(required(`${p}.reference`));
      break;
    default:
      break;
  }
  return out;
}

function validateVolumes(volumes: unknown, field: string): { causes: Causes; names: Set<string> } {
  const causes: Causes = [];
  const names = new Set<string>();
  asArray(volumes).forEach((v, i) => {
    const vol = asObj(v);
    const p = `${field}[${i}]`;
    const errs = validateVolumeSource(vol, p);
    if (!vol.name) errs.push(required(`${p}.name`));
    else errs.push(...invalidEach(`${p}.name`, vol.name, isDNS1123Label(String(vol.name))));
    if (vol.name && names.has(vol.name)) errs.push(duplicate(`${p}.name`, vol.name));
    if (errs.length === 0) names.add(vol.name);
    causes.push(...errs);
  });
  return { causes, names };
}

// ---- PVC spec (also used by ephemeral volumes) ----------------------------------------------

export function validatePersistentVolumeClaimSpec(specIn: unknown, field: string): Causes {
  const out: Causes = [];
  const spec = asObj(specIn);
  const modes = asArray(spec.accessModes);
  if (modes.length === 0) out.push(required(`${field}.accessModes`, 'at least 1 access mode is required'));
  for (const m of modes) if (!ACCESS_MODES.includes(m)) out.push(notSupported(`${field}.accessModes`, m, ACCESS_MODES));
  if (modes.includes('ReadWriteOncePod') && modes.length > 1) {
    out.push(forbidden(`${field}.accessModes`, 'may not use ReadWriteOncePod with other access modes'));
  }
  out.push(...validateLabelSelector(spec.selector, `${field}.selector`));
  const requests = asObj(asObj(spec.resources).requests);
  const storagePath = `${field}.resources[storage]`;
  if (!('storage' in requests)) {
    out.push(required(storagePath));
  } else {
    const q = parseQuantity(requests.storage);
    if (!q) out.push(invalid(storagePath, requests.storage, QUANTITY_PARSE_ERROR));
    else if (q.nanos <= 0n) out.push(invalid(storagePath, String(requests.storage), 'must be greater than zero'));
  }
  if (spec.storageClassName) out.push(...invalidEach(`${field}.storageClassName`, spec.storageClassName, isDNS1123Subdomain(String(spec.storageClassName))));
  out.push(...enumField(spec.volumeMode, `${field}.volumeMode`, ['Block', 'Filesystem']));
  for (const key of ['dataSource', 'dataSourceRef']) {
    if (isObj(spec[key])) {
      const ds = spec[key];
      if (!ds.name) out.push(required(`${field}.${key}.name`));
      if (!ds.kind) out.push(required(`${field}.${key}.kind`));
    }
  }
  return out;
}


// ---- containers -----------------------------------------------------------------------------

function validatePortNumOrName(port: unknown, field: string): Causes {
  if (typeof port === 'string') return invalidEach(field, port, isValidPortName(port));
  const n = typeof port === 'number' ? port : 0;
  return invalidEach(field, n, isValidPortNum(n));
}

function validateHandler(h: Obj, field: string, allowSleep: boolean): Causes {
  const out: Causes = [];
  let n = 0;
  const kinds = ['exec', 'httpGet', 'tcpSocket', 'grpc', ...(allowSleep ? ['sleep'] : [])];
  for (const k of kinds) {
    if (!isObj(h[k])) continue;
    if (n > 0) {
      out.push(forbidden(`${field}.${k}`, 'may not specify more than 1 handler type'));
      continue;
    }
    n++;
    const a = h[k];
    const p = `${field}.${k}`;
    if (k === 'exec' && asArray(a.command).length === 0) out.push(required(`${p}.command`));
    if (k === 'httpGet') {
      if (!a.path) out.push(required(`${p}.path`));
      out.push(...validatePortNumOrName(a.port, `${p}.port`));
      out.push(...enumField(a.scheme, `${p}.scheme`, ['HTTP', 'HTTPS']));
      asArray(a.httpHeaders).forEach((hd, i) => {
        const name = String(asObj(hd).name ?? '');
        if (!/^[-A-Za-z0-9!#$%&'*+.^_`|~]+$/.test(name)) {
          out.push(invalid(`${p}.httpHeaders[${i}].name`, name, "a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"));
        }
      });
    }
    if (k === 'tcpSocket') out.push(...validatePortNumOrName(a.port, `${p}.port`));
    if (k === 'grpc') {
      const port = typeof a.port === 'number' ? a.port : 0;
      out.push(...invalidEach(`${p}.port`, port, isValidPortNum(port)));
    }
    if (k === 'sleep' && typeof a.seconds === 'number' && a.seconds < 0) out.push(invalid(`${p}.seconds`, a.seconds, 'must be greater than or equal to 0'));
  }
  if (n === 0) out.push(required(field, 'must specify a handler type'));
  return out;
}

function validateProbe(probe: unknown, field: string, mustSucceedOnce: boolean): Causes {
  if (!isObj(probe)) return [];
  const out = validateHandler(probe, field, false);
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    out.push(...nonNegative(probe[k], `${field}.${k}`));
  }
  if (typeof probe.terminationGracePeriodSeconds === 'number' && probe.terminationGracePeriodSeconds <= 0) {
    out.push(invalid(`${field}.terminationGracePeriodSeconds`, probe.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  if (mustSucceedOnce && typeof probe.successThreshold === 'number' && probe.successThreshold !== 1) {
    out.push(invalid(`${field}.successThreshold`, probe.successThreshold, 'must be 1'));
  }
  return out;
}

function validateLifecycle(lc: unknown, field: string): Causes {
  if (!isObj(lc)) return [];
  const out: Causes = [];
  for (const k of ['postStart', 'preStop']) if (isObj(lc[k])) out.push(...validateHandler(lc[k], `${field}.${k}`, true));
  return out;
}

function validateContainerPorts(ports: unknown, field: string): Causes {
  const out: Causes = [];
  const names = new Set<string>();
  asArray(ports).forEach((pt, i) => {
    const p = `${field}[${i}]`;
    const port = asObj(pt);
    if (port.name) {
      const msgs = isValidPortName(String(port.name));
      if (msgs.length) out.push(...invalidEach(`${p}.name`, port.name, msgs));
      else if (names.has(port.name)) out.push(duplicate(`${p}.name`, port.name));
      else names.add(port.name);
    }
    if (!port.containerPort) out.push(required(`${p}.containerPort`));
    else out.push(...invalidEach(`${p}.containerPort`, port.containerPort, isValidPortNum(port.containerPort)));
    if (port.hostPort) out.push(...invalidEach(`${p}.hostPort`, port.hostPort, isValidPortNum(port.hostPort)));
    out.push(...enumField(port.protocol, `${p}.protocol`, PORT_PROTOCOLS, true));
    if (port.hostIP) out.push(...invalidEach(`${p}.hostIP`, port.hostIP, isValidIP(String(port.hostIP))));
  });
  return out;
}

function validateEnv(env: unknown, field: string): Causes {
  const out: Causes = [];
  asArray(env).forEach((e, i) => {
    const p = `${field}[${i}]`;
    const ev = asObj(e);
    if (!ev.name) out.push(required(`${p}.name`));
    else out.push(...invalidEach(`${p}.name`, ev.name, isEnvVarName(String(ev.name))));
    if (!isObj(ev.valueFrom)) return;
    const vf = ev.valueFrom;
    const vp = `${p}.valueFrom`;
    let n = 0;
    if (isObj(vf.fieldRef)) {
      n++;
      out.push(...validateObjectFieldSelector(vf.fieldRef, `${vp}.fieldRef`, FIELD_REF_PATHS));
    }
    if (isObj(vf.resourceFieldRef)) {
      n++;
      const r = vf.resourceFieldRef;
      if (!r.resource) out.push(required(`${vp}.resourceFieldRef.resource`));
      else if (!RESOURCE_FIELD_REFS.includes(r.resource) && !/^(limits|requests)\.hugepages-/.test(r.resource)) {
        out.push(notSupported(`${vp}.resourceFieldRef.resource`, r.resource, RESOURCE_FIELD_REFS));
      }
    }
    for (const k of ['configMapKeyRef', 'secretKeyRef']) {
      if (!isObj(vf[k])) continue;
      n++;
      const ref = vf[k];
      if (!ref.key) out.push(required(`${vp}.${k}.key`));
      else out.push(...invalidEach(`${vp}.${k}.key`, ref.key, isConfigMapKey(String(ref.key))));
      if (!ref.name) out.push(required(`${vp}.${k}.name`));
    }
    if (ev.value && n !== 0) out.push(invalid(vp, '', 'may not be specified when `value` is not empty'));
    else if (n === 0) out.push(invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    else if (n > 1) out.push(invalid(vp, '', 'may not have more than one field specified at a time'));
  });
  return out;
}

function validateEnvFrom(envFrom: unknown, field: string): Causes {
  const out: Causes = [];
  asArray(envFrom).forEach((e, i) => {
    const p = `${field}[${i}]`;
    const ef = asObj(e);
    if (ef.prefix) out.push(...invalidEach(`${p}.prefix`, ef.prefix, isEnvVarName(String(ef.prefix))));
    const kinds = ['configMapRef', 'secretRef'].filter((k) => isObj(ef[k]));
    if (kinds.length === 0) out.push(invalid(p, '', 'must specify one of: `configMapRef` or `secretRef`'));
    else if (kinds.length > 1) out.push(invalid(p, '', 'may not have more than one field specified at a time'));
    for (const k of kinds) if (!ef[k].name) out.push(required(`${p}.${k}.name`));
  });
  return out;
}

function validateVolumeMounts(mounts: unknown, volumes: Set<string>, field: string): Causes {
  const out: Causes = [];
  const seen = new Set<string>();
  asArray(mounts).forEach((m, i) => {
    const p = `${field}[${i}]`;
    const mnt = asObj(m);
    if (!mnt.name) out.push(required(`${p}.name`));
    if (!volumes.has(mnt.name)) out.push(notFound(`${p}.name`, mnt.name ?? ''));
    if (!mnt.mountPath) out.push(required(`${p}.mountPath`));
    if (seen.has(mnt.mountPath)) out.push(invalid(`${p}.mountPath`, mnt.mountPath, 'must be unique'));
    seen.add(mnt.mountPath);
    if (mnt.subPath) out.push(...validateLocalDescendingPath(mnt.subPath, `${field}.subPath`));
    if (mnt.subPath && mnt.subPathExpr) out.push(invalid(`${p}.subPathExpr`, mnt.subPathExpr, 'subPathExpr and subPath are mutually exclusive'));
    if (mnt.mountPropagation !== undefined) out.push(...enumField(mnt.mountPropagation, `${p}.mountPropagation`, ['Bidirectional', 'HostToContainer', 'None']));
  });
  return out;
}

function validateContainerCommon(ctr: Obj, volumes: Set<string>, p: string): Causes {
  const out: Causes = [];
  if (!ctr.name) out.push(required(`${p}.name`));
  else out.push(...invalidEach(`${p}.name`, ctr.name, isDNS1123Label(String(ctr.name))));
  if (!ctr.image) out.push(required(`${p}.image`));
  else if (String(ctr.image).trim() !== ctr.image) out.push(invalid(`${p}.image`, ctr.image, 'must not have leading or trailing whitespace'));
  out.push(...validateContainerPorts(ctr.ports, `${p}.ports`));
  out.push(...validateEnv(ctr.env, `${p}.env`));
  out.push(...validateEnvFrom(ctr.envFrom, `${p}.envFrom`));
  out.push(...validateVolumeMounts(ctr.volumeMounts, volumes, `${p}.volumeMounts`));
  out.push(...enumField(ctr.imagePullPolicy, `${p}.imagePullPolicy`, PULL_POLICIES, true));
  out.push(...validateResourceRequirements(ctr.resources, `${p}.resources`));
  if (ctr.terminationMessagePolicy === undefined || ctr.terminationMessagePolicy === '') {
    out.push(required(`${p}.terminationMessagePolicy`, "must be 'File' or 'FallbackToLogsOnError'"));
  } else {
    out.push(...enumField(ctr.terminationMessagePolicy, `${p}.terminationMessagePolicy`, TERMINATION_MESSAGE_POLICIES));
  }
  const sc = asObj(ctr.securityContext);
  for (const k of ['runAsUser', 'runAsGroup']) {
    if (typeof sc[k] === 'number' && (sc[k] < 0 || sc[k] > MAX_INT32)) {
      out.push(invalid(`${p}.securityContext.${k}`, sc[k], inclusiveRangeError(0, MAX_INT32)));
    }
  }
  return out;
}

function validateContainers(containers: unknown, volumes: Set<string>, field: string, names: Set<string>): Causes {
  const out: Causes = [];
  const list = asArray(containers);
  if (list.length === 0) out.push(required(field));
  list.forEach((c, i) => {
    const p = `${field}[${i}]`;
    const ctr = asObj(c);
    out.push(...validateContainerCommon(ctr, volumes, p));
    if (ctr.name && names.has(ctr.name)) out.push(duplicate(`${p}.name`, ctr.name));
    else names.add(ctr.name);
    out.push(...validateLifecycle(ctr.lifecycle, `${p}.lifecycle`));
    out.push(...validateProbe(ctr.livenessProbe, `${p}.livenessProbe`, true));
    out.push(...validateProbe(ctr.readinessProbe, `${p}.readinessProbe`, false));
    out.push(...validateProbe(ctr.startupProbe, `${p}.startupProbe`, true));
    if (ctr.restartPolicy !== undefined && ctr.restartPolicy !== null) {
      out.push(forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
    }
  });
  return out;
}

function validateInitContainers(containers: unknown, volumes: Set<string>, field: string, names: Set<string>): Causes {
  const out: Causes = [];
  asArray(containers).forEach((c, i) => {
    const p = `${field}[${i}]`;
    const ctr = asObj(c);
    out.push(...validateContainerCommon(ctr, volumes, p));
    if (ctr.name && names.has(ctr.name)) out.push(duplicate(`${p}.name`, ctr.name));
    else names.add(ctr.name);
    const sidecar = ctr.restartPolicy === 'Always';
    if (ctr.restartPolicy !== undefined && ctr.restartPolicy !== null && !sidecar) {
      out.push(notSupported(`${p}.restartPolicy`, ctr.restartPolicy, ['Always']));
    }
    if (sidecar) {
      out.push(...validateLifecycle(ctr.lifecycle, `${p}.lifecycle`));
      out.push(...validateProbe(ctr.livenessProbe, `${p}.livenessProbe`, true));
      out.push(...validateProbe(ctr.readinessProbe, `${p}.readinessProbe`, false));
      out.push(...validateProbe(ctr.startupProbe, `${p}.startupProbe`, true));
    } else {
      for (const k of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe']) {
        if (ctr[k] !== undefined && ctr[k] !== null) out.push(forbidden(`${p}.${k}`, 'may not be set for init containers without restartPolicy=Always'));
      }
    }
  });
  return out;
}

// ---- tolerations, DNS, misc -----------------------------------------------------------------

function goToleration(t: Obj): GoRepr {
  const secs = typeof t.tolerationSeconds === 'number' ? `(*int64)(${t.tolerationSeconds})` : '(*int64)(nil)';
  const q = (v: unknown): string => JSON.stringify(String(v ?? ''));
  return new GoRepr(`core.Toleration{Key:${q(t.key)}, Operator:${q(t.operator)}, Value:${q(t.value)}, Effect:${q(t.effect)}, TolerationSeconds:${secs}}`);
}

export function validateTaintEffect(effect: unknown, allowEmpty: boolean, field: string): Causes {
  if (effect === undefined || effect === null || effect === '') return allowEmpty ? [] : [required(field)];
  return TAINT_EFFECTS.includes(effect as string) ? [] : [notSupported(field, effect, TAINT_EFFECTS)];
}

export function validateTolerations(tolerations: unknown, field: string): Causes {
  const out: Causes = [];
  asArray(tolerations).forEach((tol, i) => {
    const p = `${field}[${i}]`;
    const t = asObj(tol);
    const key = String(t.key ?? '');
    if (key) out.push(...invalidEach(`${p}.key`, key, isQualifiedName(key)));
    if (!key && t.operator !== 'Exists') {
      out.push(invalid(`${p}.operator`, t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute') {
      out.push(invalid(`${p}.effect`, t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    }
    const op = t.operator ?? '';
    if (op === 'Equal' || op === '') {
      const errs = isValidLabelValue(String(t.value ?? ''));
      if (errs.length) out.push(invalid(`${p}.operator`, String(t.value ?? ''), errs.join(';')));
    } else if (op === 'Exists') {
      if (t.value) out.push(invalid(`${p}.operator`, goToleration(t), "value must be empty when `operator` is 'Exists'"));
    } else {
      out.push(notSupported(`${p}.operator`, op, ['Equal', 'Exists']));
    }
    if (t.effect) out.push(...validateTaintEffect(t.effect, true, `${p}.effect`));
  });
  return out;
}

function validateDNSConfig(cfg: unknown, dnsPolicy: unknown, field: string): Causes {
  const out: Causes = [];
  if (dnsPolicy === 'None' && !isObj(cfg)) return [required(field, 'must provide `dnsConfig` when `dnsPolicy` is None')];
  if (!isObj(cfg)) return out;
  const ns = asArray(cfg.nameservers);
  if (dnsPolicy === 'None' && ns.length === 0) out.push(required(`${field}.nameservers`, 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
  if (ns.length > 3) out.push(invalid(`${field}.nameservers`, new GoRepr(`[]string{${ns.map((s) => JSON.stringify(String(s))).join(', ')}}`), 'must not have more than 3 nameservers'));
  ns.forEach((n, i) => out.push(...invalidEach(`${field}.nameservers[${i}]`, n, isValidIP(String(n)))));
  asArray(cfg.searches).forEach((s, i) => out.push(...invalidEach(`${field}.searches[${i}]`, s, isDNS1123Subdomain(String(s).replace(/\.$/, '')))));
  asArray(cfg.options).forEach((o, i) => {
    if (!asObj(o).name) out.push(required(`${field}.options[${i}]`, 'Option.Name must not be empty'));
  });
  return out;
}

function validateTopologySpread(constraints: unknown, field: string): Causes {
  const out: Causes = [];
  const seen = new Set<string>();
  asArray(constraints).forEach((c, i) => {
    const p = `${field}[${i}]`;
    const tsc = asObj(c);
    if (typeof tsc.maxSkew !== 'number' || tsc.maxSkew <= 0) out.push(invalid(`${p}.maxSkew`, tsc.maxSkew ?? 0, 'must be greater than zero'));
    if (!tsc.topologyKey) out.push(required(`${p}.topologyKey`, 'can not be empty'));
    else out.push(...invalidEach(`${p}.topologyKey`, tsc.topologyKey, isQualifiedName(String(tsc.topologyKey))));
    if (!tsc.whenUnsatisfiable) out.push(required(`${p}.whenUnsatisfiable`));
    else out.push(...enumField(tsc.whenUnsatisfiable, `${p}.whenUnsatisfiable`, ['DoNotSchedule', 'ScheduleAnyway']));
    const key = `${tsc.topologyKey}/${tsc.whenUnsatisfiable}`;
    if (seen.has(key)) out.push(duplicate(`${p}.{topologyKey, whenUnsatisfiable}`, new GoRepr(`"${tsc.topologyKey}", "${tsc.whenUnsatisfiable}"`)));
    seen.add(key);
    if (typeof tsc.minDomains === 'number' && tsc.minDomains <= 0) out.push(invalid(`${p}.minDomains`, tsc.minDomains, 'must be greater than 0'));
    out.push(...validateLabelSelector(tsc.labelSelector, `${p}.labelSelector`));
  });
  return out;
}

/** core.PodSpec validation; `field` is `spec` for pods and `spec.template.spec` in templates. */
export function validatePodSpec(specIn: unknown, field: string, opts: PodSpecOptions = {}): Causes {
  const spec = asObj(specIn);
  const out: Causes = [];
  const vols = validateVolumes(spec.volumes, `${field}.volumes`);
  out.push(...vols.causes);
  const volNames = new Set(vols.names);
  for (const n of opts.extraVolumeNames ?? []) volNames.add(n);
  const names = new Set<string>();
  out.push(...validateContainers(spec.containers, volNames, `${field}.containers`, names));
  out.push(...validateInitContainers(spec.initContainers, volNames, `${field}.initContainers`, names));
  out.push(...enumField(spec.restartPolicy, `${field}.restartPolicy`, RESTART_POLICIES, true));
  out.push(...enumField(spec.dnsPolicy, `${field}.dnsPolicy`, DNS_POLICIES, true));
  out.push(...validateLabels(spec.nodeSelector, `${field}.nodeSelector`));
  const psc = asObj(spec.securityContext);
  for (const k of ['runAsUser', 'runAsGroup', 'fsGroup']) {
    if (typeof psc[k] === 'number' && (psc[k] < 0 || psc[k] > MAX_INT32)) {
      out.push(invalid(`${field}.securityContext.${k}`, psc[k], inclusiveRangeError(0, MAX_INT32)));
    }
  }
  out.push(...validateDNSConfig(spec.dnsConfig, spec.dnsPolicy, `${field}.dnsConfig`));
  out.push(...validateTopologySpread(spec.topologySpreadConstraints, `${field}.topologySpreadConstraints`));
  if (spec.serviceAccountName) out.push(...invalidEach(`${field}.serviceAccountName`, spec.serviceAccountName, isDNS1123Subdomain(String(spec.serviceAccountName))));
  if (spec.nodeName) out.push(...invalidEach(`${field}.nodeName`, spec.nodeName, isDNS1123Subdomain(String(spec.nodeName))));
  if (spec.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds !== null) {
    const v = spec.activeDeadlineSeconds;
    if (typeof v !== 'number' || v < 1 || v > MAX_INT32) out.push(invalid(`${field}.activeDeadlineSeconds`, v, inclusiveRangeError(1, MAX_INT32)));
  }
  if (spec.hostname) out.push(...invalidEach(`${field}.hostname`, spec.hostname, isDNS1123Label(String(spec.hostname))));
  if (spec.subdomain) out.push(...invalidEach(`${field}.subdomain`, spec.subdomain, isDNS1123Label(String(spec.subdomain))));
  out.push(...validateTolerations(spec.tolerations, `${field}.tolerations`));
  asArray(spec.hostAliases).forEach((h, i) => {
    const ha = asObj(h);
    out.push(...invalidEach(`${field}.hostAliases[${i}].ip`, ha.ip ?? '', isValidIP(String(ha.ip ?? ''))));
  });
  if (spec.priorityClassName) out.push(...invalidEach(`${field}.priorityClassName`, spec.priorityClassName, isDNS1123Subdomain(String(spec.priorityClassName))));
  if (spec.preemptionPolicy !== undefined && spec.preemptionPolicy !== null) {
    out.push(...enumField(spec.preemptionPolicy, `${field}.preemptionPolicy`, ['Never', 'PreemptLowerPriority']));
  }
  asArray(spec.imagePullSecrets).forEach((s, i) => {
    const extra = Object.keys(asObj(s)).filter((k) => k !== 'name');
    if (extra.length) out.push(invalid(`${field}.imagePullSecrets[${i}]`, s, 'only name may be set'));
  });
  asArray(spec.readinessGates).forEach((g, i) => {
    const ct = String(asObj(g).conditionType ?? '');
    out.push(...invalidEach(`${field}.readinessGates[${i}].conditionType`, ct, isQualifiedName(ct)));
  });
  const gates = new Set<string>();
  asArray(spec.schedulingGates).forEach((g, i) => {
    const name = String(asObj(g).name ?? '');
    out.push(...invalidEach(`${field}.schedulingGates[${i}].name`, name, isQualifiedName(name)));
    if (gates.has(name)) out.push(duplicate(`${field}.schedulingGates[${i}].name`, name));
    gates.add(name);
  });
  if (typeof spec.terminationGracePeriodSeconds === 'number' && !Number.isInteger(spec.terminationGracePeriodSeconds)) {
    out.push(invalid(`${field}.terminationGracePeriodSeconds`, spec.terminationGracePeriodSeconds, 'must be an integer'));
  }
  if (isObj(spec.os)) out.push(...enumField(spec.os.name, `${field}.os.name`, ['linux', 'windows'], true));
  return out;
}

/** core.PodTemplateSpec: labels/annotations under `<field>.labels` and the pod spec. */
export function validatePodTemplateSpec(template: unknown, field: string, opts: PodSpecOptions = {}): Causes {
  const t = asObj(template);
  const meta = asObj(t.metadata);
  const out: Causes = [];
  out.push(...validateLabels(meta.labels, `${field}.labels`));
  out.push(...validateAnnotations(meta.annotations, `${field}.annotations`));
  out.push(...validatePodSpec(t.spec, `${field}.spec`, opts));
  if (asArray(asObj(t.spec).ephemeralContainers).length > 0) {
    out.push(forbidden(`${field}.spec.ephemeralContainers`, 'ephemeral containers not allowed in pod template'));
  }
  return out;
}

// ---- pod updates ----------------------------------------------------------------------------

const POD_UPDATE_MSG =
  'pod updates may not change fields other than `spec.containers[*].image`,' +
  '`spec.initContainers[*].image`,' +
  '`spec.activeDeadlineSeconds`,' +
  '`spec.tolerations` (only additions to existing tolerations),' +
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

function tolerationKey(t: unknown): string {
  const o = asObj(t);
  return JSON.stringify([o.key ?? '', o.operator ?? '', o.value ?? '', o.effect ?? '']);
}

/** Pod spec update rules (ValidatePodUpdate); `newPod`/`oldPod` are whole Pod objects. */
export function validatePodSpecUpdate(newPod: Obj, oldPod: Obj): Causes {
  const out: Causes = [];
  const ns = asObj(newPod.spec);
  const os = asObj(oldPod.spec);
  const nc = asArray(ns.containers);
  const oc = asArray(os.containers);
  if (nc.length !== oc.length) {
    out.push(forbidden('spec.containers', 'pod updates may not add or remove containers'));
    return out;
  }
  nc.forEach((c, i) => {
    if (!asObj(c).image) out.push(required(`spec.containers[${i}].image`));
  });
  asArray(ns.initContainers).forEach((c, i) => {
    if (!asObj(c).image) out.push(required(`spec.initContainers[${i}].image`));
  });
  const nad = ns.activeDeadlineSeconds;
  const oad = os.activeDeadlineSeconds;
  if (typeof nad === 'number') {
    if (nad < 0 || nad > MAX_INT32) return [...out, invalid('spec.activeDeadlineSeconds', nad, inclusiveRangeError(0, MAX_INT32))];
    if (typeof oad === 'number' && oad < nad) return [...out, invalid('spec.activeDeadlineSeconds', nad, 'must be less than or equal to previous value')];
  } else if (typeof oad === 'number') {
    out.push(invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }

  const munged = clone(ns);
  // Images may change.
  for (const key of ['containers', 'initContainers']) {
    const oldList = asArray(os[key]);
    asArray(munged[key]).forEach((c, i) => {
      if (i < oldList.length && isObj(c)) c.image = asObj(oldList[i]).image;
    });
  }
  munged.activeDeadlineSeconds = os.activeDeadlineSeconds;
  // Tolerations: existing ones may only gain/lower tolerationSeconds; new ones may be added.
  const newTolKeys = new Set(asArray(ns.tolerations).map(tolerationKey));
  const lost = asArray(os.tolerations).some((t) => !newTolKeys.has(tolerationKey(t)));
  if (lost) out.push(forbidden('spec.tolerations', 'existing toleration can not be modified except its tolerationSeconds'));
  munged.tolerations = os.tolerations;
  if (typeof os.terminationGracePeriodSeconds === 'number' && os.terminationGracePeriodSeconds < 0 && ns.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = os.terminationGracePeriodSeconds;
  }
  // Scheduling gates may only be removed; while gated, node selector / affinity may be added to.
  const oldGates = asArray(os.schedulingGates).map((g) => asObj(g).name);
  for (const g of asArray(ns.schedulingGates)) {
    if (!oldGates.includes(asObj(g).name)) out.push(forbidden('spec.schedulingGates', `only deletion is allowed, but found new scheduling gate '${asObj(g).name}'`));
  }
  munged.schedulingGates = os.schedulingGates;
  if (oldGates.length > 0) {
    const oldSel = asObj(os.nodeSelector);
    const newSel = asObj(ns.nodeSelector);
    if (Object.entries(oldSel).every(([k, v]) => newSel[k] === v)) munged.nodeSelector = os.nodeSelector;
  }
  if (!deepEqual(munged, os)) {
    const diff = diffPaths(os, munged, 'spec');
    out.push(forbidden('spec', `${POD_UPDATE_MSG}\n${diff.join('\n')}`));
  }
  return out;
}
