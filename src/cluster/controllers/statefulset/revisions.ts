/**
 * Which ControllerRevisions a StatefulSet is at: the update revision (its current template) and
 * the current revision (what `status.currentRevision` names). A revision's data is a strategic
 * merge patch replacing the template, so `kubectl rollout undo` can apply it to the set as is.
 */
import type { KubeObject } from '../../core/types.ts';
import type { ClusterClient } from '../../client/cluster-client.ts';
import { createRevision, findEqualRevisions, nextRevisionNumber, revisionDataEqual, updateRevisionNumber } from '../shared/history.ts';

/** `{"spec":{"template":{...,"$patch":"replace"}}}` of the set's current template. */
export function revisionData(set: KubeObject): unknown {
  return { spec: { template: { ...structuredClone(set.spec?.template ?? {}), $patch: 'replace' } } };
}

/** The pod template a revision holds (its data with the patch directive removed). */
export function templateOf(revision: KubeObject): any {
  const t = structuredClone(revision.data?.spec?.template ?? {});
  delete t.$patch;
  return t;
}

export interface SetRevisions {
  current: KubeObject;
  update: KubeObject;
  collisionCount: number;
  /** All revisions after any creation or renumbering, oldest first. */
  revisions: KubeObject[];
}

/**
 * Finds or makes the update revision: the newest revision when it already holds the template,
 * an older equal one renumbered as newest (a rollback), or a new one.
 */
export async function resolveRevisions(client: ClusterClient, set: KubeObject, revisions: KubeObject[]): Promise<SetRevisions> {
  let collisionCount: number = set.status?.collisionCount ?? 0;
  const data = revisionData(set);
  const next = nextRevisionNumber(revisions);
  const equal = findEqualRevisions(revisions, data);
  const latest = revisions.at(-1);
  let update: KubeObject;
  let all = revisions;
  if (equal.length && latest && revisionDataEqual(latest.data, equal.at(-1)!.data)) {
    update = latest;
  } else if (equal.length) {
    const old = equal.at(-1)!;
    update = await updateRevisionNumber(client, old, next);
    all = [...revisions.filter((r) => r.metadata.name !== old.metadata.name), update];
  } else {
    // Like upstream, the revision carries the set's annotations (e.g. kubernetes.io/change-cause for `rollout history`).
    const annotations = set.metadata.annotations && Object.keys(set.metadata.annotations).length ? set.metadata.annotations : undefined;
    const created = await createRevision(client, set, data, next, collisionCount, { annotations });
    update = created.revision;
    collisionCount = created.collisionCount;
    all = [...revisions.filter((r) => r.metadata.name !== update.metadata.name), update];
  }
  const current = all.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount, revisions: all };
}
