import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { RecordingAuditSink } from '../../../src/datastorage/client/audit-sink.ts';
import { boundEventData, InvestigatorAudit, MAX_EVENT_DATA_BYTES } from '../../../src/investigator/audit.ts';
import { ScaledClock } from '../../../src/platform/clock.ts';

const size = (v: unknown) => Buffer.byteLength(JSON.stringify(v));

describe('investigator audit events', () => {
  it('small data stays as it is', () => {
    const data = { a: 'x', b: [1, 2, { c: 'y' }] };
    assert.equal(boundEventData(data), data);
  });

  it('cuts the longest strings to fit, keeping their length and sha256', () => {
    const huge = 'log line\n'.repeat(30_000);
    const data = { tool: 'kubectl_logs', content: huge, other: 'short', messages: [{ role: 'tool', content: huge.slice(0, 100_000) }] };
    const bounded = boundEventData(data) as typeof data;
    assert.ok(size(bounded) <= MAX_EVENT_DATA_BYTES);
    assert.equal(bounded.tool, 'kubectl_logs');
    assert.equal(bounded.other, 'short');
    const sha = createHash('sha256').update(huge).digest('hex');
    assert.match(bounded.content, new RegExp(`truncated: ${huge.length} chars, sha256:${sha}\\]$`));
    assert.ok(bounded.content.startsWith('log line'));
  });

  it('too many small members: a preview and the hash of the whole', () => {
    const data = { items: Array.from({ length: 20_000 }, (_, i) => ({ i })) };
    const bounded = boundEventData(data);
    assert.equal(bounded.truncated, true);
    assert.equal(bounded.sha256, createHash('sha256').update(JSON.stringify(data)).digest('hex'));
    assert.ok(size(bounded) <= MAX_EVENT_DATA_BYTES);
  });

  it('redacts secrets in payloads and counts them', () => {
    const sink = new RecordingAuditSink();
    const audit = new InvestigatorAudit(sink, new ScaledClock());
    const ctx = { correlationId: 'rr-1', incidentId: 'ai-rr-1', sessionId: 's-1' };
    audit.observer(ctx).toolCall?.({
      attempt: 1,
      turn: 2,
      execution: {
        tool: 'kubectl_logs',
        arguments: { pod: 'p', note: 'password=hunter2secret' },
        ok: true,
        content: '{}',
        truncated: false,
        redactions: { jwt: 1 },
        injection: [],
        durationMs: 12.4,
        resultChars: 2,
      },
    });
    const [event] = sink.ofType('investigator.tool.call');
    assert.equal(event.correlationId, 'rr-1');
    assert.equal(event.eventOutcome, 'success');
    assert.doesNotMatch(JSON.stringify(event), /hunter2secret/);
    assert.deepEqual(event.eventData.redactions, { jwt: 1 });
    assert.deepEqual(event.eventData.auditRedactions, { password: 1 });
    assert.equal(event.eventData.durationMs, 12);
  });
});
