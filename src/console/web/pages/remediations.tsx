// "/": every RemediationRequest, newest first as the server sends them, with filters kept in the
// URL (so a filtered view can be shared and survives a reload) and refetched on every change.
import { useLocation } from 'preact-iso/router';
import { useEffect, useRef, useState } from 'preact/hooks';
import type { RemediationList } from '../../api-types.ts';
import { Badge } from '../components/badge.tsx';
import { DataTable } from '../components/fields.tsx';
import { LoadState } from '../components/load-state.tsx';
import { formatAge, formatRef, parseTime, remediationPath } from '../format.ts';
import { useNow, useResource, useTitle } from '../hooks.ts';
import { useLiveChanges } from '../live.tsx';

const PHASES = ['Pending', 'Processing', 'Analyzing', 'AwaitingApproval', 'Executing', 'Verifying', 'Blocked', 'Completed', 'Failed', 'TimedOut', 'Skipped', 'Cancelled'];
const OUTCOMES = ['Remediated', 'NoActionRequired', 'ManualReviewRequired', 'VerificationTimedOut'];
const FILTERS = ['namespace', 'phase', 'outcome', 'target'] as const;
type Filters = Record<(typeof FILTERS)[number], string>;
const TARGET_TYPING_DELAY_MS = 250;

function queryString(f: Filters): string {
  const q = new URLSearchParams();
  for (const k of FILTERS) if (f[k]) q.set(k, f[k]);
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** The known values plus the current one, should the server know a value this page does not. */
function options(known: string[], current: string): string[] {
  return current && !known.includes(current) ? [...known, current] : known;
}

function Select(props: { id: string; label: string; value: string; values: string[]; onChange: (v: string) => void }) {
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.currentTarget.value)}>
        <option value="">All</option>
        {props.values.map((v) => (
          <option key={v} value={v}>
            {v}
          </option>
        ))}
      </select>
    </div>
  );
}

export function RemediationsPage() {
  useTitle('Remediations');
  const { query, route } = useLocation();
  const filters: Filters = { namespace: query.namespace ?? '', phase: query.phase ?? '', outcome: query.outcome ?? '', target: query.target ?? '' };
  const list = useResource<RemediationList>(`/api/remediations${queryString(filters)}`, { keepPrevious: true });
  useLiveChanges(() => true, list.reload);
  const now = useNow(1000);

  // Read by the typing timer too, which must not route with the filters of an older render.
  const latest = useRef(filters);
  latest.current = filters;
  const setFilter = (key: keyof Filters, value: string) => route(`/${queryString({ ...latest.current, [key]: value })}`, true);

  // The target box filters as one types, a moment after the last key; the URL may also change
  // under it (back button), then the box shows the URL's value.
  const [target, setTarget] = useState(filters.target);
  const routedTarget = useRef(filters.target);
  const typing = useRef<ReturnType<typeof setTimeout>>();
  useEffect(() => {
    if (filters.target === routedTarget.current) return;
    routedTarget.current = filters.target;
    setTarget(filters.target);
  }, [filters.target]);
  useEffect(() => () => clearTimeout(typing.current), []);
  const onTarget = (value: string) => {
    setTarget(value);
    clearTimeout(typing.current);
    typing.current = setTimeout(() => {
      routedTarget.current = value;
      setFilter('target', value);
    }, TARGET_TYPING_DELAY_MS);
  };

  const data = list.data;
  const filtered = FILTERS.some((k) => filters[k]);
  return (
    <>
      <div class="page-head">
        <h1>Remediations</h1>
        {data && (
          <p class="muted">
            {data.items.length} {data.items.length === 1 ? 'remediation' : 'remediations'}
            {filtered ? ' match' : ''}
          </p>
        )}
      </div>
      <form role="search" aria-label="Filter remediations" class="filters" onSubmit={(e) => e.preventDefault()}>
        <Select
          id="f-namespace"
          label="Namespace"
          value={filters.namespace}
          values={options(data?.namespaces ?? [], filters.namespace)}
          onChange={(v) => setFilter('namespace', v)}
        />
        <Select id="f-phase" label="Phase" value={filters.phase} values={options(PHASES, filters.phase)} onChange={(v) => setFilter('phase', v)} />
        <Select id="f-outcome" label="Outcome" value={filters.outcome} values={options(OUTCOMES, filters.outcome)} onChange={(v) => setFilter('outcome', v)} />
        <div class="field grow">
          <label for="f-target">Target contains</label>
          <input id="f-target" type="search" value={target} placeholder="e.g. Deployment shop/api" onInput={(e) => onTarget(e.currentTarget.value)} />
        </div>
        {filtered && (
          <a class="clear" href="/">
            Clear filters
          </a>
        )}
      </form>
      <LoadState error={list.error} hasData={Boolean(data)} what="remediations" />
      {data && data.items.length === 0 && (
        <p class="empty">{filtered ? 'No remediation matches these filters.' : 'No remediations yet. When an alert fires, its remediation appears here.'}</p>
      )}
      {data && data.items.length > 0 && (
        <DataTable caption="Remediations, newest first" columns={['Namespace', 'Name', 'Signal', 'Severity', 'Target', 'Phase', 'Outcome', 'Stage', 'Age']}>
          {data.items.map((r) => {
            const created = parseTime(r.createdAt);
            return (
              <tr key={`${r.namespace}/${r.name}`} data-testid="remediation-row" data-name={`${r.namespace}/${r.name}`}>
                <td>{r.namespace}</td>
                <th scope="row">
                  <a href={remediationPath(r.namespace, r.name)}>{r.name}</a>
                </th>
                <td class="signal">{r.signalName}</td>
                <td>
                  <span class={`severity sev-${r.severity.toLowerCase().replace(/[^a-z]/g, '')}`}>{r.severity}</span>
                </td>
                <td class="target">{formatRef(r.target)}</td>
                <td>
                  <Badge value={r.phase} testid="rr-phase" />
                </td>
                <td>
                  <Badge value={r.outcome} testid="rr-outcome" />
                </td>
                <td data-testid="rr-stage" class={r.awaitingApproval ? 'stage awaiting' : 'stage'}>
                  {r.awaitingApproval ? <a href="/approvals">{r.stage}</a> : r.stage}
                </td>
                <td class="age">
                  <time dateTime={r.createdAt} title={r.createdAt}>
                    {created === undefined ? '' : formatAge(now - created)}
                  </time>
                </td>
              </tr>
            );
          })}
        </DataTable>
      )}
    </>
  );
}
