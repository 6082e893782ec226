/**
 * Bound ServiceAccount tokens as kube-apiserver issues and checks them: a JWT naming the
 * ServiceAccount (and the Pod, Secret or Node it is bound to) with issuer, audiences and expiry.
 * A token authenticates only while every object it names still exists with the same uid, so
 * deleting the ServiceAccount or the pod revokes it.
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../../platform/clock.ts';
import type { UserInfo } from '../../core/api-request.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import type { TokenSigner } from './token-signer.ts';

/** kind's --service-account-issuer, which is also the API server's default audience. */
export const SERVICE_ACCOUNT_ISSUER = 'https://kubernetes.default.svc.cluster.local';
export const API_AUDIENCES = [SERVICE_ACCOUNT_ISSUER];
/**
 * The lifetime the kubelet asks for its projected tokens. With --service-account-extend-token-expiration
 * (on by default) such a pod-bound token is valid for a year and only warns after this long.
 */
export const KUBELET_TOKEN_SECONDS = 3607;
const EXTENDED_TOKEN_SECONDS = 365 * 24 * 3600;
/** A bound pod that has been terminating this long no longer vouches for its tokens. */
const DELETED_POD_GRACE_MS = 60_000;
/** Clock skew tolerated on exp/nbf, as the JWT validation upstream allows. */
const LEEWAY_SECONDS = 60;

export const SERVICE_ACCOUNT_GROUPS = (namespace: string) => ['system:serviceaccounts', `system:serviceaccounts:${namespace}`, 'system:authenticated'];

export interface ObjectRef {
  name: string;
  uid: string;
}

export interface TokenGrant {
  namespace: string;
  serviceAccount: ObjectRef;
  audiences: string[];
  expirationSeconds: number;
  pod?: ObjectRef;
  secret?: ObjectRef;
  node?: ObjectRef;
}

export class ServiceAccountTokens {
  constructor(
    private readonly signer: TokenSigner,
    private readonly store: ObjectStore,
    private readonly clock: Clock,
  ) {}

  /** Signs a token for the grant; `expiresAt` is what TokenRequest reports (the requested lifetime). */
  issue(grant: TokenGrant): { token: string; expiresAt: Date } {
    const now = Math.floor(this.clock.nowMs() / 1000);
    const extend = grant.pod !== undefined && grant.expirationSeconds === KUBELET_TOKEN_SECONDS;
    const lifetime = extend ? EXTENDED_TOKEN_SECONDS : grant.expirationSeconds;
    const k8s: Record<string, unknown> = { namespace: grant.namespace };
    if (grant.node) k8s.node = grant.node;
    if (grant.pod) k8s.pod = grant.pod;
    if (grant.secret) k8s.secret = grant.secret;
    k8s.serviceaccount = grant.serviceAccount;
    if (extend) k8s.warnafter = now + grant.expirationSeconds;
    const claims = {
      aud: grant.audiences,
      exp: now + lifetime,
      iat: now,
      iss: SERVICE_ACCOUNT_ISSUER,
      jti: randomUUID(),
      'kubernetes.io': k8s,
      nbf: now,
      sub: `system:serviceaccount:${grant.namespace}:${grant.serviceAccount.name}`,
    };
    return { token: this.signer.sign(claims), expiresAt: new Date((now + grant.expirationSeconds) * 1000) };
  }

  /**
   * The user a token stands for, and which of `audiences` it is meant for; undefined when it is
   * not a valid ServiceAccount token for one of them.
   */
  authenticate(token: string, audiences: string[] = API_AUDIENCES): { user: UserInfo; audiences: string[] } | undefined {
    const claims = this.signer.verify(token);
    if (!claims || claims.iss !== SERVICE_ACCOUNT_ISSUER) return undefined;
    const now = this.clock.nowMs() / 1000;
    if (typeof claims.exp !== 'number' || now > claims.exp + LEEWAY_SECONDS) return undefined;
    if (typeof claims.nbf === 'number' && now < claims.nbf - LEEWAY_SECONDS) return undefined;
    const tokenAudiences: string[] = Array.isArray(claims.aud) ? claims.aud : typeof claims.aud === 'string' ? [claims.aud] : [];
    const matched = audiences.filter((a) => tokenAudiences.includes(a));
    if (matched.length === 0) return undefined;
    const k8s = claims['kubernetes.io'];
    const ns = k8s?.namespace;
    const sa = k8s?.serviceaccount;
    if (typeof ns !== 'string' || typeof sa?.name !== 'string' || claims.sub !== `system:serviceaccount:${ns}:${sa.name}`) return undefined;
    if (!this.live('/serviceaccounts', ns, sa)) return undefined;
    if (k8s.secret && !this.live('/secrets', ns, k8s.secret)) return undefined;
    if (k8s.node && !this.live('/nodes', '', k8s.node, false)) return undefined;
    const extra: Record<string, string[]> = {};
    if (k8s.pod) {
      const pod = this.store.get('/pods', ns, k8s.pod.name);
      if (!pod || pod.metadata.uid !== k8s.pod.uid) return undefined;
      const deleting = pod.metadata.deletionTimestamp ? Date.parse(pod.metadata.deletionTimestamp) : undefined;
      if (deleting !== undefined && deleting < this.clock.nowMs() - DELETED_POD_GRACE_MS) return undefined;
      extra['authentication.kubernetes.io/pod-name'] = [k8s.pod.name];
      extra['authentication.kubernetes.io/pod-uid'] = [k8s.pod.uid];
    }
    if (k8s.node) {
      extra['authentication.kubernetes.io/node-name'] = [k8s.node.name];
      extra['authentication.kubernetes.io/node-uid'] = [k8s.node.uid];
    }
    if (typeof claims.jti === 'string') extra['authentication.kubernetes.io/credential-id'] = [`JTI=${claims.jti}`];
    return { user: { username: claims.sub, uid: sa.uid, groups: SERVICE_ACCOUNT_GROUPS(ns), extra }, audiences: matched };
  }

  /** The named object exists with the uid the token recorded (and, unless told otherwise, is not being deleted). */
  private live(key: string, namespace: string, ref: any, refuseDeleting = true): boolean {
    if (typeof ref?.name !== 'string') return false;
    const obj = this.store.get(key, namespace, ref.name);
    if (!obj || obj.metadata.uid !== ref.uid) return false;
    return !(refuseDeleting && obj.metadata.deletionTimestamp);
  }
}
