/**
 * Who may use the console, and how. A person signs in with a bearer token (a ServiceAccount token,
 * an OIDC id token the API server accepts, ...), which the cluster checks with a TokenReview; the
 * console then keeps a server-side session behind an HttpOnly, SameSite=Strict cookie. Scripts and
 * auth proxies may instead send `Authorization: Bearer` on every request. Reading needs the right
 * to list RemediationRequests (SubjectAccessReview), unless anonymous read-only mode is on (the
 * embedded cluster only); deciding an approval needs the right to update that very
 * RemediationApprovalRequest's status, the same right `kubectl patch --subresource=status` needs.
 * Every state-changing request must carry the caller's CSRF token and come from this origin.
 * When the cluster cannot be asked, requests are refused with a retryable 503 (fail closed).
 */
import { createHash } from 'node:crypto';
import type { KubeConfig } from '@kubernetes/client-node';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ProblemError, sendProblem } from '../../platform/http/app.ts';
import { KUBERNAUT_API_GROUP, staticTokenAuthenticator, subjectAccessReviewAuthorizer, tokenReviewAuthenticator, type AccessAttributes, type Authenticator, type Authorizer, type UserInfo } from '../../platform/http/auth.ts';
import { componentLogger } from '../../platform/log.ts';
import type { SessionView } from '../api-types.ts';
import { BoundedTtlCache } from './bounded-cache.ts';
import { clearedSessionCookie, readCookie, SESSION_COOKIE, sessionCookie } from './cookie.ts';
import { createCsrfTokens, crossSiteReason, CSRF_HEADER } from './csrf.ts';
import { RateLimiter } from './rate-limiter.ts';
import { SessionStore, type Session } from './session-store.ts';

export type ConsoleAuthMode = 'tokenreview' | 'static';

export interface ConsoleAuthLimits {
  /** A session unused this long ends (default 8 h). */
  sessionIdleMs: number;
  /** A session ends this long after sign-in, used or not (default 24 h). */
  sessionMaxAgeMs: number;
  /** Sessions kept at most; the least recently used goes first (default 10,000). */
  maxSessions: number;
  /** How long a bearer token's user and a reader's RBAC answer are reused (default 10 s). */
  cacheMs: number;
  /** Entries of each of those caches at most (default 1,000). */
  cacheEntries: number;
  /** Sign-in attempts (and failed bearer tokens) one client address may make at once (default 10)... */
  signInBurst: number;
  /** ...and then one per this many milliseconds (default 6 s, i.e. 10 a minute). */
  signInRefillMs: number;
  /** Longest token accepted (default 16 KiB). */
  maxTokenLength: number;
}

export const DEFAULT_CONSOLE_AUTH_LIMITS: ConsoleAuthLimits = {
  sessionIdleMs: 8 * 3600_000,
  sessionMaxAgeMs: 24 * 3600_000,
  maxSessions: 10_000,
  cacheMs: 10_000,
  cacheEntries: 1000,
  signInBurst: 10,
  signInRefillMs: 6000,
  maxTokenLength: 16 * 1024,
};

export interface ConsoleAuthOptions {
  /** The cluster that checks tokens and rights (required in mode `tokenreview`). */
  kc?: KubeConfig;
  /** `tokenreview`: tokens checked by the cluster (static tokens too, if given); `static`: only `staticTokens`, every such user allowed everything. */
  mode: ConsoleAuthMode;
  staticTokens?: ReadonlyMap<string, UserInfo>;
  /** Anyone may read without signing in (the embedded cluster only); deciding still needs a user. */
  anonymousRead: boolean;
  /** Mark the session cookie Secure (the console is reached over HTTPS). */
  secureCookies: boolean;
  limits?: Partial<ConsoleAuthLimits>;
  /** Told of failures of TokenReview/SubjectAccessReview (the request then gets a 503). */
  onError?: (err: unknown) => void;
  /** The time, for tests (default Date.now). */
  now?: () => number;
}

export interface ConsoleAuth {
  /** The guard of `/api/*` (an onRequest hook) and the `/api/session` routes; call before adding routes. */
  register(app: FastifyInstance): void;
  /**
   * The user who may decide this RemediationApprovalRequest: signed in (cookie or bearer), with
   * the CSRF token and from this origin, and allowed `update` on its `status`. Throws a
   * ProblemError (401, 403, 429, 503) otherwise.
   */
  requireDecider(req: FastifyRequest, rar: { namespace: string; name: string }): Promise<UserInfo>;
}

/** Who sent a request: a session (cookie) or a bearer token presented with it. */
type Caller = { via: 'session'; session: Session; user: UserInfo; staticUser: boolean } | { via: 'bearer'; user: UserInfo; staticUser: boolean };

const SESSION_ROUTE = '/api/session';
const SAFE_METHODS = new Set(['GET', 'HEAD']);
const BEARER = /^Bearer\s+(\S+)\s*$/i;
const log = componentLogger('console-auth');

const SignIn = z.object({ token: z.string().min(1) }).strict();

class ClusterUnavailable extends Error {}

export function createConsoleAuth(opts: ConsoleAuthOptions): ConsoleAuth {
  const limits = { ...DEFAULT_CONSOLE_AUTH_LIMITS, ...opts.limits };
  const now = opts.now ?? Date.now;
  if (opts.mode === 'tokenreview' && !opts.kc) throw new Error('console auth mode tokenreview needs a kubeconfig');
  const staticAuth: Authenticator | undefined = opts.staticTokens?.size ? staticTokenAuthenticator(opts.staticTokens) : undefined;
  const reviewAuth: Authenticator | undefined = opts.mode === 'tokenreview' ? tokenReviewAuthenticator(opts.kc!) : undefined;
  const authorize: Authorizer | undefined = opts.mode === 'tokenreview' ? subjectAccessReviewAuthorizer(opts.kc!) : undefined;
  const sessions = new SessionStore({ idleMs: limits.sessionIdleMs, maxAgeMs: limits.sessionMaxAgeMs, maxSessions: limits.maxSessions, now });
  const bearerUsers = new BoundedTtlCache<{ user: UserInfo; staticUser: boolean }>(limits.cacheMs, limits.cacheEntries, now);
  const readRights = new BoundedTtlCache<boolean>(limits.cacheMs, limits.cacheEntries, now);
  const attempts = new RateLimiter({ burst: limits.signInBurst, refillMs: limits.signInRefillMs, now });
  const csrf = createCsrfTokens();
  const callers = new WeakMap<FastifyRequest, Promise<Caller | undefined>>();
  const replies = new WeakMap<FastifyRequest, FastifyReply>();
  const onError = opts.onError ?? ((err: unknown) => log.warn({ err: err instanceof Error ? err.message : String(err) }, 'the cluster could not check a console user'));

  /** Problems that carry the headers their status calls for (set on the reply when we have it). */
  function problem(req: FastifyRequest, status: 401 | 403 | 429 | 503, detail: string, retryAfterMs = 1000): ProblemError {
    const reply = replies.get(req);
    if (status === 401) reply?.header('www-authenticate', 'Bearer');
    if (status === 429 || status === 503) reply?.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
    const titles = { 401: 'Unauthorized', 403: 'Forbidden', 429: 'Too Many Requests', 503: 'Service Unavailable' } as const;
    return new ProblemError(status, titles[status], detail);
  }

  /** The user of a token: static tokens first, then the cluster. Throws ClusterUnavailable. */
  async function authenticateToken(token: string): Promise<{ user: UserInfo; staticUser: boolean } | undefined> {
    const known = staticAuth ? await staticAuth(token) : undefined;
    if (known) return { user: known, staticUser: true };
    if (!reviewAuth) return undefined;
    try {
      const user = await reviewAuth(token);
      return user ? { user, staticUser: false } : undefined;
    } catch (err) {
      onError(err);
      throw new ClusterUnavailable();
    }
  }

  async function bearerCaller(req: FastifyRequest, header: string): Promise<Caller> {
    const token = BEARER.exec(header)?.[1];
    if (!token) throw problem(req, 401, 'the Authorization header must be "Bearer <token>"');
    if (token.length > limits.maxTokenLength) throw problem(req, 401, `the bearer token is longer than ${limits.maxTokenLength} characters`);
    const key = createHash('sha256').update(token).digest('hex');
    const cached = bearerUsers.get(key);
    if (cached) return { via: 'bearer', ...cached };
    // Guessing tokens through the header costs the same as guessing them at sign-in.
    if (!attempts.hasToken(req.ip)) throw problem(req, 429, 'too many failed sign-in attempts from this address; try again later', limits.signInRefillMs);
    let found: Awaited<ReturnType<typeof authenticateToken>>;
    try {
      found = await authenticateToken(token);
    } catch {
      throw problem(req, 503, 'the credentials cannot be checked right now');
    }
    if (!found) {
      attempts.take(req.ip);
      throw problem(req, 401, 'the bearer token is not valid');
    }
    bearerUsers.set(key, found);
    return { via: 'bearer', ...found };
  }

  /** Who sent the request (once per request): the bearer token wins over the cookie. */
  function identify(req: FastifyRequest): Promise<Caller | undefined> {
    let caller = callers.get(req);
    if (!caller) {
      caller = (async (): Promise<Caller | undefined> => {
        const authorization = req.headers.authorization;
        if (authorization !== undefined) return bearerCaller(req, authorization);
        const id = readCookie(req.headers.cookie, SESSION_COOKIE);
        const session = id ? sessions.touch(id) : undefined;
        return session ? { via: 'session', session, user: session.user, staticUser: session.staticUser } : undefined;
      })();
      callers.set(req, caller);
    }
    return caller;
  }

  async function allowed(req: FastifyRequest, caller: Caller, attrs: AccessAttributes, cache?: BoundedTtlCache<boolean>): Promise<boolean> {
    if (caller.staticUser || !authorize) return true;
    const key = cache ? JSON.stringify([caller.user.username, [...caller.user.groups].sort(), attrs]) : '';
    const known = cache?.get(key);
    if (known !== undefined) return known;
    let decision;
    try {
      decision = await authorize(caller.user, attrs);
    } catch (err) {
      onError(err);
      throw problem(req, 503, 'the cluster cannot be asked for the user\'s rights right now');
    }
    cache?.set(key, decision.allowed);
    return decision.allowed;
  }

  function csrfTokenOf(caller: Caller): string {
    return caller.via === 'session' ? csrf.forSession(caller.session.id) : csrf.forBearerUser(caller.user.username);
  }

  function refuseCrossSite(req: FastifyRequest, caller: Caller | undefined): void {
    const why = crossSiteReason(req);
    if (why) throw problem(req, 403, `cross-site request refused: ${why}`);
    if (caller && !csrf.matches(csrfTokenOf(caller), headerValue(req.headers[CSRF_HEADER]))) {
      throw problem(req, 403, 'cross-site request refused: the X-CSRF-Token header is missing or wrong');
    }
  }

  function view(caller: Caller | undefined): SessionView {
    if (!caller) return { anonymousRead: opts.anonymousRead };
    return { user: { username: caller.user.username, groups: [...caller.user.groups] }, anonymousRead: opts.anonymousRead, csrfToken: csrfTokenOf(caller) };
  }

  /** The guard of every /api request, before its body is read. */
  async function guard(req: FastifyRequest): Promise<void> {
    const route = req.routeOptions.url ?? '';
    if (!isApiPath(route) && !isApiPath(pathOf(req.url))) return;
    if (!SAFE_METHODS.has(req.method)) {
      if (route === SESSION_ROUTE && req.method === 'POST') {
        // Signing in: no session yet, so no CSRF token; the origin checks still apply (login CSRF).
        refuseCrossSite(req, undefined);
        return;
      }
      const caller = await identify(req);
      if (!caller) throw problem(req, 401, 'sign in first (POST /api/session) or send Authorization: Bearer');
      refuseCrossSite(req, caller);
      return;
    }
    if (route === SESSION_ROUTE) return;
    const caller = await identify(req);
    if (!caller) {
      if (opts.anonymousRead) return;
      throw problem(req, 401, 'sign in first (POST /api/session) or send Authorization: Bearer');
    }
    if (opts.anonymousRead) return;
    const attrs: AccessAttributes = { verb: 'list', resource: 'remediationrequests' };
    if (!(await allowed(req, caller, attrs, readRights))) {
      throw problem(req, 403, `user "${caller.user.username}" cannot list resource "remediationrequests" in API group "${KUBERNAUT_API_GROUP}": the console shows remediations only to those who may read them (ClusterRole kubernaut-viewer)`);
    }
  }

  return {
    register(app) {
      app.addHook('onRequest', async (req, reply) => {
        replies.set(req, reply);
        try {
          await guard(req);
        } catch (err) {
          if (err instanceof ProblemError) return sendProblem(reply, err, req.url.slice(0, 200));
          throw err;
        }
      });

      app.get(SESSION_ROUTE, async (req) => view(await identify(req)));

      app.post(SESSION_ROUTE, { bodyLimit: limits.maxTokenLength + 1024 }, async (req, reply) => {
        const wait = attempts.take(req.ip);
        if (wait > 0) throw problem(req, 429, 'too many sign-in attempts from this address; try again later', wait);
        const body = SignIn.safeParse(req.body);
        if (!body.success) throw new ProblemError(400, 'Bad Request', 'the body must be {"token": "<bearer token>"}');
        if (body.data.token.length > limits.maxTokenLength) throw new ProblemError(400, 'Bad Request', `the token is longer than ${limits.maxTokenLength} characters`);
        let found: Awaited<ReturnType<typeof authenticateToken>>;
        try {
          found = await authenticateToken(body.data.token.trim());
        } catch {
          throw problem(req, 503, 'the credentials cannot be checked right now');
        }
        if (!found) throw problem(req, 401, 'the token is not valid');
        const previous = readCookie(req.headers.cookie, SESSION_COOKIE);
        if (previous) sessions.delete(previous);
        const session = sessions.create(found.user, found.staticUser);
        reply.header('set-cookie', sessionCookie(session.id, opts.secureCookies));
        reply.header('cache-control', 'no-store');
        return view({ via: 'session', session, user: session.user, staticUser: session.staticUser });
      });

      // The guard has already required a user and the CSRF token.
      app.delete(SESSION_ROUTE, async (req, reply) => {
        const caller = await identify(req);
        if (caller?.via === 'session') sessions.delete(caller.session.id);
        reply.header('set-cookie', clearedSessionCookie(opts.secureCookies));
        return view(undefined);
      });
    },

    async requireDecider(req, rar) {
      const caller = await identify(req);
      if (!caller) throw problem(req, 401, 'sign in to decide approval requests');
      refuseCrossSite(req, caller);
      const attrs: AccessAttributes = { verb: 'update', resource: 'remediationapprovalrequests', subresource: 'status', namespace: rar.namespace, name: rar.name };
      // Not cached: a revoked approver must not decide on a stale answer.
      if (!(await allowed(req, caller, attrs))) {
        throw problem(req, 403, `user "${caller.user.username}" cannot update resource "remediationapprovalrequests/status" "${rar.name}" in namespace "${rar.namespace}" (API group "${KUBERNAUT_API_GROUP}"): deciding needs the kubernaut-approver ClusterRole there`);
      }
      return caller.user;
    },
  };
}

function isApiPath(path: string): boolean {
  const p = path.toLowerCase();
  return p === '/api' || p.startsWith('/api/');
}

/** The request's path, percent-decoded as the router decodes it (so `/%61pi/...` is guarded too). */
function pathOf(url: string): string {
  const raw = url.split('?')[0];
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? undefined : v;
}
