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
  const causes = r.verb === 'watch' ? watchMatchCauses(q) : listMatchCauses(q, rv);
  if (causes.length > 0) throw errors.invalid('ListOptions', 'meta.k8s.io', '', causes);
}

interface Cause { reason: string; field: string; message: string }

const forbidden = (message: string): Cause => ({ reason: 'FieldValueForbidden', field: 'resourceVersionMatch', message: `Forbidden: ${message}` });
const notSupported = (match: string, supported: string[]): Cause => ({
  reason: 'FieldValueNotSupported',
  field: 'resourceVersionMatch',
  message: `Unsupported value: ${JSON.stringify(match)}: supported values: ${supported.map((v) => JSON.stringify(v)).join(', ')}`,
});

/** A list: resourceVersionMatch needs a resourceVersion; sendInitialEvents belongs to watches. */
function listMatchCauses(q: URLSearchParams, rv: string): Cause[] {
  const causes: Cause[] = [];
  const match = q.get('resourceVersionMatch') ?? '';
  if (match !== '') {
    if (rv === '') causes.push(forbidden('resourceVersionMatch is forbidden unless resourceVersion is provided'));
    if (q.get('continue')) causes.push(forbidden('resourceVersionMatch is forbidden when continue is provided'));
    if (!RESOURCE_VERSION_MATCHES.includes(match)) causes.push(notSupported(match, [...RESOURCE_VERSION_MATCHES, '']));
    if (match === 'Exact' && rv === '0') causes.push(forbidden('resourceVersionMatch "exact" is forbidden for resourceVersion "0"'));
  }
  if (q.has('sendInitialEvents')) {
    causes.push({ reason: 'FieldValueForbidden', field: 'sendInitialEvents', message: 'Forbidden: sendInitialEvents is forbidden for list' });
  }
  return causes;
}

/**
 * A watch (a streaming list, WatchList): sendInitialEvents needs resourceVersionMatch=NotOlderThan and
 * resourceVersionMatch is only meaningful with sendInitialEvents; an empty resourceVersion is allowed.
 */
function watchMatchCauses(q: URLSearchParams): Cause[] {
  const causes: Cause[] = [];
  const match = q.get('resourceVersionMatch') ?? '';
  const sendInitialEvents = q.has('sendInitialEvents');
  if (sendInitialEvents && match !== 'NotOlderThan') causes.push(forbidden('sendInitialEvents requires setting resourceVersionMatch to NotOlderThan'));
  if (match !== '') {
    if (!sendInitialEvents) causes.push(forbidden('resourceVersionMatch is forbidden for watch unless sendInitialEvents is provided'));
    if (match !== 'NotOlderThan') causes.push(notSupported(match, ['NotOlderThan']));
    if (q.get('continue')) causes.push(forbidden('resourceVersionMatch is forbidden when continue is provided'));
  }
  return causes;
}
