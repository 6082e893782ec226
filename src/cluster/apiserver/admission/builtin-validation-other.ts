/**
 * Validation of the remaining built-in groups: autoscaling (HPA v1/v2), policy (PDB),
 * networking.k8s.io (NetworkPolicy, Ingress, IngressClass), storage.k8s.io (StorageClass),
 * coordination.k8s.io (Lease), rbac.authorization.k8s.io,
 * scheduling.k8s.io (PriorityClass) and discovery.k8s.io (EndpointSlice).
 */
import type { KubeObject } from '../../core/types.ts';
import {
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isValidCIDR,
  isValidIP,
  isValidPathSegmentName,
  isValidPortName,
  isValidPortNum,
  TOTAL_ANNOTATION_SIZE_LIMIT,
} from './names.ts';
import { PORT_PROTOCOLS } from './builtin-validation-pod.ts';
import {
  asArray,
  asObj,
  type Causes,
  deepEqual,
  enumField,
  FIELD_IMMUTABLE,
  forbidden,
  GoRepr,
  invalid,
  invalidEach,
  isNotMoreThan100Percent,
  isObj,
  notSupported,
  type Obj,
  required,
  tooLong,
  tooMany,
  validateLabelSelector,
  validatePositiveIntOrPercent,
} from './builtin-validation-util.ts';

// ---- autoscaling ----------------------------------------------------------------------------

function validateScaleTargetRef(refIn: unknown, field: string): Causes {
  const ref = asObj(refIn);
  const out: Causes = [];
  if (!ref.kind) out.push(required(`${field}.kind`));
  else out.push(...invalidEach(`${field}.kind`, ref.kind, isValidPathSegmentName(String(ref.kind))));
  if (!ref.name) out.push(required(`${field}.name`));
  else out.push(...invalidEach(`${field}.name`, ref.name, isValidPathSegmentName(String(ref.name))));
  return out;
}

const METRIC_TYPES = ['Object', 'Pods', 'Resource', 'External', 'ContainerResource'];
const METRIC_KEY: Record<string, string> = { Object: 'object', Pods: 'pods', Resource: 'resource', External: 'external', ContainerResource: 'containerResource' };

function validateMetricTarget(tIn: unknown, field: string): Causes {
  const t = asObj(tIn);
  const out: Causes = [];
  if (!t.type) out.push(required(`${field}.type`, 'must specify a metric target type'));
  else if (!['Utilization', 'Value', 'AverageValue'].includes(t.type)) out.push(notSupported(`${field}.type`, t.type, ['Utilization', 'Value', 'AverageValue']));
  if (typeof t.averageUtilization === 'number' && t.averageUtilization < 1) {
    out.push(invalid(`${field}.averageUtilization`, t.averageUtilization, 'must be greater than 0'));
  }
  if (t.type === 'Utilization' && typeof t.averageUtilization !== 'number') {
    out.push(required(`${field}.averageUtilization`, 'must set either a target raw value or a target utilization'));
  }
  if (t.type === 'Value' && t.value === undefined) out.push(required(`${field}.value`, 'must set either a target value for metric or a per-pod target'));
  if (t.type === 'AverageValue' && t.averageValue === undefined) out.push(required(`${field}.averageValue`, 'must set either a target value for metric or a per-pod target'));
  return out;
}

function validateHPABehaviorRules(rIn: unknown, field: string): Causes {
  if (!isObj(rIn)) return [];
  const r = rIn;
  const out: Causes = [];
  if (r.selectPolicy !== undefined) out.push(...enumField(r.selectPolicy, `${field}.selectPolicy`, ['Disabled', 'Max', 'Min']));
  if (typeof r.stabilizationWindowSeconds === 'number') {
    if (r.stabilizationWindowSeconds < 0) out.push(invalid(`${field}.stabilizationWindowSeconds`, r.stabilizationWindowSeconds, 'must be greater than or equal to zero'));
    if (r.stabilizationWindowSeconds > 3600) out.push(invalid(`${field}.stabilizationWindowSeconds`, r.stabilizationWindowSeconds, 'must be less than or equal to 3600'));
  }
  const policies = asArray(r.policies);
  if (r.policies !== undefined && policies.length === 0 && r.selectPolicy !== 'Disabled') {
    out.push(required(`${field}.policies`, 'must specify at least one Policy'));
  }
  policies.forEach((p, i) => {
    const pp = `${field}.policies[${i}]`;
    const pol = asObj(p);
    out.push(...enumField(pol.type, `${pp}.type`, ['Percent', 'Pods'], true));
    if (typeof pol.value !== 'number' || pol.value <= 0) out.push(invalid(`${pp}.value`, pol.value ?? 0, 'must be greater than zero'));
    if (typeof pol.periodSeconds !== 'number' || pol.periodSeconds <= 0) out.push(invalid(`${pp}.periodSeconds`, pol.periodSeconds ?? 0, 'must be greater than zero'));
    else if (pol.periodSeconds > 1800) out.push(invalid(`${pp}.periodSeconds`, pol.periodSeconds, 'must be less than or equal to 1800'));
  });
  return out;
}

export function validateHPA(obj: KubeObject, version: string): Causes {
  const spec = asObj(obj.spec);
  const out: Causes = [];
  if (typeof spec.minReplicas === 'number' && spec.minReplicas < 1) {
    out.push(invalid('spec.minReplicas', spec.minReplicas, 'must be greater than or equal to 1'));
  }
  const max = typeof spec.maxReplicas === 'number' ? spec.maxReplicas : 0;
  if (max < 1) out.push(invalid('spec.maxReplicas', max, 'must be greater than 0'));
  if (typeof spec.minReplicas === 'number' && max < spec.minReplicas) {
    out.push(invalid('spec.maxReplicas', max, 'must be greater than or equal to `minReplicas`'));
  }
  out.push(...validateScaleTargetRef(spec.scaleTargetRef, 'spec.scaleTargetRef'));
  if (version === 'v1') {
    if (typeof spec.targetCPUUtilizationPercentage === 'number' && spec.targetCPUUtilizationPercentage < 1) {
      out.push(invalid('spec.targetCPUUtilizationPercentage', spec.targetCPUUtilizationPercentage, 'must be greater than 0'));
    }
    return out;
  }
  asArray(spec.metrics).forEach((m, i) => {
    const p = `spec.metrics[${i}]`;
    const metric = asObj(m);
    if (!metric.type) out.push(required(`${p}.type`, 'must specify a metric source type'));
    else if (!METRIC_TYPES.includes(metric.type)) out.push(notSupported(`${p}.type`, metric.type, METRIC_TYPES));
    const present = Object.values(METRIC_KEY).filter((k) => isObj(metric[k]));
    const expected = METRIC_KEY[metric.type];
    if (expected && !isObj(metric[expected])) out.push(required(`${p}.${expected}`, 'must populate information for the given metric source'));
    if (present.some((k) => k !== expected)) out.push(invalid(`${p}.type`, metric.type ?? '', 'must populate the given metric source only'));
    if (!expected) return;
    const src = asObj(metric[expected]);
    const sp = `${p}.${expected}`;
    if (expected === 'resource' || expected === 'containerResource') {
      if (!src.name) out.push(required(`${sp}.name`, 'must specify a resource name'));
      if (expected === 'containerResource' && !src.container) out.push(required(`${sp}.container`, 'must specify a container'));
    } else {
      if (!asObj(src.metric).name) out.push(required(`${sp}.metric.name`, 'must specify a metric name'));
      if (expected === 'object') {
        if (!asObj(src.describedObject).kind) out.push(required(`${sp}.describedObject.kind`));
        if (!asObj(src.describedObject).name) out.push(required(`${sp}.describedObject.name`));
      }
    }
    out.push(...validateMetricTarget(src.target, `${sp}.target`));
  });
  if (isObj(spec.behavior)) {
    out.push(...validateHPABehaviorRules(spec.behavior.scaleUp, 'spec.behavior.scaleUp'));
    out.push(...validateHPABehaviorRules(spec.behavior.scaleDown, 'spec.behavior.scaleDown'));
  }
  return out;
}

// ---- policy ---------------------------------------------------------------------------------

export function validatePodDisruptionBudget(obj: KubeObject): Causes {
  const spec = asObj(obj.spec);
  const out: Causes = [];
  const hasMin = spec.minAvailable !== undefined && spec.minAvailable !== null;
  const hasMax = spec.maxUnavailable !== undefined && spec.maxUnavailable !== null;
  if (hasMin && hasMax) out.push(invalid('spec', new GoRepr(`policy.PodDisruptionBudgetSpec${JSON.stringify(spec)}`), 'minAvailable and maxUnavailable cannot be both set'));
  for (const k of ['minAvailable', 'maxUnavailable']) {
    if (spec[k] === undefined || spec[k] === null) continue;
    out.push(...validatePositiveIntOrPercent(spec[k], `spec.${k}`), ...isNotMoreThan100Percent(spec[k], `spec.${k}`));
  }
  out.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  if (spec.unhealthyPodEvictionPolicy !== undefined && spec.unhealthyPodEvictionPolicy !== null) {
    out.push(...enumField(spec.unhealthyPodEvictionPolicy, 'spec.unhealthyPodEvictionPolicy', ['AlwaysAllow', 'IfHealthyBudget']));
  }
  return out;
}

// ---- networking -----------------------------------------------------------------------------

function validateNetworkPolicyPort(pIn: unknown, field: string): Causes {
  const p = asObj(pIn);
  const out: Causes = [];
  if (p.protocol !== undefined && p.protocol !== null && !['TCP', 'UDP', 'SCTP'].includes(p.protocol)) {
    out.push(notSupported(`${field}.protocol`, p.protocol, ['TCP', 'UDP', 'SCTP']));
  }
  if (p.port !== undefined && p.port !== null) {
    if (typeof p.port === 'number') {
      out.push(...invalidEach(`${field}.port`, p.port, isValidPortNum(p.port)));
      if (typeof p.endPort === 'number') {
        if (p.endPort < p.port) out.push(invalid(`${field}.endPort`, p.port, 'must be greater than or equal to `port`'));
        out.push(...invalidEach(`${field}.endPort`, p.endPort, isValidPortNum(p.endPort)));
      }
    } else {
      if (p.endPort !== undefined && p.endPort !== null) out.push(invalid(`${field}.endPort`, p.endPort, 'may not be specified when `port` is non-numeric'));
      out.push(...invalidEach(`${field}.port`, p.port, isValidPortName(String(p.port))));
    }
  } else if (p.endPort !== undefined && p.endPort !== null) {
    out.push(invalid(`${field}.endPort`, p.endPort, 'may not be specified when `port` is not specified'));
  }
  return out;
}

function validateNetworkPolicyPeer(pIn: unknown, field: string): Causes {
  const peer = asObj(pIn);
  const out: Causes = [];
  let n = 0;
  if (isObj(peer.podSelector)) {
    n++;
    out.push(...validateLabelSelector(peer.podSelector, `${field}.podSelector`));
  }
  if (isObj(peer.namespaceSelector)) {
    n++;
    out.push(...validateLabelSelector(peer.namespaceSelector, `${field}.namespaceSelector`));
  }
  if (isObj(peer.ipBlock)) {
    n++;
    const ipb = peer.ipBlock;
    if (!ipb.cidr) out.push(required(`${field}.ipBlock.cidr`));
    else out.push(...invalidEach(`${field}.ipBlock.cidr`, ipb.cidr, isValidCIDR(String(ipb.cidr))));
    asArray(ipb.except).forEach((e, i) => out.push(...invalidEach(`${field}.ipBlock.except[${i}]`, e, isValidCIDR(String(e)))));
  }
  if (n === 0) out.push(required(field, 'must specify a peer'));
  else if (n > 1 && isObj(peer.ipBlock)) out.push(forbidden(field, 'may not specify both ipBlock and another peer'));
  return out;
}

export function validateNetworkPolicy(obj: KubeObject): Causes {
  const spec = asObj(obj.spec);
  const out: Causes = [];
  out.push(...validateLabelSelector(spec.podSelector, 'spec.podSelector'));
  for (const [dir, peers] of [['ingress', 'from'], ['egress', 'to']] as const) {
    asArray(spec[dir]).forEach((r, i) => {
      const p = `spec.${dir}[${i}]`;
      const rule = asObj(r);
      asArray(rule.ports).forEach((pt, j) => out.push(...validateNetworkPolicyPort(pt, `${p}.ports[${j}]`)));
      asArray(rule[peers]).forEach((pe, j) => out.push(...validateNetworkPolicyPeer(pe, `${p}.${peers}[${j}]`)));
    });
  }
  const types = asArray(spec.policyTypes);
  if (types.length > 2) {
    out.push(invalid('spec.policyTypes', new GoRepr(`&[]networking.PolicyType{${types.map((t) => JSON.stringify(String(t))).join(', ')}}`), 'may not specify more than two policyTypes'));
    return out;
  }
  types.forEach((t, i) => {
    if (t !== 'Ingress' && t !== 'Egress') out.push(notSupported(`spec.policyTypes[${i}]`, t, ['Ingress', 'Egress']));
  });
  return out;
}

function validateIngressBackend(bIn: unknown, field: string): Causes {
  const b = asObj(bIn);
  const out: Causes = [];
  const hasRes = isObj(b.resource);
  const hasSvc = isObj(b.service);
  if (hasRes && hasSvc) return [invalid(field, '', 'cannot set both resource and service backends')];
  if (hasRes) {
    if (!b.resource.kind) out.push(required(`${field}.resource.kind`));
    if (!b.resource.name) out.push(required(`${field}.resource.name`));
    return out;
  }
  if (!hasSvc) return [invalid(field, '', 'resource or service backend is required')];
  const svc = b.service;
  if (!svc.name) out.push(required(`${field}.service.name`));
  else out.push(...invalidEach(`${field}.service.name`, svc.name, isDNS1035Label(String(svc.name))));
  const port = asObj(svc.port);
  const hasName = Boolean(port.name);
  const hasNumber = typeof port.number === 'number' && port.number !== 0;
  if (hasName && hasNumber) out.push(invalid(field, '', 'cannot set both port name & port number'));
  else if (hasName) out.push(...invalidEach(`${field}.service.port.name`, port.name, isValidPortName(String(port.name))));
  else if (hasNumber) out.push(...invalidEach(`${field}.service.port.number`, port.number, isValidPortNum(port.number)));
  else out.push(required(field, 'port name or number is required'));
  return out;
}

export function validateIngress(obj: KubeObject): Causes {
  const spec = asObj(obj.spec);
  const out: Causes = [];
  const rules = asArray(spec.rules);
  if (rules.length === 0 && !isObj(spec.defaultBackend)) {
    out.push(invalid('spec', new GoRepr('[]networking.IngressRule(nil)'), 'either `defaultBackend` or `rules` must be specified'));
  }
  if (isObj(spec.defaultBackend)) out.push(...validateIngressBackend(spec.defaultBackend, 'spec.defaultBackend'));
  rules.forEach((r, i) => {
    const rule = asObj(r);
    const p = `spec.rules[${i}]`;
    if (rule.host) {
      const host = String(rule.host);
      if (isValidIP(host).length === 0) out.push(invalid(`${p}.host`, host, 'must be a DNS name, not an IP address'));
      if (host.includes('*')) {
        if (!/^\*\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(host)) {
          out.push(invalid('spec.rules[0].host', host, "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. '*.example.com', regex used for validation is '\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"));
        }
      } else {
        out.push(...invalidEach('spec.rules[0].host', host, isDNS1123Subdomain(host)));
      }
    }
    if (!isObj(rule.http)) return;
    const paths = asArray(rule.http.paths);
    if (paths.length === 0) out.push(required(`${p}.http.paths`));
    paths.forEach((pa, j) => {
      const pp = `${p}.http.paths[${j}]`;
      const path = asObj(pa);
      const pathStr = String(path.path ?? '');
      if (!path.pathType) {
        out.push(required(`${pp}.pathType`, 'pathType must be specified'));
        return;
      }
      switch (path.pathType) {
        case 'Exact':
        case 'Prefix':
          if (!pathStr.startsWith('/')) out.push(invalid(`${pp}.path`, pathStr, 'must be an absolute path'));
          if (pathStr) {
            for (const seq of ['//', '/./', '/../', '%2f', '%2F']) if (pathStr.includes(seq)) out.push(invalid(`${pp}.path`, pathStr, `must not contain '${seq}'`));
            for (const suf of ['/..', '/.']) if (pathStr.endsWith(suf)) out.push(invalid(`${pp}.path`, pathStr, `cannot end with '${suf}'`));
          }
          break;
        case 'ImplementationSpecific':
          if (pathStr && !pathStr.startsWith('/')) out.push(invalid(`${pp}.path`, pathStr, 'must be an absolute path'));
          break;
        default:
          out.push(notSupported(`${pp}.pathType`, path.pathType, ['Exact', 'ImplementationSpecific', 'Prefix']));
      }
      out.push(...validateIngressBackend(path.backend, `${pp}.backend`));
    });
  });
  asArray(spec.tls).forEach((t, i) => {
    asArray(asObj(t).hosts).forEach((h, j) => {
      const host = String(h);
      if (!host.startsWith('*.')) out.push(...invalidEach(`spec.tls[${i}].hosts[${j}]`, host, isDNS1123Subdomain(host)));
    });
  });
  if (spec.ingressClassName !== undefined && spec.ingressClassName !== null) {
    out.push(...invalidEach('spec.ingressClassName', spec.ingressClassName, isDNS1123Subdomain(String(spec.ingressClassName))));
  }
  return out;
}

export function validateIngressClass(obj: KubeObject, old?: KubeObject): Causes {
  const spec = asObj(obj.spec);
  const out: Causes = [];
  const ctrl = String(spec.controller ?? '');
  if (!ctrl) out.push(required('spec.controller'));
  else if (ctrl.length > 250) out.push(tooLong('spec.controller', 250));
  else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/\S+$/.test(ctrl)) {
    out.push(invalid('spec.controller', ctrl, 'must be a domain-prefixed path (such as "acme.io/foo")'));
  }
  if (isObj(spec.parameters)) {
    const pr = spec.parameters;
    if (!pr.kind) out.push(required('spec.parameters.kind'));
    if (!pr.name) out.push(required('spec.parameters.name'));
    out.push(...enumField(pr.scope, 'spec.parameters.scope', ['Cluster', 'Namespace']));
    if (pr.scope === 'Namespace' && !pr.namespace) out.push(required('spec.parameters.namespace', '`parameters.scope` is set to "Namespace"'));
    if (pr.scope === 'Cluster' && pr.namespace) out.push(forbidden('spec.parameters.namespace', '`parameters.scope` is set to "Cluster"'));
  }
  if (old && ctrl !== String(asObj(old.spec).controller ?? '')) out.push(invalid('spec.controller', ctrl, FIELD_IMMUTABLE));
  return out;
}

// ---- storage --------------------------------------------------------------------------------

export function validateStorageClass(obj: KubeObject, old?: KubeObject): Causes {
  const out: Causes = [];
  const prov = String(obj.provisioner ?? '');
  if (!prov) out.push(required('provisioner'));
  else out.push(...invalidEach('provisioner', prov.toLowerCase(), isQualifiedName(prov.toLowerCase())));
  const params = asObj(obj.parameters);
  let size = 0;
  for (const [k, v] of Object.entries(params)) {
    if (k === '') out.push(invalid('parameters', new GoRepr(JSON.stringify(params)), 'key may not be empty'));
    size += k.length + String(v).length;
  }
  if (Object.keys(params).length > 512) out.push(tooMany('parameters', Object.keys(params).length, 512));
  if (size > TOTAL_ANNOTATION_SIZE_LIMIT) out.push(tooLong('parameters', TOTAL_ANNOTATION_SIZE_LIMIT));
  if (obj.reclaimPolicy) out.push(...enumField(obj.reclaimPolicy, 'reclaimPolicy', ['Delete', 'Retain']));
  out.push(...enumField(obj.volumeBindingMode, 'volumeBindingMode', ['Immediate', 'WaitForFirstConsumer'], true));
  asArray(obj.allowedTopologies).forEach((t, i) => {
    const exprs = asArray(asObj(t).matchLabelExpressions);
    if (exprs.length === 0) out.push(required(`allowedTopologies[${i}].matchLabelExpressions`, 'must contain at least one requirement'));
    exprs.forEach((e, j) => {
      const ex = asObj(e);
      const p = `allowedTopologies[${i}].matchLabelExpressions[${j}]`;
      out.push(...invalidEach(`${p}.key`, ex.key ?? '', isQualifiedName(String(ex.key ?? ''))));
      if (asArray(ex.values).length === 0) out.push(required(`${p}.values`, 'must specify as least one value'));
    });
  });
  if (old) {
    if (!deepEqual(obj.parameters, old.parameters)) out.push(forbidden('parameters', 'updates to parameters are forbidden.'));
    if (prov !== String(old.provisioner ?? '')) out.push(forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if ((obj.reclaimPolicy ?? '') !== (old.reclaimPolicy ?? '')) out.push(forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    if ((obj.volumeBindingMode ?? null) !== (old.volumeBindingMode ?? null)) out.push(invalid('volumeBindingMode', obj.volumeBindingMode ?? null, FIELD_IMMUTABLE));
  }
  return out;
}

// ---- coordination ---------------------------------------------------------------------------

export function validateLease(obj: KubeObject): Causes {
  const spec = asObj(obj.spec);
  const out: Causes = [];
  if (typeof spec.leaseDurationSeconds === 'number' && spec.leaseDurationSeconds <= 0) {
    out.push(invalid('spec.leaseDurationSeconds', spec.leaseDurationSeconds, 'must be greater than 0'));
  }
  if (typeof spec.leaseTransitions === 'number' && spec.leaseTransitions < 0) {
    out.push(invalid('spec.leaseTransitions', spec.leaseTransitions, 'must be greater than or equal to 0'));
  }
  return out;
}

// ---- rbac -----------------------------------------------------------------------------------

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function validatePolicyRules(rules: unknown, namespaced: boolean): Causes {
  const out: Causes = [];
  asArray(rules).forEach((r, i) => {
    const p = `rules[${i}]`;
    const rule = asObj(r);
    if (asArray(rule.verbs).length === 0) out.push(required(`${p}.verbs`, 'verbs must contain at least one value'));
    const urls = asArray(rule.nonResourceURLs);
    if (urls.length > 0) {
      const goUrls = new GoRepr(`[]string{${urls.map((u) => JSON.stringify(String(u))).join(', ')}}`);
      if (namespaced) out.push(invalid(`${p}.nonResourceURLs`, goUrls, 'namespaced rules cannot apply to non-resource URLs'));
      if (asArray(rule.apiGroups).length || asArray(rule.resources).length || asArray(rule.resourceNames).length) {
        out.push(invalid(`${p}.nonResourceURLs`, goUrls, 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if (asArray(rule.apiGroups).length === 0) out.push(required(`${p}.apiGroups`, 'resource rules must supply at least one api group'));
    if (asArray(rule.resources).length === 0) out.push(required(`${p}.resources`, 'resource rules must supply at least one resource'));
  });
  return out;
}

export function validateRole(obj: KubeObject, namespaced: boolean): Causes {
  const out = validatePolicyRules(obj.rules, namespaced);
  if (!namespaced && isObj(obj.aggregationRule)) {
    const sels = asArray(obj.aggregationRule.clusterRoleSelectors);
    if (sels.length === 0) out.push(required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    sels.forEach((s, i) => out.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)));
  }
  return out;
}

function goRoleRef(r: Obj): GoRepr {
  const q = (v: unknown): string => JSON.stringify(String(v ?? ''));
  return new GoRepr(`rbac.RoleRef{APIGroup:${q(r.apiGroup)}, Kind:${q(r.kind)}, Name:${q(r.name)}}`);
}

export function validateRoleBinding(obj: KubeObject, namespaced: boolean, old?: KubeObject): Causes {
  const out: Causes = [];
  const ref = asObj(obj.roleRef);
  if (ref.apiGroup !== RBAC_GROUP) out.push(notSupported('roleRef.apiGroup', ref.apiGroup ?? '', [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind)) out.push(notSupported('roleRef.kind', ref.kind ?? '', kinds));
  if (!ref.name) out.push(required('roleRef.name'));
  else out.push(...invalidEach('roleRef.name', ref.name, isValidPathSegmentName(String(ref.name))));
  asArray(obj.subjects).forEach((s, i) => {
    const p = `subjects[${i}]`;
    const subj = asObj(s);
    if (!subj.name) out.push(required(`${p}.name`));
    switch (subj.kind) {
      case 'ServiceAccount':
        if (subj.name) out.push(...invalidEach(`${p}.name`, subj.name, isDNS1123Subdomain(String(subj.name))));
        if (subj.apiGroup) out.push(notSupported(`${p}.apiGroup`, subj.apiGroup, ['']));
        if (!namespaced && !subj.namespace) out.push(required(`${p}.namespace`));
        break;
      case 'User':
      case 'Group':
        if (subj.apiGroup !== RBAC_GROUP) out.push(notSupported(`${p}.apiGroup`, subj.apiGroup ?? '', [RBAC_GROUP]));
        break;
      default:
        out.push(notSupported(`${p}.kind`, subj.kind ?? '', ['ServiceAccount', 'User', 'Group']));
    }
  });
  if (old && !deepEqual(obj.roleRef, old.roleRef)) out.push(invalid('roleRef', goRoleRef(ref), 'cannot change roleRef'));
  return out;
}

// ---- scheduling -----------------------------------------------------------------------------

export const SYSTEM_PRIORITY_CLASSES: Record<string, number> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};
const HIGHEST_USER_PRIORITY = 1000000000;

export function validatePriorityClass(obj: KubeObject, old?: KubeObject): Causes {
  const out: Causes = [];
  const name = String(obj.metadata.name ?? '');
  const value = typeof obj.value === 'number' ? obj.value : 0;
  if (name.startsWith('system-')) {
    let err: string | undefined;
    if (!(name in SYSTEM_PRIORITY_CLASSES)) err = `${name} is not a known system priority class`;
    else if (SYSTEM_PRIORITY_CLASSES[name] !== value) err = `value of ${name} PriorityClass must be ${SYSTEM_PRIORITY_CLASSES[name]}`;
    else if (obj.globalDefault === true) err = `globalDefault of ${name} PriorityClass must be false`;
    if (err) out.push(forbidden('metadata.name', `priority class names with 'system-' prefix are reserved for system use only. error: ${err}`));
  } else if (value > HIGHEST_USER_PRIORITY) {
    out.push(forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`));
  }
  if (obj.preemptionPolicy !== undefined && obj.preemptionPolicy !== null) {
    out.push(...enumField(obj.preemptionPolicy, 'preemptionPolicy', ['Never', 'PreemptLowerPriority']));
  }
  if (old) {
    if (value !== (typeof old.value === 'number' ? old.value : 0)) out.push(forbidden('value', 'may not be changed in an update.'));
    if ((obj.preemptionPolicy ?? null) !== (old.preemptionPolicy ?? null)) out.push(invalid('preemptionPolicy', obj.preemptionPolicy ?? null, FIELD_IMMUTABLE));
  }
  return out;
}

// ---- discovery ------------------------------------------------------------------------------

export function validateEndpointSlice(obj: KubeObject, old?: KubeObject): Causes {
  const out: Causes = [];
  const at = obj.addressType;
  out.push(...enumField(at, 'addressType', ['IPv4', 'IPv6', 'FQDN'], true));
  asArray(obj.endpoints).forEach((e, i) => {
    const p = `endpoints[${i}]`;
    const addrs = asArray(asObj(e).addresses);
    if (addrs.length === 0) out.push(required(`${p}.addresses`, 'must contain at least 1 address'));
    else if (addrs.length > 100) out.push(tooMany(`${p}.addresses`, addrs.length, 100));
    addrs.forEach((a, j) => {
      const s = String(a);
      if (at === 'IPv4' || at === 'IPv6') {
        const errs = isValidIP(s);
        if (errs.length) out.push(...invalidEach(`${p}.addresses[${j}]`, s, errs));
        else if ((at === 'IPv4') !== s.includes('.')) out.push(invalid(`${p}.addresses[${j}]`, s, `must be an ${at} address`));
      } else if (at === 'FQDN') {
        out.push(...invalidEach(`${p}.addresses[${j}]`, s, isDNS1123Subdomain(s)));
      }
    });
    const hostname = asObj(e).hostname;
    if (hostname) out.push(...invalidEach(`${p}.hostname`, hostname, isDNS1123Label(String(hostname))));
  });
  const names = new Set<string>();
  asArray(obj.ports).forEach((pt, i) => {
    const p = `ports[${i}]`;
    const port = asObj(pt);
    const name = String(port.name ?? '');
    if (name) out.push(...invalidEach(`${p}.name`, name, isDNS1123Label(name)));
    if (names.has(name)) out.push({ reason: 'FieldValueDuplicate', field: `${p}.name`, message: `Duplicate value: ${JSON.stringify(name)}` });
    names.add(name);
    if (port.protocol !== undefined && port.protocol !== null) out.push(...enumField(port.protocol, `${p}.protocol`, PORT_PROTOCOLS));
    if (typeof port.port === 'number') out.push(...invalidEach(`${p}.port`, port.port, isValidPortNum(port.port)));
  });
  if (old && at !== old.addressType) out.push(invalid('addressType', at ?? '', FIELD_IMMUTABLE));
  return out;
}

