/**
 * Which pods and revisions belong to a set, the way a ControllerRefManager decides: owned objects
 * that still match stay, owned ones that no longer match are released, matching orphans are
 * adopted (never while the set or the object is being deleted), objects of other controllers are
 * left alone.
 */
import type { KubeObject } from '../../apiserver/types.ts';
import { matchesLabelSelectorObject } from '../../apiserver/selectors.ts';
import { ClientError, type ClusterClient, type Gvr } from '../../client/cluster-client.ts';
import { controllerRef, newControllerRef } from '../pod-utils.ts';
import { withTypeMeta } from './identity.ts';

const gone = (e: unknown) => e instanceof ClientError && (e.code === 404 || e.code === 409);

/**
 * The objects (from a cache, same namespace as the set) the set owns after adopting and
 * releasing. `filter` narrows what may match (pods must be named after the set).
 */
export async function claimObjects(client: ClusterClient, gvr: Gvr, set: KubeObject, candidates: KubeObject[], filter: (o: KubeObject) => boolean = () => true): Promise<KubeObject[]> {
  const owned: KubeObject[] = [];
  const matches = (o: KubeObject) => matchesLabelSelectorObject(set.spec?.selector, o.metadata.labels) && filter(o);
  for (const obj of candidates) {
    if (obj.metadata.namespace !== set.metadata.namespace) continue;
    const ref = controllerRef(obj);
    if (ref) {
      if (ref.uid !== set.metadata.uid) continue;
      if (matches(obj)) {
        owned.push(obj);
        continue;
      }
      if (set.metadata.deletionTimestamp) continue;
      const refs = (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== set.metadata.uid);
      try {
        await client.patch(gvr, obj.metadata.namespace, obj.metadata.name!, { metadata: { ownerReferences: refs, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion } }, 'merge');
      } catch (e) {
        if (!gone(e)) throw e;
      }
      continue;
    }
    if (set.metadata.deletionTimestamp || obj.metadata.deletionTimestamp || !matches(obj)) continue;
    try {
      const refs = [...(obj.metadata.ownerReferences ?? []), newControllerRef(withTypeMeta(set))];
      owned.push(await client.patch(gvr, obj.metadata.namespace, obj.metadata.name!, { metadata: { ownerReferences: refs, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion } }, 'merge'));
    } catch (e) {
      if (!gone(e)) throw e;
    }
  }
  return owned;
}
