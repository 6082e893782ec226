/**
 * TokenReview and (Self/Local)SubjectAccessReview: answered on the spot, never stored, so
 * components written for real clusters can check callers the usual way.
 */
import type { Attributes, Authenticator, Authorizer } from '../auth.ts';
import type { ApiResponse, UserInfo } from '../../core/api-request.ts';
import { decodeObject, type ResourceRequest } from './context.ts';
import { groupVersion } from '../../core/types.ts';

export function handleReview(r: ResourceRequest, authn: Authenticator, authz: Authorizer): ApiResponse {
  const obj = decodeObject(r.req, { apiVersion: groupVersion(r.info), kind: r.info.kind });
  const spec = obj.spec ?? {};
  switch (r.info.kind) {
    case 'TokenReview': {
      const audiences = Array.isArray(spec.audiences) ? spec.audiences.filter((a: unknown) => typeof a === 'string') : undefined;
      const found = typeof spec.token === 'string' ? authn.review(spec.token, audiences) : undefined;
      obj.status = found
        ? { authenticated: true, user: userInfo(found.user), audiences: found.audiences }
        : { authenticated: false, error: 'invalid bearer token' };
      break;
    }
    case 'SelfSubjectReview':
      obj.status = { userInfo: userInfo(r.user) };
      break;
    default: {
      const self = r.info.kind === 'SelfSubjectAccessReview';
      const user = self ? r.user : { username: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [] };
      const ra = spec.resourceAttributes;
      const attrs: Attributes = ra
        ? { user, verb: ra.verb, apiGroup: ra.group ?? '', resource: ra.resource, subresource: ra.subresource || undefined, namespace: r.info.kind === 'LocalSubjectAccessReview' ? r.namespace : ra.namespace, name: ra.name }
        : { user, verb: spec.nonResourceAttributes?.verb ?? '', path: spec.nonResourceAttributes?.path ?? '' };
      const decision = authz.authorize(attrs);
      obj.status = { allowed: decision.allowed, ...(decision.reason ? { reason: decision.reason } : {}) };
    }
  }
  obj.metadata = { creationTimestamp: null as unknown as string, ...(r.namespace ? { namespace: r.namespace } : {}) };
  return { status: 201, body: obj };
}

function userInfo(user: UserInfo): Record<string, unknown> {
  return { username: user.username, uid: user.uid, groups: user.groups, ...(user.extra && Object.keys(user.extra).length ? { extra: user.extra } : {}) };
}
