/**
 * The Prometheus-compatible HTTP API of the embedded alerting stack (issue 4), served by
 * `kubernaut up` on :9190 so Grafana, curl and users see what a Prometheus + Alertmanager would show:
 *
 * ```ts
 * const api = await startAlertingApi({ backend, host: '127.0.0.1', port: 9190 });
 * // GET /api/v1/query?query=up, /api/v1/query_range, /api/v1/rules, /api/v1/alerts, /api/v1/targets,
 * // /api/v1/series, /api/v1/labels, /api/v1/label/<name>/values, /api/v1/status/buildinfo,
 * // /api/v2/alerts (Alertmanager shape, from backend.dispatcher), /-/healthy, /-/ready,
 * // /alerts (HTML, auto-refreshing) and / (redirects to /alerts)
 * await api.close();
 * ```
 *
 * Errors of /api/v1 use Prometheus' `{status:'error', errorType, error}` body (400 bad_data,
 * 422 execution), not RFC 7807, because Prometheus clients parse that format.
 */
export { createAlertingApi, startAlertingApi, BUILD_VERSION, type AlertingApiServer } from './server.ts';
export { DEFAULT_LOOKBACK_DELTA_MS, type AlertingApiBackend } from './backend.ts';
export { renderAlertsPage, escapeHtml, type AlertsPageInput } from './alerts-page.ts';
export { formatSampleValue, formatAlertValue } from './format.ts';
