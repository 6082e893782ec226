/**
 * A cluster-wide lock per fingerprint, so that concurrent identical signals create exactly one
 * RemediationRequest even across several Gateway replicas. It is a coordination.k8s.io Lease:
 * creating it acquires the lock (the API server's create is atomic: the loser gets AlreadyExists),
 * deleting it releases it, and a Lease whose holder stopped renewing (a crashed replica) is taken
 * over with an optimistic-concurrency update once it has expired.
 */
import { randomUUID } from 'node:crypto';
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease } from '@kubernetes/client-node';
import type { Clock } from '../platform/clock.ts';
import { isConflict, isNotFound } from '../kube/api-errors.ts';

export interface HeldLock {
  release(): Promise<void>;
}

export interface FingerprintLockOptions {
  clock: Clock;
  /** Identifies this Gateway replica in `holderIdentity`. */
  instanceId: string;
  /** How long a lock outlives a holder that never released it (nominal ms; default 15 s). */
  leaseDurationMs?: number;
}

export class FingerprintLocks {
  private readonly leases: CoordinationV1Api;
  private readonly leaseDurationMs: number;

  constructor(kc: KubeConfig, private readonly opts: FingerprintLockOptions) {
    this.leases = kc.makeApiClient(CoordinationV1Api);
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
  }

  static leaseName(fingerprint: string): string {
    return `kubernaut-gateway-${fingerprint.slice(0, 40)}`;
  }

  /** One attempt: the held lock, or undefined when another holder has it right now. */
  async tryAcquire(namespace: string, fingerprint: string): Promise<HeldLock | undefined> {
    const name = FingerprintLocks.leaseName(fingerprint);
    const holder = `${this.opts.instanceId}/${randomUUID()}`;
    const now = this.opts.clock.now();
    const spec = {
      holderIdentity: holder,
      leaseDurationSeconds: Math.max(1, Math.ceil(this.leaseDurationMs / 1000)),
      acquireTime: new V1MicroTime(now.getTime()),
      renewTime: new V1MicroTime(now.getTime()),
    };
    try {
      const created = await this.leases.createNamespacedLease({
        namespace,
        body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace, labels: { 'app.kubernetes.io/managed-by': 'kubernaut-gateway' } }, spec },
      });
      return this.held(namespace, created);
    } catch (err) {
      if (!isConflict(err)) throw err;
    }
    // Someone holds it. Take it over only if its holder has stopped renewing it.
    let existing: V1Lease;
    try {
      existing = await this.leases.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined; // released meanwhile: the caller simply tries again
      throw err;
    }
    if (!this.expired(existing)) return undefined;
    try {
      const taken = await this.leases.replaceNamespacedLease({ name, namespace, body: { ...existing, spec: { ...existing.spec, ...spec } } });
      return this.held(namespace, taken);
    } catch (err) {
      if (isConflict(err) || isNotFound(err)) return undefined; // another replica was faster
      throw err;
    }
  }

  private expired(lease: V1Lease): boolean {
    const renewed = lease.spec?.renewTime ?? lease.spec?.acquireTime ?? lease.metadata?.creationTimestamp;
    if (!renewed) return true;
    const durationMs = (lease.spec?.leaseDurationSeconds ?? this.leaseDurationMs / 1000) * 1000;
    return this.opts.clock.nowMs() - new Date(renewed).getTime() > this.opts.clock.scaled(durationMs);
  }

  private held(namespace: string, lease: V1Lease): HeldLock {
    const name = lease.metadata!.name!;
    const { uid, resourceVersion } = lease.metadata!;
    return {
      release: async () => {
        try {
          // The preconditions keep us from deleting a Lease another replica took over after it expired.
          await this.leases.deleteNamespacedLease({ name, namespace, body: { preconditions: { uid, resourceVersion } } });
        } catch (err) {
          if (!isNotFound(err) && !isConflict(err)) throw err;
        }
      },
    };
  }
}
