/**
 * Human-readable ages and durations in the style `kubectl get` prints them
 * (`45s`, `5m10s`, `3h4m`, `2d5h`, `120d`, `3y45d`).
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * Formats a duration given in milliseconds. Precision coarsens as the duration grows: seconds up to
 * two minutes, minutes+seconds up to ten minutes, minutes up to three hours, hours+minutes up to
 * eight hours, hours up to two days, days+hours up to eight days, days up to two years, then years.
 * Slightly negative values (clock skew up to a second) read as `0s`; anything earlier is `<invalid>`.
 */
export function humanDuration(ms: number): string {
  if (!Number.isFinite(ms)) return '<invalid>';
  const seconds = Math.trunc(ms / SECOND);
  if (seconds < -1) return '<invalid>';
  if (seconds < 0) return '0s';
  if (seconds < 120) return `${seconds}s`;

  const minutes = Math.trunc(ms / MINUTE);
  if (minutes < 10) {
    const s = seconds % 60;
    return s === 0 ? `${minutes}m` : `${minutes}m${s}s`;
  }
  if (minutes < 180) return `${minutes}m`;

  const hours = Math.trunc(ms / HOUR);
  if (hours < 8) {
    const m = minutes % 60;
    return m === 0 ? `${hours}h` : `${hours}h${m}m`;
  }
  if (hours < 48) return `${hours}h`;
  if (hours < 24 * 8) {
    const h = hours % 24;
    const days = Math.trunc(hours / 24);
    return h === 0 ? `${days}d` : `${days}d${h}h`;
  }
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24)}d`;
  const years = Math.trunc(hours / 24 / 365);
  if (hours < 24 * 365 * 8) {
    const dy = Math.trunc(hours / 24) % 365;
    return dy === 0 ? `${years}y` : `${years}y${dy}d`;
  }
  return `${years}y`;
}

// RFC 3339 date-time: 2024-05-01T10:00:00Z, with optional fraction and numeric offset.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Parses a Kubernetes timestamp (`metav1.Time` / `metav1.MicroTime` JSON form).
 * Returns `null` for an absent or zero time (empty string, `0001-01-01T00:00:00Z`) and
 * `undefined` when the text is not a valid RFC 3339 timestamp.
 */
export function parseTimestamp(value: unknown): Date | null | undefined {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string') return undefined;
  const m = RFC3339.exec(value);
  if (!m) return undefined;
  // JavaScript cannot hold year 1 reliably through Date.parse with all engines; the zero time is
  // recognised explicitly.
  if (m[1] === '0001' && m[2] === '01' && m[3] === '01' && m[4] === '00' && m[5] === '00' && m[6] === '00' && (m[8] === 'Z' || m[8] === 'z')) {
    return null;
  }
  const t = Date.parse(value.toUpperCase());
  if (Number.isNaN(t)) return undefined;
  return new Date(t);
}

/**
 * The age of a timestamp relative to `now`, as kubectl shows it in AGE-like columns.
 * Absent or zero timestamps (and unparsable ones) read `<unknown>`.
 */
export function timestampSince(value: unknown, now: Date): string {
  const t = parseTimestamp(value);
  if (!t) return '<unknown>';
  return humanDuration(now.getTime() - t.getTime());
}

/** RFC 3339 in UTC with second precision (`2024-05-01T10:00:00Z`), as the `Created At` column shows it. */
export function rfc3339Seconds(value: unknown): string {
  const t = parseTimestamp(value);
  if (t === null) return '0001-01-01T00:00:00Z';
  if (t === undefined) return typeof value === 'string' ? value : '0001-01-01T00:00:00Z';
  return t.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
