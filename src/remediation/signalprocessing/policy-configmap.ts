/**
 * Keeps the PolicyStore in step with the ConfigMap `kubernaut-signalprocessing-policies` of the
 * controller namespace, watched through an informer (so a change applies within moments, and a
 * missed watch event is made good by the informer's re-list). Every decision is an Event on the
 * ConfigMap: Normal PolicyApplied / PolicyReverted, Warning PolicyRejected (the previous policy
 * stays in force) and UnknownPolicyKey (a typo like `prioirty.cel` is not silently ignored).
 */
import type { KubeConfig, V1ConfigMap } from '@kubernetes/client-node';
import { Informer } from '../../kube/informer.ts';
import { CORE_RESOURCES } from '../../kube/resource.ts';
import type { Clock } from '../../platform/clock.ts';
import type { Logger } from '../../platform/log.ts';
import { POLICY_KEYS } from './policy-definitions.ts';
import type { PolicyChangeReport, PolicyStore } from './policy-store.ts';
import type { EventSink } from './reconciler.ts';

export const DEFAULT_POLICY_CONFIGMAP = 'kubernaut-signalprocessing-policies';

export interface PolicyConfigMapOptions {
  namespace: string;
  name?: string;
  clock: Clock;
  log: Logger;
  events?: EventSink;
  onRejected?: (report: PolicyChangeReport['rejected'][number]) => void;
}

export class PolicyConfigMapWatcher {
  private readonly informer: Informer<V1ConfigMap>;
  /** The last apply started; `start()` waits for the first so no SP is classified before the overrides are in. */
  private latest: Promise<unknown> = Promise.resolve();
  /** resourceVersion of the ConfigMap last applied: a resync re-delivers the same object. */
  private appliedVersion?: string;

  constructor(kc: KubeConfig, private readonly store: PolicyStore, private readonly o: PolicyConfigMapOptions) {
    const name = o.name ?? DEFAULT_POLICY_CONFIGMAP;
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

  private report(cm: V1ConfigMap | undefined, r: PolicyChangeReport): void {
    const { log, events } = this.o;
    for (const name of r.applied) {
      log.info({ policy: name }, 'policy override applied');
      if (cm) events?.event(cm, 'Normal', 'PolicyApplied', `${POLICY_KEYS[name]} is in force`);
    }
    for (const name of r.reverted) {
      log.info({ policy: name }, 'policy override removed; the default is in force');
      if (cm) events?.event(cm, 'Normal', 'PolicyReverted', `${POLICY_KEYS[name]} removed: the default policy is in force`);
    }
    for (const rejected of r.rejected) {
      log.warn({ policy: rejected.name, error: rejected.error }, 'policy override rejected; the previous policy stays in force');
      if (cm) events?.event(cm, 'Warning', 'PolicyRejected', `${rejected.key} rejected: ${rejected.error}; the previous policy stays in force`);
      this.o.onRejected?.(rejected);
    }
    if (r.unknownKeys.length > 0 && cm) {
      events?.event(cm, 'Warning', 'UnknownPolicyKey', `ignored key(s) ${r.unknownKeys.join(', ')}; the policy keys are ${Object.values(POLICY_KEYS).join(', ')}`);
    }
  }
}
