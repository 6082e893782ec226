/**
 * Bearer-token authentication and authorization for Kubernaut's own HTTP services, the way
 * Kubernetes extension servers do it: a token becomes a user (static tokens, or a TokenReview
 * against the cluster), then the user must hold a right on a resource of Kubernaut's API group
 * (a SubjectAccessReview against the cluster's RBAC, e.g. `create` on `signals.kubernaut.ai`).
 * One Fastify hook applies it to every route a service does not declare public.
 */
import { timingSafeEqual } from 'node:crypto';
import { AuthenticationV1Api, AuthorizationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from './app.ts';

/** The API group Kubernaut's service rights are granted on (RBAC `apiGroups: [kubernaut.ai]`). */
export const KUBERNAUT_API_GROUP = 'kubernaut.ai';

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
}

/** The user a bearer token belongs to, or undefined when the token is not valid. */
export type Authenticator = (token: string) => Promise<UserInfo | undefined>;

/** What a request does, in RBAC terms: a verb on a resource of the `kubernaut.ai` group. */
export interface AccessAttributes {
  verb: string;
  resource: string;
  /** Narrows the check to one namespace (absent: every namespace, i.e. a cluster-wide right). */
  namespace?: string;
  /** Narrows the check to one object (RBAC `resourceNames`). */
  name?: string;
  /** e.g. `status` for a write of `remediationapprovalrequests/status`. */
  subresource?: string;
}

export interface Decision {
  allowed: boolean;
  reason?: string;
}

export type Authorizer = (user: UserInfo, attrs: AccessAttributes) => Promise<Decision>;

export interface HttpAuth {
  authenticate: Authenticator;
  authorize: Authorizer;
}

/** Tokens known in advance (kube-apiserver's token file); compared in constant time. */
export function staticTokenAuthenticator(tokens: ReadonlyMap<string, UserInfo>): Authenticator {
  const entries = [...tokens].map(([token, user]) => [Buffer.from(token), user] as const);
  return async (token) => {
    const presented = Buffer.from(token);
    // Constant-time comparison, so response timing does not reveal how much of a token matched.
    return entries.find(([known]) => known.length === presented.length && timingSafeEqual(known, presented))?.[1];
  };
}

/** Asks the cluster who a token belongs to (needs `create` on tokenreviews: system:auth-delegator). */
export function tokenReviewAuthenticator(kc: KubeConfig, audiences?: string[]): Authenticator {
  const api = kc.makeApiClient(AuthenticationV1Api);
  return async (token) => {
    const review = await api.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) } } });
    const user = review.status?.user;
    if (!review.status?.authenticated || !user?.username) return undefined;
    return { username: user.username, uid: user.uid, groups: user.groups ?? [] };
  };
}

/** Tries each authenticator in turn (e.g. static tokens first, then the cluster). */
export function unionAuthenticator(...authenticators: Authenticator[]): Authenticator {
  return async (token) => {
    for (const authenticate of authenticators) {
      const user = await authenticate(token);
      if (user) return user;
    }
    return undefined;
  };
}

/** Every authenticated user may do everything (like kube-apiserver without --rbac). */
export const allowAuthenticated: Authorizer = async () => ({ allowed: true });

/** Asks the cluster's authorizer (RBAC) through a SubjectAccessReview (needs system:auth-delegator). */
export function subjectAccessReviewAuthorizer(kc: KubeConfig): Authorizer {
  const api = kc.makeApiClient(AuthorizationV1Api);
  return async (user, attrs) => {
    const review = await api.createSubjectAccessReview({
      body: {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SubjectAccessReview',
        spec: {
          user: user.username,
          uid: user.uid,
          groups: user.groups,
          resourceAttributes: {
            group: KUBERNAUT_API_GROUP,
            resource: attrs.resource,
            verb: attrs.verb,
            ...(attrs.namespace ? { namespace: attrs.namespace } : {}),
            ...(attrs.name ? { name: attrs.name } : {}),
            ...(attrs.subresource ? { subresource: attrs.subresource } : {}),
          },
        },
      },
    });
    return { allowed: Boolean(review.status?.allowed) && !review.status?.denied, reason: review.status?.reason };
  };
}

/** How a service answers a refused request, in its own error format. */
export type DenyResponder = (reply: FastifyReply, status: 401 | 403 | 503, message: string, req: FastifyRequest) => FastifyReply;

const TITLES = { 401: 'Unauthorized', 403: 'Forbidden', 503: 'Service Unavailable' } as const;

/** RFC 7807, the format of the Gateway and DataStorage. */
export const problemDenial: DenyResponder = (reply, status, message, req) =>
  reply
    .code(status)
    .type(PROBLEM_CONTENT_TYPE)
    .send({ type: 'about:blank', title: TITLES[status], status, detail: message, instance: req.url });

/** The endpoints every service leaves open: probes, and metrics (counters only, scraped without tokens). */
export const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/healthz', '/readyz', '/metrics']);

/** Whether the request was routed to a public endpoint (by the matched route, so no path trick reaches one). */
export function routedToPublicPath(req: FastifyRequest, publicPaths: ReadonlySet<string> = PUBLIC_PATHS): boolean {
  return publicPaths.has(req.routeOptions.url ?? '');
}

export interface AccessControlOptions {
  auth: HttpAuth;
  /** The right a request needs; `public` for endpoints open to anyone. */
  access: (req: FastifyRequest) => AccessAttributes | 'public';
  deny?: DenyResponder;
  /** Told of failures of the authenticator or authorizer itself (the request then gets a retryable 503). */
  onError?: (err: unknown) => void;
}

/**
 * Adds the authentication and authorization hook to `app` (before any body is read): 401 with
 * `WWW-Authenticate: Bearer` without a valid token, 403 when the user lacks the right. A
 * TokenReview/SubjectAccessReview that cannot be made refuses the request with 503 + Retry-After
 * (fail closed, but retryable: Alertmanager and the audit client try again instead of dropping).
 */
export function addAccessControl(app: FastifyInstance, opts: AccessControlOptions): void {
  const deny = opts.deny ?? problemDenial;
  app.addHook('onRequest', async (req, reply) => {
    const attrs = opts.access(req);
    if (attrs === 'public') return;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
    const unavailable = (err: unknown) => {
      opts.onError?.(err);
      reply.header('retry-after', '1');
      return deny(reply, 503, 'the credentials cannot be checked right now', req);
    };
    let user: UserInfo | undefined;
    try {
      user = match ? await opts.auth.authenticate(match[1]) : undefined;
    } catch (err) {
      return unavailable(err);
    }
    if (!user) {
      reply.header('www-authenticate', 'Bearer');
      return deny(reply, 401, match ? 'the bearer token is not valid' : 'a bearer token is required', req);
    }
    let decision: Decision;
    try {
      decision = await opts.auth.authorize(user, attrs);
    } catch (err) {
      return unavailable(err);
    }
    if (!decision.allowed) {
      const why = decision.reason ? `: ${decision.reason}` : '';
      return deny(reply, 403, `user "${user.username}" cannot ${attrs.verb} resource "${attrs.resource}" in API group "${KUBERNAUT_API_GROUP}"${why}`, req);
    }
  });
}

/** The RBAC verb of a REST request: `get` on one object (a route with a parameter), `list` otherwise. */
export function restVerb(req: FastifyRequest): string {
  switch (req.method) {
    case 'GET':
    case 'HEAD':
      return (req.routeOptions.url ?? '').includes(':') ? 'get' : 'list';
    case 'POST':
      return 'create';
    case 'PUT':
      return 'update';
    case 'PATCH':
      return 'patch';
    case 'DELETE':
      return 'delete';
    default:
      return req.method.toLowerCase();
  }
}
