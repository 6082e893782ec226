/**
 * Where two normalised catalog entries differ, as short paths (`execution.bundle`,
 * `parameters[1].description`): a refused re-registration of a version names what changed, so the
 * author can tell an accidental edit from an intended one that needs a new version.
 */

type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

function child(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path === '' ? key : `${path}.${key}`;
}

function collect(a: Json, b: Json, path: string, out: string[]): void {
  if (isObject(a) && isObject(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const k of keys) collect(a[k], b[k], child(path, k), out);
    return;
  }
  // Lists of the same length are compared item by item; a list that grew or shrank is one difference.
  if (Array.isArray(a) && Array.isArray(b) && a.length === b.length) {
    a.forEach((item, i) => collect(item, b[i], child(path, i), out));
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path === '' ? '(entry)' : path);
}

/** Every differing path, in the order of sorted keys. */
export function contentDifferences(before: Json, after: Json): string[] {
  const out: string[] = [];
  collect(before, after, '', out);
  return out;
}

/** The first few paths for a one-line message: `a, b, c and 4 more`. */
export function summariseDifferences(paths: string[], shown = 5): string {
  // Equal content under another hash: stored by a release that normalised entries differently.
  if (paths.length === 0) return 'same fields, another content hash';
  if (paths.length <= shown) return paths.join(', ');
  return `${paths.slice(0, shown).join(', ')} and ${paths.length - shown} more`;
}
