/**
 * Which objects an owner controls, decided the way upstream's ControllerRefManager.ClaimObject
 * decides: objects of other controllers are left alone; owned objects that still match stay
 * owned (even while the owner is being deleted, since that takes no action); owned objects that
 * no longer match are released, except while the owner is being deleted (no reconciliation then);
 * matching orphans are adopted, never while the owner or the orphan is being deleted.
 */
import type { KubeObject, OwnerReference } from '../../core/types.ts';
import { controllerRef, newControllerRef } from '../../core/owner-refs.ts';
import { ClientError, type ClusterClient, type Gvr } from '../../client/cluster-client.ts';

/**
 * The candidates (from a cache) `owner` controls after adopting and releasing. `owner` must carry
 * its apiVersion and kind: they go into the ownerReference of an adopted object.
 */
export async function claimObjects(client: ClusterClient, gvr: Gvr, owner: KubeObject, candidates: KubeObject[], matches: (obj: KubeObject) => boolean): Promise<KubeObject[]> {
  const claimed: KubeObject[] = [];
  const beingDeleted = !!owner.metadata.deletionTimestamp;
  for (const obj of candidates) {
    if (owner.metadata.namespace && obj.metadata.namespace !== owner.metadata.namespace) continue;
    const ref = controllerRef(obj);
    if (ref) {
      if (ref.uid !== owner.metadata.uid) continue;
      if (matches(obj)) {
        claimed.push(obj);
        continue;
      }
      if (beingDeleted) continue;
      // No longer selected: give it up so another controller (or nobody) owns it.
      await patchOwners(client, gvr, obj, (obj.metadata.ownerReferences ?? []).filter((r) => r.uid !== owner.metadata.uid));
      continue;
    }
    if (beingDeleted || obj.metadata.deletionTimestamp || !matches(obj)) continue;
    const adopted = await patchOwners(client, gvr, obj, [...(obj.metadata.ownerReferences ?? []), newControllerRef(owner)]);
    if (adopted) claimed.push(adopted);
  }
  return claimed;
}

/**
 * Rewrites `obj`'s ownerReferences. The uid and resourceVersion preconditions make a concurrent
 * change (another adoption, a re-created object) fail instead of both winning. An object that is
 * gone or changed meanwhile yields undefined: its watch event brings the owner back for another sync.
 */
async function patchOwners(client: ClusterClient, gvr: Gvr, obj: KubeObject, refs: OwnerReference[]): Promise<KubeObject | undefined> {
  try {
    const metadata = { ownerReferences: refs, uid: obj.metadata.uid, resourceVersion: obj.metadata.resourceVersion };
    return await client.patch(gvr, obj.metadata.namespace, obj.metadata.name!, { metadata }, 'merge');
  } catch (e) {
    if (e instanceof ClientError && (e.code === 404 || e.code === 409)) return undefined;
    throw e;
  }
}
