/**
 * The Orchestrator's own metrics (the controller toolkit adds work queue and reconcile metrics).
 * Get-or-create: the registry is shared by every controller and every leadership term of the process.
 */
import { Counter, type Registry } from 'prom-client';

export interface OrchestratorMetrics {
  transitions: Counter<'from' | 'to'>;
  blocks: Counter<'reason'>;
}

export function orchestratorMetrics(registry?: Registry): OrchestratorMetrics {
  const registers = registry ? [registry] : [];
  const existing = <T>(name: string): T | undefined => registry?.getSingleMetric(name) as T | undefined;
  return {
    transitions:
      existing<Counter<'from' | 'to'>>('orchestrator_phase_transitions_total') ??
      new Counter({ name: 'orchestrator_phase_transitions_total', help: 'RemediationRequest phase transitions written, by from and to phase', labelNames: ['from', 'to'], registers }),
    blocks:
      existing<Counter<'reason'>>('orchestrator_blocks_total') ??
      new Counter({ name: 'orchestrator_blocks_total', help: 'RemediationRequests that entered Blocked, by block reason', labelNames: ['reason'], registers }),
  };
}
