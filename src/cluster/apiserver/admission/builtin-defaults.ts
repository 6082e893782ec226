/**
 * Defaulting of built-in kinds the way kube-apiserver v1.32 does it: the versioned `SetDefaults_*`
 * functions, the few registry-strategy defaults visible on create (Pod status, Namespace finalizer,
 * Job selector, PV/PVC phase, CRD storedVersions, Service IP families) and the pod admission
 * plugins that fill fields (ServiceAccount name, Priority, DefaultTolerationSeconds).
 *
 * Every function mutates in place and only fills what is missing, so running it twice is a no-op.
 */
import type { KubeObject } from '../../core/types.ts';
import { canonicalizeResourceList, compareQuantity, parseQuantity, Quantity } from '../../core/quantity.ts';
import {
  CONTROLLER_UID_LABEL,
  JOB_NAME_LABEL,
  LEGACY_CONTROLLER_UID_LABEL,
  LEGACY_JOB_NAME_LABEL,
} from './builtin-validation-batch.ts';
import { SYSTEM_PRIORITY_CLASSES } from './builtin-validation-other.ts';
import { asArray, isObj, type Obj } from './builtin-validation-util.ts';

export interface Gvk {
  group: string;
  version: string;
  kind: string;
}

export interface DefaultOptions {
  /**
   * CREATE also applies what the real server only does when an object is first stored: pod
   * admission plugins, pod/PV/PVC/Namespace status, Namespace `kubernetes` finalizer, Job selector
   * generation, CRD status. When omitted it is inferred: UPDATE if `metadata.resourceVersion` is
   * set, CREATE otherwise.
   */
  operation?: 'CREATE' | 'UPDATE';
  /** Resolves a PriorityClass by name for the Priority admission step; system classes are built in. */
  priorityClass?: (name: string) => { value: number; preemptionPolicy?: string } | undefined;
  /** Clock for timestamps set on create (PV lastPhaseTransitionTime). */
  now?: () => Date;
}

function obj(parent: Obj, key: string): Obj {
  if (!isObj(parent[key])) parent[key] = {};
  return parent[key];
}

function setIfMissing(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

function setIfEmpty(o: Obj, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null || o[key] === '') o[key] = value;
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// ---- images ---------------------------------------------------------------------------------

const PATH_COMP = '[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*';
const DOMAIN_COMP = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN = `(?:${DOMAIN_COMP}(?:\\.${DOMAIN_COMP})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?`;
const IMAGE_REF = new RegExp(
  `^(?:(${DOMAIN})/)?(${PATH_COMP}(?:/${PATH_COMP})*)(?::([\\w][\\w.-]{0,127}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?$`,
);

/** The tag kubelet would pull: "latest" when neither tag nor digest is given, "" if unparseable. */
export function imageTag(image: unknown): string {
  if (typeof image !== 'string') return '';
  const m = IMAGE_REF.exec(image);
  if (!m) return '';
  const [, , , tag, digest] = m;
  if (!tag && !digest) return 'latest';
  return tag ?? '';
}

// ---- pod spec -------------------------------------------------------------------------------

function defaultHTTPGet(h: unknown): void {
  if (!isObj(h)) return;
  setIfEmpty(h, 'path', '/');
  setIfEmpty(h, 'scheme', 'HTTP');
}

function defaultProbe(p: unknown): void {
  if (!isObj(p)) return;
  setIfMissing(p, 'timeoutSeconds', 1);
  setIfMissing(p, 'periodSeconds', 10);
  setIfMissing(p, 'successThreshold', 1);
  setIfMissing(p, 'failureThreshold', 3);
  defaultHTTPGet(p.httpGet);
}

function defaultFieldRef(ref: unknown): void {
  if (isObj(ref)) setIfEmpty(ref, 'apiVersion', 'v1');
}

function defaultContainer(c: unknown, hostNetwork: boolean): void {
  if (!isObj(c)) return;
  if (!c.imagePullPolicy) c.imagePullPolicy = imageTag(c.image) === 'latest' ? 'Always' : 'IfNotPresent';
  setIfEmpty(c, 'terminationMessagePath', '/dev/termination-log');
  setIfEmpty(c, 'terminationMessagePolicy', 'File');
  for (const port of asArray(c.ports)) {
    if (!isObj(port)) continue;
    setIfEmpty(port, 'protocol', 'TCP');
    if (hostNetwork && !port.hostPort && port.containerPort) port.hostPort = port.containerPort;
  }
  const res = obj(c, 'resources');
  canonicalizeResourceList(res.limits);
  canonicalizeResourceList(res.requests);
  for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe']) defaultProbe(c[k]);
  if (isObj(c.lifecycle)) {
    for (const k of ['postStart', 'preStop']) if (isObj(c.lifecycle[k])) defaultHTTPGet(c.lifecycle[k].httpGet);
  }
  for (const e of asArray(c.env)) {
    if (!isObj(e) || !isObj(e.valueFrom)) continue;
    defaultFieldRef(e.valueFrom.fieldRef);
    if (isObj(e.valueFrom.resourceFieldRef)) setIfMissing(e.valueFrom.resourceFieldRef, 'divisor', '0');
  }
}

function defaultDownwardItems(items: unknown): void {
  for (const it of asArray(items)) {
    if (!isObj(it)) continue;
    defaultFieldRef(it.fieldRef);
    if (isObj(it.resourceFieldRef)) setIfMissing(it.resourceFieldRef, 'divisor', '0');
  }
}

function defaultPVCSpec(spec: unknown): void {
  if (!isObj(spec)) return;
  setIfMissing(spec, 'volumeMode', 'Filesystem');
  if (isObj(spec.resources)) {
    canonicalizeResourceList(spec.resources.requests);
    canonicalizeResourceList(spec.resources.limits);
  }
}

const VOLUME_SOURCE_KEYS = new Set([
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
]);

function defaultVolume(v: unknown): void {
  if (!isObj(v)) return;
  if (!Object.keys(v).some((k) => VOLUME_SOURCE_KEYS.has(k) && v[k] !== null && v[k] !== undefined)) v.emptyDir = {};
  if (isObj(v.secret)) setIfMissing(v.secret, 'defaultMode', 420);
  if (isObj(v.configMap)) setIfMissing(v.configMap, 'defaultMode', 420);
  if (isObj(v.downwardAPI)) {
    setIfMissing(v.downwardAPI, 'defaultMode', 420);
    defaultDownwardItems(v.downwardAPI.items);
  }
  if (isObj(v.projected)) {
    setIfMissing(v.projected, 'defaultMode', 420);
    for (const s of asArray(v.projected.sources)) {
      if (!isObj(s)) continue;
      if (isObj(s.downwardAPI)) defaultDownwardItems(s.downwardAPI.items);
      if (isObj(s.serviceAccountToken)) setIfMissing(s.serviceAccountToken, 'expirationSeconds', 3600);
    }
  }
  if (isObj(v.hostPath)) setIfMissing(v.hostPath, 'type', '');
  if (isObj(v.emptyDir) && v.emptyDir.sizeLimit !== undefined) {
    const q = parseQuantity(v.emptyDir.sizeLimit);
    if (q) canonicalizeResourceList(v.emptyDir);
  }
  if (isObj(v.iscsi)) setIfEmpty(v.iscsi, 'iscsiInterface', 'default');
  if (isObj(v.ephemeral) && isObj(v.ephemeral.volumeClaimTemplate)) defaultPVCSpec(v.ephemeral.volumeClaimTemplate.spec);
}

/** SetDefaults_PodSpec and friends: applied to pods and to every embedded pod template. */
export function defaultPodSpec(spec: Obj): void {
  setIfEmpty(spec, 'dnsPolicy', 'ClusterFirst');
  setIfEmpty(spec, 'restartPolicy', 'Always');
  setIfMissing(spec, 'terminationGracePeriodSeconds', 30);
  setIfMissing(spec, 'securityContext', {});
  setIfEmpty(spec, 'schedulerName', 'default-scheduler');
  // The deprecated `serviceAccount` mirrors `serviceAccountName`.
  if (!spec.serviceAccountName && spec.serviceAccount) spec.serviceAccountName = spec.serviceAccount;
  if (spec.serviceAccountName) spec.serviceAccount = spec.serviceAccountName;
  const hostNetwork = spec.hostNetwork === true;
  for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
    for (const c of asArray(spec[key])) defaultContainer(c, hostNetwork && key !== 'ephemeralContainers');
  }
  for (const v of asArray(spec.volumes)) defaultVolume(v);
  if (isObj(spec.overhead)) canonicalizeResourceList(spec.overhead);
}

function defaultPodTemplate(template: unknown): void {
  if (!isObj(template)) return;
  defaultPodSpec(obj(template, 'spec'));
}

const ZERO = new Quantity(0n, 'DecimalSI');

/** The QoS class kubelet and the scheduler derive from requests and limits. */
export function podQOSClass(spec: Obj): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let guaranteed = true;
  for (const c of [...asArray(spec.containers), ...asArray(spec.initContainers)]) {
    const res = isObj(c) && isObj(c.resources) ? c.resources : {};
    for (const [name, v] of Object.entries(isObj(res.requests) ? res.requests : {})) {
      if (name !== 'cpu' && name !== 'memory') continue;
      const q = parseQuantity(v);
      if (q && compareQuantity(q, ZERO) > 0) requests.set(name, (requests.get(name) ?? 0n) + q.nanos);
    }
    const found = new Set<string>();
    for (const [name, v] of Object.entries(isObj(res.limits) ? res.limits : {})) {
      if (name !== 'cpu' && name !== 'memory') continue;
      const q = parseQuantity(v);
      if (q && compareQuantity(q, ZERO) > 0) {
        found.add(name);
        limits.set(name, (limits.get(name) ?? 0n) + q.nanos);
      }
    }
    if (!(found.has('cpu') && found.has('memory'))) guaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of requests) {
      if (limits.get(name) !== req) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && requests.size === limits.size ? 'Guaranteed' : 'Burstable';
}

const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';

function tolerates(tolerations: unknown[], key: string): boolean {
  return tolerations.some((t) => isObj(t) && (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
}

function defaultPod(o: KubeObject, opts: DefaultOptions): void {
  const spec = obj(o, 'spec');
  // Requests default to limits (pods only, not templates).
  for (const key of ['containers', 'initContainers']) {
    for (const c of asArray(spec[key])) {
      if (!isObj(c) || !isObj(c.resources) || !isObj(c.resources.limits)) continue;
      const req = obj(c.resources, 'requests');
      for (const [name, v] of Object.entries(c.resources.limits)) if (req[name] === undefined) req[name] = v;
    }
  }
  setIfMissing(spec, 'enableServiceLinks', true);
  if (opts.operation === 'UPDATE') {
    defaultPodSpec(spec);
    return;
  }
  // ServiceAccount admission.
  setIfEmpty(spec, 'serviceAccountName', 'default');
  defaultPodSpec(spec);
  // Priority admission.
  if (spec.priority === undefined || spec.priority === null) {
    const cls = spec.priorityClassName ? String(spec.priorityClassName) : '';
    if (!cls) {
      spec.priority = 0;
      setIfMissing(spec, 'preemptionPolicy', 'PreemptLowerPriority');
    } else if (cls in SYSTEM_PRIORITY_CLASSES) {
      spec.priority = SYSTEM_PRIORITY_CLASSES[cls];
      setIfMissing(spec, 'preemptionPolicy', 'PreemptLowerPriority');
    } else {
      const pc = opts.priorityClass?.(cls);
      if (pc) {
        spec.priority = pc.value;
        setIfMissing(spec, 'preemptionPolicy', pc.preemptionPolicy ?? 'PreemptLowerPriority');
      }
    }
  } else {
    setIfMissing(spec, 'preemptionPolicy', 'PreemptLowerPriority');
  }
  // DefaultTolerationSeconds admission.
  const tolerations = asArray(spec.tolerations);
  const add: Obj[] = [];
  if (!tolerates(tolerations, NOT_READY_TAINT)) add.push({ key: NOT_READY_TAINT, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  if (!tolerates(tolerations, UNREACHABLE_TAINT)) add.push({ key: UNREACHABLE_TAINT, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
  if (add.length) spec.tolerations = [...tolerations, ...add];
  // Pod strategy: a new pod's status is reset to Pending with its QoS class.
  o.status = { phase: 'Pending', qosClass: podQOSClass(spec) };
}

// ---- workloads ------------------------------------------------------------------------------

function defaultDeployment(o: KubeObject): void {
  const spec = obj(o, 'spec');
  setIfMissing(spec, 'replicas', 1);
  const strategy = obj(spec, 'strategy');
  setIfEmpty(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = obj(strategy, 'rollingUpdate');
    setIfMissing(ru, 'maxUnavailable', '25%');
    setIfMissing(ru, 'maxSurge', '25%');
  }
  setIfMissing(spec, 'revisionHistoryLimit', 10);
  setIfMissing(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(obj(spec, 'template'));
}

function defaultReplicaSet(o: KubeObject): void {
  const spec = obj(o, 'spec');
  setIfMissing(spec, 'replicas', 1);
  defaultPodTemplate(obj(spec, 'template'));
}

function defaultReplicationController(o: KubeObject): void {
  const spec = obj(o, 'spec');
  const labels = isObj(spec.template) && isObj(spec.template.metadata) ? spec.template.metadata.labels : undefined;
  if (isObj(labels)) {
    if (!isObj(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
    if (!isObj(o.metadata.labels) || Object.keys(o.metadata.labels).length === 0) o.metadata.labels = { ...labels };
  }
  setIfMissing(spec, 'replicas', 1);
  defaultPodTemplate(spec.template);
}

function defaultStatefulSet(o: KubeObject): void {
  const spec = obj(o, 'spec');
  setIfEmpty(spec, 'podManagementPolicy', 'OrderedReady');
  const us = obj(spec, 'updateStrategy');
  if (!us.type) {
    us.type = 'RollingUpdate';
    setIfMissing(us, 'rollingUpdate', {});
  }
  if (us.type === 'RollingUpdate' && isObj(us.rollingUpdate)) setIfMissing(us.rollingUpdate, 'partition', 0);
  const policy = obj(spec, 'persistentVolumeClaimRetentionPolicy');
  setIfEmpty(policy, 'whenDeleted', 'Retain');
  setIfEmpty(policy, 'whenScaled', 'Retain');
  setIfMissing(spec, 'replicas', 1);
  setIfMissing(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(obj(spec, 'template'));
  for (const t of asArray(spec.volumeClaimTemplates)) {
    if (!isObj(t)) continue;
    setIfEmpty(t, 'apiVersion', 'v1');
    setIfEmpty(t, 'kind', 'PersistentVolumeClaim');
    defaultPVCSpec(obj(t, 'spec'));
    setIfEmpty(obj(t, 'status'), 'phase', 'Pending');
  }
}

function defaultDaemonSet(o: KubeObject): void {
  const spec = obj(o, 'spec');
  const us = obj(spec, 'updateStrategy');
  setIfEmpty(us, 'type', 'RollingUpdate');
  if (us.type === 'RollingUpdate') {
    const ru = obj(us, 'rollingUpdate');
    setIfMissing(ru, 'maxUnavailable', 1);
    setIfMissing(ru, 'maxSurge', 0);
  }
  setIfMissing(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(obj(spec, 'template'));
}

function defaultJob(o: KubeObject, opts: DefaultOptions): void {
  const spec = obj(o, 'spec');
  const hasCompletions = spec.completions !== undefined && spec.completions !== null;
  const hasParallelism = spec.parallelism !== undefined && spec.parallelism !== null;
  if (!hasCompletions && !hasParallelism) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setIfMissing(spec, 'parallelism', 1);
  if (spec.backoffLimit === undefined || spec.backoffLimit === null) {
    spec.backoffLimit = spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null ? 2147483647 : 6;
  }
  setIfMissing(spec, 'completionMode', 'NonIndexed');
  setIfMissing(spec, 'suspend', false);
  setIfMissing(spec, 'podReplacementPolicy', isObj(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed');
  if (isObj(spec.podFailurePolicy)) {
    for (const r of asArray(spec.podFailurePolicy.rules)) {
      for (const c of asArray(isObj(r) ? r.onPodConditions : [])) if (isObj(c)) setIfEmpty(c, 'status', 'True');
    }
  }
  const template = obj(spec, 'template');
  defaultPodSpec(obj(template, 'spec'));
  // Job strategy on create: generate the selector and pod labels from the Job's uid.
  const uid = o.metadata.uid;
  if (opts.operation !== 'UPDATE' && spec.manualSelector !== true && uid) {
    const meta = obj(template, 'metadata');
    const labels = obj(meta, 'labels');
    setIfMissing(labels, CONTROLLER_UID_LABEL, uid);
    setIfMissing(labels, LEGACY_CONTROLLER_UID_LABEL, uid);
    setIfMissing(labels, JOB_NAME_LABEL, o.metadata.name ?? '');
    setIfMissing(labels, LEGACY_JOB_NAME_LABEL, o.metadata.name ?? '');
    const sel = obj(spec, 'selector');
    const ml = obj(sel, 'matchLabels');
    setIfMissing(ml, CONTROLLER_UID_LABEL, uid);
  }
  // A Job without labels takes its pod template's.
  const tlabels = isObj(template.metadata) ? template.metadata.labels : undefined;
  if (isObj(tlabels) && Object.keys(tlabels).length > 0 && (!isObj(o.metadata.labels) || Object.keys(o.metadata.labels).length === 0)) {
    o.metadata.labels = { ...tlabels };
  }
}

function defaultCronJob(o: KubeObject): void {
  const spec = obj(o, 'spec');
  setIfEmpty(spec, 'concurrencyPolicy', 'Allow');
  setIfMissing(spec, 'suspend', false);
  setIfMissing(spec, 'successfulJobsHistoryLimit', 3);
  setIfMissing(spec, 'failedJobsHistoryLimit', 1);
  const jt = obj(spec, 'jobTemplate');
  const jspec = obj(jt, 'spec');
  defaultPodTemplate(obj(jspec, 'template'));
}

// ---- core kinds -----------------------------------------------------------------------------

function defaultService(o: KubeObject): void {
  const spec = obj(o, 'spec');
  setIfEmpty(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const cfg = obj(obj(spec, 'sessionAffinityConfig'), 'clientIP');
    setIfMissing(cfg, 'timeoutSeconds', 10800);
  }
  setIfEmpty(spec, 'type', 'ClusterIP');
  for (const p of asArray(spec.ports)) {
    if (!isObj(p)) continue;
    setIfEmpty(p, 'protocol', 'TCP');
    if (p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') p.targetPort = p.port;
  }
  const type = spec.type;
  const externallyAccessible = type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && asArray(spec.externalIPs).length > 0);
  if (externallyAccessible) setIfEmpty(spec, 'externalTrafficPolicy', 'Cluster');
  if (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer') setIfEmpty(spec, 'internalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') setIfMissing(spec, 'allocateLoadBalancerNodePorts', true);
  if (type === 'ExternalName') return;
  // Registry: clusterIP <-> clusterIPs, and the IP family fields (single-stack IPv4 cluster).
  if (spec.clusterIP && asArray(spec.clusterIPs).length === 0) spec.clusterIPs = [spec.clusterIP];
  if (!spec.clusterIP && asArray(spec.clusterIPs).length > 0) spec.clusterIP = spec.clusterIPs[0];
  const headlessNoSelector = spec.clusterIP === 'None' && (!isObj(spec.selector) || Object.keys(spec.selector).length === 0);
  setIfEmpty(spec, 'ipFamilyPolicy', headlessNoSelector ? 'RequireDualStack' : 'SingleStack');
  if (asArray(spec.ipFamilies).length === 0) {
    const first = typeof spec.clusterIP === 'string' && spec.clusterIP.includes(':') ? 'IPv6' : 'IPv4';
    spec.ipFamilies = spec.ipFamilyPolicy !== 'SingleStack' && headlessNoSelector ? [first, first === 'IPv4' ? 'IPv6' : 'IPv4'] : [first];
  }
}

function defaultNamespace(o: KubeObject, opts: DefaultOptions): void {
  if (o.metadata.name) {
    if (!isObj(o.metadata.labels)) o.metadata.labels = {};
    o.metadata.labels['kubernetes.io/metadata.name'] = o.metadata.name;
  }
  if (opts.operation !== 'UPDATE') {
    const spec = obj(o, 'spec');
    const fins = asArray(spec.finalizers);
    if (!fins.includes('kubernetes')) spec.finalizers = [...fins, 'kubernetes'];
    o.status = { phase: 'Active' };
  }
  setIfEmpty(obj(o, 'status'), 'phase', 'Active');
}

function defaultSecret(o: KubeObject): void {
  setIfEmpty(o, 'type', 'Opaque');
  // Go's base64 decoder skips \r and \n, so a real server takes wrapped values (kustomize's
  // secretGenerator wraps long ones) and answers with the canonical, unwrapped encoding.
  if (isObj(o.data)) {
    for (const [k, v] of Object.entries(o.data)) if (typeof v === 'string' && /[\r\n]/.test(v)) o.data[k] = v.replace(/[\r\n]/g, '');
  }
  // Conversion folds stringData into data; the server never returns stringData.
  if (isObj(o.stringData)) {
    const data = obj(o, 'data');
    for (const [k, v] of Object.entries(o.stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
  }
  delete o.stringData;
}

function defaultPVC(o: KubeObject, opts: DefaultOptions): void {
  defaultPVCSpec(obj(o, 'spec'));
  if (opts.operation !== 'UPDATE') o.status = { phase: 'Pending' };
  setIfEmpty(obj(o, 'status'), 'phase', 'Pending');
}

function defaultPV(o: KubeObject, opts: DefaultOptions): void {
  const spec = obj(o, 'spec');
  setIfEmpty(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  setIfMissing(spec, 'volumeMode', 'Filesystem');
  canonicalizeResourceList(spec.capacity);
  if (isObj(spec.hostPath)) setIfMissing(spec.hostPath, 'type', '');
  if (opts.operation !== 'UPDATE') {
    o.status = { phase: 'Pending', lastPhaseTransitionTime: timestamp(opts.now ? opts.now() : new Date()) };
  }
  setIfEmpty(obj(o, 'status'), 'phase', 'Pending');
}

function defaultNode(o: KubeObject): void {
  if (!isObj(o.status)) return;
  canonicalizeResourceList(o.status.capacity);
  canonicalizeResourceList(o.status.allocatable);
  if (isObj(o.status.capacity) && !isObj(o.status.allocatable)) o.status.allocatable = { ...o.status.capacity };
}

function defaultEndpoints(o: KubeObject): void {
  for (const s of asArray(o.subsets)) {
    for (const p of asArray(isObj(s) ? s.ports : [])) if (isObj(p)) setIfEmpty(p, 'protocol', 'TCP');
  }
}

function defaultLimitRange(o: KubeObject): void {
  for (const item of asArray(isObj(o.spec) ? o.spec.limits : [])) {
    if (!isObj(item)) continue;
    for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) canonicalizeResourceList(item[k]);
    if (item.type !== 'Container') continue;
    const def: Obj = isObj(item.default) ? item.default : {};
    const defReq: Obj = isObj(item.defaultRequest) ? item.defaultRequest : {};
    for (const [k, v] of Object.entries(isObj(item.max) ? item.max : {})) if (def[k] === undefined) def[k] = v;
    for (const [k, v] of Object.entries(def)) if (defReq[k] === undefined) defReq[k] = v;
    for (const [k, v] of Object.entries(isObj(item.min) ? item.min : {})) if (defReq[k] === undefined) defReq[k] = v;
    if (Object.keys(def).length) item.default = def;
    if (Object.keys(defReq).length) item.defaultRequest = defReq;
  }
}

// ---- other groups ---------------------------------------------------------------------------

function defaultHPA(o: KubeObject, version: string): void {
  const spec = obj(o, 'spec');
  setIfMissing(spec, 'minReplicas', 1);
  if (version === 'v1') return;
  if (asArray(spec.metrics).length === 0) {
    spec.metrics = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } }];
  }
  if (isObj(spec.behavior)) {
    const up = isObj(spec.behavior.scaleUp) ? spec.behavior.scaleUp : {};
    setIfMissing(up, 'stabilizationWindowSeconds', 0);
    setIfMissing(up, 'selectPolicy', 'Max');
    setIfMissing(up, 'policies', [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ]);
    spec.behavior.scaleUp = up;
    const down = isObj(spec.behavior.scaleDown) ? spec.behavior.scaleDown : {};
    setIfMissing(down, 'selectPolicy', 'Max');
    setIfMissing(down, 'policies', [{ type: 'Percent', value: 100, periodSeconds: 15 }]);
    spec.behavior.scaleDown = down;
  }
}

function defaultNetworkPolicy(o: KubeObject): void {
  const spec = obj(o, 'spec');
  for (const dir of ['ingress', 'egress']) {
    for (const r of asArray(spec[dir])) {
      for (const p of asArray(isObj(r) ? r.ports : [])) if (isObj(p)) setIfEmpty(p, 'protocol', 'TCP');
    }
  }
  if (asArray(spec.policyTypes).length === 0) {
    spec.policyTypes = asArray(spec.egress).length > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
  }
}

function defaultRBACBinding(o: KubeObject): void {
  if (isObj(o.roleRef)) setIfEmpty(o.roleRef, 'apiGroup', 'rbac.authorization.k8s.io');
  for (const s of asArray(o.subjects)) {
    if (!isObj(s) || s.apiGroup) continue;
    if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = 'rbac.authorization.k8s.io';
    else if (s.kind === 'ServiceAccount') s.apiGroup = '';
  }
}

function defaultCRD(o: KubeObject, opts: DefaultOptions): void {
  const spec = obj(o, 'spec');
  const conv = obj(spec, 'conversion');
  setIfEmpty(conv, 'strategy', 'None');
  if (isObj(conv.webhook) && isObj(conv.webhook.clientConfig) && isObj(conv.webhook.clientConfig.service)) {
    setIfMissing(conv.webhook.clientConfig.service, 'port', 443);
  }
  const names = obj(spec, 'names');
  if (!names.singular && names.kind) names.singular = String(names.kind).toLowerCase();
  if (!names.listKind && names.kind) names.listKind = `${names.kind}List`;
  if (opts.operation !== 'UPDATE' && !isObj(o.status)) {
    const storage = asArray(spec.versions).find((v) => isObj(v) && v.storage === true);
    o.status = {
      acceptedNames: { kind: '', plural: '' },
      storedVersions: storage ? [storage.name] : [],
    };
  }
}

// ---- update preparation (registry strategy) -------------------------------------------------

function needsClusterIP(spec: Obj): boolean {
  return spec.type !== 'ExternalName';
}

function needsNodePort(spec: Obj): boolean {
  return spec.type === 'NodePort' || (spec.type === 'LoadBalancer' && spec.allocateLoadBalancerNodePorts !== false);
}

function needsHCNodePort(spec: Obj): boolean {
  return spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local';
}

function externallyAccessible(spec: Obj): boolean {
  return spec.type === 'LoadBalancer' || spec.type === 'NodePort' || (spec.type === 'ClusterIP' && asArray(spec.externalIPs).length > 0);
}

const sameJSON = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

function prepareServiceUpdate(o: KubeObject, old: KubeObject): void {
  const spec = obj(o, 'spec');
  const oldSpec: Obj = isObj(old.spec) ? old.spec : {};
  // Allocated values the update left out are carried over.
  if (needsClusterIP(oldSpec) && needsClusterIP(spec)) {
    if (!spec.clusterIP && oldSpec.clusterIP) spec.clusterIP = oldSpec.clusterIP;
    if (asArray(spec.clusterIPs).length === 0 && asArray(oldSpec.clusterIPs).length > 0) spec.clusterIPs = [...oldSpec.clusterIPs];
    if (asArray(spec.ipFamilies).length === 0 && asArray(oldSpec.ipFamilies).length > 0) spec.ipFamilies = [...oldSpec.ipFamilies];
  }
  if (needsNodePort(oldSpec) && needsNodePort(spec)) {
    const ports = (s: Obj): number[] => asArray(s.ports).map((p) => (isObj(p) ? p.nodePort : 0)).filter((n) => typeof n === 'number' && n > 0);
    const newUsed = new Set(ports(spec));
    const used = new Set(ports(oldSpec).filter((n) => newUsed.has(n)));
    const byName = new Map<string, number>();
    for (const p of asArray(oldSpec.ports)) if (isObj(p)) byName.set(String(p.name ?? ''), p.nodePort);
    for (const p of asArray(spec.ports)) {
      if (!isObj(p) || p.nodePort) continue;
      const prev = byName.get(String(p.name ?? ''));
      if (typeof prev === 'number' && prev > 0 && !used.has(prev)) p.nodePort = prev;
    }
  }
  if (needsHCNodePort(oldSpec) && needsHCNodePort(spec) && !spec.healthCheckNodePort) {
    spec.healthCheckNodePort = oldSpec.healthCheckNodePort;
  }
  // Fields that no longer apply to the new type are dropped when the user left them unchanged.
  if (needsClusterIP(oldSpec) && !needsClusterIP(spec)) {
    if (sameJSON(spec.clusterIP, oldSpec.clusterIP) && sameJSON(spec.clusterIPs, oldSpec.clusterIPs)) {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (sameJSON(spec.ipFamilies, oldSpec.ipFamilies)) delete spec.ipFamilies;
    if (sameJSON(spec.ipFamilyPolicy, oldSpec.ipFamilyPolicy)) delete spec.ipFamilyPolicy;
  }
  if (needsNodePort(oldSpec) && !needsNodePort(spec)) {
    const np = (s: Obj): unknown[] => asArray(s.ports).map((p) => (isObj(p) ? p.nodePort ?? 0 : 0));
    if (sameJSON(np(spec), np(oldSpec))) for (const p of asArray(spec.ports)) if (isObj(p)) delete p.nodePort;
  }
  if (needsHCNodePort(oldSpec) && !needsHCNodePort(spec) && sameJSON(spec.healthCheckNodePort, oldSpec.healthCheckNodePort)) {
    delete spec.healthCheckNodePort;
  }
  if (oldSpec.type === 'LoadBalancer' && spec.type !== 'LoadBalancer') {
    if (typeof spec.allocateLoadBalancerNodePorts === 'boolean' && spec.allocateLoadBalancerNodePorts === oldSpec.allocateLoadBalancerNodePorts) {
      delete spec.allocateLoadBalancerNodePorts;
    }
    if (sameJSON(spec.loadBalancerClass, oldSpec.loadBalancerClass)) delete spec.loadBalancerClass;
  }
  if (externallyAccessible(oldSpec) && !externallyAccessible(spec) && sameJSON(spec.externalTrafficPolicy, oldSpec.externalTrafficPolicy)) {
    delete spec.externalTrafficPolicy;
  }
  if (spec.type !== 'LoadBalancer' && isObj(o.status) && isObj(o.status.loadBalancer)) o.status.loadBalancer = {};
}

/**
 * What the real registry does to an update before validating it, beyond defaulting: for Services,
 * allocated values (clusterIP(s), ipFamilies, nodePorts, healthCheckNodePort) the new object left
 * out are carried over from `old`, and fields that no longer fit a changed `type` are dropped if
 * the user did not change them. Call after {@link defaultBuiltin}, before validation, for
 * main-resource updates. No-op for other kinds.
 */
export function prepareBuiltinUpdate(gvk: Gvk, o: KubeObject, old: KubeObject): void {
  if (!isObj(o) || !isObj(old)) return;
  if (gvk.group === '' && gvk.kind === 'Service') prepareServiceUpdate(o, old);
}

// ---- dispatch -------------------------------------------------------------------------------

type Defaulter = (o: KubeObject, opts: DefaultOptions, version: string) => void;

const DEFAULTERS: Record<string, Defaulter> = {
  '/Pod': (o, opts) => defaultPod(o, opts),
  '/PodTemplate': (o) => defaultPodTemplate(obj(o, 'template')),
  '/ReplicationController': (o) => defaultReplicationController(o),
  '/Service': (o) => defaultService(o),
  '/Endpoints': (o) => defaultEndpoints(o),
  '/PersistentVolumeClaim': (o, opts) => defaultPVC(o, opts),
  '/PersistentVolume': (o, opts) => defaultPV(o, opts),
  '/Namespace': (o, opts) => defaultNamespace(o, opts),
  '/Node': (o) => defaultNode(o),
  '/Secret': (o) => defaultSecret(o),
  '/ResourceQuota': (o) => {
    if (isObj(o.spec)) canonicalizeResourceList(o.spec.hard);
  },
  '/LimitRange': (o) => defaultLimitRange(o),
  'apps/Deployment': (o) => defaultDeployment(o),
  'apps/ReplicaSet': (o) => defaultReplicaSet(o),
  'apps/StatefulSet': (o) => defaultStatefulSet(o),
  'apps/DaemonSet': (o) => defaultDaemonSet(o),
  'batch/Job': (o, opts) => defaultJob(o, opts),
  'batch/CronJob': (o) => defaultCronJob(o),
  'autoscaling/HorizontalPodAutoscaler': (o, _opts, version) => defaultHPA(o, version),
  'networking.k8s.io/NetworkPolicy': (o) => defaultNetworkPolicy(o),
  'networking.k8s.io/IngressClass': (o) => {
    if (isObj(o.spec) && isObj(o.spec.parameters)) setIfEmpty(o.spec.parameters, 'scope', 'Cluster');
  },
  'storage.k8s.io/StorageClass': (o) => {
    setIfEmpty(o, 'reclaimPolicy', 'Delete');
    setIfEmpty(o, 'volumeBindingMode', 'Immediate');
  },
  'scheduling.k8s.io/PriorityClass': (o) => setIfEmpty(o, 'preemptionPolicy', 'PreemptLowerPriority'),
  'rbac.authorization.k8s.io/RoleBinding': (o) => defaultRBACBinding(o),
  'rbac.authorization.k8s.io/ClusterRoleBinding': (o) => defaultRBACBinding(o),
  'apiextensions.k8s.io/CustomResourceDefinition': (o, opts) => defaultCRD(o, opts),
  'discovery.k8s.io/EndpointSlice': (o) => {
    for (const p of asArray(o.ports)) {
      if (!isObj(p)) continue;
      setIfMissing(p, 'name', '');
      setIfMissing(p, 'protocol', 'TCP');
    }
  },
};

/**
 * Fills in the defaults the real API server would for a built-in kind (no-op for other kinds).
 * Mutates `o`; idempotent. Jobs need `metadata.uid` set beforehand for selector generation.
 */
export function defaultBuiltin(gvk: Gvk, o: KubeObject, opts: DefaultOptions = {}): void {
  if (!isObj(o) || !isObj(o.metadata)) return;
  const fn = DEFAULTERS[`${gvk.group}/${gvk.kind}`];
  const operation = opts.operation ?? (o.metadata.resourceVersion ? 'UPDATE' : 'CREATE');
  if (fn) fn(o, { ...opts, operation }, gvk.version);
}
