/**
 * Dispatcher configuration (validated with zod). All durations are nominal milliseconds: the
 * Clock divides them by the stack's time scale when waiting.
 */
import { z } from 'zod';

const durationMs = z.number().finite().positive();

export const routeSchema = z.object({
  receiver: z.string().min(1),
  /** Labels to group by; `['...']` groups by all labels (every distinct alert its own group). */
  groupBy: z
    .array(z.string().min(1))
    .default([])
    .refine((g) => !g.includes('...') || g.length === 1, { message: "'...' must be the only groupBy entry" }),
  groupWaitMs: durationMs.default(30_000),
  groupIntervalMs: durationMs.default(300_000),
  repeatIntervalMs: durationMs.default(4 * 3_600_000),
});

export const webhookReceiverSchema = z.object({
  name: z.string().min(1),
  url: z.string().url(),
  /** Most alerts per notification; 0 = unlimited. The rest are counted in `truncatedAlerts`. */
  maxAlerts: z.number().int().nonnegative().default(0),
  sendResolved: z.boolean().default(true),
  /** Sent as `Authorization: Bearer ...` (Alertmanager's `http_config.authorization`), e.g. for a Gateway with --require-auth. */
  bearerToken: z.string().min(1).optional(),
});

export const retrySchema = z.object({
  initialBackoffMs: durationMs.default(500),
  maxBackoffMs: durationMs.default(60_000),
  multiplier: z.number().min(1).default(2),
});

export const dispatcherConfigSchema = z
  .object({
    route: routeSchema,
    receivers: z.array(webhookReceiverSchema).min(1),
    /** Sent as `externalURL` in every payload. */
    externalURL: z.string().default('http://localhost:9093'),
    /** An alert received without `endsAt` is resolved when not re-sent within this time. */
    resolveTimeoutMs: durationMs.default(300_000),
    retry: retrySchema.default({ initialBackoffMs: 500, maxBackoffMs: 60_000, multiplier: 2 }),
  })
  .superRefine((cfg, ctx) => {
    const names = new Set<string>();
    for (const r of cfg.receivers) {
      if (names.has(r.name)) ctx.addIssue({ code: 'custom', message: `duplicate receiver "${r.name}"`, path: ['receivers'] });
      names.add(r.name);
    }
    if (!names.has(cfg.route.receiver)) {
      ctx.addIssue({ code: 'custom', message: `route receiver "${cfg.route.receiver}" is not defined`, path: ['route', 'receiver'] });
    }
  });

export type RouteConfig = z.output<typeof routeSchema>;
export type WebhookReceiverConfig = z.output<typeof webhookReceiverSchema>;
export type RetryConfig = z.output<typeof retrySchema>;
export type DispatcherConfig = z.output<typeof dispatcherConfigSchema>;
export type DispatcherConfigInput = z.input<typeof dispatcherConfigSchema>;

/** Validates and fills defaults; throws an Error listing every problem. */
export function parseDispatcherConfig(input: unknown): DispatcherConfig {
  const r = dispatcherConfigSchema.safeParse(input);
  if (!r.success) {
    const msg = r.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`invalid dispatcher config: ${msg}`);
  }
  return r.data;
}
