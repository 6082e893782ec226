/**
 * POST serviceaccounts/<name>/token (TokenRequest): a signed token for the ServiceAccount, with
 * the requested audiences and lifetime, optionally bound to a Pod, Secret or Node so that it
 * stops working when that object goes. What `kubectl create token` and the kubelet call.
 */
import { errors, ApiError } from '../errors.ts';
import type { ApiResponse } from '../../core/api-request.ts';
import { metaTime } from '../../core/meta-time.ts';
import type { KubeObject } from '../../core/types.ts';
import { API_AUDIENCES, type ObjectRef, type ServiceAccountTokens, type TokenGrant } from '../serviceaccount/tokens.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { decodeObject, type ResourceRequest } from './context.ts';
import type { Clock } from '../../../platform/clock.ts';

const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const BINDABLE: Record<string, string> = { Pod: '/pods', Secret: '/secrets', Node: '/nodes' };

export interface TokenRequestDeps {
  store: ObjectStore;
  clock: Clock;
  tokens: ServiceAccountTokens;
}

export function handleTokenRequest(deps: TokenRequestDeps, r: ResourceRequest): ApiResponse {
  if (r.verb !== 'create') throw errors.methodNotAllowed();
  const ns = r.namespace!;
  const name = r.name!;
  const req = decodeObject(r.req, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest' });
  if (req.kind !== 'TokenRequest') throw errors.badRequest(`the body of the request was in an unknown format - expected TokenRequest, got ${String(req.kind)}`);
  const spec = req.spec && typeof req.spec === 'object' ? req.spec : {};
  const invalid = (field: string, value: unknown, message: string) =>
    errors.invalid('TokenRequest', 'authentication.k8s.io', name, [{ reason: 'FieldValueInvalid', field, message: `Invalid value: ${JSON.stringify(value)}: ${message}` }]);

  const expirationSeconds = spec.expirationSeconds ?? DEFAULT_EXPIRATION_SECONDS;
  if (!Number.isInteger(expirationSeconds)) throw errors.badRequest(`TokenRequest in version "v1" cannot be handled as a TokenRequest: spec.expirationSeconds must be an integer`);
  if (expirationSeconds < MIN_EXPIRATION_SECONDS) throw invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration less than 10 minutes');
  if (expirationSeconds > MAX_EXPIRATION_SECONDS) throw invalid('spec.expirationSeconds', expirationSeconds, 'may not specify a duration larger than 2^32 seconds');
  if (spec.audiences !== undefined && spec.audiences !== null && (!Array.isArray(spec.audiences) || spec.audiences.some((a: unknown) => typeof a !== 'string' || a === ''))) {
    throw invalid('spec.audiences', spec.audiences, 'audiences must be non-empty strings');
  }
  const audiences: string[] = spec.audiences?.length ? [...spec.audiences] : [...API_AUDIENCES];

  const sa = deps.store.get('/serviceaccounts', ns, name);
  if (!sa) throw errors.notFound('serviceaccounts', '', name);
  if (sa.metadata.deletionTimestamp) throw errors.conflict('serviceaccounts', '', name, 'the service account is being deleted');
  const grant: TokenGrant = { namespace: ns, serviceAccount: { name, uid: sa.metadata.uid! }, audiences, expirationSeconds };

  const ref = spec.boundObjectRef;
  if (ref) {
    const kind = ref.kind;
    const apiVersion = ref.apiVersion ?? 'v1';
    if (typeof kind !== 'string' || !BINDABLE[kind] || apiVersion !== 'v1') throw errors.badRequest(`cannot bind token to object of type ${apiVersion}, Kind=${String(kind)}`);
    if (typeof ref.name !== 'string' || !ref.name) throw errors.invalid('TokenRequest', 'authentication.k8s.io', name, [{ reason: 'FieldValueRequired', field: 'spec.boundObjectRef.name', message: 'Required value' }]);
    const obj: KubeObject | undefined = deps.store.get(BINDABLE[kind], kind === 'Node' ? '' : ns, ref.name);
    if (!obj) throw errors.notFound(`${kind.toLowerCase()}s`, '', ref.name);
    if (ref.uid && ref.uid !== obj.metadata.uid) {
      throw new ApiError(409, 'Conflict', `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`);
    }
    const bound: ObjectRef = { name: ref.name, uid: obj.metadata.uid! };
    if (kind === 'Pod') {
      if ((obj.spec?.serviceAccountName ?? 'default') !== name) throw errors.badRequest(`cannot bind token for serviceaccount "${name}" to pod running with different serviceaccount name.`);
      grant.pod = bound;
      const node = obj.spec?.nodeName ? deps.store.get('/nodes', '', obj.spec.nodeName) : undefined;
      if (node) grant.node = { name: node.metadata.name!, uid: node.metadata.uid! };
    } else if (kind === 'Secret') grant.secret = bound;
    else grant.node = bound;
  }

  const { token, expiresAt } = deps.tokens.issue(grant);
  const out = {
    kind: 'TokenRequest',
    apiVersion: 'authentication.k8s.io/v1',
    metadata: { name, namespace: ns, creationTimestamp: metaTime(deps.clock.now()) },
    spec: { audiences, expirationSeconds, boundObjectRef: ref ? { kind: ref.kind, apiVersion: ref.apiVersion ?? 'v1', name: ref.name, uid: grant.pod?.uid ?? grant.secret?.uid ?? grant.node?.uid } : null },
    status: { token, expirationTimestamp: metaTime(expiresAt) },
  };
  return { status: 201, body: out };
}
