/**
 * JSON merge patch (RFC 7386), `application/merge-patch+json`: objects merge key by key, `null`
 * deletes a key, anything else (lists included) replaces. This is what `kubectl patch --type=merge`
 * sends and the only merge a custom resource accepts besides apply.
 */
import { errors } from '../errors.ts';
import type { KubeObject } from '../../core/types.ts';
import { clone, isObject, type JsonObject } from './values.ts';

export function mergeValues(target: unknown, patch: unknown): unknown {
  if (!isObject(patch)) return clone(patch);
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergeValues(out[k], v);
  }
  return out;
}

/** Returns a new object; neither input is modified. A patch that is not an object is a 400. */
export function applyMergePatch(doc: KubeObject, patch: unknown): KubeObject {
  if (!isObject(patch)) {
    throw errors.badRequest(`merge patch must be a JSON object, got ${patch === null ? 'null' : Array.isArray(patch) ? 'an array' : typeof patch}`);
  }
  return clone(mergeValues(doc, patch)) as KubeObject;
}
