/**
 * WorkflowExecution's own metrics (the controller toolkit adds work queue and reconcile metrics).
 * Get-or-create: the registry is shared by every controller and every leadership term of the process.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface WorkflowExecutionMetrics {
  /** outcome: Completed, DryRun, or the failure reason (TaskFailed, ConfigurationError, ...). */
  executions: Counter<'outcome'>;
  /** From the Job's creation (the WE's startTime) until it completed or failed. */
  duration: Histogram<'outcome'>;
  /** kind: locked (another execution runs on the target), cooldown (a finished one still holds it). */
  lockContention: Counter<'kind'>;
  locksReleased: Counter;
}

export function workflowExecutionMetrics(registry?: Registry): WorkflowExecutionMetrics {
  const registers = registry ? [registry] : [];
  const existing = <T>(name: string): T | undefined => registry?.getSingleMetric(name) as T | undefined;
  return {
    executions:
      existing<Counter<'outcome'>>('workflowexecution_executions_total') ??
      new Counter({ name: 'workflowexecution_executions_total', help: 'WorkflowExecutions finished, by outcome (Completed, DryRun, or the failure reason)', labelNames: ['outcome'], registers }),
    duration:
      existing<Histogram<'outcome'>>('workflowexecution_duration_seconds') ??
      new Histogram({
        name: 'workflowexecution_duration_seconds',
        help: 'From the creation of the workflow Job until it completed or failed',
        labelNames: ['outcome'],
        buckets: [1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800],
        registers,
      }),
    lockContention:
      existing<Counter<'kind'>>('workflowexecution_lock_contention_total') ??
      new Counter({ name: 'workflowexecution_lock_contention_total', help: 'Executions that found their target locked (kind: locked = running, cooldown = recently finished)', labelNames: ['kind'], registers }),
    locksReleased:
      existing<Counter>('workflowexecution_locks_released_total') ??
      new Counter({ name: 'workflowexecution_locks_released_total', help: 'Finished workflow Jobs deleted after the cooldown, releasing their target', registers }),
  };
}
