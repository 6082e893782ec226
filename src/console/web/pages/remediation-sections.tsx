// The sections of one remediation's page, one component each, in the order of the pipeline.
import type { ComponentChildren } from 'preact';
import type { AnalysisView, AuditView, EffectivenessView, EnrichmentView, ExecutionView, NotificationView, SignalView, TimelineEntry, ToolCallView } from '../../api-types.ts';
import { Badge } from '../components/badge.tsx';
import { DataTable, Facts, KeyValues, ParamsTable, Pre, Time } from '../components/fields.tsx';
import { formatDuration, formatNumber, formatPercent, formatRef, formatScore, parseTime } from '../format.ts';

export function Section(props: { id: string; title: string; children: ComponentChildren; aside?: ComponentChildren }) {
  return (
    <section id={props.id} class="card section" aria-labelledby={`${props.id}-h`}>
      <div class="card-head">
        <h2 id={`${props.id}-h`}>{props.title}</h2>
        {props.aside}
      </div>
      {props.children}
    </section>
  );
}

const KIND_LABEL: Record<TimelineEntry['kind'], string> = {
  RemediationRequest: 'Remediation',
  SignalProcessing: 'Signal processing',
  AIAnalysis: 'AI analysis',
  RemediationApprovalRequest: 'Approval',
  WorkflowExecution: 'Workflow execution',
  Job: 'Job',
  EffectivenessAssessment: 'Effectiveness',
  NotificationRequest: 'Notification',
};

const FINISHED = /^(completed|failed|timedout|skipped|cancelled|approved|rejected|expired|succeeded|sent|partiallysent)$/i;
const isFinished = (phase: string | undefined) => FINISHED.test(phase ?? '');

/** Each stage with when it started and how long it took, plus a bar placing it on the whole run. */
export function Timeline(props: { entries: TimelineEntry[]; now: number }) {
  const spans = props.entries.map((e) => {
    const start = parseTime(e.startedAt);
    const end = parseTime(e.endedAt) ?? (start !== undefined && e.durationMs !== undefined ? start + e.durationMs : undefined);
    // A finished stage without an end time (older objects) is not shown as running forever.
    const running = start !== undefined && end === undefined && !isFinished(e.phase);
    return { start, end, running, until: end ?? (running ? props.now : start) };
  });
  const t0 = Math.min(...spans.map((s) => s.start ?? Infinity));
  const t1 = Math.max(...spans.map((s) => s.until ?? t0), t0 + 1);
  if (props.entries.length === 0) return <p class="muted">Nothing has happened yet.</p>;
  return (
    <ol class="timeline">
      {props.entries.map((e, i) => {
        const { start, running, until } = spans[i];
        const duration = e.durationMs ?? (start !== undefined && until !== undefined && until !== start ? until - start : undefined);
        const x = start === undefined ? 0 : ((start - t0) / (t1 - t0)) * 1000;
        const width = start === undefined || until === undefined ? 0 : Math.max(6, ((until - start) / (t1 - t0)) * 1000);
        return (
          <li key={`${e.kind}/${e.name}`} class={`tl-item tone-line-${running ? 'running' : 'done'}`} data-testid="timeline-entry" data-kind={e.kind} data-phase={e.phase ?? ''}>
            <div class="tl-head">
              <span class="tl-kind">{KIND_LABEL[e.kind] ?? e.kind}</span>
              <Badge value={e.phase} />
              <span class="tl-name mono">{e.name}</span>
            </div>
            <div class="tl-meta">
              {e.startedAt ? <Time at={e.startedAt} now={props.now} /> : <span>not started</span>}
              {duration !== undefined && <span>{running ? `running for ${formatDuration(duration)}` : formatDuration(duration)}</span>}
            </div>
            {e.detail && <p class="tl-detail">{e.detail}</p>}
            {start !== undefined && (
              <svg class="tl-bar" viewBox="0 0 1000 10" preserveAspectRatio="none" aria-hidden="true" focusable="false">
                <rect class="tl-track" x="0" y="0" width="1000" height="10" />
                <rect class={running ? 'tl-span running' : 'tl-span'} x={Math.min(x, 994)} y="0" width={Math.min(width, 1000 - Math.min(x, 994))} height="10" />
              </svg>
            )}
          </li>
        );
      })}
    </ol>
  );
}

export function SignalSection({ signal: s }: { signal: SignalView }) {
  return (
    <Section id="signal" title="Signal">
      <Facts
        facts={[
          ['Name', s.name],
          ['Severity', s.severity],
          ['Source', s.source],
          ['Type', s.type],
          ['Fingerprint', <span class="mono">{s.fingerprint}</span>],
          ['Firing since', s.firingTime && <Time at={s.firingTime} />],
          ['Received', s.receivedTime && <Time at={s.receivedTime} />],
          ['Occurrences', formatNumber(s.occurrences)],
          ['Last seen', s.lastSeen && <Time at={s.lastSeen} />],
        ]}
      />
      <h3>Annotations</h3>
      <KeyValues values={s.annotations} testid="signal-annotation" />
      <h3>Labels</h3>
      <KeyValues values={s.labels} />
    </Section>
  );
}

export function EnrichmentSection({ enrichment: e }: { enrichment: EnrichmentView }) {
  return (
    <Section id="enrichment" title="Enrichment and classification" aside={<Badge value={e.phase} />}>
      <Facts
        facts={[
          ['Environment', e.environment],
          ['Priority', e.priority],
          ['Severity', e.severity],
          ['Signal mode', e.signalMode],
          ['Business unit', e.businessUnit],
          ['Criticality', e.criticality],
        ]}
      />
      <h3>Owner chain</h3>
      {e.ownerChain.length === 0 ? (
        <p class="muted">Unknown</p>
      ) : (
        <ol class="owner-chain">
          {e.ownerChain.map((r, i) => (
            <li key={i} class="mono">
              {formatRef(r)}
            </li>
          ))}
        </ol>
      )}
      <h3>Detected labels</h3>
      <KeyValues values={e.detectedLabels} />
      {e.failedDetections && e.failedDetections.length > 0 && <p class="warning">Could not detect: {e.failedDetections.join(', ')}</p>}
    </Section>
  );
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

function ToolCall({ call: c }: { call: ToolCallView }) {
  return (
    <li>
      <details>
        <summary>
          <span class="mono">{c.tool}</span>
          {c.durationMs !== undefined && <span class="muted"> · {formatDuration(c.durationMs)}</span>}
          {c.truncated && <span class="muted"> · output truncated</span>}
        </summary>
        <div class="tool-call">
          <p class="label">Arguments</p>
          <Pre text={prettyJson(c.arguments)} label={`Arguments of call ${c.index}, ${c.tool}`} />
          <p class="label">Output{c.truncated ? ' (truncated)' : ''}</p>
          <Pre text={c.output} label={`Output of call ${c.index}, ${c.tool}`} />
        </div>
      </details>
    </li>
  );
}

export function AnalysisSection({ analysis: a }: { analysis: AnalysisView }) {
  const w = a.workflow;
  const u = a.usage;
  return (
    <Section id="analysis" title="Investigation" aside={<Badge value={a.phase} />}>
      <Facts
        facts={[
          ['Outcome', a.outcome],
          ['Reason', a.reason],
          ['Message', a.message],
          ['Confidence', formatPercent(a.confidence)],
          ['Affected resource', formatRef(a.affectedResource)],
          ['Approval required', a.approvalRequired && (a.approvalReason ? `yes: ${a.approvalReason}` : 'yes')],
          ['Human review needed', a.needsHumanReview && (a.humanReviewReason ? `yes: ${a.humanReviewReason}` : 'yes')],
        ]}
      />
      {(a.rootCauseSummary || a.rootCause) && (
        <>
          <h3>Root cause</h3>
          {a.rootCauseSummary && <p class="lead prewrap">{a.rootCauseSummary}</p>}
          {a.rootCause && a.rootCause !== a.rootCauseSummary && <p class="prewrap">{a.rootCause}</p>}
        </>
      )}
      {a.contributingFactors.length > 0 && (
        <>
          <h3>Contributing factors</h3>
          <ul>
            {a.contributingFactors.map((f, i) => (
              <li key={i}>{f}</li>
            ))}
          </ul>
        </>
      )}
      {w && (
        <>
          <h3>Selected workflow</h3>
          <Facts
            facts={[
              ['Workflow', <span class="mono">{w.workflowId}</span>],
              ['Version', w.version],
              ['Action type', w.actionType],
              ['Execution bundle', w.executionBundle && <span class="mono">{w.executionBundle}</span>],
              ['Confidence', formatPercent(w.confidence)],
            ]}
          />
          {w.rationale && <p class="prewrap">{w.rationale}</p>}
          <ParamsTable params={w.parameters} caption={`Parameters of ${w.workflowId}`} />
        </>
      )}
      {a.warnings.length > 0 && (
        <>
          <h3>Warnings</h3>
          <ul class="warnings">
            {a.warnings.map((x, i) => (
              <li key={i}>{x}</li>
            ))}
          </ul>
        </>
      )}
      {u && (
        <>
          <h3>Token use</h3>
          <Facts
            class="inline"
            facts={[
              ['Model', [u.provider, u.model].filter(Boolean).join(' / ')],
              ['Prompt tokens', formatNumber(u.promptTokens)],
              ['Completion tokens', formatNumber(u.completionTokens)],
              ['Total tokens', formatNumber(u.totalTokens)],
              ['LLM turns', formatNumber(u.llmTurns)],
              ['Tool calls', formatNumber(u.toolCalls)],
              ['Latency', formatDuration(u.latencyMs)],
            ]}
          />
        </>
      )}
      <h3>
        Evidence ({a.evidence.length} tool {a.evidence.length === 1 ? 'call' : 'calls'})
      </h3>
      {a.evidence.length === 0 ? (
        <p class="muted">No tool calls recorded.</p>
      ) : (
        <ol class="evidence">
          {a.evidence.map((c) => (
            <ToolCall key={c.index} call={c} />
          ))}
        </ol>
      )}
    </Section>
  );
}

export function ExecutionSection({ execution: x }: { execution: ExecutionView }) {
  const started = parseTime(x.startedAt);
  const completed = parseTime(x.completedAt);
  return (
    <Section id="execution" title="Execution" aside={<Badge value={x.phase} />}>
      <Facts
        facts={[
          ['WorkflowExecution', <span class="mono">{x.name}</span>],
          ['Workflow', x.workflowId],
          ['Job', formatRef(x.job)],
          ['Started', x.startedAt && <Time at={x.startedAt} />],
          ['Completed', x.completedAt && <Time at={x.completedAt} />],
          ['Duration', started !== undefined && completed !== undefined && formatDuration(completed - started)],
          ['Failure', x.failureReason],
        ]}
      />
      <h3>Job log</h3>
      {x.log ? (
        <>
          <p class="muted">
            Pod <span class="mono">{x.log.pod}</span>
            {x.log.truncated ? ', last lines only' : ''}
          </p>
          <Pre text={x.log.text} label={`Log of pod ${x.log.pod}`} />
        </>
      ) : (
        <p class="muted">No log available.</p>
      )}
    </Section>
  );
}

export function EffectivenessSection({ effectiveness: e }: { effectiveness: EffectivenessView }) {
  return (
    <Section id="effectiveness" title="Effectiveness" aside={<Badge value={e.phase} />}>
      {e.overallScore !== undefined && (
        <p class="score">
          <span class="score-label" id="overall-score-label">
            Overall score
          </span>{' '}
          <strong>{formatScore(e.overallScore)}</strong> <meter min={0} max={1} low={0.5} high={0.8} optimum={1} value={e.overallScore} aria-labelledby="overall-score-label" />
        </p>
      )}
      <Facts
        facts={[
          ['Reason', e.reason],
          ['Message', e.message],
          ['Completed', e.completedAt && <Time at={e.completedAt} />],
        ]}
      />
      {e.components.length > 0 && (
        <DataTable caption="Effectiveness by component" columns={['Component', 'Assessed', 'Score', 'Details']} compact>
          {e.components.map((c) => (
            <tr key={c.name}>
              <th scope="row">{c.name}</th>
              <td>{c.assessed === undefined ? '' : c.assessed ? 'yes' : 'no'}</td>
              <td>{formatScore(c.score)}</td>
              <td>{c.details}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </Section>
  );
}

export function NotificationsSection({ notifications }: { notifications: NotificationView[] }) {
  return (
    <Section id="notifications" title="Notifications">
      {notifications.length === 0 ? (
        <p class="muted">None sent.</p>
      ) : (
        <DataTable caption="Notifications" columns={['Subject', 'Type', 'Phase', 'Channels', 'Created']} compact>
          {notifications.map((n) => (
            <tr key={n.name}>
              <th scope="row">
                {n.subject}
                <div class="muted mono small">{n.name}</div>
              </th>
              <td>{n.type}</td>
              <td>
                <Badge value={n.phase} />
              </td>
              <td>{n.channels.join(', ')}</td>
              <td>
                <Time at={n.createdAt} />
              </td>
            </tr>
          ))}
        </DataTable>
      )}
    </Section>
  );
}

function ChainStatus({ audit }: { audit: AuditView }) {
  const c = audit.chain;
  if (!c) {
    return (
      <p class="chain unknown" data-testid="chain-status" data-valid="unknown">
        chain not checked{audit.error ? `: ${audit.error}` : ''}
      </p>
    );
  }
  return (
    <p class={`chain ${c.valid ? 'ok' : 'bad'}`} data-testid="chain-status" data-valid={String(c.valid)}>
      {c.valid ? 'chain verified ✓' : 'chain NOT verified ✗'} ({c.checked} {c.checked === 1 ? 'event' : 'events'} checked)
      {c.detail ? `: ${c.detail}` : ''}
    </p>
  );
}

export function AuditSection({ audit }: { audit: AuditView }) {
  return (
    <Section id="audit" title="Audit trail" aside={<ChainStatus audit={audit} />}>
      {audit.error && <p class="notice error">Could not read the audit trail: {audit.error}</p>}
      {audit.events.length === 0 ? (
        <p class="muted">No audit events.</p>
      ) : (
        <DataTable caption="Audit events, oldest first" columns={['Time', 'Event', 'Outcome', 'Actor', 'Resource', 'Summary']} compact region>
          {audit.events.map((e, i) => (
            <tr key={i}>
              <td class="nowrap">
                <Time at={e.at} />
              </td>
              <th scope="row" class="mono">
                {e.type}
                {e.category && <div class="muted small">{e.category}</div>}
              </th>
              <td>{e.outcome}</td>
              <td>{e.actor}</td>
              <td class="mono small">{e.resource}</td>
              <td>{e.summary}</td>
            </tr>
          ))}
        </DataTable>
      )}
    </Section>
  );
}
