/**
 * The Gateway's reads and writes of RemediationRequests, through client-node's CustomObjectsApi:
 * find the live RR of a fingerprint, create a new one, and count a repeat into
 * `status.deduplication` (status subresource, optimistic concurrency, retried on 409).
 */
import { randomBytes } from 'node:crypto';
import { CustomObjectsApi, type KubeConfig } from '@kubernetes/client-node';
import type { Clock } from '../platform/clock.ts';
import { isConflict, isNotFound } from '../kube/api-errors.ts';
import {
  ANNOTATION_CREATED_AT, COMPONENT_REMEDIATION, KUBERNAUT_API_VERSION, LABEL_COMPONENT, LABEL_MANAGED_BY, LABEL_SIGNAL_FINGERPRINT,
  MANAGED_BY_GATEWAY, REMEDIATION_REQUEST_GVR, compareRemediationRequestAge, fingerprintLabelValue, isTerminalRemediationPhase,
  type RemediationRequest, type RemediationRequestStatus,
} from '../api/v1alpha1/index.ts';
import { OccurrenceBatcher, type Occurrences } from './occurrence-batcher.ts';
import type { NormalizedSignal, ResourceRef } from './signal.ts';

export type { RemediationRequest };
type Deduplication = NonNullable<RemediationRequestStatus['deduplication']>;
/** An RR being counted into, with the start of the alert episode the counted repeats belong to. */
interface Counted {
  rr: RemediationRequest;
  firingTime: Date;
}

/** metadata is optional in the generated type; every RR the Gateway handles has one. */
const meta = (rr: RemediationRequest) => rr.metadata as { name: string; namespace: string; creationTimestamp?: string | Date; resourceVersion?: string };

// The RR CRD's limits (deploy/crds/kubernaut.ai_remediationrequests.yaml): values are truncated to
// fit; what cannot be truncated without losing meaning makes the signal invalid.
const MAX_LABEL_VALUE = 63;
const MAX_ANNOTATION_VALUE = 1024;
const MAX_ORIGINAL_PAYLOAD = 100 * 1024;
const MAX_MAP_ENTRIES = 256;
const MAX_PROVIDER_DATA = 64 * 1024;
const NAME_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `rr-<first 12 hex of fingerprint>-<8 random [a-z0-9]>`. */
export function remediationRequestName(fingerprint: string): string {
  const suffix = [...randomBytes(8)].map((b) => NAME_ALPHABET[b % NAME_ALPHABET.length]).join('');
  return `rr-${fingerprint.slice(0, 12)}-${suffix}`;
}

function truncateValues(values: Record<string, string>, max: number): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([k, v]) => [k, v.length > max ? v.slice(0, max) : v]));
}

const providerData = (namespace: string, labels: Record<string, string>) => JSON.stringify({ namespace, labels });

/**
 * Why the RR of this signal would be refused by the CRD's limits, if it would: checked before
 * any work, so such a signal is rejected for good instead of failing (and being retried) forever.
 */
export function remediationRequestLimitProblem(signal: NormalizedSignal, target: ResourceRef): string | undefined {
  const labels = Object.keys(signal.labels).length;
  if (labels > MAX_MAP_ENTRIES) return `the signal has ${labels} labels; a RemediationRequest holds at most ${MAX_MAP_ENTRIES}`;
  const annotations = Object.keys(signal.annotations).length;
  if (annotations > MAX_MAP_ENTRIES) return `the signal has ${annotations} annotations; a RemediationRequest holds at most ${MAX_MAP_ENTRIES}`;
  const size = providerData(target.namespace, signal.labels).length;
  if (size > MAX_PROVIDER_DATA) return `the signal's labels take ${size} characters as providerData; a RemediationRequest holds at most ${MAX_PROVIDER_DATA}`;
  return undefined;
}

/** The RR's target: always with its apiVersion, so no consumer has to guess the group of a kind. */
export type RemediationTarget = ResourceRef & { apiVersion: string };

export function buildRemediationRequest(args: { signal: NormalizedSignal; target: RemediationTarget; fingerprint: string; namespace: string; receivedAt: Date }): RemediationRequest {
  const { signal, target, fingerprint, receivedAt } = args;
  return {
    apiVersion: KUBERNAUT_API_VERSION,
    kind: 'RemediationRequest',
    metadata: {
      name: remediationRequestName(fingerprint),
      namespace: args.namespace,
      labels: {
        [LABEL_MANAGED_BY]: MANAGED_BY_GATEWAY,
        [LABEL_COMPONENT]: COMPONENT_REMEDIATION,
        [LABEL_SIGNAL_FINGERPRINT]: fingerprintLabelValue(fingerprint),
      },
      annotations: { [ANNOTATION_CREATED_AT]: receivedAt.toISOString() },
    },
    spec: {
      signalFingerprint: fingerprint,
      signalName: signal.name.slice(0, 253),
      severity: (signal.severity || 'unknown').slice(0, 50),
      signalType: 'alert',
      signalSource: signal.source,
      targetType: 'kubernetes',
      targetResource: { apiVersion: target.apiVersion, kind: target.kind, name: target.name, namespace: target.namespace },
      firingTime: signal.firingTime.toISOString(),
      receivedTime: receivedAt.toISOString(),
      signalLabels: truncateValues(signal.labels, MAX_LABEL_VALUE),
      signalAnnotations: truncateValues(signal.annotations, MAX_ANNOTATION_VALUE),
      providerData: providerData(target.namespace, signal.labels),
      originalPayload: signal.originalPayload.length > MAX_ORIGINAL_PAYLOAD ? signal.originalPayload.slice(0, MAX_ORIGINAL_PAYLOAD) : signal.originalPayload,
    },
  };
}

/**
 * True when a repeat of the signal (which started firing at `firingTime`) belongs to this RR rather
 * than to a new one. A running RR takes every repeat. A finished one takes repeats only while the
 * Orchestrator's `nextAllowedExecution` lies ahead (backoff after failures, suppression after
 * NoActionRequired); a NoActionRequired RR, moreover, only takes its own alert episode: an alert that
 * resolved and fired again (another startsAt) may need action this time, so it gets a new RR at once.
 */
export function absorbsRepeats(rr: RemediationRequest, now: Date, firingTime: Date): boolean {
  // No phase yet = just created = Pending; Blocked is not terminal either.
  if (!isTerminalRemediationPhase(rr.status?.overallPhase)) return true;
  const next = rr.status?.nextAllowedExecution;
  if (!next || new Date(next).getTime() <= now.getTime()) return false;
  return rr.status?.outcome !== 'NoActionRequired' || sameEpisode(rr, firingTime);
}

/** Alertmanager re-sends a firing alert with its original startsAt; a new startsAt is a new episode. */
function sameEpisode(rr: RemediationRequest, firingTime: Date): boolean {
  const own = rr.spec?.firingTime;
  return !!own && new Date(own).getTime() === firingTime.getTime();
}

/** The RR a repeat was meant for no longer takes repeats (terminal or deleted): decide afresh. */
export class StaleRemediationRequest extends Error {
  constructor(name: string, why: string) {
    super(`RemediationRequest ${name} no longer absorbs repeats (${why})`);
  }
}

export class RemediationRequests {
  private readonly api: CustomObjectsApi;

  private readonly occurrences = new OccurrenceBatcher<Counted>((counted, seen) => this.writeOccurrences(counted, seen));

  constructor(kc: KubeConfig, private readonly clock: Clock) {
    this.api = kc.makeApiClient(CustomObjectsApi);
  }

  /** The RR that absorbs this fingerprint's repeats (of the episode that started at `firingTime`) now, the oldest if several. */
  async findActive(namespace: string, fingerprint: string, firingTime: Date): Promise<RemediationRequest | undefined> {
    const list = (await this.api.listNamespacedCustomObject({
      ...REMEDIATION_REQUEST_GVR, namespace,
      labelSelector: `${LABEL_SIGNAL_FINGERPRINT}=${fingerprintLabelValue(fingerprint)}`,
    })) as { items: RemediationRequest[] };
    const now = this.clock.now();
    return list.items
      .filter((rr) => rr.spec?.signalFingerprint === fingerprint && absorbsRepeats(rr, now, firingTime))
      .sort(compareRemediationRequestAge)[0];
  }

  async create(rr: RemediationRequest): Promise<RemediationRequest> {
    return (await this.api.createNamespacedCustomObject({ ...REMEDIATION_REQUEST_GVR, namespace: meta(rr).namespace, body: rr })) as RemediationRequest;
  }

  /**
   * Counts one more occurrence into `status.deduplication` (the creator's first occurrence too, so a
   * repeat that wins the race against the creator's status write is never lost). Concurrent counts
   * into one RR are written together (see occurrence-batcher.ts), per alert episode (`firingTime`),
   * because whether a finished RR still takes a repeat depends on the episode.
   */
  async recordOccurrence(current: RemediationRequest, seenAt: Date, firingTime: Date): Promise<RemediationRequest> {
    const key = `${meta(current).namespace}/${meta(current).name}@${firingTime.getTime()}`;
    return (await this.occurrences.record(key, { rr: current, firingTime }, seenAt)).rr;
  }

  /** Read-modify-write on the status subresource; a 409 means someone else wrote in between: re-read and retry. */
  private async writeOccurrences({ rr: current, firingTime }: Counted, seen: Occurrences): Promise<Counted> {
    const ref = { ...REMEDIATION_REQUEST_GVR, namespace: meta(current).namespace, name: meta(current).name };
    let rr = current;
    for (let attempt = 0; ; attempt++) {
      const previous = rr.status?.deduplication;
      const first = seen.firstSeenAt.toISOString();
      const last = seen.lastSeenAt.toISOString();
      const deduplication: Deduplication = {
        firstSeenAt: previous?.firstSeenAt && previous.firstSeenAt < first ? previous.firstSeenAt : first,
        // Writers may land out of order: keep the latest time seen.
        lastSeenAt: previous?.lastSeenAt && previous.lastSeenAt > last ? previous.lastSeenAt : last,
        occurrenceCount: (previous?.occurrenceCount ?? 0) + seen.count,
      };
      try {
        const stored = (await this.api.replaceNamespacedCustomObjectStatus({ ...ref, body: { ...rr, status: { ...rr.status, deduplication } } })) as RemediationRequest;
        return { rr: stored, firingTime };
      } catch (err) {
        if (isNotFound(err)) throw new StaleRemediationRequest(ref.name, 'deleted');
        if (!isConflict(err) || attempt >= 100) throw err;
      }
      try {
        rr = (await this.api.getNamespacedCustomObject(ref)) as RemediationRequest;
      } catch (err) {
        if (isNotFound(err)) throw new StaleRemediationRequest(ref.name, 'deleted');
        throw err;
      }
      // Changed meanwhile (e.g. by the Orchestrator): it may no longer take repeats.
      if (!absorbsRepeats(rr, this.clock.now(), firingTime)) throw new StaleRemediationRequest(ref.name, `now ${rr.status?.overallPhase}`);
    }
  }
}
