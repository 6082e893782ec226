/**
 * Optional bearer-token authentication of signal senders. Two sources of truth: a static
 * token -> user map (the embedded cluster, tests), or the cluster itself via a TokenReview
 * (real clusters: Alertmanager presents its ServiceAccount token).
 */
import { timingSafeEqual } from 'node:crypto';
import { AuthenticationV1Api, type KubeConfig } from '@kubernetes/client-node';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProblemError } from '../platform/http/app.ts';

/** The authenticated user's name, or undefined when the token is not valid. */
export type Authenticator = (token: string) => Promise<string | undefined>;

export function staticTokenAuthenticator(tokens: Record<string, string>): Authenticator {
  const entries = Object.entries(tokens).map(([token, user]) => [Buffer.from(token), user] as const);
  return async (token) => {
    const presented = Buffer.from(token);
    // Constant-time comparison, so response timing does not reveal how much of a token matched.
    return entries.find(([known]) => known.length === presented.length && timingSafeEqual(known, presented))?.[1];
  };
}

export function tokenReviewAuthenticator(kc: KubeConfig, audiences?: string[]): Authenticator {
  const api = kc.makeApiClient(AuthenticationV1Api);
  return async (token) => {
    const review = await api.createTokenReview({ body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) } } });
    return review.status?.authenticated ? (review.status.user?.username ?? 'unknown') : undefined;
  };
}

/** Throws a 401 problem unless the request carries a bearer token the authenticator accepts. */
export async function requireBearerToken(req: FastifyRequest, reply: FastifyReply, authenticate: Authenticator): Promise<string> {
  reply.header('www-authenticate', 'Bearer');
  const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  if (!match) throw new ProblemError(401, 'Unauthorized', 'a bearer token is required');
  const user = await authenticate(match[1]);
  if (!user) throw new ProblemError(401, 'Unauthorized', 'the bearer token is not valid');
  reply.removeHeader('www-authenticate');
  return user;
}
