/**
 * Records the outcome of loading a PrometheusRule as a core/v1 Event on it, so
 * `kubectl describe prometheusrule X` shows why a rule is not evaluated.
 */
import { CoreV1Api, type CoreV1Event, type KubeConfig } from '@kubernetes/client-node';
import { componentLogger } from '../../platform/log.ts';
import type { RuleEvent } from '../rules/index.ts';
import { PROMETHEUS_RULE_GROUP, PROMETHEUS_RULE_VERSION, type PrometheusRuleObject } from './prometheus-rule-source.ts';

export const EVENT_SOURCE_COMPONENT = 'kubernaut-alerting';

export class RuleEventRecorder {
  private readonly api: CoreV1Api;
  private readonly log = componentLogger('prometheus-rules');

  constructor(kc: KubeConfig) {
    this.api = kc.makeApiClient(CoreV1Api);
  }

  /** Best effort: a failure to write the event is logged, never thrown. */
  async record(obj: PrometheusRuleObject, event: RuleEvent, now = new Date()): Promise<void> {
    const { name, namespace, uid, resourceVersion } = obj.metadata;
    const body: CoreV1Event = {
      // Named like client-go's recorder (<object>.<hex nanoseconds>): `generateName: "<name>."` would
      // be refused, a generateName must itself be a valid name prefix.
      metadata: { name: `${name}.${(BigInt(now.getTime()) * 1_000_000n + BigInt(Math.floor(Math.random() * 1_000_000))).toString(16)}`, namespace },
      involvedObject: { apiVersion: `${PROMETHEUS_RULE_GROUP}/${PROMETHEUS_RULE_VERSION}`, kind: 'PrometheusRule', name, namespace, uid, resourceVersion },
      type: event.type,
      reason: event.reason,
      message: event.message,
      source: { component: EVENT_SOURCE_COMPONENT },
      reportingComponent: EVENT_SOURCE_COMPONENT,
      firstTimestamp: now,
      lastTimestamp: now,
      count: 1,
    };
    try {
      await this.api.createNamespacedEvent({ namespace, body });
    } catch (e) {
      this.log.warn({ err: (e as Error).message, prometheusRule: `${namespace}/${name}` }, 'could not record event');
    }
  }
}
