/**
 * The channels that stay on the machine: a console line on stdout, and an entry in the structured
 * (pino) log with the whole notification.
 */
import type { NotificationRequest } from '../../../api/v1alpha1/index.ts';
import type { Logger } from '../../../platform/log.ts';
import type { LogConfig } from '../routing-config.ts';

export interface LineWriter {
  write(line: string): unknown;
}

/** One line: control characters (newlines in a subject) would split it. */
function oneLine(text: string, max = 500): string {
  // eslint-disable-next-line no-control-regex
  const flat = text.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

export function consoleLine(nr: NotificationRequest): string {
  const s = nr.spec;
  const ref = s.remediationRequestRef;
  return `NOTIFICATION [${s.priority ?? 'medium'}] ${s.type} ${nr.metadata?.namespace ?? '?'}/${nr.metadata?.name ?? '?'} (rr ${ref.name}): ${oneLine(s.subject)}\n`;
}

export function deliverToConsole(nr: NotificationRequest, out: LineWriter): void {
  out.write(consoleLine(nr));
}

export function deliverToLog(nr: NotificationRequest, config: LogConfig, log: Logger): void {
  const s = nr.spec;
  const entry = {
    notification: {
      name: nr.metadata?.name,
      namespace: nr.metadata?.namespace,
      type: s.type,
      priority: s.priority ?? 'medium',
      severity: s.severity,
      phase: s.phase,
      subject: s.subject,
      body: s.body,
      metadata: s.metadata,
      actionLinks: s.actionLinks,
      remediationRequest: s.remediationRequestRef.name,
    },
  };
  const msg = `notification: ${oneLine(s.subject, 200)}`;
  if (config.level === 'warn') log.warn(entry, msg);
  else log.info(entry, msg);
}
