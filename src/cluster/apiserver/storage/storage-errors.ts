/** How the store's durable layer fails, in terms a user (or kubectl) can act on. */
import { ApiError } from '../errors.ts';

/** A data dir that cannot be loaded: which file, and why. Startup reports it without a stack trace. */
export class DataDirError extends Error {
  constructor(
    readonly file: string,
    readonly reason: string,
  ) {
    super(`cannot load the cluster state from ${file}: ${reason}`);
    this.name = 'DataDirError';
  }
}

/** The message etcd answers once its quota is reached, as kube-apiserver relays it. */
export const QUOTA_EXCEEDED_MESSAGE = 'etcdserver: mvcc: database space exceeded';

/**
 * A write refused because the store reached its size quota. kube-apiserver relays etcd's error
 * as a plain 500 with no reason (StatusReasonUnknown), so kubectl prints
 * "Error from server: etcdserver: mvcc: database space exceeded".
 */
export class QuotaExceededError extends ApiError {
  constructor() {
    super(500, 'InternalError', QUOTA_EXCEEDED_MESSAGE);
  }

  override toStatus(): Record<string, unknown> {
    const { reason: _unknown, ...status } = super.toStatus();
    return status;
  }
}

/** The write-ahead log could not take a write; nothing of it was applied. */
export function storageUnavailable(reason: string): ApiError {
  return new ApiError(500, 'InternalError', `Internal error occurred: storage unavailable: ${reason}`);
}
