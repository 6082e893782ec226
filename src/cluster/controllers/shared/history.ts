/**
 * ControllerRevision history shared by the StatefulSet and DaemonSet controllers: one immutable
 * snapshot per distinct pod template, numbered by `revision`, named `<owner>-<hash>` and owned by
 * the workload, so `kubectl rollout history/undo` can list and re-apply old templates.
 */
import type { KubeObject } from '../../core/types.ts';
import { ClientError, type ClusterClient } from '../../client/cluster-client.ts';
import type { Informer } from '../../client/informer.ts';
import { CONTROLLER_REVISIONS } from '../../client/resources.ts';
import { canonicalJson, computeHash } from './hashing.ts';
import { isControlledBy, newControllerRef } from '../../core/owner-refs.ts';

/** The label carrying a revision's hash (upstream `ControllerRevisionHashLabel`). */
export const REVISION_HASH_LABEL = 'controller.kubernetes.io/hash';

/** Object names are at most 253 characters; upstream keeps 223 for the owner part plus `-<hash>`. */
const MAX_PREFIX = 223;

export function revisionName(ownerName: string, hash: string): string {
  return `${ownerName.slice(0, MAX_PREFIX)}-${hash}`;
}

/** Oldest first: by revision number, then by name so the order is total. */
export function sortRevisions(revisions: KubeObject[]): KubeObject[] {
  return [...revisions].sort((a, b) => (a.revision ?? 0) - (b.revision ?? 0) || (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
}

/** The owner's revisions from the shared cache (controlled by it, in its namespace), oldest first. */
export function listRevisions(informer: Informer, owner: KubeObject): KubeObject[] {
  const ns = owner.metadata.namespace;
  return sortRevisions(informer.list().filter((r) => r.metadata.namespace === ns && isControlledBy(r, owner)));
}

/** One more than the highest revision number (1 for an empty history). */
export function nextRevisionNumber(revisions: KubeObject[]): number {
  return revisions.reduce((max, r) => Math.max(max, r.revision ?? 0), 0) + 1;
}

/** Same snapshot: equal data (compared canonically, so key order does not matter). */
export function revisionDataEqual(a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** All revisions holding `data`, oldest first. */
export function findEqualRevisions(revisions: KubeObject[], data: unknown): KubeObject[] {
  return sortRevisions(revisions.filter((r) => revisionDataEqual(r.data, data)));
}

/** The newest revision holding `data`, if any. */
export function findEqualRevision(revisions: KubeObject[], data: unknown): KubeObject | undefined {
  return findEqualRevisions(revisions, data).at(-1);
}

export interface CreateRevisionOptions {
  /** Labels besides the hash label; default the owner's pod template labels (which include its selector). */
  labels?: Record<string, string>;
  /** The label key that carries the hash (default `controller.kubernetes.io/hash`). */
  hashLabelKey?: string;
  annotations?: Record<string, string>;
  /** How the name's hash is computed for a collision count (default `computeHash(data, collisionCount)`). */
  hashOf?: (collisionCount: number) => string;
}

export interface CreatedRevision {
  revision: KubeObject;
  /** The collision count after creation: bumped when a different revision already had the name. */
  collisionCount: number;
}

/**
 * Creates the owner's revision for `data`, named `<owner>-<hash(data, collisionCount)>`. When that
 * name is taken by an equal revision of the same owner it is returned as is; when taken by
 * anything else the collision count grows and the next name is tried (persist `collisionCount`
 * in the owner's status so the next hash is stable).
 */
export async function createRevision(client: ClusterClient, owner: KubeObject, data: unknown, revision: number, collisionCount = 0, opts: CreateRevisionOptions = {}): Promise<CreatedRevision> {
  const ns = owner.metadata.namespace;
  for (let count = collisionCount; ; count++) {
    const hash = opts.hashOf ? opts.hashOf(count) : computeHash(data, count);
    const body: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'ControllerRevision',
      metadata: {
        name: revisionName(owner.metadata.name!, hash),
        namespace: ns,
        labels: { ...(opts.labels ?? owner.spec?.template?.metadata?.labels ?? {}), [opts.hashLabelKey ?? REVISION_HASH_LABEL]: hash },
        ...(opts.annotations ? { annotations: { ...opts.annotations } } : {}),
        ownerReferences: [newControllerRef(owner)],
      },
      data,
      revision,
    };
    try {
      return { revision: await client.create(CONTROLLER_REVISIONS, ns, body), collisionCount: count };
    } catch (e) {
      if (!(e instanceof ClientError && e.code === 409)) throw e;
      const existing = await client.find(CONTROLLER_REVISIONS, ns, body.metadata.name!);
      if (existing && isControlledBy(existing, owner) && revisionDataEqual(existing.data, data)) return { revision: existing, collisionCount: count };
      // Taken by another snapshot (hash collision) or object: try the next name.
    }
  }
}

/** Re-numbers an existing revision (a rollback to an old template makes it the newest). */
export async function updateRevisionNumber(client: ClusterClient, revision: KubeObject, number: number): Promise<KubeObject> {
  if (revision.revision === number) return revision;
  return client.patch(CONTROLLER_REVISIONS, revision.metadata.namespace, revision.metadata.name!, { revision: number }, 'merge');
}

/**
 * Deletes the oldest revisions not in `live` (names still used by pods or the owner's status) so
 * that at most `limit` non-live revisions remain. Already-gone revisions are fine.
 */
export async function truncateHistory(client: ClusterClient, revisions: KubeObject[], live: Iterable<string>, limit: number): Promise<void> {
  const keep = new Set(live);
  const history = sortRevisions(revisions).filter((r) => !keep.has(r.metadata.name!));
  const excess = history.length - Math.max(0, limit);
  for (const r of history.slice(0, Math.max(0, excess))) {
    try {
      await client.delete(CONTROLLER_REVISIONS, r.metadata.namespace, r.metadata.name!);
    } catch (e) {
      if (!(e instanceof ClientError && e.code === 404)) throw e;
    }
  }
}
