// "/catalog": the registered workflows and, per target, what was done to it and how well it worked.
import type { CatalogView } from '../../api-types.ts';
import { Badge } from '../components/badge.tsx';
import { Chips, DataTable, Time } from '../components/fields.tsx';
import { LoadState } from '../components/load-state.tsx';
import { formatScore, remediationPath } from '../format.ts';
import { usePolling, useResource, useTitle } from '../hooks.ts';
import { useLiveChanges } from '../live.tsx';

export function CatalogPage() {
  useTitle('Catalog');
  const catalog = useResource<CatalogView>('/api/catalog');
  // History grows when a remediation ends; the catalog itself changes rarely (no watch for it).
  useLiveChanges((e) => e.kind === 'RemediationRequest' || e.kind === 'EffectivenessAssessment', catalog.reload, 1000);
  usePolling(catalog.reload, 30_000);
  const data = catalog.data;
  return (
    <>
      <h1>Catalog</h1>
      <LoadState error={catalog.error} hasData={Boolean(data)} what="catalog" />
      {data?.error && <p class="notice error">The workflow catalog answered with an error: {data.error}</p>}
      {data && (
        <>
          <section aria-labelledby="workflows-h">
            <h2 id="workflows-h">Workflows ({data.workflows.length})</h2>
            {data.workflows.length === 0 ? (
              <p class="empty">No workflow is registered.</p>
            ) : (
              <DataTable caption="Registered workflows" columns={['Workflow', 'Versions', 'Action type', 'Status', 'Labels', 'Parameters']}>
                {data.workflows.map((w) => (
                  <tr key={`${w.workflowId}@${w.version}`}>
                    <th scope="row">
                      <span class="mono">{w.workflowId}</span>
                      {w.name && w.name !== w.workflowId && <div>{w.name}</div>}
                      {w.description && <div class="muted small">{w.description}</div>}
                    </th>
                    <td>
                      <strong>{w.version}</strong>
                      {w.versions.filter((v) => v !== w.version).length > 0 && <div class="muted small">also {w.versions.filter((v) => v !== w.version).join(', ')}</div>}
                    </td>
                    <td>{w.actionType}</td>
                    <td>
                      <Badge value={w.status} />
                    </td>
                    <td>
                      <Chips values={w.labels} />
                      {Object.keys(w.detectedLabels).length > 0 && (
                        <>
                          <div class="muted small">detected labels</div>
                          <Chips values={w.detectedLabels} />
                        </>
                      )}
                    </td>
                    <td>
                      {w.parameters.length === 0 ? (
                        <span class="muted">none</span>
                      ) : (
                        <details>
                          <summary>
                            {w.parameters.length} {w.parameters.length === 1 ? 'parameter' : 'parameters'}
                          </summary>
                          <ul class="params">
                            {w.parameters.map((p) => (
                              <li key={p.name}>
                                <span class="mono">{p.name}</span>
                                {p.type && <span class="muted"> {p.type}</span>}
                                {p.required && <span class="required"> required</span>}
                                {p.description && <div class="small">{p.description}</div>}
                              </li>
                            ))}
                          </ul>
                        </details>
                      )}
                    </td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
          <section aria-labelledby="history-h">
            <h2 id="history-h">Remediation history by target</h2>
            {data.history.length === 0 && <p class="empty">No remediation has ended yet.</p>}
            {data.history.map((h) => (
              <div key={h.target} class="history">
                <h3 class="mono">{h.target}</h3>
                <DataTable caption={`Remediations of ${h.target}, newest first`} columns={['Remediation', 'Workflow', 'Outcome', 'When', 'Effectiveness']} compact>
                  {h.entries.map((e, i) => (
                    <tr key={i}>
                      <th scope="row">
                        <a href={remediationPath(e.namespace, e.remediation)}>{e.remediation}</a>
                      </th>
                      <td class="mono">{e.workflowId}</td>
                      <td>
                        <Badge value={e.outcome} />
                      </td>
                      <td>
                        <Time at={e.at} />
                      </td>
                      <td>{e.effectivenessScore === undefined ? <span class="muted">—</span> : formatScore(e.effectivenessScore)}</td>
                    </tr>
                  ))}
                </DataTable>
              </div>
            ))}
          </section>
        </>
      )}
    </>
  );
}
