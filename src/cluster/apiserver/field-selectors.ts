/** Field selectors as the API server accepts them in `fieldSelector` query parameters, per resource. */
import { errors } from './errors.ts';
import type { KubeObject, ResourceInfo } from '../core/types.ts';

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
