/**
 * Loads `monitoring.coreos.com/v1` PrometheusRule objects into rule definitions. Each bad rule is
 * reported (object, group, rule name, reason) and skipped; it never stops the other rules.
 */
import { z } from 'zod';
import { parsePromDuration } from '../prometheus-duration.ts';
import { checkTemplate } from './template.ts';
import type { ParseFn } from './types.ts';

export const DEFAULT_GROUP_INTERVAL_MS = 30_000;

const labelMap = z.record(z.string(), z.union([z.string(), z.number(), z.boolean()]).transform((v) => String(v)));

const ruleSchema = z
  .object({
    alert: z.string().optional(),
    record: z.string().optional(),
    expr: z.union([z.string(), z.number()]).transform((v) => String(v)),
    for: z.string().optional(),
    keep_firing_for: z.string().optional(),
    labels: labelMap.optional().nullable(),
    annotations: labelMap.optional().nullable(),
  })
  .passthrough();

const groupSchema = z
  .object({
    name: z.string().min(1, 'group name must not be empty'),
    interval: z.string().optional(),
    query_offset: z.string().optional(),
    limit: z.number().int().nonnegative().optional(),
    labels: labelMap.optional().nullable(),
    rules: z.array(z.unknown()).optional().nullable(),
  })
  .passthrough();

const objectSchema = z
  .object({
    apiVersion: z.string().optional(),
    kind: z.string().optional(),
    metadata: z.object({ name: z.string().min(1), namespace: z.string().optional(), uid: z.string().optional() }).passthrough(),
    spec: z.object({ groups: z.array(z.unknown()).optional().nullable() }).passthrough(),
  })
  .passthrough();

export interface RuleRef {
  namespace?: string;
  name: string;
  uid?: string;
}

export interface RuleDefinition {
  kind: 'alerting' | 'recording';
  /** alert name or recorded metric name */
  name: string;
  expr: string;
  /** nominal milliseconds */
  forMs: number;
  keepFiringForMs: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** position in its group */
  index: number;
}

export interface RuleGroupDefinition {
  /** unique across objects: "namespace/name/group" (the file Prometheus Operator would write) */
  id: string;
  name: string;
  /** nominal milliseconds */
  intervalMs: number;
  /** group-level labels (Prometheus 3 `labels:`), added to every rule's labels */
  labels: Record<string, string>;
  limit: number;
  rules: RuleDefinition[];
  source: RuleRef;
}

export interface RuleProblem {
  source: RuleRef;
  group?: string;
  /** the alert/record name when known, else `#<index>` */
  rule?: string;
  ruleIndex?: number;
  message: string;
}

export interface LoadResult {
  source: RuleRef;
  groups: RuleGroupDefinition[];
  problems: RuleProblem[];
  /** how many rules loaded fine */
  ruleCount: number;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

function zodMessage(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.length ? i.path.join('.') + ': ' : ''}${i.message}`).join('; ');
}

/**
 * `for`, `keep_firing_for` and `interval` are Go `model.Duration`s in a Prometheus rule file, so they
 * take Prometheus' strict grammar: `for: 1.5m` is refused here exactly as promtool refuses it.
 */
function duration(text: string | undefined, what: string): number {
  if (text === undefined || text === '') return 0;
  try {
    return parsePromDuration(text);
  } catch {
    throw new Error(`invalid ${what} "${text}"`);
  }
}

export interface LoadOptions {
  defaultIntervalMs?: number;
}

/** Validates and loads one PrometheusRule object (parsed YAML/JSON). */
export function loadPrometheusRule(obj: unknown, parse: ParseFn, opts: LoadOptions = {}): LoadResult {
  const top = objectSchema.safeParse(obj);
  const meta = (obj as { metadata?: { name?: unknown; namespace?: unknown; uid?: unknown } } | null)?.metadata;
  const source: RuleRef = {
    name: typeof meta?.name === 'string' ? meta.name : '<unnamed>',
    ...(typeof meta?.namespace === 'string' ? { namespace: meta.namespace } : {}),
    ...(typeof meta?.uid === 'string' ? { uid: meta.uid } : {}),
  };
  const result: LoadResult = { source, groups: [], problems: [], ruleCount: 0 };
  if (!top.success) {
    result.problems.push({ source, message: `invalid PrometheusRule: ${zodMessage(top.error)}` });
    return result;
  }
  const o = top.data;
  if (o.apiVersion !== undefined && !o.apiVersion.startsWith('monitoring.coreos.com/')) {
    result.problems.push({ source, message: `unexpected apiVersion "${o.apiVersion}"` });
  }
  if (o.kind !== undefined && o.kind !== 'PrometheusRule') {
    result.problems.push({ source, message: `unexpected kind "${o.kind}"` });
    return result;
  }
  const seenGroups = new Set<string>();
  (o.spec.groups ?? []).forEach((rawGroup, gi) => {
    const g = groupSchema.safeParse(rawGroup);
    if (!g.success) {
      const gname = (rawGroup as { name?: unknown } | null)?.name;
      result.problems.push({ source, group: typeof gname === 'string' ? gname : `#${gi}`, message: `invalid group: ${zodMessage(g.error)}` });
      return;
    }
    const group = g.data;
    if (seenGroups.has(group.name)) {
      result.problems.push({ source, group: group.name, message: `duplicate group name "${group.name}"` });
      return;
    }
    seenGroups.add(group.name);
    let intervalMs = opts.defaultIntervalMs ?? DEFAULT_GROUP_INTERVAL_MS;
    if (group.interval) {
      try {
        const v = duration(group.interval, 'interval');
        if (v <= 0) throw new Error(`invalid interval "${group.interval}": must be positive`);
        intervalMs = v;
      } catch (e) {
        result.problems.push({ source, group: group.name, message: `${(e as Error).message}; using ${intervalMs / 1000}s` });
      }
    }
    const groupLabels = group.labels ?? {};
    const def: RuleGroupDefinition = {
      id: `${source.namespace ?? ''}/${source.name}/${group.name}`,
      name: group.name,
      intervalMs,
      labels: groupLabels,
      limit: group.limit ?? 0,
      rules: [],
      source,
    };
    (group.rules ?? []).forEach((rawRule, ri) => {
      const raw = rawRule as { alert?: unknown; record?: unknown } | null;
      const guessName = typeof raw?.alert === 'string' && raw.alert ? raw.alert : typeof raw?.record === 'string' && raw.record ? raw.record : `#${ri}`;
      const problem = (message: string) => result.problems.push({ source, group: group.name, rule: guessName, ruleIndex: ri, message });
      const r = ruleSchema.safeParse(rawRule);
      if (!r.success) return problem(zodMessage(r.error));
      const rule = r.data;
      const errs: string[] = [];
      if (rule.alert !== undefined && rule.record !== undefined) errs.push('only one of "alert" and "record" may be set');
      if (rule.alert === undefined && rule.record === undefined) errs.push('one of "alert" or "record" must be set');
      if (rule.alert === '' || rule.record === '') errs.push('rule name must not be empty');
      if (rule.record !== undefined && rule.record !== '' && !METRIC_NAME.test(rule.record)) errs.push(`invalid recording rule name "${rule.record}"`);
      if (rule.expr.trim() === '') errs.push('field "expr" must be set');
      if (rule.record !== undefined && (rule.for !== undefined || rule.keep_firing_for !== undefined || rule.annotations))
        errs.push('recording rules cannot have "for", "keep_firing_for" or "annotations"');
      let forMs = 0;
      let keepFiringForMs = 0;
      try {
        forMs = duration(rule.for, '"for" duration');
      } catch (e) {
        errs.push((e as Error).message);
      }
      try {
        keepFiringForMs = duration(rule.keep_firing_for, '"keep_firing_for" duration');
      } catch (e) {
        errs.push((e as Error).message);
      }
      const labels = { ...groupLabels, ...(rule.labels ?? {}) };
      const annotations = rule.annotations ?? {};
      for (const k of Object.keys(labels)) {
        if (!LABEL_NAME.test(k)) errs.push(`invalid label name "${k}"`);
        if (k === '__name__') errs.push(`label "${k}" is reserved`);
      }
      for (const k of Object.keys(annotations)) if (!LABEL_NAME.test(k)) errs.push(`invalid annotation name "${k}"`);
      if (rule.expr.trim() !== '') {
        try {
          parse(rule.expr);
        } catch (e) {
          errs.push(`could not parse expression: ${(e as Error).message ?? String(e)}`);
        }
      }
      const tname = `__alert_${rule.alert ?? rule.record ?? ''}`;
      for (const [kind, map] of [['label', labels], ['annotation', annotations]] as const) {
        for (const [k, v] of Object.entries(map)) {
          const err = checkTemplate(v, tname);
          if (err) errs.push(`${kind} "${k}": ${err}`);
        }
      }
      if (errs.length > 0) return problem(errs.join('; '));
      def.rules.push({
        kind: rule.alert !== undefined ? 'alerting' : 'recording',
        name: (rule.alert ?? rule.record)!,
        expr: rule.expr,
        forMs,
        keepFiringForMs,
        labels,
        annotations,
        index: ri,
      });
      result.ruleCount++;
    });
    result.groups.push(def);
  });
  return result;
}

/** One line per problem, e.g. `group "g", rule "HighLatency": could not parse expression: ...`. */
export function describeProblem(p: RuleProblem): string {
  const parts: string[] = [];
  if (p.group !== undefined) parts.push(`group "${p.group}"`);
  if (p.rule !== undefined) parts.push(`rule "${p.rule}"`);
  return parts.length ? `${parts.join(', ')}: ${p.message}` : p.message;
}

export interface RuleEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

/**
 * What a later wiring should record on the PrometheusRule as a Kubernetes Event: one Warning
 * listing every problem, or a Normal event when everything loaded.
 */
export function problemEvent(result: LoadResult): RuleEvent {
  if (result.problems.length === 0) {
    return { type: 'Normal', reason: 'RulesLoaded', message: `loaded ${result.ruleCount} rule(s) in ${result.groups.length} group(s)` };
  }
  const msg = `${result.problems.length} invalid rule(s), ${result.ruleCount} loaded: ${result.problems.map(describeProblem).join(' | ')}`;
  return { type: 'Warning', reason: 'InvalidRules', message: msg.length > 1024 ? msg.slice(0, 1021) + '...' : msg };
}
