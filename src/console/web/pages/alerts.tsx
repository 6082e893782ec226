// "/alerts": what the embedded alerting fires or is about to fire. Alerts are no Kubernetes
// objects, so no watch announces them: the page polls.
import type { AlertView, AlertsView } from '../../api-types.ts';
import { Badge } from '../components/badge.tsx';
import { Chips, DataTable, KeyValues, Time } from '../components/fields.tsx';
import { LoadState } from '../components/load-state.tsx';
import { formatAge, parseTime } from '../format.ts';
import { useNow, usePolling, useResource, useTitle } from '../hooks.ts';

/** Only http(s) links leave the page: a javascript: or data: URL from the server is not followed. */
function safeLink(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url, location.href);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}

function AlertTable(props: { alerts: AlertView[]; caption: string; now: number }) {
  return (
    <DataTable caption={props.caption} columns={['Alert', 'State', 'Labels', 'Annotations', 'Active since', 'Value']}>
      {props.alerts.map((a, i) => {
        const since = parseTime(a.activeAt);
        return (
          <tr key={i} data-testid="alert-row" data-name={a.name}>
            <th scope="row">{a.name}</th>
            <td>
              <Badge value={a.state} />
            </td>
            <td>
              <Chips values={a.labels} />
            </td>
            <td>
              <KeyValues values={a.annotations} empty="—" />
            </td>
            <td class="nowrap">
              <Time at={a.activeAt} now={props.now} />
              {since !== undefined && <div class="muted small">{formatAge(props.now - since)}</div>}
            </td>
            <td class="mono">{a.value}</td>
          </tr>
        );
      })}
    </DataTable>
  );
}

const POLL_MS = 5000;

export function AlertsPage() {
  useTitle('Alerts');
  const alerts = useResource<AlertsView>('/api/alerts');
  usePolling(alerts.reload, POLL_MS);
  const now = useNow(1000);
  const data = alerts.data;
  const link = safeLink(data?.alertsPage);
  const firing = data?.alerts.filter((a) => a.state === 'firing') ?? [];
  const pending = data?.alerts.filter((a) => a.state === 'pending') ?? [];
  const other = data?.alerts.filter((a) => a.state !== 'firing' && a.state !== 'pending') ?? [];
  return (
    <>
      <div class="page-head">
        <h1>Alerts</h1>
        {link && (
          <p>
            <a href={link}>Open the alerting's own page</a>
          </p>
        )}
      </div>
      <LoadState error={alerts.error} hasData={Boolean(data)} what="alerts" />
      {data?.error && <p class="notice error">The alerting answered with an error: {data.error}</p>}
      {data && (
        <>
          <section aria-labelledby="firing-h">
            <h2 id="firing-h">Firing ({firing.length})</h2>
            {firing.length === 0 ? <p class="empty">No alert is firing.</p> : <AlertTable alerts={firing} caption="Firing alerts" now={now} />}
          </section>
          <section aria-labelledby="pending-alerts-h">
            <h2 id="pending-alerts-h">Pending ({pending.length})</h2>
            {pending.length === 0 ? <p class="empty">No alert is pending.</p> : <AlertTable alerts={pending} caption="Pending alerts" now={now} />}
          </section>
          {other.length > 0 && (
            <section aria-labelledby="other-alerts-h">
              <h2 id="other-alerts-h">Other ({other.length})</h2>
              <AlertTable alerts={other} caption="Other alerts" now={now} />
            </section>
          )}
        </>
      )}
    </>
  );
}
