/**
 * What is taken out of an object before the LLM sees it: bookkeeping that only costs tokens
 * (managedFields, the last-applied-configuration copy of the whole object) and Secret values.
 */
import type { KubeObject } from './client.ts';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
export const SECRET_VALUE = '[REDACTED:secret_value]';

/** A copy without managedFields and the last-applied annotation (an emptied annotations map goes too). */
export function withoutNoise<T extends KubeObject>(obj: T): T {
  const copy = structuredClone(obj);
  if (copy.metadata) {
    delete copy.metadata.managedFields;
    const annotations = copy.metadata.annotations;
    if (annotations && LAST_APPLIED in annotations) {
      delete annotations[LAST_APPLIED];
      if (Object.keys(annotations).length === 0) delete copy.metadata.annotations;
    }
  }
  return copy as T;
}

/** A Secret with every `data`/`stringData` value replaced; the keys stay, so the LLM sees what is there. */
export function withoutSecretValues<T extends KubeObject>(secret: T): T {
  const copy: KubeObject = structuredClone(secret);
  for (const field of ['data', 'stringData'] as const) {
    const values = copy[field];
    if (values && typeof values === 'object') {
      for (const key of Object.keys(values)) values[key] = SECRET_VALUE;
    } else if (values !== undefined) {
      copy[field] = SECRET_VALUE;
    }
  }
  return copy as T;
}
