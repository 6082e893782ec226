/**
 * The investigator's sessions, in memory (investigation.md §1): one per analyze request, looked up
 * by id and, while it runs, by incident id (so a resubmitted request finds the running session).
 * Bounded: finished sessions are purged `ttlMs` after they finish (through the clock), and when the
 * store is full the oldest finished session makes room; a store full of running sessions refuses.
 * A lost (purged, or never known) session is simply absent: the caller answers 404.
 */
import { randomUUID } from 'node:crypto';
import type { Clock, Timer } from '../../platform/clock.ts';
import type { AnalyzeRequest, InvestigationResult, SessionDocument } from '../api/wire.ts';
import { SESSION_STATUSES } from '../api/wire.ts';

export type SessionStatus = (typeof SESSION_STATUSES)[number];

export interface Session {
  readonly id: string;
  readonly incidentId: string;
  readonly request: AnalyzeRequest;
  /** 1 for the first session of an incident this process saw, +1 for each resubmission. */
  readonly generation: number;
  status: SessionStatus;
  createdAt: Date;
  updatedAt: Date;
  error: { reason: string; message: string } | null;
  result?: InvestigationResult;
  /** Aborted to cancel the investigation (shutdown). */
  readonly abort: AbortController;
}

export interface SessionStoreOptions {
  clock: Clock;
  /** Nominal milliseconds a finished session is kept. Default 30 minutes. */
  ttlMs?: number;
  /** Sessions held at once, finished ones included. Default 1000. */
  maxSessions?: number;
}

export class StoreFullError extends Error {
  override name = 'StoreFullError';
}

/** Incidents whose generation counter is remembered (oldest forgotten first). */
const MAX_REMEMBERED_INCIDENTS = 10_000;

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly runningByIncident = new Map<string, Session>();
  private readonly generations = new Map<string, number>();
  private readonly purgeTimers = new Map<string, Timer>();
  private readonly clock: Clock;
  readonly ttlMs: number;
  private readonly maxSessions: number;

  constructor(opts: SessionStoreOptions) {
    this.clock = opts.clock;
    this.ttlMs = opts.ttlMs ?? 30 * 60_000;
    this.maxSessions = opts.maxSessions ?? 1000;
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /** The session of this incident that is pending or investigating, if any. */
  runningFor(incidentId: string): Session | undefined {
    return this.runningByIncident.get(incidentId);
  }

  /** A new pending session; throws StoreFullError when every slot holds a running session. */
  create(request: AnalyzeRequest): Session {
    if (this.sessions.size >= this.maxSessions && !this.evictOldestFinished()) {
      throw new StoreFullError(`the investigator holds ${this.sessions.size} running sessions, its limit`);
    }
    const now = this.clock.now();
    const generation = (this.generations.get(request.incident_id) ?? 0) + 1;
    this.generations.delete(request.incident_id);
    this.generations.set(request.incident_id, generation);
    if (this.generations.size > MAX_REMEMBERED_INCIDENTS) this.generations.delete(this.generations.keys().next().value!);
    const session: Session = {
      id: randomUUID(),
      incidentId: request.incident_id,
      request,
      generation,
      status: 'pending',
      createdAt: now,
      updatedAt: now,
      error: null,
      abort: new AbortController(),
    };
    this.sessions.set(session.id, session);
    this.runningByIncident.set(session.incidentId, session);
    return session;
  }

  markInvestigating(s: Session): void {
    if (s.status !== 'pending') return;
    s.status = 'investigating';
    s.updatedAt = this.clock.now();
  }

  complete(s: Session, result: InvestigationResult): void {
    this.finish(s, 'completed');
    s.result = result;
  }

  fail(s: Session, reason: string, message: string): void {
    this.finish(s, 'failed');
    s.error = { reason, message };
  }

  countByStatus(): Record<SessionStatus, number> {
    const counts = Object.fromEntries(SESSION_STATUSES.map((s) => [s, 0])) as Record<SessionStatus, number>;
    for (const s of this.sessions.values()) counts[s.status]++;
    return counts;
  }

  /** Sessions still pending or investigating. */
  running(): Session[] {
    return [...this.runningByIncident.values()];
  }

  close(): void {
    for (const t of this.purgeTimers.values()) t.cancel();
    this.purgeTimers.clear();
  }

  private finish(s: Session, status: 'completed' | 'failed'): void {
    if (s.status === 'completed' || s.status === 'failed') return;
    s.status = status;
    s.updatedAt = this.clock.now();
    if (this.runningByIncident.get(s.incidentId) === s) this.runningByIncident.delete(s.incidentId);
    if (!this.sessions.has(s.id)) return;
    this.purgeTimers.set(
      s.id,
      this.clock.setTimeout(() => this.remove(s.id), this.ttlMs),
    );
  }

  private remove(id: string): void {
    this.purgeTimers.get(id)?.cancel();
    this.purgeTimers.delete(id);
    this.sessions.delete(id);
  }

  private evictOldestFinished(): boolean {
    // Insertion order is creation order: the first finished one is the oldest.
    for (const s of this.sessions.values()) {
      if (s.status === 'completed' || s.status === 'failed') {
        this.remove(s.id);
        return true;
      }
    }
    return false;
  }
}

export function sessionDocument(s: Session): SessionDocument {
  return {
    session_id: s.id,
    incident_id: s.incidentId,
    status: s.status,
    created_at: s.createdAt.toISOString(),
    updated_at: s.updatedAt.toISOString(),
    error: s.error,
  };
}
