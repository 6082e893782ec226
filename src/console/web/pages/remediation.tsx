// "/remediations/:ns/:name": one remediation from signal to audit trail, refetched whenever the
// RR or one of its children changes.
import { useRoute } from 'preact-iso/router';
import { useState } from 'preact/hooks';
import type { RemediationDetail } from '../../api-types.ts';
import { apiPath } from '../api.ts';
import { useApprovals } from '../approvals-store.tsx';
import { ApprovalCard } from '../components/approval-card.tsx';
import { Badge } from '../components/badge.tsx';
import { Facts, Time } from '../components/fields.tsx';
import { LoadState } from '../components/load-state.tsx';
import { formatAge, formatRef, parseTime } from '../format.ts';
import { useNow, useResource, useTitle } from '../hooks.ts';
import { useLiveChanges } from '../live.tsx';
import {
  AnalysisSection,
  AuditSection,
  EffectivenessSection,
  EnrichmentSection,
  ExecutionSection,
  NotificationsSection,
  Section,
  SignalSection,
  Timeline,
} from './remediation-sections.tsx';

export function RemediationPage() {
  const { params } = useRoute();
  const ns = params.ns ?? '';
  const name = params.name ?? '';
  useTitle(name);
  const detail = useResource<RemediationDetail>(apiPath('remediations', ns, name));
  const key = `${ns}/${name}`;
  useLiveChanges((e) => e.remediation === key || (e.kind === 'RemediationRequest' && e.namespace === ns && e.name === name), detail.reload);
  const approvals = useApprovals();
  const [announcement, setAnnouncement] = useState('');
  const now = useNow(1000);

  const crumbs = (
    <nav aria-label="Breadcrumb" class="crumbs">
      <a href="/">Remediations</a> <span aria-hidden="true">/</span> <a href={`/?namespace=${encodeURIComponent(ns)}`}>{ns}</a>
    </nav>
  );
  const d = detail.data;
  if (!d) {
    return (
      <>
        {crumbs}
        <h1>{name}</h1>
        {detail.error?.status === 404 ? (
          <p class="notice" role="alert">
            There is no remediation {key} (any more). <a href="/">See all remediations</a>
          </p>
        ) : (
          <LoadState error={detail.error} hasData={false} what="remediation" />
        )}
      </>
    );
  }

  const r = d.row;
  const created = parseTime(r.createdAt);
  const sections: Array<[string, string, boolean]> = [
    ['timeline', 'Timeline', true],
    ['signal', 'Signal', true],
    ['enrichment', 'Enrichment', Boolean(d.enrichment)],
    ['analysis', 'Investigation', Boolean(d.analysis)],
    ['approval', 'Approval', Boolean(d.approval)],
    ['execution', 'Execution', Boolean(d.execution)],
    ['effectiveness', 'Effectiveness', Boolean(d.effectiveness)],
    ['notifications', 'Notifications', true],
    ['audit', 'Audit trail', true],
  ];
  return (
    <>
      {crumbs}
      <div class="page-head">
        <h1>{r.name}</h1>
        <p class="muted">
          {r.signalName} on {formatRef(r.target)}
        </p>
      </div>
      <LoadState error={detail.error} hasData what="remediation" />
      <div class="card status-card">
        <dl class="status-line" aria-live="polite">
          <div>
            <dt>Phase</dt>
            <dd>
              <Badge value={r.phase} testid="rr-phase" />
            </dd>
          </div>
          <div>
            <dt>Outcome</dt>
            <dd>
              <Badge value={r.outcome} testid="rr-outcome" />
            </dd>
          </div>
          <div class="stage">
            <dt>Stage</dt>
            <dd data-testid="rr-stage">{r.stage}</dd>
          </div>
        </dl>
        <Facts
          class="inline"
          facts={[
            ['Namespace', r.namespace],
            ['Severity', r.severity],
            ['Environment', r.environment],
            ['Priority', r.priority],
            ['Workflow', r.workflowId],
            [
              'Created',
              <>
                <Time at={r.createdAt} now={now} />
                {created !== undefined && <span class="muted"> ({formatAge(now - created)} ago)</span>}
              </>,
            ],
            ['Completed', r.completedAt && <Time at={r.completedAt} now={now} />],
          ]}
        />
        {d.message && <p class="prewrap">{d.message}</p>}
        {d.failure && (
          <p class="notice error">
            Failed{d.failure.phase ? ` in ${d.failure.phase}` : ''}
            {d.failure.reason ? ` (${d.failure.reason})` : ''}
            {d.failure.message ? `: ${d.failure.message}` : ''}
          </p>
        )}
        {r.awaitingApproval && d.approval?.open && (
          <p class="notice">
            Waiting for a decision: <a href="#approval">approve or reject below</a>.
          </p>
        )}
      </div>
      <nav aria-label="Sections of this page" class="toc">
        <ul>
          {sections
            .filter(([, , shown]) => shown)
            .map(([id, label]) => (
              <li key={id}>
                <a href={`#${id}`}>{label}</a>
              </li>
            ))}
        </ul>
      </nav>
      <Section id="timeline" title="Timeline">
        <Timeline entries={d.timeline} now={now} />
      </Section>
      <div class="two-col">
        <SignalSection signal={d.signal} />
        {d.enrichment && <EnrichmentSection enrichment={d.enrichment} />}
      </div>
      {d.analysis && <AnalysisSection analysis={d.analysis} />}
      {d.approval && (
        <Section id="approval" title="Approval">
          <div aria-live="polite" class="visually-hidden">
            {announcement}
          </div>
          <ApprovalCard
            approval={d.approval}
            level={3}
            showRemediation={false}
            onDecided={(text) => {
              setAnnouncement(text);
              detail.reload();
              approvals.reload();
            }}
          />
        </Section>
      )}
      {d.execution && <ExecutionSection execution={d.execution} />}
      {d.effectiveness && <EffectivenessSection effectiveness={d.effectiveness} />}
      <NotificationsSection notifications={d.notifications} />
      <AuditSection audit={d.audit} />
    </>
  );
}
