// "/approvals": the requests waiting for a human, each with its deadline and decision form, and
// the recent decisions below.
import { useState } from 'preact/hooks';
import { useApprovals } from '../approvals-store.tsx';
import { ApprovalCard } from '../components/approval-card.tsx';
import { Badge } from '../components/badge.tsx';
import { DataTable, Time } from '../components/fields.tsx';
import { LoadState } from '../components/load-state.tsx';
import { remediationLink } from '../format.ts';
import { useTitle } from '../hooks.ts';
import { useSession } from '../session.tsx';

export function ApprovalsPage() {
  useTitle('Approvals');
  const approvals = useApprovals();
  const session = useSession();
  const [announcement, setAnnouncement] = useState('');
  const data = approvals.data;
  const signedIn = Boolean(session.view?.user);
  return (
    <>
      <div class="page-head">
        <h1>Approvals</h1>
        {session.signingIn && <p class="muted">Signing in…</p>}
      </div>
      {session.view && !signedIn && !session.signingIn && (
        <p class="notice">
          You are not signed in: you can read the requests, not decide them. <a href="/sign-in?next=/approvals">Sign in to decide</a>
        </p>
      )}
      <div aria-live="polite" class="announcement">
        {announcement && <p class="notice ok">{announcement}</p>}
      </div>
      <LoadState error={approvals.error} hasData={Boolean(data)} what="approval requests" />
      {data && (
        <>
          <section aria-labelledby="pending-h">
            <h2 id="pending-h">Pending ({data.pending.length})</h2>
            {data.pending.length === 0 ? (
              <p class="empty">No approval request is waiting for a decision.</p>
            ) : (
              <div class="cards">
                {data.pending.map((a) => (
                  <ApprovalCard
                    key={`${a.namespace}/${a.name}`}
                    approval={a}
                    level={3}
                    onDecided={(text) => {
                      setAnnouncement(text);
                      approvals.reload();
                    }}
                  />
                ))}
              </div>
            )}
          </section>
          <section aria-labelledby="recent-h">
            <h2 id="recent-h">Recent decisions</h2>
            {data.recent.length === 0 ? (
              <p class="empty">No decisions yet.</p>
            ) : (
              <DataTable caption="Recent decisions, newest first" columns={['Request', 'Remediation', 'Decision', 'By', 'When', 'Message']}>
                {data.recent.map((a) => (
                  <tr key={`${a.namespace}/${a.name}`} data-testid="recent-decision" data-name={`${a.namespace}/${a.name}`}>
                    <th scope="row" class="mono">
                      {a.namespace}/{a.name}
                    </th>
                    <td>
                      <a href={remediationLink(a.remediation, a.namespace)}>{a.remediation}</a>
                    </td>
                    <td>
                      <Badge value={a.decision ?? (a.expired ? 'Expired' : undefined)} />
                    </td>
                    <td>{a.decidedBy ?? <span class="muted">—</span>}</td>
                    <td>
                      <Time at={a.decidedAt ?? (a.expired ? a.requiredBy : undefined)} />
                    </td>
                    <td class="prewrap">{a.decisionMessage}</td>
                  </tr>
                ))}
              </DataTable>
            )}
          </section>
        </>
      )}
    </>
  );
}
