/**
 * What a service needs to audit: somewhere to `record()` events. The `AuditClient` delivers them to
 * DataStorage; the sinks here serve services that run without DataStorage, and tests.
 */
import { completeAuditEvent, type AuditEvent, type AuditEventInput } from './audit-event.ts';

export interface AuditSink {
  /** Records one event. Never blocks and never throws: auditing must not fail the audited work. */
  record(event: AuditEventInput): void;
}

/** Discards every event (a service started without a DataStorage URL). */
export class NoopAuditSink implements AuditSink {
  record(_event: AuditEventInput): void {}
}

/** Keeps every event in memory, stamped as the real client would: for tests of the services that audit. */
export class RecordingAuditSink implements AuditSink {
  readonly events: AuditEvent[] = [];

  record(event: AuditEventInput): void {
    this.events.push(completeAuditEvent(event, new Date()));
  }

  ofType(eventType: string): AuditEvent[] {
    return this.events.filter((e) => e.eventType === eventType);
  }
}
