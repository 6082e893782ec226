/**
 * The Alerts page: the firing and pending alerts of a Prometheus-compatible API
 * (`GET /api/v1/alerts`), firing first, then the longest active.
 */
import type { AlertView, AlertsView } from '../../api-types.ts';
import { compareTimes, str, strMap, time } from './objects.ts';

/** At most this many alerts are listed. */
export const MAX_ALERTS = 500;

const STATE_ORDER: Record<string, number> = { firing: 0, pending: 1 };

export function alertsView(body: unknown, alertsPage?: string): AlertsView {
  const raw = (body as { data?: { alerts?: unknown } } | undefined)?.data?.alerts;
  if (!Array.isArray(raw)) return { ...(alertsPage ? { alertsPage } : {}), alerts: [], error: 'the alerting API answered without data.alerts' };
  const alerts: AlertView[] = raw
    .filter((a) => a && typeof a === 'object')
    .map((a: any) => {
      const labels = strMap(a.labels);
      const activeAt = time(a.activeAt);
      const value = typeof a.value === 'string' ? a.value : typeof a.value === 'number' ? String(a.value) : undefined;
      return { name: labels.alertname ?? '', state: str(a.state) ?? 'unknown', labels, annotations: strMap(a.annotations), ...(activeAt ? { activeAt } : {}), ...(value !== undefined ? { value } : {}) };
    })
    .sort((a, b) => (STATE_ORDER[a.state] ?? 2) - (STATE_ORDER[b.state] ?? 2) || compareTimes(a.activeAt, b.activeAt) || a.name.localeCompare(b.name))
    .slice(0, MAX_ALERTS);
  return { ...(alertsPage ? { alertsPage } : {}), alerts };
}
