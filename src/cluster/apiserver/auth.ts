/**
 * Authentication (anonymous by default; static bearer tokens in kube-apiserver's
 * --token-auth-file CSV format when enabled; ServiceAccount tokens always) and authorization (allow-all, or RBAC evaluated
 * from the stored Roles/ClusterRoles and their bindings).
 */
import { readFileSync } from 'node:fs';
import { errors } from './errors.ts';
import type { ApiRequest, UserInfo } from '../core/api-request.ts';
import type { ObjectStore } from './storage/object-store.ts';
import type { ServiceAccountTokens } from './serviceaccount/tokens.ts';

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', groups: ['system:unauthenticated'] };
/** Identity of in-process control-plane clients (like the loopback client of kube-apiserver). */
export const LOOPBACK_USER: UserInfo = { username: 'system:apiserver', groups: ['system:masters', 'system:authenticated'] };

/** Parses `token,user,uid,"group1,group2"` lines. */
export function parseTokenFile(text: string): Map<string, UserInfo> {
  const out = new Map<string, UserInfo>();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const fields = [...line.matchAll(/"([^"]*)"|([^,]+)|(?<=,)(?=,|$)/g)].map((m) => m[1] ?? m[2] ?? '');
    const [token, username, uid, groups] = fields;
    if (!token || !username) throw new Error(`token file: line needs at least token,user: ${line}`);
    out.set(token, { username, uid, groups: [...(groups ? groups.split(',').map((g) => g.trim()).filter(Boolean) : []), 'system:authenticated'] });
  }
  return out;
}

export class Authenticator {
  constructor(
    private readonly tokens: Map<string, UserInfo> | undefined,
    /** When false, requests without credentials are anonymous instead of 401. */
    private readonly requireAuth: boolean,
    private readonly serviceAccounts?: ServiceAccountTokens,
  ) {}

  static fromFile(path: string | undefined, requireAuth: boolean, serviceAccounts?: ServiceAccountTokens): Authenticator {
    return new Authenticator(path ? parseTokenFile(readFileSync(path, 'utf8')) : undefined, requireAuth, serviceAccounts);
  }

  /**
   * The user a token belongs to and the audiences it is valid for, for TokenReview. Static
   * tokens are valid for any audience; ServiceAccount tokens only for the ones they name
   * (the API server's own when the review asks for none).
   */
  review(token: string, audiences?: string[]): { user: UserInfo; audiences?: string[] } | undefined {
    const user = this.tokens?.get(token);
    if (user) return { user, audiences };
    return this.serviceAccounts?.authenticate(token, audiences?.length ? audiences : undefined);
  }

  authenticate(req: ApiRequest): UserInfo {
    if (req.user) return req.user;
    const header = req.headers.authorization;
    if (header) {
      const m = /^Bearer\s+(.+)$/i.exec(header);
      const token = m?.[1].trim();
      const user = token ? (this.tokens?.get(token) ?? this.serviceAccounts?.authenticate(token)?.user) : undefined;
      if (!user) throw errors.unauthorized();
      return user;
    }
    if (this.requireAuth) throw errors.unauthorized();
    return ANONYMOUS;
  }
}

export interface Attributes {
  user: UserInfo;
  verb: string;
  apiGroup?: string;
  resource?: string;
  subresource?: string;
  namespace?: string;
  name?: string;
  path?: string; // non-resource requests
}

export interface Authorizer {
  authorize(a: Attributes): { allowed: boolean; reason: string };
}

export const allowAll: Authorizer = { authorize: () => ({ allowed: true, reason: 'authorization is not enabled' }) };

const matchesList = (list: string[] | undefined, value: string) => (list ?? []).includes('*') || (list ?? []).includes(value);

/** RBAC: a request is allowed when some bound (Cluster)Role has a rule covering it. */
export class RbacAuthorizer implements Authorizer {
  constructor(private readonly store: ObjectStore) {}

  authorize(a: Attributes): { allowed: boolean; reason: string } {
    if (a.user.groups.includes('system:masters')) return { allowed: true, reason: 'system:masters' };
    const subjectMatches = (s: any, bindingNs: string | undefined) =>
      (s.kind === 'User' && s.name === a.user.username) ||
      (s.kind === 'Group' && a.user.groups.includes(s.name)) ||
      (s.kind === 'ServiceAccount' && a.user.username === `system:serviceaccount:${s.namespace ?? bindingNs}:${s.name}`);
    const rulesOf = (ref: any, ns: string | undefined): any[] => {
      const role = ref.kind === 'ClusterRole' ? this.store.get('rbac.authorization.k8s.io/clusterroles', '', ref.name) : this.store.get('rbac.authorization.k8s.io/roles', ns ?? '', ref.name);
      return role?.rules ?? [];
    };
    const covers = (rule: any) => {
      if (!matchesList(rule.verbs, a.verb)) return false;
      if (a.resource === undefined) return matchesList(rule.nonResourceURLs, a.path ?? '') || (rule.nonResourceURLs ?? []).some((u: string) => u.endsWith('*') && (a.path ?? '').startsWith(u.slice(0, -1)));
      const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
      if (!matchesList(rule.apiGroups, a.apiGroup ?? '')) return false;
      if (!matchesList(rule.resources, resource) && !(rule.resources ?? []).includes(`*/${a.subresource}`)) return false;
      return !rule.resourceNames?.length || (a.name !== undefined && rule.resourceNames.includes(a.name));
    };
    for (const b of this.store.list('rbac.authorization.k8s.io/clusterrolebindings')) {
      if ((b.subjects ?? []).some((s: any) => subjectMatches(s, undefined)) && rulesOf(b.roleRef, undefined).some(covers)) {
        return { allowed: true, reason: `RBAC: allowed by ClusterRoleBinding "${b.metadata.name}"` };
      }
    }
    if (a.namespace) {
      for (const b of this.store.list('rbac.authorization.k8s.io/rolebindings', a.namespace)) {
        if ((b.subjects ?? []).some((s: any) => subjectMatches(s, a.namespace)) && rulesOf(b.roleRef, a.namespace).some(covers)) {
          return { allowed: true, reason: `RBAC: allowed by RoleBinding "${b.metadata.name}/${a.namespace}"` };
        }
      }
    }
    return { allowed: false, reason: '' };
  }
}
