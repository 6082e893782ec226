/**
 * DataStorage's own audit events (e.g. workflow discovery) are stored like everyone else's: the
 * same validation as `POST /api/v1/audit/events`, the same append (one hash chain, the same
 * projections), in the same database. They are written before the request that caused them is
 * answered, so a caller that got its answer can rely on the record existing.
 */
import type { Clock } from '../../platform/clock.ts';
import type { AuditEvent } from '../client/audit-event.ts';
import type { Db } from '../db/database.ts';
import { auditEventInput } from './event-schema.ts';
import { appendEvents, type AppendProjection } from './store.ts';

export type OwnEventRecorder = (events: AuditEvent[]) => Promise<void>;

export function ownEventRecorder(db: Db, deps: { clock: Clock; projections?: AppendProjection[] }): OwnEventRecorder {
  return async (events) => {
    // A failure here is DataStorage's own bug, not the caller's: it surfaces as a 500.
    const inputs = events.map((e) => auditEventInput.parse(e));
    await appendEvents(db, inputs, deps.clock.now(), deps.projections);
  };
}
