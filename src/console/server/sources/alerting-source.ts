/**
 * The alerts of a Prometheus-compatible API (`GET <alertingUrl>/api/v1/alerts`: the embedded
 * alerting, a Prometheus, Thanos...), with a timeout; a failure is the view's `error`, not a 500.
 */
import type { AlertsView } from '../../api-types.ts';
import { alertsView } from '../views/alerts.ts';

export const DEFAULT_ALERTING_TIMEOUT_MS = 5000;
/** A larger answer is not read (the view lists a few hundred alerts at most anyway). */
const MAX_BODY_BYTES = 8 * 1024 * 1024;

export class AlertingSource {
  constructor(
    private readonly baseUrl: string | undefined,
    private readonly alertsPageUrl: string | undefined,
    private readonly bearerToken?: () => string | undefined,
    private readonly timeoutMs = DEFAULT_ALERTING_TIMEOUT_MS,
  ) {}

  async alerts(): Promise<AlertsView> {
    const page = this.alertsPageUrl ? { alertsPage: this.alertsPageUrl } : {};
    if (!this.baseUrl) return { ...page, alerts: [], error: 'no alerting API configured' };
    const url = new URL('api/v1/alerts', this.baseUrl.endsWith('/') ? this.baseUrl : `${this.baseUrl}/`);
    const what = `GET ${url.pathname} at ${url.origin}`;
    try {
      const token = this.bearerToken?.();
      const res = await fetch(url, { headers: { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) }, signal: AbortSignal.timeout(this.timeoutMs) });
      const text = await res.text();
      if (!res.ok) return { ...page, alerts: [], error: `${what} answered ${res.status}: ${text.slice(0, 200)}` };
      if (text.length > MAX_BODY_BYTES) return { ...page, alerts: [], error: `${what} answered more than ${MAX_BODY_BYTES} bytes` };
      return alertsView(JSON.parse(text), this.alertsPageUrl);
    } catch (err) {
      const e = err as { name?: string; message?: string; cause?: { code?: string } };
      const why = e.name === 'TimeoutError' || e.name === 'AbortError' ? `timed out after ${this.timeoutMs} ms` : e.name === 'SyntaxError' ? 'answered a body that is not JSON' : `failed: ${e.cause?.code ?? e.message ?? String(err)}`;
      return { ...page, alerts: [], error: `${what} ${why}` };
    }
  }
}
