/** Small formatting rules kubectl applies everywhere: ages, timestamps, label sets and selectors. */

/**
 * An age the way kubectl prints one (`45s`, `5m10s`, `3h4m`, `2d5h`, `120d`, `3y45d`): precision
 * coarsens as the duration grows. Slightly negative values (clock skew) read as `0s`.
 */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '<invalid>';
  const seconds = Math.trunc(ms / 1000);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes < 10) return seconds % 60 === 0 ? `${minutes}m` : `${minutes}m${seconds % 60}s`;
  if (minutes < 180) return `${minutes}m`;
  const hours = Math.trunc(minutes / 60);
  if (hours < 8) return minutes % 60 === 0 ? `${hours}h` : `${hours}h${minutes % 60}m`;
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) return hours % 24 === 0 ? `${Math.trunc(hours / 24)}d` : `${Math.trunc(hours / 24)}d${hours % 24}h`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  if (hours < 24 * 365 * 8) {
    const days = Math.trunc(hours / 24);
    const years = Math.trunc(days / 365);
    return days % 365 === 0 ? `${years}y` : `${years}y${days % 365}d`;
  }
  return `${Math.trunc(hours / 24 / 365)}y`;
}

/** The age of an API timestamp at `nowMs`; `<unknown>` when there is none, as kubectl prints it. */
export function ageSince(timestamp: unknown, nowMs: number): string {
  const t = parseTime(timestamp);
  return t === undefined ? '<unknown>' : humanDuration(nowMs - t);
}

export function parseTime(timestamp: unknown): number | undefined {
  if (typeof timestamp !== 'string' || timestamp === '') return undefined;
  const t = Date.parse(timestamp);
  return Number.isNaN(t) ? undefined : t;
}

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad2 = (n: number): string => String(n).padStart(2, '0');

/**
 * Go's RFC1123Z layout (`Mon, 02 Jan 2006 15:04:05 -0700`) in UTC. A missing time prints as Go's
 * zero time, which is what kubectl shows for an unset timestamp field.
 */
export function rfc1123z(timestamp: unknown): string {
  const t = parseTime(timestamp);
  if (t === undefined) return 'Mon, 01 Jan 0001 00:00:00 +0000';
  const d = new Date(t);
  return `${DAYS[d.getUTCDay()]}, ${pad2(d.getUTCDate())} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())} +0000`;
}

/** `k1=v1,k2=v2` sorted by key, `<none>` for an empty set (labels.FormatLabels). */
export function formatLabels(labels: Record<string, string> | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  return keys.length === 0 ? '<none>' : keys.map((k) => `${k}=${labels![k]}`).join(',');
}

interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: Array<{ key: string; operator: string; values?: string[] }>;
}

/**
 * A LabelSelector as the label-selector string kubectl prints for workloads: requirements sorted
 * by key, `in`/`notin` values sorted, `''` for a selector that matches everything.
 */
export function selectorString(selector: LabelSelector | undefined): string {
  if (!selector) return '';
  const reqs: Array<{ key: string; text: string }> = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) reqs.push({ key: k, text: `${k}=${v}` });
  for (const e of selector.matchExpressions ?? []) {
    const values = [...(e.values ?? [])].sort();
    switch (e.operator) {
      case 'In':
        reqs.push({ key: e.key, text: `${e.key} in (${values.join(',')})` });
        break;
      case 'NotIn':
        reqs.push({ key: e.key, text: `${e.key} notin (${values.join(',')})` });
        break;
      case 'Exists':
        reqs.push({ key: e.key, text: e.key });
        break;
      case 'DoesNotExist':
        reqs.push({ key: e.key, text: `!${e.key}` });
        break;
      default:
        reqs.push({ key: e.key, text: `${e.key} ${e.operator} (${values.join(',')})` });
    }
  }
  // A stable sort by key keeps matchLabels before expressions on the same key, as kubectl does.
  return reqs
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .map((r) => r.text)
    .join(',');
}

/** A LabelSelector as metav1.FormatLabelSelector prints it (ReplicaSet describe): `<none>` when empty. */
export function formatLabelSelector(selector: LabelSelector | undefined): string {
  const s = selector ? selectorString(selector) : '';
  return s === '' ? '<none>' : s;
}

/** Go's `%v` of a []string: `[a b]`. */
export function goList(values: unknown[] | undefined): string {
  return `[${(values ?? []).map((v) => String(v)).join(' ')}]`;
}

/** `True` / `False`, as kubectl's printBool. */
export const goBool = (v: unknown): string => (v ? 'True' : 'False');

/** `<unset>` for nil, else `True`/`False` (printBoolPtr). */
export const goBoolPtr = (v: unknown): string => (v === undefined || v === null ? '<unset>' : goBool(v));

/** Access modes in kubectl's short form, in the fixed order RWO, ROX, RWX, RWOP. */
export function accessModesShort(modes: string[] | undefined): string {
  const set = new Set(modes ?? []);
  const out: string[] = [];
  if (set.has('ReadWriteOnce')) out.push('RWO');
  if (set.has('ReadOnlyMany')) out.push('ROX');
  if (set.has('ReadWriteMany')) out.push('RWX');
  if (set.has('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}
