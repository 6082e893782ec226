/**
 * The console's server-side sessions: a random 256-bit id (the cookie's only content) to the user
 * it was issued to. In memory: a restart signs everyone out, which is the safe direction. A session
 * ends after `idleMs` without use or `maxAgeMs` after sign-in, whichever comes first; past
 * `maxSessions` the least recently used is dropped, so sign-ins cannot exhaust memory.
 */
import { randomBytes } from 'node:crypto';
import type { UserInfo } from '../../platform/http/auth.ts';

export interface Session {
  id: string;
  user: UserInfo;
  /** Signed in with one of the static tokens (trusted without SubjectAccessReview). */
  staticUser: boolean;
  createdAt: number;
  lastUsedAt: number;
}

export interface SessionStoreOptions {
  idleMs: number;
  maxAgeMs: number;
  maxSessions: number;
  now?: () => number;
}

/** Session ids are 64 lowercase hex characters; anything else is not looked up at all. */
const SESSION_ID = /^[0-9a-f]{64}$/;

export class SessionStore {
  private readonly sessions = new Map<string, Session>();
  private readonly now: () => number;

  constructor(private readonly opts: SessionStoreOptions) {
    this.now = opts.now ?? Date.now;
  }

  create(user: UserInfo, staticUser: boolean): Session {
    const now = this.now();
    const session: Session = { id: randomBytes(32).toString('hex'), user, staticUser, createdAt: now, lastUsedAt: now };
    while (this.sessions.size >= this.opts.maxSessions) this.sessions.delete(this.sessions.keys().next().value as string);
    this.sessions.set(session.id, session);
    return session;
  }

  /** The live session of this id (its idle timer restarts), or undefined. */
  touch(id: string): Session | undefined {
    if (!SESSION_ID.test(id)) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const now = this.now();
    if (now - s.lastUsedAt >= this.opts.idleMs || now - s.createdAt >= this.opts.maxAgeMs) {
      this.sessions.delete(id);
      return undefined;
    }
    s.lastUsedAt = now;
    // Re-inserted so that the Map's order stays least recently used first (eviction order).
    this.sessions.delete(id);
    this.sessions.set(id, s);
    return s;
  }

  delete(id: string): void {
    this.sessions.delete(id);
  }

  get size(): number {
    return this.sessions.size;
  }
}
