/**
 * Protection of state-changing requests against cross-site use. Two independent checks:
 * - a CSRF token the page sends back as `X-CSRF-Token`: an HMAC, under a secret only this process
 *   knows, of what identifies the caller (the session id, or the bearer user's name). Another site
 *   can make a browser send the cookie, but cannot read the token.
 * - the browser's own account of where the request comes from: `Origin` (when sent) must be this
 *   very server, and `Sec-Fetch-Site` (when sent) must be `same-origin` or `none`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';

export const CSRF_HEADER = 'x-csrf-token';

export interface CsrfTokens {
  forSession(sessionId: string): string;
  forBearerUser(username: string): string;
  /** Constant-time comparison of the token a request presents with the expected one. */
  matches(expected: string, presented: string | undefined): boolean;
}

export function createCsrfTokens(secret: Buffer = randomBytes(32)): CsrfTokens {
  const mac = (subject: string) => createHmac('sha256', secret).update(subject).digest('base64url');
  return {
    // Distinct prefixes: a session id can never produce the token of a user name, nor the reverse.
    forSession: (id) => mac(`session:${id}`),
    forBearerUser: (username) => mac(`bearer:${username}`),
    matches(expected, presented) {
      if (typeof presented !== 'string') return false;
      const a = Buffer.from(expected);
      const b = Buffer.from(presented);
      return a.length === b.length && timingSafeEqual(a, b);
    },
  };
}

/** Why the browser says this request comes from another site, or undefined when it does not. */
export function crossSiteReason(req: FastifyRequest): string | undefined {
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin' && site !== 'none') return `Sec-Fetch-Site is ${String(site).slice(0, 40)}`;
  const origin = req.headers.origin;
  if (origin === undefined) return undefined;
  const host = req.headers.host;
  if (!host) return 'the request has an Origin but no Host';
  if (!sameHost(origin, host)) return `Origin ${origin.slice(0, 200)} is not this server`;
  return undefined;
}

/**
 * Whether `origin` (scheme://host[:port]) names the host the request was sent to. Only the host
 * and port are compared: behind a TLS-terminating proxy the browser says https while this server
 * speaks http. Default ports are normalised by the origin's scheme (`https://a` is `a:443`).
 */
function sameHost(origin: string, host: string): boolean {
  let o: URL;
  try {
    o = new URL(origin);
  } catch {
    return false; // includes the opaque origin "null"
  }
  if (o.protocol !== 'http:' && o.protocol !== 'https:') return false;
  try {
    return new URL(`${o.protocol}//${host}`).host === o.host;
  } catch {
    return false;
  }
}
