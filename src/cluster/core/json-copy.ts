/**
 * A deep copy of a JSON value. structuredClone runs out of stack about 2,000 levels deep, where
 * JSON's own encoder still copes, so an object stored that deep (before request bodies had a depth
 * limit) can still be copied: read, watched, changed and deleted.
 */
export function copyJson<T>(value: T): T {
  if (value === undefined) return value;
  try {
    return structuredClone(value);
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    return JSON.parse(JSON.stringify(value)) as T;
  }
}
