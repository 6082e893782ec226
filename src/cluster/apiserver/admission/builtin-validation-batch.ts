/**
 * batch/v1 validation: Job and CronJob (including the standard 5-field cron syntax, with the
 * error wording of the cron library kube-apiserver uses). Follows kube-apiserver v1.32.
 */
import type { KubeObject } from '../../core/types.ts';
import { isDNS1123Label } from './names.ts';
import { validatePodTemplateSpec } from './builtin-validation-pod.ts';
import {
  asArray,
  asObj,
  type Causes,
  clone,
  deepEqual,
  enumField,
  FIELD_IMMUTABLE,
  forbidden,
  goLabelSelector,
  goStringMap,
  GoRepr,
  invalid,
  isObj,
  nonNegative,
  notSupported,
  type Obj,
  required,
  selectorMatches,
  validateLabelSelector,
} from './builtin-validation-util.ts';

export const CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const LEGACY_CONTROLLER_UID_LABEL = 'controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_NAME_LABEL = 'job-name';

const MAX_PARALLELISM_INDEXED = 100000;

function validatePodFailurePolicy(pfp: unknown, field: string): Causes {
  const out: Causes = [];
  asArray(asObj(pfp).rules).forEach((r, i) => {
    const p = `${field}.rules[${i}]`;
    const rule = asObj(r);
    out.push(...enumField(rule.action, `${p}.action`, ['Count', 'FailIndex', 'FailJob', 'Ignore'], true));
    const hasExit = isObj(rule.onExitCodes);
    const hasCond = asArray(rule.onPodConditions).length > 0;
    if (hasExit && hasCond) out.push(invalid(p, '', 'specifying both OnExitCodes and OnPodConditions is not supported'));
    else if (!hasExit && !hasCond) out.push(invalid(p, '', 'specifying one of OnExitCodes and OnPodConditions is required'));
    if (hasExit) {
      const ec = rule.onExitCodes;
      out.push(...enumField(ec.operator, `${p}.onExitCodes.operator`, ['In', 'NotIn'], true));
      const values = asArray(ec.values);
      if (values.length === 0) out.push(required(`${p}.onExitCodes.values`, 'at least one value is required'));
      if (ec.operator === 'In' && values.includes(0)) out.push(invalid(`${p}.onExitCodes.values`, 0, 'must not be 0 for the In operator'));
    }
    asArray(rule.onPodConditions).forEach((c, j) => {
      const cond = asObj(c);
      if (!cond.type) out.push(required(`${p}.onPodConditions[${j}].type`));
      out.push(...enumField(cond.status, `${p}.onPodConditions[${j}].status`, ['True', 'False', 'Unknown'], true));
    });
  });
  return out;
}

/** validateJobSpec: the part shared by Jobs and CronJob job templates. `field` ends in `spec`. */
function validateJobSpecCommon(specIn: unknown, field: string): Causes {
  const spec = asObj(specIn);
  const out: Causes = [];
  for (const k of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) {
    out.push(...nonNegative(spec[k], `${field}.${k}`));
  }
  const indexed = spec.completionMode === 'Indexed';
  if (spec.backoffLimitPerIndex !== undefined && spec.backoffLimitPerIndex !== null) {
    out.push(...nonNegative(spec.backoffLimitPerIndex, `${field}.backoffLimitPerIndex`));
    if (!indexed) out.push(forbidden(`${field}.backoffLimitPerIndex`, 'requires indexed completion mode'));
  }
  if (spec.maxFailedIndexes !== undefined && spec.maxFailedIndexes !== null) {
    if (spec.backoffLimitPerIndex === undefined || spec.backoffLimitPerIndex === null) {
      out.push(required(`${field}.backoffLimitPerIndex`, 'when maxFailedIndexes is specified'));
    }
    out.push(...nonNegative(spec.maxFailedIndexes, `${field}.maxFailedIndexes`));
  }
  if (spec.completionMode !== undefined && spec.completionMode !== null) {
    if (spec.completionMode !== 'NonIndexed' && spec.completionMode !== 'Indexed') {
      out.push(notSupported(`${field}.completionMode`, spec.completionMode, ['NonIndexed', 'Indexed']));
    }
    if (indexed) {
      if (spec.completions === undefined || spec.completions === null) out.push(required(`${field}.completions`, 'when completion mode is Indexed'));
      if (typeof spec.parallelism === 'number' && spec.parallelism > MAX_PARALLELISM_INDEXED) {
        out.push(invalid(`${field}.parallelism`, spec.parallelism, `must be less than or equal to ${MAX_PARALLELISM_INDEXED} when completion mode is Indexed`));
      }
    }
  }
  if (isObj(spec.podFailurePolicy)) out.push(...validatePodFailurePolicy(spec.podFailurePolicy, `${field}.podFailurePolicy`));
  if (spec.podReplacementPolicy !== undefined && spec.podReplacementPolicy !== null) {
    if (isObj(spec.podFailurePolicy)) {
      if (spec.podReplacementPolicy !== 'Failed') out.push(notSupported(`${field}.podReplacementPolicy`, spec.podReplacementPolicy, ['Failed']));
    } else if (!['Failed', 'TerminatingOrFailed'].includes(spec.podReplacementPolicy)) {
      out.push(notSupported(`${field}.podReplacementPolicy`, spec.podReplacementPolicy, ['Failed', 'TerminatingOrFailed']));
    }
  }
  out.push(...validatePodTemplateSpec(spec.template, `${field}.template`));
  const rp = asObj(asObj(spec.template).spec).restartPolicy;
  const rpField = `${field}.template.spec.restartPolicy`;
  if (rp === 'Always' || rp === '' || rp === undefined || rp === null) {
    out.push(required(rpField, 'valid values: "OnFailure", "Never"'));
  } else if (rp !== 'OnFailure' && rp !== 'Never') {
    out.push(notSupported(rpField, rp, ['OnFailure', 'Never']));
  } else if (isObj(spec.podFailurePolicy) && rp !== 'Never') {
    out.push(invalid(rpField, rp, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return out;
}

/** The selector a Job gets when it does not ask for a manual one. */
function validateGeneratedSelector(obj: KubeObject, out: Causes): void {
  const spec = asObj(obj.spec);
  if (spec.manualSelector === true) return;
  const uid = obj.metadata.uid;
  if (!uid) return;
  const labels = asObj(asObj(asObj(spec.template).metadata).labels);
  for (const key of [CONTROLLER_UID_LABEL, LEGACY_CONTROLLER_UID_LABEL]) {
    if (key in labels && labels[key] !== uid) {
      out.push(invalid(`spec.template.metadata.labels[${key}]`, labels[key], `must be '${uid}'`));
    }
  }
  if (!(CONTROLLER_UID_LABEL in labels)) out.push(required(`spec.template.metadata.labels[${CONTROLLER_UID_LABEL}]`));
  if (!isObj(spec.selector)) return;
  const expected = { matchLabels: { [CONTROLLER_UID_LABEL]: uid } };
  if (!deepEqual(spec.selector, expected)) {
    out.push(invalid('spec.selector', goLabelSelector(spec.selector), '`selector` not auto-generated'));
  }
}

function validateJobSpecFull(obj: KubeObject, out: Causes): void {
  const spec = asObj(obj.spec);
  out.push(...validateJobSpecCommon(spec, 'spec'));
  if (!isObj(spec.selector)) {
    out.push(required('spec.selector'));
    return;
  }
  const errs = validateLabelSelector(spec.selector, 'spec.selector');
  out.push(...errs);
  if (errs.length === 0) {
    const labels = asObj(asObj(spec.template).metadata).labels;
    if (!isObj(labels) || !selectorMatches(spec.selector, labels)) {
      out.push(invalid('spec.template.metadata.labels', goStringMap(labels), '`selector` does not match template `labels`'));
    }
  }
}

function jobTemplateUpdate(spec: Obj, oldSpec: Obj, old: KubeObject, out: Causes): void {
  let oldTemplate = oldSpec.template;
  const suspended = oldSpec.suspend === true;
  const notStarted = !asObj(old.status).startTime;
  if (suspended && notStarted) {
    // Scheduling directives, labels and annotations may change while a Job is suspended and unstarted.
    oldTemplate = clone(asObj(oldSpec.template));
    const nt = asObj(spec.template);
    const ntSpec = asObj(nt.spec);
    oldTemplate.spec = { ...asObj(oldTemplate.spec) };
    oldTemplate.metadata = { ...asObj(oldTemplate.metadata) };
    for (const k of ['nodeSelector', 'tolerations', 'schedulingGates', 'affinity']) oldTemplate.spec[k] = ntSpec[k];
    for (const k of ['labels', 'annotations']) oldTemplate.metadata[k] = asObj(nt.metadata)[k];
  }
  if (!deepEqual(spec.template, oldTemplate)) {
    out.push(invalid('spec.template', new GoRepr('core.PodTemplateSpec{...}'), FIELD_IMMUTABLE));
  }
}

export function validateJob(obj: KubeObject, old?: KubeObject): Causes {
  const spec = asObj(obj.spec);
  const out: Causes = [];
  if (!old) validateGeneratedSelector(obj, out);
  validateJobSpecFull(obj, out);
  if (!old && spec.completionMode === 'Indexed' && typeof spec.completions === 'number' && spec.completions > 0) {
    const host = `${obj.metadata.name ?? ''}-${spec.completions - 1}`;
    if (isDNS1123Label(host).length > 0) {
      out.push(invalid('metadata.name', obj.metadata.name ?? '', `will not able to create pod with invalid DNS label: ${host}`));
    }
  }
  if (old) {
    const oldSpec = asObj(old.spec);
    const indexed = spec.completionMode === 'Indexed';
    if ((spec.completions ?? null) !== (oldSpec.completions ?? null)) {
      if (!indexed) out.push(invalid('spec.completions', spec.completions ?? null, FIELD_IMMUTABLE));
      else if (spec.completions !== spec.parallelism) {
        out.push(invalid('spec.completions', spec.completions ?? null, 'can only be modified in tandem with spec.parallelism'));
      }
    }
    if (!deepEqual(spec.selector, oldSpec.selector)) out.push(invalid('spec.selector', goLabelSelector(spec.selector), FIELD_IMMUTABLE));
    jobTemplateUpdate(spec, oldSpec, old, out);
    for (const k of ['completionMode', 'podFailurePolicy', 'backoffLimitPerIndex', 'managedBy', 'successPolicy']) {
      if (!deepEqual(spec[k], oldSpec[k])) {
        const v = spec[k];
        out.push(invalid(`spec.${k}`, typeof v === 'object' && v !== null ? new GoRepr(JSON.stringify(v)) : (v ?? null), FIELD_IMMUTABLE));
      }
    }
  }
  return out;
}

// ---- CronJob --------------------------------------------------------------------------------

interface CronField {
  min: number;
  max: number;
  names?: Record<string, number>;
}

const MONTHS: Record<string, number> = { jan: 1, feb: 2, mar: 3, apr: 4, may: 5, jun: 6, jul: 7, aug: 8, sep: 9, oct: 10, nov: 11, dec: 12 };
const DOWS: Record<string, number> = { sun: 0, mon: 1, tue: 2, wed: 3, thu: 4, fri: 5, sat: 6 };
const CRON_FIELDS: CronField[] = [
  { min: 0, max: 59 },
  { min: 0, max: 23 },
  { min: 1, max: 31 },
  { min: 1, max: 12, names: MONTHS },
  { min: 0, max: 6, names: DOWS },
];

function cronInt(expr: string): number {
  if (!/^[+-]?[0-9]+$/.test(expr)) throw new Error(`failed to parse int from ${expr}: strconv.Atoi: parsing ${JSON.stringify(expr)}: invalid syntax`);
  const n = Number(expr);
  if (n < 0) throw new Error(`negative number (${n}) not allowed: ${expr}`);
  return n;
}

function cronValue(expr: string, f: CronField): number {
  const named = f.names?.[expr.toLowerCase()];
  return named !== undefined ? named : cronInt(expr);
}

function parseCronRange(expr: string, f: CronField): void {
  const rangeAndStep = expr.split('/');
  const lowAndHigh = rangeAndStep[0].split('-');
  let start: number;
  let end: number;
  const singleDigit = lowAndHigh.length === 1;
  if (lowAndHigh[0] === '*' || lowAndHigh[0] === '?') {
    start = f.min;
    end = f.max;
  } else {
    start = cronValue(lowAndHigh[0], f);
    if (lowAndHigh.length === 1) end = start;
    else if (lowAndHigh.length === 2) end = cronValue(lowAndHigh[1], f);
    else throw new Error(`too many hyphens: ${expr}`);
  }
  let step = 1;
  if (rangeAndStep.length === 2) {
    step = cronInt(rangeAndStep[1]);
    if (singleDigit && lowAndHigh[0] !== '*' && lowAndHigh[0] !== '?') end = f.max;
  } else if (rangeAndStep.length > 2) {
    throw new Error(`too many slashes: ${expr}`);
  }
  if (start < f.min) throw new Error(`beginning of range (${start}) below minimum (${f.min}): ${expr}`);
  if (end > f.max) throw new Error(`end of range (${end}) above maximum (${f.max}): ${expr}`);
  if (start > end) throw new Error(`beginning of range (${start}) beyond end of range (${end}): ${expr}`);
  if (step === 0) throw new Error(`step of range should be a positive number: ${expr}`);
}

/** Parses a standard cron spec; returns the error message the real server would give, if any. */
export function cronError(schedule: string): string | undefined {
  try {
    let spec = schedule.trim();
    if (spec.length === 0) return 'empty spec string';
    if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
      const i = spec.indexOf(' ');
      const tz = spec.slice(spec.indexOf('=') + 1, i < 0 ? undefined : i);
      const tzErr = timeZoneError(tz);
      if (tzErr) return `provided bad location ${tz}: ${tzErr}`;
      spec = i < 0 ? '' : spec.slice(i).trim();
    }
    if (spec.startsWith('@')) {
      if (['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'].includes(spec)) return undefined;
      if (spec.startsWith('@every ')) {
        const d = spec.slice(7).trim();
        if (!/^([0-9]*\.?[0-9]+(ns|us|µs|ms|s|m|h))+$/.test(d)) return `failed to parse duration ${spec}: time: invalid duration ${JSON.stringify(d)}`;
        return undefined;
      }
      return `unrecognized descriptor: ${spec}`;
    }
    const fields = spec.split(/\s+/).filter(Boolean);
    if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
    fields.forEach((fld, i) => {
      for (const part of fld.split(',')) parseCronRange(part, CRON_FIELDS[i]);
    });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

function timeZoneError(tz: string): string | undefined {
  if (tz === 'UTC' || tz === 'Local') return undefined;
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return undefined;
  } catch {
    return `unknown time zone ${tz}`;
  }
}

function validateTimeZone(tz: unknown, field: string): Causes {
  if (tz === undefined || tz === null) return [];
  const s = String(tz);
  if (s.length === 0) return [invalid(field, s, 'timeZone must be nil or non-empty string')];
  for (const part of s.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !/^[A-Za-z._+\-0-9]+$/.test(part)) {
      return [invalid(field, s, `unknown time zone ${s}`)];
    }
  }
  if (s.toLowerCase() === 'local') return [invalid(field, s, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  const err = timeZoneError(s);
  return err ? [invalid(field, s, err)] : [];
}

export function validateCronJob(obj: KubeObject, old?: KubeObject): Causes {
  const spec = asObj(obj.spec);
  const oldSpec = old ? asObj(old.spec) : undefined;
  const out: Causes = [];
  if (!spec.schedule) out.push(required('spec.schedule'));
  else {
    const schedule = String(spec.schedule);
    const err = cronError(schedule);
    if (err) out.push(invalid('spec.schedule', schedule, err));
    const allowTZ = oldSpec !== undefined && String(oldSpec.schedule ?? '').includes('TZ');
    if (allowTZ && schedule.includes('TZ') && spec.timeZone !== undefined && spec.timeZone !== null) {
      out.push(invalid('spec.schedule', schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
    } else if (!allowTZ && schedule.includes('TZ')) {
      out.push(invalid('spec.schedule', schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    }
  }
  out.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!oldSpec || oldSpec.timeZone !== spec.timeZone) out.push(...validateTimeZone(spec.timeZone, 'spec.timeZone'));
  out.push(...enumField(spec.concurrencyPolicy, 'spec.concurrencyPolicy', ['Allow', 'Forbid', 'Replace'], true));
  const jt = asObj(spec.jobTemplate);
  const jtSpec = asObj(jt.spec);
  out.push(...validateJobSpecCommon(jtSpec, 'spec.jobTemplate.spec'));
  if (jtSpec.selector !== undefined && jtSpec.selector !== null) {
    out.push(invalid('spec.jobTemplate.spec.selector', goLabelSelector(jtSpec.selector), '`selector` will be auto-generated'));
  }
  if (jtSpec.manualSelector === true) out.push(notSupported('spec.jobTemplate.spec.manualSelector', true, ['nil', 'false']));
  out.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  out.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  if (!old && String(obj.metadata.name ?? '').length > 52) {
    out.push(invalid('metadata.name', obj.metadata.name, 'must be no more than 52 characters'));
  }
  return out;
}
