/**
 * apps/v1 validation: Deployment, ReplicaSet, StatefulSet, DaemonSet, ControllerRevision.
 * Messages and field paths follow kube-apiserver v1.32.
 */
import type { KubeObject } from '../../core/types.ts';
import { validatePodTemplateSpec } from './builtin-validation-pod.ts';
import {
  asArray,
  asObj,
  type Causes,
  clone,
  deepEqual,
  FIELD_IMMUTABLE,
  forbidden,
  goIntOrString,
  goLabelSelector,
  goStringMap,
  GoRepr,
  intOrPercentValue,
  invalid,
  isNotMoreThan100Percent,
  isObj,
  nonNegative,
  notSupported,
  type Obj,
  required,
  selectorIsEmpty,
  selectorMatches,
  validateLabelSelector,
  validatePositiveIntOrPercent,
} from './builtin-validation-util.ts';

/** Selector presence/syntax/emptiness, as every apps/v1 workload checks it. Returns whether usable. */
function validateWorkloadSelector(spec: Obj, what: string, out: Causes): boolean {
  if (!isObj(spec.selector)) {
    out.push(required('spec.selector'));
    return false;
  }
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  out.push(...errs);
  if (selectorIsEmpty(spec.selector)) {
    out.push(invalid('spec.selector', goLabelSelector(spec.selector), `empty selector is invalid for ${what}`));
    return false;
  }
  return errs.length === 0;
}

function templateLabelsMatch(spec: Obj, out: Causes): void {
  const labels = asObj(asObj(spec.template).metadata).labels;
  if (!selectorMatches(spec.selector, labels)) {
    out.push(invalid('spec.template.metadata.labels', goStringMap(labels), '`selector` does not match template `labels`'));
  }
}

function restartAlways(spec: Obj, out: Causes): void {
  const ps = asObj(asObj(spec.template).spec);
  if (ps.restartPolicy !== 'Always') out.push(notSupported('spec.template.spec.restartPolicy', ps.restartPolicy ?? '', ['Always']));
}

function activeDeadline(spec: Obj): unknown {
  return asObj(asObj(spec.template).spec).activeDeadlineSeconds;
}

function selectorImmutable(obj: KubeObject, old: KubeObject | undefined, out: Causes): void {
  if (!old) return;
  const sel = asObj(obj.spec).selector;
  if (!deepEqual(sel, asObj(old.spec).selector)) out.push(invalid('spec.selector', goLabelSelector(sel), FIELD_IMMUTABLE));
}

/** ValidatePodTemplateSpecForReplicaSet, shared by Deployments and ReplicaSets. */
function validateReplicaSetTemplate(spec: Obj, selectorOk: boolean, out: Causes): void {
  if (!isObj(spec.template)) {
    out.push(required('spec.template'));
    return;
  }
  if (selectorOk) templateLabelsMatch(spec, out);
  out.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
  restartAlways(spec, out);
  const ads = activeDeadline(spec);
  if (ads !== undefined && ads !== null) {
    out.push(invalid('spec.template.spec.activeDeadlineSeconds', ads, 'activeDeadlineSeconds in ReplicaSet is not Supported'));
  }
}

// ---- Deployment -----------------------------------------------------------------------------

function goDeploymentStrategy(s: Obj): GoRepr {
  const ru = isObj(s.rollingUpdate) ? '(*apps.RollingUpdateDeployment)(0xc000000000)' : '(*apps.RollingUpdateDeployment)(nil)';
  return new GoRepr(`apps.DeploymentStrategy{Type:${JSON.stringify(String(s.type ?? ''))}, RollingUpdate:${ru}}`);
}

function validateDeploymentStrategy(strategyIn: unknown, out: Causes): void {
  const strategy = asObj(strategyIn);
  const p = 'spec.strategy';
  switch (strategy.type) {
    case 'Recreate':
      if (strategy.rollingUpdate !== undefined && strategy.rollingUpdate !== null) {
        out.push(forbidden(`${p}.rollingUpdate`, "may not be specified when strategy `type` is 'Recreate'"));
      }
      break;
    case 'RollingUpdate': {
      if (!isObj(strategy.rollingUpdate)) {
        out.push(required(`${p}.rollingUpdate`, 'this should be defaulted and never be nil'));
        break;
      }
      const ru = strategy.rollingUpdate;
      out.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.rollingUpdate.maxUnavailable`));
      out.push(...validatePositiveIntOrPercent(ru.maxSurge, `${p}.rollingUpdate.maxSurge`));
      if ((intOrPercentValue(ru.maxUnavailable)?.value ?? 0) === 0 && (intOrPercentValue(ru.maxSurge)?.value ?? 0) === 0) {
        out.push(invalid(`${p}.rollingUpdate.maxUnavailable`, goIntOrString(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
      }
      out.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.rollingUpdate.maxUnavailable`));
      break;
    }
    default:
      out.push(notSupported(p, goDeploymentStrategy(strategy), ['Recreate', 'RollingUpdate']));
  }
}

export function validateDeployment(obj: KubeObject, old?: KubeObject): Causes {
  const spec = asObj(obj.spec);
  const out: Causes = [];
  out.push(...nonNegative(spec.replicas, 'spec.replicas'));
  const selOk = validateWorkloadSelector(spec, 'deployment', out);
  validateReplicaSetTemplate(spec, selOk, out);
  validateDeploymentStrategy(spec.strategy, out);
  out.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  out.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    out.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= (spec.minReadySeconds ?? 0)) {
      out.push(invalid('spec.progressDeadlineSeconds', spec.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  selectorImmutable(obj, old, out);
  return out;
}

// ---- ReplicaSet -----------------------------------------------------------------------------

export function validateReplicaSet(obj: KubeObject, old?: KubeObject): Causes {
  const spec = asObj(obj.spec);
  const out: Causes = [];
  out.push(...nonNegative(spec.replicas, 'spec.replicas'));
  out.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const selOk = validateWorkloadSelector(spec, 'deployment', out);
  validateReplicaSetTemplate(spec, selOk, out);
  selectorImmutable(obj, old, out);
  return out;
}

// ---- StatefulSet ----------------------------------------------------------------------------

const STS_UPDATE_MSG =
  "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', " +
  "'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden";

export function validateStatefulSet(obj: KubeObject, old?: KubeObject): Causes {
  const spec = asObj(obj.spec);
  const out: Causes = [];
  switch (spec.podManagementPolicy) {
    case undefined:
    case null:
    case '':
      out.push(required('spec.podManagementPolicy'));
      break;
    case 'OrderedReady':
    case 'Parallel':
      break;
    default:
      out.push(invalid('spec.podManagementPolicy', spec.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }
  const us = asObj(spec.updateStrategy);
  switch (us.type) {
    case undefined:
    case null:
    case '':
      out.push(required('spec.updateStrategy'));
      break;
    case 'OnDelete':
      if (isObj(us.rollingUpdate)) {
        out.push(invalid('spec.updateStrategy.rollingUpdate', new GoRepr('apps.RollingUpdateStatefulSetStrategy{...}'), "only allowed for updateStrategy 'RollingUpdate'"));
      }
      break;
    case 'RollingUpdate':
      if (isObj(us.rollingUpdate)) {
        out.push(...nonNegative(us.rollingUpdate.partition, 'spec.updateStrategy.rollingUpdate.partition'));
        if (us.rollingUpdate.maxUnavailable !== undefined) {
          out.push(...validatePositiveIntOrPercent(us.rollingUpdate.maxUnavailable, 'spec.updateStrategy.rollingUpdate.maxUnavailable'));
        }
      }
      break;
    default:
      out.push(invalid('spec.updateStrategy', new GoRepr(`apps.StatefulSetUpdateStrategy{Type:${JSON.stringify(String(us.type))}}`), "must be 'RollingUpdate' or 'OnDelete'"));
  }
  const pvcPolicy = spec.persistentVolumeClaimRetentionPolicy;
  if (isObj(pvcPolicy)) {
    for (const k of ['whenDeleted', 'whenScaled']) {
      const v = pvcPolicy[k];
      if (v !== 'Retain' && v !== 'Delete') out.push(notSupported(`spec.persistentVolumeClaimRetentionPolicy.${k}`, v ?? '', ['Retain', 'Delete']));
    }
  }
  if (isObj(spec.ordinals)) out.push(...nonNegative(spec.ordinals.start, 'spec.ordinals.start'));
  out.push(...nonNegative(spec.replicas, 'spec.replicas'));
  out.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const selOk = validateWorkloadSelector(spec, 'statefulset', out);
  if (!isObj(spec.template)) {
    out.push(required('spec.template'));
  } else {
    if (selOk) templateLabelsMatch(spec, out);
    const claimNames = asArray(spec.volumeClaimTemplates).map((t) => asObj(asObj(t).metadata).name).filter(Boolean);
    out.push(...validatePodTemplateSpec(spec.template, 'spec.template', { extraVolumeNames: claimNames }));
    restartAlways(spec, out);
    const ads = activeDeadline(spec);
    if (ads !== undefined && ads !== null) out.push(invalid('spec.template.spec.activeDeadlineSeconds', ads, 'must not be specified'));
  }
  if (old) {
    const a = clone(spec);
    const b = asObj(old.spec);
    for (const k of ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds']) {
      a[k] = b[k];
    }
    if (!deepEqual(a, b)) out.push(forbidden('spec', STS_UPDATE_MSG));
  }
  return out;
}

// ---- DaemonSet ------------------------------------------------------------------------------

export function validateDaemonSet(obj: KubeObject, old?: KubeObject): Causes {
  const spec = asObj(obj.spec);
  const out: Causes = [];
  if (!isObj(spec.selector)) out.push(required('spec.selector'));
  else {
    const errs = validateLabelSelector(spec.selector, 'spec.selector');
    out.push(...errs);
    if (errs.length === 0) templateLabelsMatch(spec, out);
    if (selectorIsEmpty(spec.selector)) out.push(invalid('spec.selector', goLabelSelector(spec.selector), 'empty selector is invalid for daemonset'));
  }
  out.push(...validatePodTemplateSpec(spec.template, 'spec.template'));
  restartAlways(spec, out);
  const ads = activeDeadline(spec);
  if (ads !== undefined && ads !== null) out.push(invalid('spec.template.spec.activeDeadlineSeconds', ads, 'activeDeadlineSeconds in DaemonSet is not Supported'));
  out.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  out.push(...nonNegative(spec.templateGeneration, 'spec.templateGeneration'));
  const us = asObj(spec.updateStrategy);
  const p = 'spec.updateStrategy';
  switch (us.type) {
    case 'OnDelete':
      break;
    case 'RollingUpdate': {
      if (!isObj(us.rollingUpdate)) {
        out.push(required(`${p}.rollingUpdate`));
        break;
      }
      const ru = us.rollingUpdate;
      out.push(...validatePositiveIntOrPercent(ru.maxUnavailable, `${p}.rollingUpdate.maxUnavailable`));
      out.push(...validatePositiveIntOrPercent(ru.maxSurge, `${p}.rollingUpdate.maxSurge`));
      out.push(...isNotMoreThan100Percent(ru.maxUnavailable, `${p}.rollingUpdate.maxUnavailable`));
      out.push(...isNotMoreThan100Percent(ru.maxSurge, `${p}.rollingUpdate.maxSurge`));
      const hasUnavailable = (intOrPercentValue(ru.maxUnavailable)?.value ?? 0) !== 0;
      const hasSurge = (intOrPercentValue(ru.maxSurge)?.value ?? 0) !== 0;
      if (hasUnavailable && hasSurge) out.push(invalid(`${p}.rollingUpdate.maxSurge`, goIntOrString(ru.maxSurge), 'may not be set when maxUnavailable is non-zero'));
      else if (!hasUnavailable && !hasSurge) out.push(required(`${p}.rollingUpdate.maxUnavailable`, 'cannot be 0 when maxSurge is 0'));
      break;
    }
    default:
      out.push(notSupported(p, new GoRepr(`apps.DaemonSetUpdateStrategy{Type:${JSON.stringify(String(us.type ?? ''))}, RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}`), ['RollingUpdate', 'OnDelete']));
  }
  out.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  selectorImmutable(obj, old, out);
  return out;
}

// ---- ControllerRevision ---------------------------------------------------------------------

export function validateControllerRevision(obj: KubeObject, old?: KubeObject): Causes {
  const out: Causes = [];
  if (obj.data === undefined || obj.data === null) out.push(required('data', 'data is mandatory'));
  out.push(...nonNegative(obj.revision, 'revision'));
  if (old && !deepEqual(obj.data, old.data)) out.push(invalid('data', new GoRepr('runtime.RawExtension{...}'), FIELD_IMMUTABLE));
  return out;
}

