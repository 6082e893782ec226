/**
 * A failed delivery says whether trying again can help: `transient` (no answer, timeout, 408, 429,
 * 5xx, a secret file not mounted yet) is retried per the retry policy; `permanent` (the receiver
 * refused the request, the channel is unsupported or misconfigured) is not. Messages never carry
 * a secret: callers build them from `redact`ed parts.
 */
export type FailureKind = 'transient' | 'permanent';

export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    readonly kind: FailureKind,
    message: string,
  ) {
    super(message);
  }
}

/** Whether an HTTP status is worth retrying. */
export function failureKindOfStatus(status: number): FailureKind {
  return status >= 500 || status === 408 || status === 429 ? 'transient' : 'permanent';
}
