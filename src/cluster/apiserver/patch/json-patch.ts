/**
 * JSON patch (RFC 6902), `application/json-patch+json`, via fast-json-patch.
 *
 * Error mapping (as the real server): a patch that is not a well-formed operation list is a
 * 400 BadRequest; a well-formed patch that cannot be applied to this object (missing path,
 * index out of range, failed `test`) is a 422 Invalid, the way kube-apiserver reports
 * "the server rejected our request due to an error in our request".
 */
import jsonpatch from 'fast-json-patch';
import { ApiError, errors } from '../errors.ts';
import type { KubeObject } from '../../core/types.ts';
import { clone, isObject } from './values.ts';

/** fast-json-patch error names that mean "this patch does not fit this document". */
const DOES_NOT_APPLY = new Set([
  'OPERATION_PATH_UNRESOLVABLE',
  'OPERATION_FROM_UNRESOLVABLE',
  'OPERATION_PATH_CANNOT_ADD',
  'OPERATION_PATH_ILLEGAL_ARRAY_INDEX',
  'OPERATION_VALUE_OUT_OF_BOUNDS',
  'TEST_OPERATION_FAILED',
]);

function describe(op: unknown): string {
  if (!isObject(op)) return JSON.stringify(op);
  return `${String(op.op)} operation on path "${String(op.path)}"`;
}

export function applyJsonPatch(doc: KubeObject, ops: unknown): KubeObject {
  if (!Array.isArray(ops)) throw errors.badRequest('json patch must be a JSON array of operations');
  // fast-json-patch moves values from the operations into the result by reference.
  const own = clone(ops);
  let result: unknown;
  try {
    result = jsonpatch.applyPatch(clone(doc), own, true, true).newDocument;
  } catch (e) {
    const err = e as { name?: string; message?: string; index?: number };
    const opText = typeof err.index === 'number' ? describe(ops[err.index]) : 'operation';
    const first = String(err.message ?? e).split('\n')[0];
    if (err.name && DOES_NOT_APPLY.has(err.name)) {
      const why = err.name === 'TEST_OPERATION_FAILED' ? 'test failed' : first;
      throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: jsonpatch ${opText} does not apply: ${why}`, {
        causes: [{ reason: 'FieldValueInvalid', field: 'patch', message: `jsonpatch ${opText}: ${why}` }],
      });
    }
    throw errors.badRequest(`invalid json patch: ${opText}: ${first}`);
  }
  if (!isObject(result)) throw errors.badRequest('json patch must leave a JSON object');
  return result as KubeObject;
}
