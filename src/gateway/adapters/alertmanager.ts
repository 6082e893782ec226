/**
 * Prometheus Alertmanager webhook payloads (version 4): validated with zod, then each alert of the
 * batch becomes a NormalizedSignal of its own (an Alertmanager group can carry alerts about
 * different resources, and firing and resolved alerts side by side).
 */
import { z } from 'zod';
import type { NormalizedSignal } from '../signal.ts';
import { targetFromLabels } from '../target-from-labels.ts';
import { MAX_FUTURE_SKEW_MS, invalidPayload, parseOrThrow, type FieldError } from './validation.ts';

const labelMap = z.record(z.string(), z.string());
const timestamp = z.iso.datetime({ offset: true });

const alertSchema = z.object({
  status: z.enum(['firing', 'resolved']),
  labels: labelMap.superRefine((labels, ctx) => {
    if (!labels.alertname) ctx.addIssue({ code: 'custom', path: ['alertname'], message: 'alertname is required' });
  }),
  annotations: labelMap.default({}),
  startsAt: timestamp,
  endsAt: timestamp.optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().optional(),
});

export const alertmanagerWebhookSchema = z.object({
  version: z.literal('4').optional(),
  groupKey: z.string().optional(),
  truncatedAlerts: z.number().int().nonnegative().optional(),
  status: z.enum(['firing', 'resolved']).optional(),
  receiver: z.string().optional(),
  groupLabels: labelMap.optional(),
  commonLabels: labelMap.optional(),
  commonAnnotations: labelMap.optional(),
  externalURL: z.string().optional(),
  alerts: z.array(alertSchema).min(1, 'at least one alert is required'),
});

export type AlertmanagerAlert = z.infer<typeof alertSchema>;

export interface AlertSignal {
  signal: NormalizedSignal;
  firing: boolean;
}

/** Validates the whole batch first: one bad alert refuses the batch, so nothing is half-done. */
export function alertmanagerSignals(body: unknown, now: Date): AlertSignal[] {
  const payload = parseOrThrow(alertmanagerWebhookSchema, body, 'invalid Alertmanager webhook payload');
  const tooLate = now.getTime() + MAX_FUTURE_SKEW_MS;
  const future: FieldError[] = payload.alerts.flatMap((a, i) =>
    new Date(a.startsAt).getTime() > tooLate ? [{ path: `alerts[${i}].startsAt`, message: `startsAt ${a.startsAt} is more than 5 minutes in the future` }] : []);
  if (future.length) throw invalidPayload('invalid Alertmanager webhook payload', future);
  return payload.alerts.map((alert, i) => ({ firing: alert.status === 'firing', signal: toSignal(alert, (body as { alerts: unknown[] }).alerts[i]) }));
}

function toSignal(alert: AlertmanagerAlert, raw: unknown): NormalizedSignal {
  return {
    source: 'prometheus',
    name: alert.labels.alertname,
    severity: alert.labels.severity || 'unknown',
    target: targetFromLabels(alert.labels),
    firingTime: new Date(alert.startsAt),
    labels: alert.labels,
    annotations: alert.annotations,
    originalPayload: JSON.stringify(raw),
  };
}
