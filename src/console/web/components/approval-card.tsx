// One RemediationApprovalRequest: what is proposed and why, the deadline counting down, and —
// while it is open — the form that approves or rejects it as the signed-in user.
import { useState } from 'preact/hooks';
import type { ApprovalView } from '../../api-types.ts';
import { apiPath, errorText, sendJson } from '../api.ts';
import { formatCountdown, formatPercent, formatRef, parseTime, remediationLink } from '../format.ts';
import { useNow } from '../hooks.ts';
import { useSession } from '../session.tsx';
import { Badge } from './badge.tsx';
import { Facts, Heading, ParamsTable, Time } from './fields.tsx';

export function Countdown(props: { requiredBy: string }) {
  const now = useNow(1000);
  const deadline = parseTime(props.requiredBy);
  const left = deadline === undefined ? 0 : deadline - now;
  return (
    <span class={`countdown ${left <= 0 ? 'expired' : left < 60_000 ? 'soon' : ''}`}>
      <span class="countdown-label">{left > 0 ? 'Decide within ' : 'Deadline '}</span>
      <span data-testid="countdown" role="timer" aria-label={left > 0 ? `${Math.ceil(left / 60_000)} minutes left` : 'expired'}>
        {formatCountdown(left)}
      </span>
    </span>
  );
}

export function ApprovalCard(props: { approval: ApprovalView; level: number; onDecided: (text: string) => void; showRemediation?: boolean }) {
  const a = props.approval;
  const headingId = `rar-${a.namespace}-${a.name}`;
  const w = a.workflow;
  return (
    <article class={`card approval${a.open ? ' open' : ''}`} data-testid="approval-card" data-name={`${a.namespace}/${a.name}`} aria-labelledby={headingId}>
      <div class="card-head">
        <Heading level={props.level} id={headingId}>
          {a.name}
        </Heading>
        {a.open ? <Countdown requiredBy={a.requiredBy} /> : <Badge value={a.decision ?? (a.expired ? 'Expired' : undefined)} />}
      </div>
      <div class="approval-body">
        <div>
          <Facts
            facts={[
              ['Remediation', props.showRemediation !== false && <a href={remediationLink(a.remediation, a.namespace)}>{a.remediation}</a>],
              ['Namespace', a.namespace],
              ['Target', formatRef(a.target)],
              ['Recommended workflow', w && `${w.workflowId}${w.version ? ` ${w.version}` : ''}${w.actionType ? ` (${w.actionType})` : ''}`],
              ['Confidence', a.confidence !== undefined && `${formatPercent(a.confidence)}${a.confidenceLevel ? ` (${a.confidenceLevel})` : ''}`],
              ['Why approval is required', a.whyApprovalRequired],
              ['Reason', a.reason],
              ['Requested', a.createdAt && <Time at={a.createdAt} />],
              ['Deadline', <Time at={a.requiredBy} />],
            ]}
          />
          {a.investigationSummary && <p class="prewrap summary">{a.investigationSummary}</p>}
          {w?.rationale && <p class="prewrap">{w.rationale}</p>}
        </div>
        <div>
          {w && Object.keys(w.parameters).length > 0 && (
            <>
              <Heading level={props.level + 1}>Parameters</Heading>
              <ParamsTable params={w.parameters} caption={`Parameters of ${w.workflowId}`} />
            </>
          )}
          {a.evidence.length > 0 && (
            <>
              <Heading level={props.level + 1}>Evidence</Heading>
              <ul class="evidence-summary">
                {a.evidence.map((e, i) => (
                  <li key={i}>{e}</li>
                ))}
              </ul>
            </>
          )}
        </div>
      </div>
      {a.open ? <DecisionForm approval={a} onDecided={props.onDecided} /> : <DecisionResult approval={a} />}
    </article>
  );
}

function DecisionResult({ approval: a }: { approval: ApprovalView }) {
  if (!a.decision && !a.expired) return null;
  return (
    <p class="decided">
      {a.decision ?? 'Expired'}
      {a.decidedBy && ` by ${a.decidedBy}`}
      {a.decidedAt && (
        <>
          {' at '}
          <Time at={a.decidedAt} />
        </>
      )}
      {a.decisionMessage && `: “${a.decisionMessage}”`}
    </p>
  );
}

const MAX_MESSAGE = 1000;

function DecisionForm(props: { approval: ApprovalView; onDecided: (text: string) => void }) {
  const a = props.approval;
  const session = useSession();
  const signedIn = Boolean(session.view?.user);
  const now = useNow(1000);
  const expired = (parseTime(a.requiredBy) ?? 0) <= now;
  const [message, setMessage] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');
  const messageId = `decision-message-${a.namespace}-${a.name}`;

  const decide = async (decision: 'Approved' | 'Rejected') => {
    setBusy(true);
    setError('');
    try {
      const result = await sendJson<ApprovalView>(
        'POST',
        apiPath('approvals', a.namespace, a.name, 'decision'),
        { decision, message: message.trim() || undefined },
        session.view?.csrfToken,
      );
      props.onDecided(`${a.name}: ${result.decision ?? decision}${result.decidedBy ? ` by ${result.decidedBy}` : ''}.`);
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  };

  const disabled = !signedIn || busy || expired;
  return (
    <form class="decision" onSubmit={(e) => e.preventDefault()}>
      <label for={messageId}>Message (optional, recorded with the decision)</label>
      <textarea
        id={messageId}
        data-testid="decision-message"
        rows={2}
        maxLength={MAX_MESSAGE}
        value={message}
        disabled={!signedIn}
        onInput={(e) => setMessage(e.currentTarget.value)}
      />
      <div class="actions">
        <button type="button" class="btn approve" data-testid="approve-button" disabled={disabled} onClick={() => decide('Approved')}>
          Approve
        </button>
        <button type="button" class="btn reject" data-testid="reject-button" disabled={disabled} onClick={() => decide('Rejected')}>
          Reject
        </button>
        {!signedIn && (
          <a class="sign-in-to-decide" href={`/sign-in?next=${encodeURIComponent(location.pathname)}`}>
            Sign in to decide
          </a>
        )}
        {busy && <span class="muted">Sending…</span>}
      </div>
      <div aria-live="polite" class="decision-status">
        {error && (
          <p class="error" data-testid="decision-error">
            {error}
          </p>
        )}
      </div>
    </form>
  );
}
