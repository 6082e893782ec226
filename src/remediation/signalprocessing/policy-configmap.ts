/**
 * Keeps the PolicyStore in step with the ConfigMap `kubernaut-signalprocessing-policies` of the
 * controller namespace, watched through an informer (so a change applies within moments, and a
 * missed watch event is made good by the informer's re-list). Every decision is an Event on the
 * ConfigMap: Normal PolicyApplied / PolicyReverted, Warning PolicyRejected (the previous policy
 * stays in force) and UnknownPolicyKey (a typo like `prioirty.cel` is not silently ignored).
 * Any policy store that takes a ConfigMap's data and reports what it did can be kept in step
 * (AIAnalysis' approval policy is): `keyOf`/`keys` name its keys.
 */
import type { KubeConfig, V1ConfigMap } from '@kubernetes/client-node';
import { Informer } from '../../kube/informer.ts';
import { CORE_RESOURCES } from '../../kube/resource.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { POLICY_KEYS } from './policy-definitions.ts';
import type { EventSink } from './reconciler.ts';

export const DEFAULT_POLICY_CONFIGMAP = 'kubernaut-signalprocessing-policies';

/** What a store did with the ConfigMap's data, by policy name. */
export interface PolicyChangeSummary {
  applied: readonly string[];
  reverted: readonly string[];
  rejected: ReadonlyArray<{ name: string; key: string; error: string }>;
  unknownKeys: readonly string[];
}

/** A policy store the watcher keeps in step (SignalProcessing's PolicyStore, or another's). */
export interface PolicyConfigMapTarget {
  /** The ConfigMap's data (undefined: it is gone). */
  apply(data: Record<string, string> | undefined): Promise<PolicyChangeSummary>;
}

export interface PolicyConfigMapOptions {
  namespace: string;
  name?: string;
  clock: Clock;
  log: Logger;
  events?: EventSink;
  onRejected?: (report: PolicyChangeSummary['rejected'][number]) => void;
  /** The ConfigMap key of a policy name (default: SignalProcessing's keys). */
  keyOf?: (name: string) => string;
  /** Every key the store knows, for the UnknownPolicyKey message (default: SignalProcessing's keys). */
  keys?: readonly string[];
}

export class PolicyConfigMapWatcher {
  private readonly informer: Informer<V1ConfigMap>;
  /** The last apply started; `start()` waits for the first so no SP is classified before the overrides are in. */
  private latest: Promise<unknown> = Promise.resolve();
  /** resourceVersion of the ConfigMap last applied: a resync re-delivers the same object. */
  private appliedVersion?: string;

  private readonly keyOf: (name: string) => string;
  private readonly keys: readonly string[];

  constructor(kc: KubeConfig, private readonly store: PolicyConfigMapTarget, private readonly o: PolicyConfigMapOptions) {
    const name = o.name ?? DEFAULT_POLICY_CONFIGMAP;
    this.keyOf = o.keyOf ?? ((policy) => POLICY_KEYS[policy as keyof typeof POLICY_KEYS] ?? policy);
    this.keys = o.keys ?? Object.values(POLICY_KEYS);
    this.informer = new Informer<V1ConfigMap>(kc, CORE_RESOURCES.configMaps, o.clock, { namespace: o.namespace, fieldSelector: `metadata.name=${name}`, log: o.log });
    this.informer.onEvent((event, cm) => {
      if (cm.metadata?.name !== name) return;
      if (event === 'delete') return this.apply(undefined);
      if (cm.metadata?.resourceVersion && cm.metadata.resourceVersion === this.appliedVersion) return;
      this.appliedVersion = cm.metadata?.resourceVersion;
      this.apply(cm);
    });
  }

  async start(): Promise<void> {
    await this.informer.start();
    await this.latest;
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  private apply(cm: V1ConfigMap | undefined): void {
    if (!cm) this.appliedVersion = undefined;
    const run = this.store.apply(cm?.data).then(
      (report) => this.report(cm, report),
      (err) => this.o.log.error({ err }, 'could not apply the policy ConfigMap'),
    );
    this.latest = run;
  }

  private report(cm: V1ConfigMap | undefined, r: PolicyChangeSummary): void {
    const { log, events } = this.o;
    for (const name of r.applied) {
      log.info({ policy: name }, 'policy override applied');
      if (cm) events?.event(cm, 'Normal', 'PolicyApplied', `${this.keyOf(name)} is in force`);
    }
    for (const name of r.reverted) {
      log.info({ policy: name }, 'policy override removed; the default is in force');
      if (cm) events?.event(cm, 'Normal', 'PolicyReverted', `${this.keyOf(name)} removed: the default policy is in force`);
    }
    for (const rejected of r.rejected) {
      log.warn({ policy: rejected.name, error: rejected.error }, 'policy override rejected; the previous policy stays in force');
      if (cm) events?.event(cm, 'Warning', 'PolicyRejected', `${rejected.key} rejected: ${rejected.error}; the previous policy stays in force`);
      this.o.onRejected?.(rejected);
    }
    if (r.unknownKeys.length > 0 && cm) {
      events?.event(cm, 'Warning', 'UnknownPolicyKey', `ignored key(s) ${r.unknownKeys.join(', ')}; the policy keys are ${this.keys.join(', ')}`);
    }
  }
}
