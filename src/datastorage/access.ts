/**
 * The RBAC right each DataStorage request needs, as verbs on resources of the `kubernaut.ai` group:
 * `auditevents` (create to record, list/get to read), `workflows` (create/update/patch/delete to
 * change the catalog, get/list to read it) and `remediationhistories` (list).
 */
import type { FastifyRequest } from 'fastify';
import { restVerb, routedToPublicPath, type AccessAttributes } from '../platform/http/auth.ts';

const RESOURCES: ReadonlyArray<[prefix: string, resource: string]> = [
  ['/api/v1/audit/', 'auditevents'],
  ['/api/v1/workflows', 'workflows'],
  ['/api/v1/remediation-history', 'remediationhistories'],
];

/** Read-only routes that take their question as a POST body. */
const READS_BY_POST: ReadonlySet<string> = new Set(['/api/v1/audit/verify-chain']);

export function dataStorageAccess(req: FastifyRequest): AccessAttributes | 'public' {
  if (routedToPublicPath(req)) return 'public';
  const route = req.routeOptions.url ?? req.url.split('?')[0];
  const resource = RESOURCES.find(([prefix]) => route.startsWith(prefix))?.[1];
  // An unknown path still needs a valid token (and some right) before it learns it is a 404.
  if (!resource) return { verb: 'get', resource: 'auditevents' };
  return { verb: READS_BY_POST.has(route) ? 'get' : restVerb(req), resource };
}
