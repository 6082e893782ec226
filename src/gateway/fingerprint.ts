/** Incident identity: the same root owner in the same namespace is the same incident, whatever the alert. */
import { createHash } from 'node:crypto';
import type { ResourceRef } from './signal.ts';

/** Lowercase hex sha256 of `<namespace>:<RootOwnerKind>:<RootOwnerName>` (namespace empty if cluster-scoped). */
export function signalFingerprint(root: ResourceRef): string {
  return createHash('sha256').update(`${root.namespace}:${root.kind}:${root.name}`).digest('hex');
}
