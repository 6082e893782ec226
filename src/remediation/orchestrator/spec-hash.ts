/**
 * The remediation target's spec hash (crds.md §2, §6): `sha256:<hex>` of its `.spec` as canonical
 * JSON (object keys sorted at every depth, array order kept, defaults untouched). Captured once,
 * right before the WorkflowExecution is created, so the EffectivenessAssessment can tell whether the
 * workflow changed the spec and whether someone changed it back.
 */
import { createHash } from 'node:crypto';
import type { TargetObjects } from './target-objects.ts';
import type { TargetRef } from './targets.ts';

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

/** The target's spec hash now; null when the target does not exist (or its kind cannot be addressed). */
export async function targetSpecHash(objects: TargetObjects, target: TargetRef): Promise<string | null> {
  const obj = await objects.read(target);
  return obj ? specHash((obj as { spec?: unknown }).spec) : null;
}
