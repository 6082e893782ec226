/**
 * Alertmanager-like dispatch for the embedded alerting (issue 4): aggregation groups, group_wait /
 * group_interval / repeat_interval, resolved notifications, and a webhook receiver posting the
 * Alertmanager v4 payload with retries. Not wired into `kubernaut up` yet.
 *
 * ```ts
 * const dispatcher = new Dispatcher({
 *   clock,                                   // the stack's Clock: all durations below are nominal
 *   config: {
 *     route: { receiver: 'gateway', groupBy: ['alertname', 'namespace'] },   // 30s / 5m / 4h defaults
 *     receivers: [{ name: 'gateway', url: `${gatewayUrl}/api/v1/signals/prometheus` }],
 *     externalURL: 'http://localhost:9093',
 *   },
 *   onNotify: (e) => log.info({ groupKey: e.groupKey, ok: e.result.ok }, 'alert notification'),
 * });
 * dispatcher.ingest(alertsFromEvaluator);    // every evaluation while firing, once when resolved
 * await dispatcher.stop();
 * ```
 *
 * `endsAt` of incoming firing alerts is a real timestamp; omit it to use `resolveTimeoutMs`
 * (converted with `clock.scaled`). An evaluator that sets it like Prometheus should send
 * `now + clock.scaled(4 * evaluationInterval)`.
 */
export { Dispatcher } from './dispatcher.ts';
export type {
  DispatcherOptions,
  DispatcherStats,
  GroupSnapshot,
  IncomingAlert,
  NotificationEvent,
} from './dispatcher.ts';
export { parseDispatcherConfig, dispatcherConfigSchema } from './config.ts';
export type { DispatcherConfig, DispatcherConfigInput, RouteConfig, WebhookReceiverConfig, RetryConfig } from './config.ts';
export { buildWebhookPayload, deliverWebhook } from './webhook.ts';
export type { WebhookPayload, WebhookAlert, NotifiedAlert, DeliveryResult, DeliveryOptions } from './webhook.ts';
export { labelsFingerprint, formatLabelSet, formatTime, GO_ZERO_TIME } from './fingerprint.ts';
export type { LabelSet } from './fingerprint.ts';
