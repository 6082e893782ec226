/**
 * The EffectivenessMonitor's own metrics (the controller toolkit adds work queue and reconcile
 * metrics). Get-or-create: the registry is shared by every controller of the process.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface EffectivenessMetrics {
  /** reason: full, partial, no_execution, metrics_timed_out, expired, spec_drift, or failed. */
  assessments: Counter<'reason'>;
  overallScore: Histogram;
  componentScore: Histogram<'component'>;
  /** Nominal seconds from the EA's creation to its end (comparable across time scales). */
  duration: Histogram<'reason'>;
  /** source: alertmanager, prometheus, cluster. */
  sourceErrors: Counter<'source'>;
}

const SCORE_BUCKETS = [0, 0.1, 0.25, 0.4, 0.5, 0.6, 0.75, 0.9, 1];

export function effectivenessMetrics(registry?: Registry): EffectivenessMetrics {
  const registers = registry ? [registry] : [];
  const existing = <T>(name: string): T | undefined => registry?.getSingleMetric(name) as T | undefined;
  return {
    assessments:
      existing<Counter<'reason'>>('effectiveness_assessments_total') ??
      new Counter({ name: 'effectiveness_assessments_total', help: 'EffectivenessAssessments finished, by assessmentReason (or failed)', labelNames: ['reason'], registers }),
    overallScore:
      existing<Histogram>('effectiveness_overall_score') ??
      new Histogram({ name: 'effectiveness_overall_score', help: 'Overall effectiveness scores of finished assessments that have one', buckets: SCORE_BUCKETS, registers }),
    componentScore:
      existing<Histogram<'component'>>('effectiveness_component_score') ??
      new Histogram({ name: 'effectiveness_component_score', help: 'Component scores (health, alert, metrics) as they were assessed', labelNames: ['component'], buckets: SCORE_BUCKETS, registers }),
    duration:
      existing<Histogram<'reason'>>('effectiveness_assessment_duration_seconds') ??
      new Histogram({
        name: 'effectiveness_assessment_duration_seconds',
        help: 'Nominal seconds from an EffectivenessAssessment\'s creation to its end',
        labelNames: ['reason'],
        buckets: [30, 60, 120, 300, 420, 600, 900, 1200, 1800, 3600, 7200],
        registers,
      }),
    sourceErrors:
      existing<Counter<'source'>>('effectiveness_source_errors_total') ??
      new Counter({ name: 'effectiveness_source_errors_total', help: 'Failed reads of an assessment source (alertmanager, prometheus, cluster); the component is retried', labelNames: ['source'], registers }),
  };
}
