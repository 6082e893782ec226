/**
 * Validation of the read parameters (GetOptions/ListOptions) the way kube-apiserver decodes
 * them: a value that does not parse is a 400, an unsupported resourceVersionMatch a 422.
 */
import { errors } from '../errors.ts';
import type { ResourceRequest } from './context.ts';

const INTEGER = /^[+-]?\d+$/;
const RESOURCE_VERSION_MATCHES = ['Exact', 'NotOlderThan'];

function integerParam(q: URLSearchParams, name: string): void {
  const v = q.get(name);
  if (v !== null && v !== '' && !INTEGER.test(v)) throw errors.badRequest(`strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
}

export function validateReadParams(r: ResourceRequest): void {
  const q = r.req.query;
  const rv = q.get('resourceVersion') ?? '';
  // Upstream reports this as a 500 from its storage layer; it is the client's error, so 400.
  if (rv !== '' && !/^\d+$/.test(rv)) {
    throw errors.badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rv)}: strconv.ParseUint: parsing ${JSON.stringify(rv)}: invalid syntax`);
  }
  if (r.verb === 'get') return;
  integerParam(q, 'limit');
  integerParam(q, 'timeoutSeconds');
  const match = q.get('resourceVersionMatch') ?? '';
  if (match === '') return;
  const cause = !RESOURCE_VERSION_MATCHES.includes(match)
    ? { reason: 'FieldValueNotSupported', field: 'resourceVersionMatch', message: `Unsupported value: ${JSON.stringify(match)}: supported values: "Exact", "NotOlderThan"` }
    : rv === ''
      ? { reason: 'FieldValueForbidden', field: 'resourceVersionMatch', message: 'Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided' }
      : undefined;
  if (cause) throw errors.invalid('ListOptions', 'meta.k8s.io', '', [cause]);
}
