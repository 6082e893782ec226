/**
 * The Slack incoming-webhook message of a NotificationRequest (Block Kit): a header with the
 * subject, fields for type / priority / severity / phase, the body, buttons for the action links
 * and a context line naming the RemediationRequest; `text` is the fallback shown in notifications
 * and by clients without blocks. Every text is cut to Slack's limits so a long body never makes
 * the whole message fail.
 */
import type { NotificationRequest } from '../../../api/v1alpha1/index.ts';

const LIMITS = { header: 150, field: 2000, section: 3000, fallback: 3000, button: 75, url: 3000, buttons: 25 } as const;

const PRIORITY_MARK: Record<string, string> = { critical: ':red_circle:', high: ':large_orange_circle:', medium: ':large_yellow_circle:', low: ':white_circle:' };

function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** Slack's mrkdwn treats &, < and > as control characters. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export interface SlackMessage {
  text: string;
  blocks: unknown[];
  channel?: string;
}

export function slackMessage(nr: NotificationRequest, opts: { channel?: string } = {}): SlackMessage {
  const s = nr.spec;
  const priority = s.priority ?? 'medium';
  const field = (label: string, value: string | undefined) => ({ type: 'mrkdwn', text: cut(`*${label}*\n${escapeMrkdwn(value || '-')}`, LIMITS.field) });
  const blocks: unknown[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(s.subject, LIMITS.header), emoji: true } },
    { type: 'section', fields: [field('Type', s.type), field('Priority', `${priority}`), field('Severity', s.severity), field('Phase', s.phase)] },
  ];
  if (s.body) blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(escapeMrkdwn(s.body), LIMITS.section) } });
  const links = (s.actionLinks ?? []).filter((l) => /^https?:\/\//i.test(l.url) && l.url.length <= LIMITS.url).slice(0, LIMITS.buttons);
  if (links.length > 0) {
    blocks.push({
      type: 'actions',
      elements: links.map((l, i) => ({
        type: 'button',
        action_id: `link-${i}`,
        text: { type: 'plain_text', text: cut(l.label || l.service || 'Open', LIMITS.button), emoji: true },
        url: l.url,
      })),
    });
  }
  const ref = s.remediationRequestRef;
  blocks.push({
    type: 'context',
    elements: [{ type: 'mrkdwn', text: escapeMrkdwn(`${PRIORITY_MARK[priority] ?? ''} RemediationRequest ${ref.namespace}/${ref.name} · NotificationRequest ${nr.metadata?.name ?? '?'}`.trim()) }],
  });
  const fallback = cut(`[${priority}] ${s.subject}${s.body ? `\n${s.body}` : ''}`, LIMITS.fallback);
  return { text: fallback, blocks, ...(opts.channel ? { channel: opts.channel } : {}) };
}
