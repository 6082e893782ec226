/**
 * The StatefulSet controller's writes on pods and claims, each with the event upstream records:
 * claims are created before their pod, a claim being deleted blocks its pod, and the retention
 * policy's owner references are kept on the claims.
 */
import type { KubeObject } from '../../core/types.ts';
import { ClientError, type ClusterClient } from '../../client/cluster-client.ts';
import type { Informer } from '../../client/informer.ts';
import { PERSISTENT_VOLUME_CLAIMS, PODS } from '../../client/resources.ts';
import type { EventRecorder } from '../../client/event-recorder.ts';
import { claimsForPod, identityLabels, ordinalOf } from './identity.ts';
import { claimIsStale, desiredClaimOwnerRefs, retentionPolicy } from './retention.ts';

const isCode = (e: unknown, code: number) => e instanceof ClientError && e.code === code;

/** Several failures reported as one, like an aggregate error (one alone keeps its message). */
function aggregate(errors: Error[]): Error | undefined {
  if (errors.length === 0) return undefined;
  if (errors.length === 1) return errors[0];
  return new Error(`[${errors.map((e) => e.message).join(', ')}]`);
}

export class StatefulPodControl {
  constructor(
    private readonly client: ClusterClient,
    private readonly recorder: EventRecorder,
    private readonly claims: Informer,
  ) {}

  /** `create Pod x in StatefulSet y successful` / `... failed error: ...`, like upstream's recordPodEvent. */
  private podEvent(verb: string, set: KubeObject, pod: KubeObject, err?: Error): void {
    const reason = `${err ? 'Failed' : 'Successful'}${verb[0]!.toUpperCase()}${verb.slice(1)}`;
    if (err) this.recorder.event(set, 'Warning', reason, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${err.message}`);
    else this.recorder.event(set, 'Normal', reason, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
  }

  private claimEvent(verb: string, set: KubeObject, pod: KubeObject, claim: KubeObject, err?: Error): void {
    const reason = `${err ? 'Failed' : 'Successful'}${verb[0]!.toUpperCase()}${verb.slice(1)}`;
    if (err) this.recorder.event(set, 'Warning', reason, `${verb} Claim ${claim.metadata.name} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${err.message}`);
    else this.recorder.event(set, 'Normal', reason, `${verb} Claim ${claim.metadata.name} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
  }

  private cachedClaim(claim: KubeObject): KubeObject | undefined {
    return this.claims.get(claim.metadata.namespace, claim.metadata.name!);
  }

  /**
   * Creates the pod's missing claims. A claim that exists but is being deleted is an error: the
   * pod must not start on storage about to vanish (it is retried once the claim is gone).
   */
  async createClaims(set: KubeObject, pod: KubeObject): Promise<void> {
    const errors: Error[] = [];
    for (const claim of claimsForPod(set, ordinalOf(pod))) {
      let existing = this.cachedClaim(claim);
      if (!existing) {
        const refs = desiredClaimOwnerRefs(set, pod, claim);
        if (refs) claim.metadata.ownerReferences = refs;
        try {
          await this.client.create(PERSISTENT_VOLUME_CLAIMS, claim.metadata.namespace, claim);
          this.claimEvent('create', set, pod, claim);
          continue;
        } catch (e) {
          if (!isCode(e, 409)) {
            const err = new Error(`failed to create PVC ${claim.metadata.name}: ${(e as Error).message}`);
            this.claimEvent('create', set, pod, claim, e as Error);
            errors.push(err);
            continue;
          }
          // Our cache is behind: look at the claim that is already there.
          existing = await this.client.find(PERSISTENT_VOLUME_CLAIMS, claim.metadata.namespace, claim.metadata.name!);
          if (!existing) {
            errors.push(new Error(`failed to retrieve PVC ${claim.metadata.name}: not found`));
            continue;
          }
        }
      }
      if (existing.metadata.deletionTimestamp) errors.push(new Error(`pvc ${claim.metadata.name} is being deleted`));
    }
    const err = aggregate(errors);
    if (err) throw err;
  }

  /** Claims first, then the pod; either failure is reported on the set and retried. */
  async createPod(set: KubeObject, pod: KubeObject): Promise<void> {
    try {
      await this.createClaims(set, pod);
    } catch (e) {
      this.podEvent('create', set, pod, e as Error);
      throw e;
    }
    let created: KubeObject;
    try {
      created = await this.client.create(PODS, pod.metadata.namespace, pod);
    } catch (e) {
      // Already there means our cache is behind; the retry will see it (no event, as upstream).
      if (!isCode(e, 409)) this.podEvent('create', set, pod, e as Error);
      throw e;
    }
    try {
      await this.updateClaimsForRetention(set, created);
    } catch (e) {
      this.podEvent('update', set, pod, e as Error);
      throw e;
    }
    this.podEvent('create', set, pod);
  }

  async deletePod(set: KubeObject, pod: KubeObject): Promise<void> {
    try {
      await this.client.delete(PODS, pod.metadata.namespace, pod.metadata.name!, { preconditions: { uid: pod.metadata.uid } });
    } catch (e) {
      if (isCode(e, 404) || isCode(e, 409)) return;
      this.podEvent('delete', set, pod, e as Error);
      throw e;
    }
    this.podEvent('delete', set, pod);
  }

  /** Restores identity labels (and missing claims) of a pod that drifted. */
  async updatePodIdentity(set: KubeObject, pod: KubeObject): Promise<void> {
    try {
      await this.createClaims(set, pod);
      const labels = identityLabels(set, ordinalOf(pod));
      await this.client.patch(PODS, pod.metadata.namespace, pod.metadata.name!, { metadata: { labels, resourceVersion: pod.metadata.resourceVersion } }, 'merge');
      await this.updateClaimsForRetention(set, pod);
    } catch (e) {
      if (isCode(e, 404)) return;
      // A conflict only means our copy was old: the retry reads the new one.
      if (!isCode(e, 409)) this.podEvent('update', set, pod, e as Error);
      throw e;
    }
    this.podEvent('update', set, pod);
  }

  /** Whether every existing claim of the pod already carries the owner references the policy wants. */
  claimsMatchRetention(set: KubeObject, pod: KubeObject): boolean {
    return claimsForPod(set, ordinalOf(pod)).every((c) => {
      const existing = this.cachedClaim(c);
      return !existing || !desiredClaimOwnerRefs(set, pod, existing);
    });
  }

  /** Sets or clears the set's and the pod's owner references on the pod's claims. */
  async updateClaimsForRetention(set: KubeObject, pod: KubeObject): Promise<void> {
    for (const c of claimsForPod(set, ordinalOf(pod))) {
      const existing = this.cachedClaim(c) ?? (await this.client.find(PERSISTENT_VOLUME_CLAIMS, c.metadata.namespace, c.metadata.name!));
      if (!existing) continue;
      const refs = desiredClaimOwnerRefs(set, pod, existing);
      if (!refs) continue;
      try {
        await this.client.patch(PERSISTENT_VOLUME_CLAIMS, existing.metadata.namespace, existing.metadata.name!, { metadata: { ownerReferences: refs, resourceVersion: existing.metadata.resourceVersion } }, 'merge');
      } catch (e) {
        if (!isCode(e, 404)) throw e;
      }
    }
  }

  /** A claim still owned by an earlier pod of this name is about to be collected (only when whenScaled=Delete). */
  podClaimIsStale(set: KubeObject, pod: KubeObject): boolean {
    if (retentionPolicy(set).whenScaled === 'Retain') return false;
    return claimsForPod(set, ordinalOf(pod)).some((c) => {
      const existing = this.cachedClaim(c);
      return !!existing && claimIsStale(existing, pod);
    });
  }
}
