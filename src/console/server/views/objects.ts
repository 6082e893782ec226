/**
 * Reading Kubernaut's objects as the cluster hands them over: any field may be missing (a child not
 * yet reconciled, an older writer) or of an unexpected type (someone's hand edit), so every read
 * checks the type and yields undefined otherwise. The views are built from these reads only.
 */
import type { ObjectRef } from '../../api-types.ts';

/** A Kubernetes object as JSON: what the informers cache. */
export interface KObj {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    creationTimestamp?: string | Date;
    labels?: Record<string, string>;
    ownerReferences?: Array<{ kind?: string; name?: string; uid?: string; controller?: boolean }>;
  };
  spec?: any;
  status?: any;
}

/** The RemediationRequest and its children, as the watch hub groups them. */
export interface RemediationFamily {
  rr: KObj;
  sp?: KObj;
  aa?: KObj;
  rar?: KObj;
  we?: KObj;
  ea?: KObj;
  notifications: KObj[];
}

export function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

export function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function bool(v: unknown): boolean | undefined {
  return typeof v === 'boolean' ? v : undefined;
}

/** Only the string members of a map (labels, annotations, parameters); anything else is left out. */
export function strMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!v || typeof v !== 'object' || Array.isArray(v)) return out;
  for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
  return out;
}

export function strList(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** An RFC 3339 string from a timestamp field (string from JSON, Date from a typed client). */
export function time(v: unknown): string | undefined {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? undefined : v.toISOString();
  if (typeof v !== 'string' || v === '' || Number.isNaN(Date.parse(v))) return undefined;
  return v;
}

/** Orders RFC 3339 strings by the instant they name (`…25Z` and `…25.491Z` differ in precision, not just text); missing ones first. */
export function compareTimes(a: string | undefined, b: string | undefined): number {
  const x = a ? Date.parse(a) : -Infinity;
  const y = b ? Date.parse(b) : -Infinity;
  return x === y ? 0 : x < y ? -1 : 1;
}

export function durationBetween(start: string | undefined, end: string | undefined): number | undefined {
  if (!start || !end) return undefined;
  const ms = Date.parse(end) - Date.parse(start);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}

export function objectRef(v: unknown): ObjectRef | undefined {
  if (!v || typeof v !== 'object') return undefined;
  const r = v as Record<string, unknown>;
  const kind = str(r.kind);
  const name = str(r.name);
  if (!kind || !name) return undefined;
  const namespace = str(r.namespace);
  return { kind, name, ...(namespace ? { namespace } : {}) };
}

export const nameOf = (o: KObj | undefined): string => o?.metadata?.name ?? '';
export const namespaceOf = (o: KObj | undefined): string => o?.metadata?.namespace ?? '';
export const createdAt = (o: KObj | undefined): string | undefined => time(o?.metadata?.creationTimestamp);

/**
 * The RemediationRequest an object belongs to, as "namespace/name": its spec.remediationRequestRef
 * (every child carries one), else its controller owner when that is a RemediationRequest.
 */
export function remediationOf(o: KObj): string | undefined {
  if (o.kind === 'RemediationRequest') return o.metadata?.name ? `${namespaceOf(o)}/${o.metadata.name}` : undefined;
  const ref = o.spec?.remediationRequestRef;
  const refName = str(ref?.name);
  if (refName) return `${str(ref?.namespace) ?? namespaceOf(o)}/${refName}`;
  const owner = o.metadata?.ownerReferences?.find((r) => r.controller === true && r.kind === 'RemediationRequest');
  return owner?.name ? `${namespaceOf(o)}/${owner.name}` : undefined;
}

/** The message of a condition (e.g. Ready), if set. */
export function conditionMessage(o: KObj | undefined, type: string): string | undefined {
  const conditions = o?.status?.conditions;
  if (!Array.isArray(conditions)) return undefined;
  return str(conditions.find((c: any) => c?.type === type)?.message);
}

/** One line of text, cut to `max` characters. */
export function oneLine(text: string, max = 240): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
