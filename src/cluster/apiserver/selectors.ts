/**
 * Label and field selectors as the API server accepts them in `labelSelector` and
 * `fieldSelector` query parameters, plus the label-selector object form used in specs.
 */
import { errors } from './errors.ts';
import type { KubeObject, ResourceInfo } from './types.ts';

type Requirement =
  | { key: string; op: 'exists' | '!exists' }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: '=' | '!='; value: string }
  | { key: string; op: 'gt' | 'lt'; value: number };

export type LabelSelector = (labels: Record<string, string> | undefined) => boolean;

/** Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h,n>3`. Throws 400 on bad syntax. */
export function parseLabelSelector(text: string): LabelSelector {
  const reqs: Requirement[] = [];
  const src = text.trim();
  let i = 0;
  const skipWs = () => {
    while (i < src.length && src[i] === ' ') i++;
  };
  const ident = (): string => {
    skipWs();
    const m = /^[A-Za-z0-9._\-/]*/.exec(src.slice(i))![0];
    i += m.length;
    return m;
  };
  const fail = (why: string): never => {
    throw errors.badRequest(`unable to parse requirement: ${why} (selector "${text}")`);
  };
  while (i < src.length) {
    skipWs();
    if (src[i] === '!') {
      i++;
      const key = ident();
      if (!key) fail('missing key after "!"');
      reqs.push({ key, op: '!exists' });
    } else {
      const key = ident();
      if (!key) fail('found unexpected character');
      skipWs();
      const rest = src.slice(i);
      let m: RegExpExecArray | null;
      if ((m = /^(notin|in)\s*\(/.exec(rest))) {
        i += m[0].length;
        const close = src.indexOf(')', i);
        if (close < 0) fail('missing ")"');
        const values = src
          .slice(i, close)
          .split(',')
          .map((v) => v.trim())
          .filter((v) => v !== '');
        i = close + 1;
        reqs.push({ key, op: m[1] as 'in' | 'notin', values });
      } else if ((m = /^(==|!=|=|>|<)/.exec(rest))) {
        i += m[0].length;
        const value = ident();
        if (m[1] === '>' || m[1] === '<') {
          if (!/^-?\d+$/.test(value)) fail(`for 'gt', 'lt' operators, the value must be an integer`);
          reqs.push({ key, op: m[1] === '>' ? 'gt' : 'lt', value: Number(value) });
        } else reqs.push({ key, op: m[1] === '!=' ? '!=' : '=', value });
      } else {
        reqs.push({ key, op: 'exists' });
      }
    }
    skipWs();
    if (i < src.length) {
      if (src[i] !== ',') fail(`found '${src[i]}', expected: ',' or end of string`);
      i++;
    }
  }
  return (labels) => reqs.every((r) => matches(r, labels ?? {}));
}

function matches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const v = labels[r.key];
  switch (r.op) {
    case 'exists':
      return has;
    case '!exists':
      return !has;
    case '=':
      return has && v === r.value;
    case '!=':
      return !has || v !== r.value;
    case 'in':
      return has && r.values.includes(v);
    case 'notin':
      return !has || !r.values.includes(v);
    case 'gt':
      return has && /^-?\d+$/.test(v) && Number(v) > r.value;
    case 'lt':
      return has && /^-?\d+$/.test(v) && Number(v) < r.value;
  }
}

/** The object form (`matchLabels` + `matchExpressions`) used in specs; an empty one matches all. */
export function matchesLabelSelectorObject(selector: any, labels: Record<string, string> | undefined): boolean {
  if (!selector) return false;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    switch (e.operator) {
      case 'In':
        if (!has || !(e.values ?? []).includes(l[e.key])) return false;
        break;
      case 'NotIn':
        if (has && (e.values ?? []).includes(l[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** The string form of a label selector object, as the scale subresource reports it. */
export function formatLabelSelector(selector: any): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(selector?.matchLabels ?? {}).sort()) parts.push(`${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort().join(',');
    if (e.operator === 'In') parts.push(`${e.key} in (${values})`);
    else if (e.operator === 'NotIn') parts.push(`${e.key} notin (${values})`);
    else if (e.operator === 'Exists') parts.push(e.key);
    else if (e.operator === 'DoesNotExist') parts.push(`!${e.key}`);
  }
  return parts.join(',');
}

// ---- field selectors ----

type FieldGetter = (obj: KubeObject) => string | undefined;

const str = (v: unknown): string | undefined => (v === undefined || v === null ? undefined : String(v));
const path = (p: string): FieldGetter => (obj) => {
  let cur: any = obj;
  for (const part of p.split('.')) cur = cur?.[part];
  return str(cur);
};

/** Per-kind fields a real server lets you select on (beyond metadata.name/namespace). */
const FIELDS: Record<string, Record<string, FieldGetter>> = {
  '/pods': {
    'spec.nodeName': (o) => o.spec?.nodeName ?? '',
    'spec.restartPolicy': path('spec.restartPolicy'),
    'spec.schedulerName': path('spec.schedulerName'),
    'spec.serviceAccountName': path('spec.serviceAccountName'),
    'spec.hostNetwork': (o) => String(Boolean(o.spec?.hostNetwork)),
    'status.phase': path('status.phase'),
    'status.podIP': (o) => o.status?.podIP ?? '',
    'status.nominatedNodeName': (o) => o.status?.nominatedNodeName ?? '',
  },
  '/events': {
    'involvedObject.kind': path('involvedObject.kind'),
    'involvedObject.namespace': path('involvedObject.namespace'),
    'involvedObject.name': path('involvedObject.name'),
    'involvedObject.uid': path('involvedObject.uid'),
    'involvedObject.apiVersion': path('involvedObject.apiVersion'),
    'involvedObject.resourceVersion': path('involvedObject.resourceVersion'),
    'involvedObject.fieldPath': path('involvedObject.fieldPath'),
    reason: path('reason'),
    reportingComponent: path('reportingComponent'),
    source: (o) => o.source?.component ?? o.reportingComponent,
    type: path('type'),
  },
  'events.k8s.io/events': {
    'regarding.kind': path('regarding.kind'),
    'regarding.namespace': path('regarding.namespace'),
    'regarding.name': path('regarding.name'),
    'regarding.uid': path('regarding.uid'),
    reason: path('reason'),
    type: path('type'),
    reportingController: path('reportingController'),
  },
  '/secrets': { type: path('type') },
  '/namespaces': { 'status.phase': path('status.phase') },
  '/nodes': { 'spec.unschedulable': (o) => String(Boolean(o.spec?.unschedulable)) },
  '/persistentvolumeclaims': {},
  'batch/jobs': { 'status.successful': (o) => String(o.status?.succeeded ?? 0) },
  'apps/replicasets': { 'status.replicas': (o) => String(o.status?.replicas ?? 0) },
};

export type FieldSelector = (obj: KubeObject) => boolean;

/** Parses `a=b,c!=d` (also `==`) against the fields the resource supports. Throws 400 otherwise. */
export function parseFieldSelector(text: string, info: ResourceInfo): FieldSelector {
  const getters: Record<string, FieldGetter> = {
    'metadata.name': (o) => o.metadata.name,
    'metadata.namespace': (o) => o.metadata.namespace ?? '',
    ...(FIELDS[`${info.group}/${info.resource}`] ?? {}),
  };
  for (const f of info.crd?.selectableFields ?? []) getters[f.replace(/^\./, '')] = path(f.replace(/^\./, ''));
  const terms = text
    .split(',')
    .map((t) => t.trim())
    .filter(Boolean)
    .map((term) => {
      const m = /^([^=!]+?)\s*(==|!=|=)\s*(.*)$/.exec(term);
      if (!m) throw errors.badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
      const [, field, op, value] = m;
      const get = getters[field];
      if (!get) {
        throw errors.badRequest(`"${field}" is not a known field selector: only "${Object.keys(getters).join('", "')}"`);
      }
      return { get, negate: op === '!=', value };
    });
  return (obj) => terms.every((t) => (t.get(obj) === t.value) !== t.negate);
}
