/** Prometheus metrics of an audit client, read from its counters at scrape time. */
import { Counter, Gauge, type Registry } from 'prom-client';

export interface AuditClientStats {
  /** Events accepted by `record()` in this process. */
  recorded: number;
  /** Events DataStorage acknowledged (this process, including replayed spills). */
  delivered: number;
  /** Events `record()` refused: invalid, over capacity (no room in memory or on disk), or after close. */
  dropped: number;
  /** Events DataStorage refused as invalid (kept in `rejected.jsonl` when spilling is on). */
  rejected: number;
  /** Events in memory, waiting or being sent. */
  buffered: number;
  /** Events on disk, waiting. */
  spilled: number;
  /** Whether the last delivery attempt reached DataStorage. */
  reachable: boolean;
}

export function registerAuditClientMetrics(registry: Registry, stats: () => AuditClientStats): void {
  const counter = (name: string, help: string, read: (s: AuditClientStats) => number) => {
    // The client's own totals are the source of truth; publish what they grew by since the last scrape.
    let published = 0;
    return new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        const total = read(stats());
        if (total > published) this.inc(total - published);
        published = Math.max(published, total);
      },
    });
  };
  const gauge = (name: string, help: string, read: (s: AuditClientStats) => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read(stats()));
      },
    });
  counter('kubernaut_audit_client_events_recorded_total', 'Audit events accepted for delivery', (s) => s.recorded);
  counter('kubernaut_audit_client_events_delivered_total', 'Audit events acknowledged by DataStorage', (s) => s.delivered);
  counter('kubernaut_audit_client_events_dropped_total', 'Audit events refused by record() (invalid, no room, closed)', (s) => s.dropped);
  counter('kubernaut_audit_client_events_rejected_total', 'Audit events DataStorage refused as invalid', (s) => s.rejected);
  gauge('kubernaut_audit_client_events_buffered', 'Audit events waiting in memory', (s) => s.buffered);
  gauge('kubernaut_audit_client_events_spilled', 'Audit events waiting on disk', (s) => s.spilled);
  gauge('kubernaut_audit_client_datastorage_reachable', '1 when the last delivery reached DataStorage', (s) => (s.reachable ? 1 : 0));
}
