/**
 * The authentication flags shared by `kubernaut gateway|datastorage|alerting`: `--auth tokenreview`
 * checks bearer tokens with the cluster's TokenReview and rights with SubjectAccessReview (RBAC);
 * `--token-file` accepts static tokens too (alone, without a cluster: any listed user is allowed).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import type { Authenticator, HttpAuth } from '../platform/http/auth.ts';

export const AUTH_MODES = ['none', 'tokenreview'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface ServiceAuthFlags {
  auth: AuthMode;
  tokenFile?: string;
}

/** The callers' check, or undefined for an open service (`--auth none` without a token file). */
export async function serviceAuth(flags: ServiceAuthFlags, kubeconfig: () => KubeConfig): Promise<HttpAuth | undefined> {
  if (flags.auth === 'none' && !flags.tokenFile) return undefined;
  // Loaded only when used: main.ts imports this module for AUTH_MODES, and --help must stay quick.
  const [{ allowAuthenticated, staticTokenAuthenticator, subjectAccessReviewAuthorizer, tokenReviewAuthenticator, unionAuthenticator }, { parseTokenFile }] = await Promise.all([
    import('../platform/http/auth.ts'),
    import('../cluster/apiserver/auth.ts'),
  ]);
  const authenticators: Authenticator[] = [];
  if (flags.tokenFile) authenticators.push(staticTokenAuthenticator(parseTokenFile(readFileSync(flags.tokenFile, 'utf8'))));
  if (flags.auth === 'none') return { authenticate: authenticators[0], authorize: allowAuthenticated };
  const kc = kubeconfig();
  authenticators.push(tokenReviewAuthenticator(kc));
  return { authenticate: unionAuthenticator(...authenticators), authorize: subjectAccessReviewAuthorizer(kc) };
}

/**
 * A bearer token read from a file on every use, so a rotated (projected ServiceAccount) token is
 * picked up; unreadable means none is sent (the service then answers 401 and the sender retries).
 */
export function tokenFromFile(path: string): () => string | undefined {
  return () => {
    try {
      return readFileSync(path, 'utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  };
}

const LOOPBACK_USER = 'kubernaut:loopback';

/**
 * Adds a random token only this process knows, allowed everything (like kube-apiserver's loopback
 * client): how a service calls its own API, e.g. DataStorage registering the shipped workflows.
 */
export function withLoopbackToken(auth: HttpAuth): { auth: HttpAuth; token: string } {
  const token = randomBytes(32).toString('hex');
  const loopback = Buffer.from(token);
  const isLoopback = (presented: string) => {
    const b = Buffer.from(presented);
    return b.length === loopback.length && timingSafeEqual(b, loopback);
  };
  return {
    token,
    auth: {
      authenticate: async (presented) => (isLoopback(presented) ? { username: LOOPBACK_USER, groups: [] } : auth.authenticate(presented)),
      authorize: async (user, attrs) => (user.username === LOOPBACK_USER ? { allowed: true } : auth.authorize(user, attrs)),
    },
  };
}
