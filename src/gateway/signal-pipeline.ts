/**
 * One signal's way through the Gateway, whatever adapter it came from:
 * target -> owner chain -> fingerprint -> scope -> deduplicate or create the RemediationRequest,
 * every decision audited. Serialisation per fingerprint uses a Lease (see fingerprint-lock.ts), so
 * the "is there already an RR?" check and the create are one step across all Gateway replicas.
 */
import { createHash } from 'node:crypto';
import type { Clock } from '../platform/clock.ts';
import type { Logger } from '../platform/log.ts';
import { ProblemError } from '../platform/http/app.ts';
import { gatewayAuditEvent, type AuditSink } from './audit.ts';
import { signalFingerprint } from './fingerprint.ts';
import type { FingerprintLocks } from './fingerprint-lock.ts';
import type { ClusterObjects, OwnerChain } from './owner-chain.ts';
import {
  absorbsRepeats, buildRemediationRequest, remediationRequestLimitProblem, StaleRemediationRequest, type RemediationRequest, type RemediationRequests,
  type RemediationTarget,
} from './remediation-requests.ts';
import { TtlCache } from './ttl-cache.ts';
import { isInvalid, isNotFound, messageOf } from '../kube/api-errors.ts';
import { validateTarget } from './target-validation.ts';
import { LABEL_MANAGED, isManagedScope } from '../api/v1alpha1/index.ts';
import type { NormalizedSignal, ResourceRef } from './signal.ts';


/** Why a signal is refused for good (answered 200: sending it again cannot change the decision). */
export type RejectReason = 'no-target' | 'invalid-target' | 'unsupported-kind' | 'invalid' | 'target-not-found' | 'unmanaged';

export type SignalOutcome =
  | { status: 'created'; remediationRequest: string; namespace: string; fingerprint: string; occurrenceCount: number }
  | { status: 'duplicate'; remediationRequest: string; namespace: string; fingerprint: string; occurrenceCount: number; retried?: true }
  | { status: 'rejected'; reason: RejectReason; message: string; fingerprint: string }
  | { status: 'resolved'; fingerprint: string };

export interface SignalPipelineDeps {
  clock: Clock;
  log: Logger;
  audit: AuditSink;
  objects: ClusterObjects;
  remediationRequests: RemediationRequests;
  locks: FingerprintLocks;
  /** Put every RR in this namespace instead of the target's (crds.md §1 `crNamespace`). */
  crNamespace?: string;
  /** Where RRs of cluster-scoped targets go (default `kubernaut-system`). */
  controllerNamespace: string;
  /** How long one signal may wait for its fingerprint's lock (nominal ms, default 10 s). */
  lockWaitMs?: number;
  /** How long a target's owner chain and scope are reused (nominal ms, default 10 s; 0 = no caching). */
  targetCacheTtlMs?: number;
}

/** Correlation id of a signal that names no resource: stable for identical label sets. */
function labelsFingerprint(labels: Record<string, string>): string {
  const sorted = Object.keys(labels).sort().map((k) => [k, labels[k]]);
  return createHash('sha256').update(JSON.stringify(sorted)).digest('hex');
}

const describe = (r: ResourceRef) => `${r.kind}/${r.name}${r.namespace ? ` in namespace ${r.namespace}` : ''}`;

interface ResolvedTarget {
  owners: OwnerChain;
  fingerprint: string;
  managed: boolean;
}

export class SignalPipeline {
  private readonly targets: TtlCache<ResolvedTarget>;
  /** The RR each fingerprint was last counted into, as last written (rechecked on every write). */
  private readonly activeRRs: TtlCache<RemediationRequest>;

  constructor(private readonly deps: SignalPipelineDeps) {
    this.targets = new TtlCache(deps.clock, deps.targetCacheTtlMs ?? 10_000);
    this.activeRRs = new TtlCache(deps.clock, deps.targetCacheTtlMs === 0 ? 0 : 5 * 60_000);
  }

  /**
   * A firing signal: decide, act, audit. Once `abort` fires (the sender went away) no further step
   * starts: the signal fails with the abort reason, and a write already under way still completes.
   */
  async process(signal: NormalizedSignal, receivedAt: Date, abort?: AbortSignal): Promise<SignalOutcome> {
    const outcome = await this.decide(signal, receivedAt, abort);
    this.audit(signal, receivedAt, outcome);
    return outcome;
  }

  /** A resolved alert: recorded, never acted on (the Orchestrator verifies effects itself). */
  recordResolved(signal: NormalizedSignal, receivedAt: Date): SignalOutcome {
    const fingerprint = signal.target ? signalFingerprint(signal.target) : labelsFingerprint(signal.labels);
    const outcome: SignalOutcome = { status: 'resolved', fingerprint };
    this.audit(signal, receivedAt, outcome);
    return outcome;
  }

  private async decide(signal: NormalizedSignal, receivedAt: Date, abort?: AbortSignal): Promise<SignalOutcome> {
    if (!signal.target) {
      return { status: 'rejected', reason: 'no-target', message: 'the signal names no Kubernetes resource (no usable resource label)', fingerprint: labelsFingerprint(signal.labels) };
    }
    const valid = validateTarget(signal.target);
    if ('problem' in valid) return { status: 'rejected', ...valid.problem, fingerprint: labelsFingerprint(signal.labels) };
    const target = valid.target;
    const tooLarge = remediationRequestLimitProblem(signal, target);
    if (tooLarge) return { status: 'rejected', reason: 'invalid', message: tooLarge, fingerprint: signalFingerprint(target) };
    abort?.throwIfAborted();
    const resolved = await this.resolveTarget(target);
    if (!resolved) {
      return { status: 'rejected', reason: 'target-not-found', message: `${describe(target)} does not exist`, fingerprint: signalFingerprint(target) };
    }
    const { owners, fingerprint, managed } = resolved;
    if (!managed) {
      return {
        status: 'rejected', reason: 'unmanaged', fingerprint,
        message: `neither ${describe(owners.target.ref)}${owners.root !== owners.target ? `, its owner ${owners.root.ref.kind}/${owners.root.ref.name},` : ''} nor its namespace is labelled ${LABEL_MANAGED}="true"`,
      };
    }
    // The RR names the resource the signal is about, not its owner, with the apiVersion it was read
    // with: the kind's own (validateTarget settled it).
    const read = owners.target.ref;
    const resource: RemediationTarget = { apiVersion: target.apiVersion, kind: read.kind, name: read.name, namespace: read.namespace };
    const namespace = this.deps.crNamespace ?? (resource.namespace || this.deps.controllerNamespace);
    return this.deduplicateOrCreate(signal, resource, fingerprint, namespace, receivedAt, abort);
  }

  /**
   * Owner chain, fingerprint and scope of a target. Cached for a few seconds: an alert storm repeats
   * the same targets, and ownership or a `managed` label changes far more rarely than that.
   */
  private async resolveTarget(target: ResourceRef): Promise<ResolvedTarget | undefined> {
    const key = `${target.kind}/${target.namespace}/${target.name}`;
    const cached = this.targets.get(key);
    if (cached) return cached;
    const owners = await this.deps.objects.ownerChain(target);
    if (!owners) return undefined; // not cached: the resource may appear any moment
    const resolved = { owners, fingerprint: signalFingerprint(owners.root.ref), managed: await this.inScope(owners) };
    this.targets.set(key, resolved);
    return resolved;
  }

  /** The shared managed-scope rule; the namespace is only read when the target and root owner do not decide. */
  private async inScope(owners: OwnerChain): Promise<boolean> {
    const labels = { target: owners.target.labels, rootOwner: owners.root.labels, namespace: undefined };
    if (isManagedScope(labels)) return true;
    const namespace = owners.target.ref.namespace;
    return !!namespace && isManagedScope({ ...labels, namespace: await this.deps.objects.namespaceLabels(namespace) });
  }

  private async deduplicateOrCreate(signal: NormalizedSignal, resource: RemediationTarget, fingerprint: string, namespace: string, receivedAt: Date, abort?: AbortSignal): Promise<SignalOutcome> {
    const { remediationRequests: rrs, locks, clock } = this.deps;
    const cacheKey = `${namespace}/${fingerprint}`;
    /** Counts the signal into `rr`; undefined when `rr` stopped taking repeats meanwhile. */
    const duplicate = async (rr: RemediationRequest): Promise<SignalOutcome | undefined> => {
      try {
        const updated = await rrs.recordOccurrence(rr, receivedAt, signal.firingTime);
        this.activeRRs.set(cacheKey, updated);
        return { status: 'duplicate', remediationRequest: rr.metadata!.name!, namespace, fingerprint, occurrenceCount: updated.status?.deduplication?.occurrenceCount ?? 0 };
      } catch (err) {
        if (!(err instanceof StaleRemediationRequest)) throw err;
        this.activeRRs.delete(cacheKey);
        return undefined;
      }
    };
    const waitUntil = clock.nowMs() + clock.scaled(this.deps.lockWaitMs ?? 10_000);
    for (let attempt = 0; ; attempt++) {
      abort?.throwIfAborted();
      // Repeats of a known incident need no lock: the status write itself is optimistic (a stale
      // cached copy fails its resourceVersion check, is re-read, and re-checked for terminal phases).
      const known = this.activeRRs.get(cacheKey);
      if (known && absorbsRepeats(known, clock.now(), signal.firingTime)) {
        const outcome = await duplicate(known);
        if (outcome) return outcome;
      }
      const active = await rrs.findActive(namespace, fingerprint, signal.firingTime);
      if (active) {
        const outcome = await duplicate(active);
        if (outcome) return outcome;
        continue;
      }
      const lock = await locks.tryAcquire(namespace, fingerprint).catch((err) => {
        if (isNotFound(err)) throw new ProblemError(500, 'RemediationRequest namespace missing', `namespace ${namespace} (where this signal's RemediationRequest belongs) does not exist`);
        throw err;
      });
      if (lock) {
        try {
          const again = await rrs.findActive(namespace, fingerprint, signal.firingTime); // created while we acquired?
          if (again) {
            const outcome = await duplicate(again);
            if (outcome) return outcome;
            continue;
          }
          let created: RemediationRequest;
          try {
            created = await rrs.create(buildRemediationRequest({ signal, target: resource, fingerprint, namespace, receivedAt }));
          } catch (err) {
            // Refused as invalid (CRD schema, admission): permanent, unlike 5xx and timeouts.
            if (!isInvalid(err)) throw err;
            return { status: 'rejected', reason: 'invalid', message: `the RemediationRequest was refused: ${messageOf(err)}`, fingerprint };
          }
          const withStatus = await rrs.recordOccurrence(created, receivedAt, signal.firingTime);
          this.activeRRs.set(cacheKey, withStatus);
          return { status: 'created', remediationRequest: created.metadata!.name!, namespace, fingerprint, occurrenceCount: withStatus.status?.deduplication?.occurrenceCount ?? 1 };
        } finally {
          await lock.release().catch((err) => this.deps.log.warn({ err, fingerprint }, 'could not release fingerprint lease; it expires on its own'));
        }
      }
      if (clock.nowMs() > waitUntil) {
        throw new ProblemError(503, 'Service Unavailable', `timed out waiting for the lock of fingerprint ${fingerprint}`, { retryable: true });
      }
      // Another request (maybe another replica) is creating the RR: look again shortly.
      await clock.sleep(Math.min(5 * 2 ** attempt, 100) * (0.5 + Math.random()));
    }
  }

  private audit(signal: NormalizedSignal, at: Date, outcome: SignalOutcome): void {
    const correlationId = 'remediationRequest' in outcome ? outcome.remediationRequest : outcome.fingerprint;
    const target = signal.target;
    const common = { correlationId, at, ...(target ? { resourceType: target.kind, resourceName: target.name, namespace: target.namespace || undefined } : {}) };
    const signalData = { signalName: signal.name, severity: signal.severity, source: signal.source, fingerprint: outcome.fingerprint, ...(target ? { targetResource: target } : {}) };
    const record = this.deps.audit.record.bind(this.deps.audit);
    record(gatewayAuditEvent({ ...common, type: 'signal.received', action: 'received', outcome: 'success', data: { ...signalData, labels: signal.labels } }));
    switch (outcome.status) {
      case 'created':
        record(gatewayAuditEvent({ ...common, type: 'crd.created', action: 'created', outcome: 'success', resourceType: 'RemediationRequest', resourceName: outcome.remediationRequest, namespace: outcome.namespace, data: { ...signalData, remediationRequest: outcome.remediationRequest } }));
        break;
      case 'duplicate':
        record(gatewayAuditEvent({ ...common, type: 'signal.deduplicated', action: 'deduplicated', outcome: 'success', resourceType: 'RemediationRequest', resourceName: outcome.remediationRequest, namespace: outcome.namespace, data: { ...signalData, remediationRequest: outcome.remediationRequest, occurrenceCount: outcome.occurrenceCount } }));
        break;
      case 'rejected':
        record(gatewayAuditEvent({ ...common, type: 'signal.rejected', action: 'rejected', outcome: 'failure', data: { ...signalData, reason: outcome.reason, message: outcome.message } }));
        break;
      case 'resolved':
        record(gatewayAuditEvent({ ...common, type: 'signal.resolved', action: 'resolved', outcome: 'success', data: signalData }));
        break;
    }
  }

  /** A signal whose processing failed (API server down ...): audited so the trail has no hole. */
  auditFailure(signal: NormalizedSignal, at: Date, err: unknown): void {
    const fingerprint = signal.target ? signalFingerprint(signal.target) : labelsFingerprint(signal.labels);
    this.deps.audit.record(gatewayAuditEvent({
      correlationId: fingerprint, at, type: 'signal.failed', action: 'processed', outcome: 'failure',
      data: { signalName: signal.name, source: signal.source, error: err instanceof Error ? err.message : String(err) },
    }));
  }
}
