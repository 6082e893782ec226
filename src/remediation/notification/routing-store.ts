/**
 * The routing configuration in force: the one the controller was started with (default: console
 * and log), or the `routing.yaml` key of the ConfigMap `kubernaut-notification-routing`, kept in
 * step by SignalProcessing's ConfigMap watcher (Events PolicyApplied / PolicyRejected /
 * PolicyReverted / UnknownPolicyKey on the ConfigMap). A text that does not validate is rejected
 * and the configuration in force before stays; removing the key brings the start-up one back.
 */
import type { PolicyChangeSummary, PolicyConfigMapTarget } from '../signalprocessing/policy-configmap.ts';
import { redact } from './channels/secrets.ts';
import { parseRoutingYaml, type RoutingConfig } from './routing-config.ts';

export const DEFAULT_ROUTING_CONFIGMAP = 'kubernaut-notification-routing';
export const ROUTING_KEY = 'routing.yaml';

export class RoutingStore implements PolicyConfigMapTarget {
  private current: RoutingConfig;
  private fromConfigMap = false;

  constructor(private readonly startup: RoutingConfig) {
    this.current = startup;
  }

  /** The configuration in force; immutable, so one reconcile routes with one configuration. */
  snapshot(): RoutingConfig {
    return this.current;
  }

  async apply(data: Record<string, string> | undefined): Promise<PolicyChangeSummary> {
    const unknownKeys = Object.keys(data ?? {}).filter((k) => k !== ROUTING_KEY);
    const text = data?.[ROUTING_KEY];
    if (text === undefined) {
      const reverted = this.fromConfigMap ? [ROUTING_KEY] : [];
      this.current = this.startup;
      this.fromConfigMap = false;
      return { applied: [], reverted, rejected: [], unknownKeys };
    }
    try {
      this.current = parseRoutingYaml(text);
      this.fromConfigMap = true;
      return { applied: [ROUTING_KEY], reverted: [], rejected: [], unknownKeys };
    } catch (err) {
      return { applied: [], reverted: [], rejected: [{ name: ROUTING_KEY, key: ROUTING_KEY, error: redact((err as Error).message) }], unknownKeys };
    }
  }
}
