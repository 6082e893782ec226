/**
 * Waiting on work that cannot itself be cancelled (a client call that ignores its AbortSignal, a
 * shared cached lookup) without letting it hold up whoever gave up on it.
 */

/**
 * `work`, or a rejection with the signal's reason as soon as `signal` aborts (`reason` overrides
 * it). The work goes on in the background; its later failure is swallowed, never unhandled.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal, reason?: () => unknown): Promise<T> {
  const why = () => (reason ? reason() : signal.reason);
  if (signal.aborted) {
    work.catch(() => undefined);
    return Promise.reject(why());
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => undefined);
      reject(why());
    };
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
