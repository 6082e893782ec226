/**
 * Number and time formats of the Prometheus and Alertmanager JSON APIs, written from Go's
 * documented strconv/time behaviour so clients that parse the strings (Grafana, promtool-like
 * tools) read the same text a real Prometheus would send.
 */
import { formatTime, GO_ZERO_TIME } from '../dispatch/fingerprint.ts';

function special(v: number): string | undefined {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return undefined;
}

/** Shortest round-trip digits and decimal exponent of a finite number: 1234.5 -> ["12345", 3]. */
function shortestDigits(v: number): { neg: boolean; digits: string; exp: number } {
  const [mant, exp] = Math.abs(v).toExponential().split('e');
  return { neg: v < 0 || Object.is(v, -0), digits: mant.replace('.', ''), exp: Number(exp) };
}

/** A query result value: Go's `strconv.FormatFloat(v, 'f', -1, 64)`, so never exponent notation. */
export function formatSampleValue(v: number): string {
  const s = special(v);
  if (s) return s;
  const { neg, digits, exp } = shortestDigits(v);
  let out: string;
  if (v === 0) out = '0';
  else if (exp < 0) out = `0.${'0'.repeat(-exp - 1)}${digits}`;
  else if (digits.length <= exp + 1) out = digits + '0'.repeat(exp + 1 - digits.length);
  else out = `${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
  return neg ? `-${out}` : out;
}

/** An alert's value as /api/v1/alerts prints it: `strconv.FormatFloat(v, 'e', -1, 64)`, e.g. "2e+00". */
export function formatAlertValue(v: number): string {
  const s = special(v);
  if (s) return s;
  const { neg, digits, exp } = shortestDigits(v);
  const mant = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  const e = Math.abs(exp);
  return `${neg ? '-' : ''}${mant}e${exp < 0 ? '-' : '+'}${e < 10 ? '0' : ''}${e}`;
}

/** Epoch ms as the unix seconds float used in query results (1795703698.825). */
export function unixSeconds(ms: number): number {
  return ms / 1000;
}

/** Prometheus timestamps (RFC 3339, fraction trimmed); never-happened as Go's zero time. */
export function promTime(d: Date | undefined): string {
  return d ? formatTime(d.getTime()) : GO_ZERO_TIME;
}

/** Alertmanager v2 timestamps: always three fraction digits ("2026-11-26T14:35:15.338Z"). */
export function amTime(ms: number): string {
  return new Date(ms).toISOString();
}
