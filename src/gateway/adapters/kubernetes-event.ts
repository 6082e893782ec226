/**
 * core/v1 Events posted by an event exporter. Only `Warning` events are signals; `Normal` ones
 * are acknowledged and ignored. The target is the event's involvedObject.
 */
import { z } from 'zod';
import type { NormalizedSignal } from '../signal.ts';
import { MAX_FUTURE_SKEW_MS, invalidPayload, parseOrThrow } from './validation.ts';

const optionalTime = z.iso.datetime({ offset: true }).nullish();

export const kubernetesEventSchema = z.object({
  apiVersion: z.string().optional(),
  kind: z.literal('Event').optional(),
  metadata: z.looseObject({ name: z.string().optional(), namespace: z.string().optional() }).optional(),
  involvedObject: z.looseObject({
    kind: z.string().min(1),
    name: z.string().min(1),
    namespace: z.string().optional(),
    apiVersion: z.string().optional(),
    uid: z.string().optional(),
  }),
  reason: z.string().min(1, 'reason is required'),
  message: z.string().optional(),
  type: z.enum(['Warning', 'Normal']),
  count: z.number().int().optional(),
  firstTimestamp: optionalTime,
  lastTimestamp: optionalTime,
  eventTime: optionalTime,
  source: z.looseObject({ component: z.string().optional(), host: z.string().optional() }).optional(),
});

export type KubernetesEvent = z.infer<typeof kubernetesEventSchema>;

export type EventSignal = { ignored: true; reason: string } | { ignored: false; signal: NormalizedSignal };

export function kubernetesEventSignal(body: unknown, now: Date): EventSignal {
  const event = parseOrThrow(kubernetesEventSchema, body, 'invalid Kubernetes Event');
  if (event.type === 'Normal') return { ignored: true, reason: 'Normal events are not signals' };
  const started = event.firstTimestamp ?? event.eventTime ?? event.lastTimestamp;
  const firingTime = started ? new Date(started) : now;
  if (firingTime.getTime() > now.getTime() + MAX_FUTURE_SKEW_MS) {
    throw invalidPayload('invalid Kubernetes Event', [{ path: 'firstTimestamp', message: `${started} is more than 5 minutes in the future` }]);
  }
  const obj = event.involvedObject;
  const namespace = obj.namespace ?? '';
  const labels: Record<string, string> = {
    reason: event.reason,
    kind: obj.kind,
    name: obj.name,
    ...(namespace ? { namespace } : {}),
    ...(event.source?.component ? { source: event.source.component } : {}),
  };
  return {
    ignored: false,
    signal: {
      source: 'kubernetes-events',
      name: event.reason,
      severity: 'warning',
      target: { kind: obj.kind, name: obj.name, namespace, ...(obj.apiVersion ? { apiVersion: obj.apiVersion } : {}) },
      firingTime,
      labels,
      annotations: event.message ? { message: event.message } : {},
      originalPayload: JSON.stringify(body),
    },
  };
}
