/**
 * SignalProcessing's own metrics (the controller toolkit adds work queue and reconcile metrics).
 * Get-or-create: the registry is shared by every controller and every leadership term of the process.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface SignalProcessingMetrics {
  processed: Counter<'outcome'>;
  duration: Histogram<'outcome'>;
  policyRejections: Counter<'policy'>;
}

export function signalProcessingMetrics(registry?: Registry): SignalProcessingMetrics {
  const registers = registry ? [registry] : [];
  const existing = <T>(name: string): T | undefined => registry?.getSingleMetric(name) as T | undefined;
  return {
    processed:
      existing<Counter<'outcome'>>('signalprocessing_processed_total') ??
      new Counter({ name: 'signalprocessing_processed_total', help: 'SignalProcessings finished, by outcome (completed, degraded, failed)', labelNames: ['outcome'], registers }),
    duration:
      existing<Histogram<'outcome'>>('signalprocessing_duration_seconds') ??
      new Histogram({
        name: 'signalprocessing_duration_seconds',
        help: 'From startTime to Completed or Failed',
        labelNames: ['outcome'],
        buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
        registers,
      }),
    policyRejections:
      existing<Counter<'policy'>>('signalprocessing_policy_rejections_total') ??
      new Counter({ name: 'signalprocessing_policy_rejections_total', help: 'Policy overrides refused (compile error or wrong result); the previous policy stayed in force', labelNames: ['policy'], registers }),
  };
}
