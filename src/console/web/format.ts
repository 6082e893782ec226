// Text for times, durations, scores and object references: one place, so every page says it alike.
import type { ObjectRef } from '../api-types.ts';

const pad = (n: number) => String(n).padStart(2, '0');

/** Milliseconds since epoch, or undefined for an absent or unparsable time. */
export function parseTime(iso: string | undefined): number | undefined {
  if (!iso) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** Compact age like kubectl's: 42s, 5m 03s, 3h 12m, 2d 4h. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m ${pad(s % 60)}s`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ${pad(Math.floor(s / 60) % 60)}m`;
  return `${Math.floor(s / 86400)}d ${Math.floor(s / 3600) % 24}h`;
}

/** A stage's length: 340 ms, 12.3 s, 4 min 05 s, 1 h 02 min. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms) || ms < 0) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  if (s < 3600) return `${Math.floor(s / 60)} min ${pad(s % 60)} s`;
  return `${Math.floor(s / 3600)} h ${pad(Math.floor(s / 60) % 60)} min`;
}

/** Time left to a deadline as mm:ss (h:mm:ss past 99 minutes); "expired" at zero. */
export function formatCountdown(ms: number): string {
  if (ms <= 0) return 'expired';
  const s = Math.ceil(ms / 1000);
  if (s >= 100 * 60) return `${Math.floor(s / 3600)}:${pad(Math.floor(s / 60) % 60)}:${pad(s % 60)}`;
  return `${pad(Math.floor(s / 60))}:${pad(s % 60)}`;
}

/** Local wall-clock time: the time of day for today, date and time otherwise. */
export function formatTime(iso: string | undefined, now = Date.now()): string {
  const t = parseTime(iso);
  if (t === undefined) return iso ?? '';
  const d = new Date(t);
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  if (new Date(now).toDateString() === d.toDateString()) return time;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** A 0..1 confidence as a percentage. */
export function formatPercent(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return '';
  return `${Math.round(ratio * 100)} %`;
}

/** A 0..1 score with two decimals. */
export function formatScore(score: number | undefined): string {
  if (score === undefined || !Number.isFinite(score)) return '';
  return score.toFixed(2);
}

export function formatRef(ref: ObjectRef | undefined): string {
  if (!ref) return '';
  return `${ref.kind} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
}

export function formatNumber(n: number | undefined): string {
  return n === undefined ? '' : n.toLocaleString('en');
}

/** The page path of one remediation. */
export function remediationPath(namespace: string, name: string): string {
  return `/remediations/${encodeURIComponent(namespace)}/${encodeURIComponent(name)}`;
}

/** "ns/name" or a bare name (in defaultNamespace) to the remediation's page path. */
export function remediationLink(ref: string, defaultNamespace: string): string {
  const slash = ref.indexOf('/');
  return slash > 0 ? remediationPath(ref.slice(0, slash), ref.slice(slash + 1)) : remediationPath(defaultNamespace, ref);
}
