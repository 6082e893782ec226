/**
 * Number and time formats of the Prometheus and Alertmanager JSON APIs, written from Go's
 * documented strconv/time behaviour so clients that parse the strings (Grafana, promtool-like
 * tools) read the same text a real Prometheus would send.
 */
import { formatTime, GO_ZERO_TIME } from '../dispatch/fingerprint.ts';
import { formatFloatExp, formatFloatPlain } from '../../platform/go-format.ts';

/** A query result value: Go's `strconv.FormatFloat(v, 'f', -1, 64)`, so never exponent notation. */
export const formatSampleValue = formatFloatPlain;

/** An alert's value as /api/v1/alerts prints it: `strconv.FormatFloat(v, 'e', -1, 64)`, e.g. "2e+00". */
export const formatAlertValue = formatFloatExp;

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
