/** Reading client-node's `ApiException`s (and watch errors) without depending on their generic types. */

export function statusCodeOf(err: unknown): number | undefined {
  const e = err as { code?: unknown; statusCode?: unknown } | null;
  if (typeof e?.code === 'number') return e.code;
  return typeof e?.statusCode === 'number' ? e.statusCode : undefined;
}

export const isNotFound = (err: unknown): boolean => statusCodeOf(err) === 404;
/** 409: AlreadyExists on create, Conflict (stale resourceVersion) on update. */
export const isConflict = (err: unknown): boolean => statusCodeOf(err) === 409;
/** 422 Invalid or 400 BadRequest: the object itself is refused, sending it again cannot help. */
export const isInvalid = (err: unknown): boolean => statusCodeOf(err) === 422 || statusCodeOf(err) === 400;
/** 410: the resourceVersion we asked to resume from is no longer kept by the API server. */
export const isGone = (err: unknown): boolean => statusCodeOf(err) === 410;

/** The API server's own explanation (Status.message) of a failed request, if it sent one. */
export function messageOf(err: unknown): string {
  const body = (err as { body?: unknown } | null)?.body;
  try {
    const status = (typeof body === 'string' ? JSON.parse(body) : body) as { message?: unknown } | undefined;
    if (typeof status?.message === 'string') return status.message;
  } catch {
    // not a Status document
  }
  return err instanceof Error ? err.message : String(err);
}
