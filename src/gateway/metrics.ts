/** The Gateway's Prometheus metrics, registered on the service's registry from createHttpApp. */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export type GatewayMetrics = ReturnType<typeof gatewayMetrics>;

export function gatewayMetrics(registry: Registry, alertsInFlight: () => number) {
  const registers = [registry];
  return {
    received: new Counter({ name: 'gateway_signals_received_total', help: 'Signals received, by adapter', labelNames: ['adapter'], registers }),
    created: new Counter({ name: 'gateway_signals_created_total', help: 'Signals that created a RemediationRequest', labelNames: ['adapter'], registers }),
    duplicate: new Counter({ name: 'gateway_signals_duplicate_total', help: 'Signals absorbed by an existing RemediationRequest', labelNames: ['adapter'], registers }),
    rejected: new Counter({ name: 'gateway_signals_rejected_total', help: 'Signals refused (out of scope, no target ...)', labelNames: ['adapter', 'reason'], registers }),
    resolved: new Counter({ name: 'gateway_signals_resolved_total', help: 'Resolved alerts recorded without action', labelNames: ['adapter'], registers }),
    ignored: new Counter({ name: 'gateway_signals_ignored_total', help: 'Payloads that are not signals (Normal events)', labelNames: ['adapter'], registers }),
    retriesAbsorbed: new Counter({ name: 'gateway_signals_retries_absorbed_total', help: 'Alerts of a retried request that an earlier, failed attempt had already counted (not counted again)', labelNames: ['adapter'], registers }),
    failed: new Counter({ name: 'gateway_signals_failed_total', help: 'Signals whose processing failed (retryable)', labelNames: ['adapter'], registers }),
    invalid: new Counter({ name: 'gateway_requests_invalid_total', help: 'Requests refused as malformed', labelNames: ['adapter'], registers }),
    overloaded: new Counter({ name: 'gateway_requests_overloaded_total', help: 'Requests refused with 503: their alerts did not fit in the alert budget right now', registers }),
    tooLarge: new Counter({ name: 'gateway_requests_too_large_total', help: 'Requests refused with 413: more alerts than one request may carry', registers }),
    alertsInFlight: new Gauge({ name: 'gateway_alerts_in_flight', help: 'Alerts reserved from the alert budget by requests being processed', registers, collect() { this.set(alertsInFlight()); } }),
    latency: new Histogram({
      name: 'gateway_signal_processing_seconds', help: 'Time to decide one signal, by adapter and outcome', labelNames: ['adapter', 'outcome'], registers,
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    }),
  };
}
