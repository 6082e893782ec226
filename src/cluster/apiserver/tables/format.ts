/**
 * Small formatting helpers shared by the printers: reading loosely-typed JSON, label maps and
 * selectors, container lists, access modes, int-or-string values.
 */

/** A JSON object, or an empty one when `v` is not an object. */
export function obj(v: unknown): Record<string, any> {
  return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, any>) : {};
}

/** A JSON array, or an empty one. */
export function arr(v: unknown): any[] {
  return Array.isArray(v) ? v : [];
}

/** A string, or '' for anything else. */
export function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/** An integer (JSON numbers are truncated like Go's int conversion), or `fallback`. */
export function int(v: unknown, fallback = 0): number {
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : fallback;
}

/** Number of keys of a JSON object. */
export function countKeys(v: unknown): number {
  return Object.keys(obj(v)).length;
}

/** `k1=v1,k2=v2` with keys sorted, or `<none>` for an empty map. */
export function formatLabels(labels: unknown): string {
  const m = obj(labels);
  const keys = Object.keys(m).sort();
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${String(m[k])}`).join(',');
}

/**
 * The string form of a `LabelSelector` once turned into a selector: requirements sorted by key,
 * `k=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`. A missing or empty selector prints as ''.
 * Returns `undefined` when the selector is invalid.
 */
export function labelSelectorString(selector: unknown): string | undefined {
  if (selector === undefined || selector === null) return '';
  const sel = obj(selector);
  const reqs: { key: string; text: string }[] = [];
  const matchLabels = obj(sel.matchLabels);
  for (const key of Object.keys(matchLabels)) {
    reqs.push({ key, text: `${key}=${String(matchLabels[key])}` });
  }
  for (const e of arr(sel.matchExpressions)) {
    const expr = obj(e);
    const key = str(expr.key);
    const values = arr(expr.values).map(String);
    const uniq = [...new Set(values)].sort();
    switch (expr.operator) {
      case 'In':
        if (uniq.length === 0) return undefined;
        reqs.push({ key, text: `${key} in (${uniq.join(',')})` });
        break;
      case 'NotIn':
        if (uniq.length === 0) return undefined;
        reqs.push({ key, text: `${key} notin (${uniq.join(',')})` });
        break;
      case 'Exists':
        if (values.length > 0) return undefined;
        reqs.push({ key, text: key });
        break;
      case 'DoesNotExist':
        if (values.length > 0) return undefined;
        reqs.push({ key, text: `!${key}` });
        break;
      default:
        return undefined;
    }
  }
  reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return reqs.map((r) => r.text).join(',');
}

/** A label selector for a SELECTOR column: `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(selector: unknown): string {
  const s = labelSelectorString(selector);
  if (s === undefined) return '<error>';
  return s === '' ? '<none>' : s;
}

/** Container names and images, each joined with commas. */
export function containerCells(containers: unknown): [string, string] {
  const list = arr(containers).map(obj);
  return [list.map((c) => str(c.name)).join(','), list.map((c) => str(c.image)).join(',')];
}

/** PV/PVC access modes abbreviated in a fixed order: `RWO,ROX,RWX,RWOP`. */
export function formatAccessModes(modes: unknown): string {
  const set = new Set(arr(modes));
  const out: string[] = [];
  if (set.has('ReadWriteOnce')) out.push('RWO');
  if (set.has('ReadOnlyMany')) out.push('ROX');
  if (set.has('ReadWriteMany')) out.push('RWX');
  if (set.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

/** An IntOrString value as text (`1`, `50%`). */
export function intOrString(v: unknown): string {
  if (typeof v === 'number') return String(Math.trunc(v));
  return str(v);
}

/** Finds the condition of the given type in a `conditions` list. */
export function findCondition(conditions: unknown, type: string): Record<string, any> | undefined {
  return arr(conditions).map(obj).find((c) => c.type === type);
}

/** `host:port`, bracketing IPv6 hosts. */
export function joinHostPort(host: string, port: number | string): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}
