/**
 * One active replica per controller, elected through a coordination.k8s.io/v1 Lease.
 *
 * A candidate takes the Lease when nobody holds it, when the holder released it, or when its
 * record has not changed for leaseDuration as seen by this candidate's own clock (never by
 * comparing the holder's timestamps with ours, which may be skewed). Every write carries the
 * resourceVersion read, so of two candidates at most one succeeds. The leader renews every
 * retryPeriod and gives up (aborts `lost`) when a renewal has not succeeded within renewDeadline,
 * which is shorter than leaseDuration: it stops acting before anybody else may start.
 */
import { CoordinationV1Api, V1MicroTime, type KubeConfig, type V1Lease, type V1LeaseSpec } from '@kubernetes/client-node';
import type { Clock, Timer } from '../platform/clock.ts';
import { componentLogger, type Logger } from '../platform/log.ts';
import { isConflict, isNotFound, messageOf } from './api-errors.ts';

export interface LeaderElectorOptions {
  namespace: string;
  name: string;
  /** Unique per replica (e.g. hostname + random suffix). */
  identity: string;
  /** Nominal ms; defaults 15 s, 10 s, 2 s. */
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  log?: Logger;
}

export class LeaderElector {
  private readonly api: CoordinationV1Api;
  private readonly log: Logger;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  /** The record as last read and when (clock.nowMs()) we first saw it: the basis of expiry. */
  private observed?: { holder?: string; renewTime?: string; resourceVersion?: string; durationMs: number };
  private observedAtMs = 0;
  private leading = false;
  private lost?: AbortController;
  private candidacy?: AbortController;
  private running = false;
  /** The renewal under way, if any. */
  private renewal?: Promise<boolean>;

  constructor(
    kc: KubeConfig,
    private readonly clock: Clock,
    private readonly opts: LeaderElectorOptions,
  ) {
    this.api = kc.makeApiClient(CoordinationV1Api);
    this.leaseDurationMs = opts.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = opts.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = opts.retryPeriodMs ?? 2_000;
    if (!(this.leaseDurationMs > this.renewDeadlineMs && this.renewDeadlineMs > this.retryPeriodMs && this.retryPeriodMs > 0)) {
      throw new Error(`leader election needs leaseDuration > renewDeadline > retryPeriod > 0 (got ${this.leaseDurationMs}, ${this.renewDeadlineMs}, ${this.retryPeriodMs})`);
    }
    this.log = (opts.log ?? componentLogger('leader-election')).child({ lease: `${opts.namespace}/${opts.name}`, identity: opts.identity });
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder as last read (undefined: nobody, or not read yet). */
  observedHolder(): string | undefined {
    return this.observed?.holder;
  }

  /**
   * Tries until the Lease is ours, then calls `onLeading(lost)` and resolves. `lost` aborts when
   * leadership ends (renewal failed, or release()); the process must then stop acting as leader.
   * Resolves without calling `onLeading` if release() is called before leadership was won.
   */
  async run(onLeading: (lost: AbortSignal) => Promise<void> | void): Promise<void> {
    if (this.running) throw new Error('LeaderElector.run is already running');
    this.running = true;
    const candidacy = (this.candidacy = new AbortController());
    try {
      let won = false;
      while (!candidacy.signal.aborted) {
        if ((won = await this.attempt())) break;
        // Jitter so that candidates which lost together do not retry in lock-step.
        await this.clock.sleep(this.retryPeriodMs * (1 + Math.random() * 0.2), candidacy.signal).catch(() => {});
      }
      if (candidacy.signal.aborted) {
        this.running = false;
        // release() came while our winning write was under way: hand the lease straight back.
        if (won) await this.clearHolder();
        return;
      }
    } catch (err) {
      this.running = false;
      throw err;
    }
    this.leading = true;
    const lost = (this.lost = new AbortController());
    this.log.info('became leader');
    void this.keepRenewing(lost);
    try {
      const result = onLeading(lost.signal);
      if (result instanceof Promise) result.catch((err: unknown) => this.log.error({ err: messageOf(err) }, 'onLeading failed'));
    } catch (err) {
      this.log.error({ err: messageOf(err) }, 'onLeading failed');
    }
  }

  /** Steps down at once (aborting `lost` first) and clears the holder, so a successor need not wait for expiry. */
  async release(): Promise<void> {
    this.candidacy?.abort();
    if (!this.leading) return;
    this.stepDown('released');
    await this.clearHolder();
  }

  /** Empties holderIdentity if we still hold the Lease, so the next candidate need not wait for expiry. */
  private async clearHolder(): Promise<void> {
    // A renewal already sent would otherwise land after our release and claim the lease again.
    await this.renewal?.catch(() => false);
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        const lease = await this.api.readNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace });
        if (lease.spec?.holderIdentity !== this.opts.identity) return;
        const now = new V1MicroTime(this.clock.nowMs());
        const { holderIdentity: _mine, ...rest } = lease.spec;
        await this.api.replaceNamespacedLease({ name: this.opts.name, namespace: this.opts.namespace, body: { ...lease, spec: { ...rest, renewTime: now, leaseDurationSeconds: 1 } } });
        this.log.info('released leadership');
        return;
      } catch (err) {
        if (isNotFound(err)) return;
        if (!isConflict(err)) {
          this.log.warn({ err: messageOf(err) }, 'could not release the lease; it expires on its own');
          return;
        }
      }
    }
  }

  /** Renews every retryPeriod; a renewal round that has not succeeded within renewDeadline ends leadership. */
  private async keepRenewing(lost: AbortController): Promise<void> {
    while (!lost.signal.aborted) {
      await this.clock.sleep(this.retryPeriodMs, lost.signal).catch(() => {});
      if (lost.signal.aborted) return;
      // A timer, not a check between attempts: a request that hangs must not keep us leader.
      let deadline: Timer | undefined = this.clock.setTimeout(() => this.stepDown(`could not renew within ${this.renewDeadlineMs} ms`), this.renewDeadlineMs);
      while (!lost.signal.aborted) {
        let renewed = false;
        try {
          this.renewal = this.attempt(lost.signal);
          renewed = await this.renewal;
        } catch (err) {
          this.log.warn({ err: messageOf(err) }, 'lease renewal failed');
        }
        if (lost.signal.aborted) break;
        if (renewed) {
          deadline?.cancel();
          deadline = undefined;
          break;
        }
        if (this.observed?.holder && this.observed.holder !== this.opts.identity) {
          this.stepDown(`lease taken by ${this.observed.holder}`);
          break;
        }
        await this.clock.sleep(this.retryPeriodMs / 4, lost.signal).catch(() => {});
      }
      deadline?.cancel();
    }
  }

  private stepDown(why: string): void {
    if (!this.leading) return;
    this.leading = false;
    this.running = false;
    this.log.warn({ why }, 'leadership lost');
    this.lost?.abort(new Error(`leadership lost: ${why}`));
  }

  /** One read and, when the Lease is ours to take or renew, one conditional write (none once `cancelled`). */
  private async attempt(cancelled?: AbortSignal): Promise<boolean> {
    const { name, namespace, identity } = this.opts;
    let lease: V1Lease;
    try {
      lease = await this.api.readNamespacedLease({ name, namespace });
    } catch (err) {
      if (!isNotFound(err)) throw err;
      try {
        this.observe(await this.api.createNamespacedLease({ namespace, body: { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace }, spec: this.spec(undefined) } }));
        return true;
      } catch (createErr) {
        if (isConflict(createErr)) return false; // another candidate created it first
        throw createErr;
      }
    }
    this.observe(lease);
    const holder = lease.spec?.holderIdentity;
    if (holder && holder !== identity && !this.observedExpired()) return false;
    if (cancelled?.aborted) return false;
    if (holder !== identity) this.log.info({ previous: holder || undefined }, 'taking the lease');
    try {
      // The resourceVersion read makes this conditional: a concurrent candidate's write wins, ours fails.
      this.observe(await this.api.replaceNamespacedLease({ name, namespace, body: { ...lease, spec: this.spec(lease.spec) } }));
      return true;
    } catch (err) {
      if (isConflict(err)) return false;
      throw err;
    }
  }

  private spec(current: V1LeaseSpec | undefined): V1LeaseSpec {
    const now = new V1MicroTime(this.clock.nowMs());
    const leaseDurationSeconds = Math.max(1, Math.ceil(this.leaseDurationMs / 1000));
    if (current?.holderIdentity === this.opts.identity) return { ...current, leaseDurationSeconds, renewTime: now };
    return {
      ...current,
      holderIdentity: this.opts.identity,
      leaseDurationSeconds,
      acquireTime: now,
      renewTime: now,
      leaseTransitions: current ? (current.leaseTransitions ?? 0) + 1 : 0,
    };
  }

  private observe(lease: V1Lease): void {
    const record = {
      holder: lease.spec?.holderIdentity || undefined,
      renewTime: lease.spec?.renewTime ? new Date(lease.spec.renewTime).toISOString() : undefined,
      resourceVersion: lease.metadata?.resourceVersion,
      durationMs: (lease.spec?.leaseDurationSeconds ?? Math.ceil(this.leaseDurationMs / 1000)) * 1000,
    };
    const o = this.observed;
    if (!o || o.holder !== record.holder || o.renewTime !== record.renewTime || o.resourceVersion !== record.resourceVersion) {
      this.observedAtMs = this.clock.nowMs();
    }
    this.observed = record;
  }

  private observedExpired(): boolean {
    if (!this.observed) return true;
    return this.clock.nowMs() - this.observedAtMs >= this.clock.scaled(this.observed.durationMs);
  }
}
