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
import { MAX_BODY_DEPTH, tooDeep, valueNestsDeeperThan } from '../handlers/body-depth.ts';
import { clone, isObject } from './values.ts';

/**
 * What `copy` operations may add to an object in all (kube-apiserver's --json-patch-max-copy-bytes
 * default). Each copy can double the object, so without a bound a patch of a few dozen operations
 * grows it past any memory.
 */
export const MAX_JSON_PATCH_COPY_BYTES = 3 * 1024 * 1024;

class CopyLimitExceeded extends Error {
  constructor(readonly accumulated: number) {
    super(`Unable to complete the copy, the accumulated size increase of copy is ${accumulated}, exceeding the limit ${MAX_JSON_PATCH_COPY_BYTES}`);
  }
}

/** The JSON size of the value a copy operation would duplicate (0 when `from` does not resolve: applying reports that). */
function copySize(document: unknown, from: unknown): number {
  if (typeof from !== 'string') return 0;
  try {
    return JSON.stringify(jsonpatch.getValueByPointer(document, from))?.length ?? 0;
  } catch {
    return 0;
  }
}

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
    // One operation at a time (as applyPatch does), counting what copies add.
    let document: unknown = clone(doc);
    let copied = 0;
    own.forEach((op, i) => {
      if (isObject(op) && op.op === 'copy') {
        copied += copySize(document, op.from);
        if (copied > MAX_JSON_PATCH_COPY_BYTES) throw new CopyLimitExceeded(copied);
      }
      document = jsonpatch.applyOperation(document, op, true, true, true, i).newDocument;
    });
    result = document;
  } catch (e) {
    if (e instanceof CopyLimitExceeded) {
      throw new ApiError(422, 'Invalid', `the server rejected our request due to an error in our request: ${e.message}`, {
        causes: [{ reason: 'FieldValueInvalid', field: 'patch', message: e.message }],
      });
    }
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
  // A copy (or an add at a deep path) can nest the object deeper than any request body may. (An
  // object stored that deep before the limit existed can still be patched, to let it go.)
  if (valueNestsDeeperThan(result, MAX_BODY_DEPTH) && !valueNestsDeeperThan(doc, MAX_BODY_DEPTH)) throw tooDeep();
  return result as KubeObject;
}
