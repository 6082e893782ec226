/**
 * Ordering resourceVersions. The API contract says they are opaque, but etcd (and our embedded
 * store) hands out increasing integers; only then can we tell an older copy from a newer one.
 */

function asInteger(rv: string | undefined): bigint | undefined {
  return rv && /^\d+$/.test(rv) ? BigInt(rv) : undefined;
}

/**
 * Whether `candidate` should replace `current`: it is newer when both are integers; when either
 * is missing or not an integer we cannot order them, so the candidate is accepted unless equal.
 */
export function isNewerResourceVersion(candidate: string | undefined, current: string | undefined): boolean {
  if (current === undefined) return true;
  if (candidate === current) return false;
  const a = asInteger(candidate);
  const b = asInteger(current);
  return a === undefined || b === undefined ? true : a > b;
}

/** `candidate` is known to be the same or older than `current` (both integers). */
export function isStaleResourceVersion(candidate: string | undefined, current: string | undefined): boolean {
  if (candidate !== undefined && candidate === current) return true;
  const a = asInteger(candidate);
  const b = asInteger(current);
  return a !== undefined && b !== undefined && a <= b;
}
