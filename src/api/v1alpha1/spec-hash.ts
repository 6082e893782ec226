/**
 * The remediation target's spec hash (crds.md §2, §6): `sha256:<hex>` of its `.spec` as canonical
 * JSON (object keys sorted at every depth, array order kept, defaults untouched). Shared here
 * because several components must agree on it bit for bit: the Orchestrator captures it before a
 * WorkflowExecution, the investigator shows it in `get_resource_context`, and the remediation
 * history compares the two.
 */
import { createHash } from 'node:crypto';

/** JSON with object keys sorted, so equal specs always hash alike. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

/** A resource without `.spec` (ConfigMap, ...) hashes as an empty object. */
export function specHash(spec: unknown): string {
  return `sha256:${createHash('sha256').update(canonicalJson(spec ?? {})).digest('hex')}`;
}
