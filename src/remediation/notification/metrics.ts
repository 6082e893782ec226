/**
 * The Notification controller's own metrics (the controller toolkit adds work queue and reconcile
 * metrics). Get-or-create: the registry is shared by every controller of the process.
 */
import { Counter, Histogram, type Registry } from 'prom-client';

export interface NotificationMetrics {
  /** channel: the kind (slack, file, ...); status: success, failed, permanent-failure. */
  deliveries: Counter<'channel' | 'receiver' | 'status'>;
  deliveryDuration: Histogram<'channel'>;
  /** phase: Sent, PartiallySent, Failed. */
  completed: Counter<'phase'>;
  routingRejections: Counter;
}

export function notificationMetrics(registry?: Registry): NotificationMetrics {
  const registers = registry ? [registry] : [];
  const existing = <T>(name: string): T | undefined => registry?.getSingleMetric(name) as T | undefined;
  return {
    deliveries:
      existing<Counter<'channel' | 'receiver' | 'status'>>('notification_deliveries_total') ??
      new Counter({ name: 'notification_deliveries_total', help: 'Delivery attempts by channel kind, receiver and status (success, failed, permanent-failure)', labelNames: ['channel', 'receiver', 'status'], registers }),
    deliveryDuration:
      existing<Histogram<'channel'>>('notification_delivery_duration_seconds') ??
      new Histogram({ name: 'notification_delivery_duration_seconds', help: 'How long one delivery attempt took, by channel kind', labelNames: ['channel'], buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10], registers }),
    completed:
      existing<Counter<'phase'>>('notification_requests_completed_total') ??
      new Counter({ name: 'notification_requests_completed_total', help: 'NotificationRequests finished, by phase (Sent, PartiallySent, Failed)', labelNames: ['phase'], registers }),
    routingRejections:
      existing<Counter>('notification_routing_rejections_total') ??
      new Counter({ name: 'notification_routing_rejections_total', help: 'Routing ConfigMap contents refused; the previous routing stayed in force', registers }),
  };
}
