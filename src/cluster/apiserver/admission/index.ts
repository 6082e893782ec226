/**
 * The admission chain every write passes: pruning of unknown fields (built-in kinds against
 * their OpenAPI schema, custom resources against their structural schema), defaulting, then validation (object metadata, built-in rules or the CRD's schema + CEL).
 * Failures are one 422 Invalid with a cause per field; nothing is stored.
 */
import { errors, type StatusCause } from '../errors.ts';
import type { KubeObject, ResourceInfo } from '../../core/types.ts';
import { defaultBuiltin, prepareBuiltinUpdate } from './builtin-defaults.ts';
import { nameRuleFor, validateBuiltin, validateObjectMeta } from './builtin-validation.ts';
import { applySchemaDefaults, pruneUnknownFields, validateAgainstSchema } from './crd-schema.ts';
import { pruneBuiltinUnknownFields } from './builtin-pruning.ts';
import { validateCrdDefinition } from './crd-definition.ts';

export interface AdmissionResult {
  /** Paths of unknown fields that were dropped (reported as warnings or, with Strict, as errors). */
  prunedFields: string[];
}

function gvkOf(info: ResourceInfo) {
  return { group: info.group, version: info.version, kind: info.kind };
}

/**
 * Fills defaults in place. Defaulting is idempotent and runs on every write; some steps (pod
 * admission, initial status, generated Job selectors) belong to CREATE only. On an update of
 * the main resource, `old` lets per-kind rules carry over server-assigned fields (Service IPs).
 */
export function applyDefaults(info: ResourceInfo, obj: KubeObject, operation: 'CREATE' | 'UPDATE', old?: KubeObject): AdmissionResult {
  if (info.crd) {
    const schema = info.crd.schema;
    let pruned: string[] = [];
    if (schema && !info.crd.preserveUnknownFields) pruned = pruneUnknownFields(obj, schema);
    if (schema) applySchemaDefaults(obj, schema);
    return { prunedFields: pruned };
  }
  const pruned = pruneBuiltinUnknownFields(gvkOf(info), obj);
  defaultBuiltin(gvkOf(info), obj, { operation });
  if (old) prepareBuiltinUpdate(gvkOf(info), obj, old);
  return { prunedFields: pruned };
}

/** Validates; throws 422 Invalid listing every bad field. */
export function validate(info: ResourceInfo, obj: KubeObject, old: KubeObject | undefined): void {
  const gvk = gvkOf(info);
  const causes: StatusCause[] = [];
  if (info.crd) {
    causes.push(...validateObjectMeta(obj, { namespaced: info.namespaced, nameRule: 'path-segment' }));
    if (info.crd.schema) causes.push(...validateAgainstSchema(obj, info.crd.schema, old));
  } else {
    causes.push(...validateObjectMeta(obj, { namespaced: info.namespaced, nameRule: nameRuleFor(gvk) }));
    causes.push(...validateBuiltin(gvk, obj, old));
    if (info.group === 'apiextensions.k8s.io' && info.kind === 'CustomResourceDefinition') {
      causes.push(...validateCrdDefinition(obj));
    }
  }
  if (causes.length > 0) throw errors.invalid(info.kind, info.group, obj.metadata.name ?? '', causes);
}
