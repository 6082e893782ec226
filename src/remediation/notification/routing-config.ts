/**
 * The notification routing configuration (Alertmanager-like): a tree of routes choosing receivers,
 * and receivers listing channel configurations. Validated with zod; every problem is reported at
 * once with its path. Secrets (webhook URLs with tokens, bearer tokens, HMAC keys) are best given
 * as files (`*File`, e.g. a mounted Secret), read at delivery time so a rotation needs no restart.
 */
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/** Limits that keep a config (and the status it leads to) bounded. */
export const ROUTING_LIMITS = {
  yamlBytes: 256 * 1024,
  receivers: 50,
  configsPerReceiver: 10,
  routes: 200,
  depth: 10,
  regexLength: 256,
  /** Channels one notification is delivered to (deliveryAttempts holds 200 = 10 × maxAttempts 20). */
  channelsPerNotification: 10,
} as const;

/** Receiver names go into `deliveryAttempts[].channel` (≤ 63 characters) as `<kind>:<receiver>[:<n>]`. */
const receiverName = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$/, 'letters, digits, ".", "_" and "-", starting and ending with a letter or digit');

const httpUrl = z
  .string()
  .max(2048)
  .refine((u) => /^https?:\/\/[^\s]+$/i.test(u) && URL.canParse(u), 'an http(s) URL');
const secretFile = z.string().min(1).max(4096);

const consoleConfig = z.strictObject({});
const logConfig = z.strictObject({ level: z.enum(['info', 'warn']).default('info') });
const fileConfig = z.strictObject({
  path: z.string().min(1).max(4096),
  /** The file is rotated to `<path>.1` before it would grow past this (default 10 MiB). */
  maxSizeBytes: z
    .number()
    .int()
    .min(4096)
    .max(1024 ** 3)
    .default(10 * 1024 * 1024),
});
const slackConfig = z
  .strictObject({
    webhookUrl: httpUrl.optional(),
    webhookUrlFile: secretFile.optional(),
    /** Channel override in the payload (only legacy webhooks honour it). */
    channel: z.string().min(1).max(80).optional(),
  })
  .refine((c) => (c.webhookUrl === undefined) !== (c.webhookUrlFile === undefined), 'exactly one of webhookUrl and webhookUrlFile');
const webhookConfig = z
  .strictObject({
    url: httpUrl.optional(),
    urlFile: secretFile.optional(),
    bearerToken: z.string().min(1).max(4096).optional(),
    bearerTokenFile: secretFile.optional(),
    /** Signs the body: `X-Kubernaut-Signature: sha256=<hex HMAC-SHA256(secret, body)>`. */
    hmacSecret: z.string().min(1).max(4096).optional(),
    hmacSecretFile: secretFile.optional(),
  })
  .refine((c) => (c.url === undefined) !== (c.urlFile === undefined), 'exactly one of url and urlFile')
  .refine((c) => !(c.bearerToken && c.bearerTokenFile), 'at most one of bearerToken and bearerTokenFile')
  .refine((c) => !(c.hmacSecret && c.hmacSecretFile), 'at most one of hmacSecret and hmacSecretFile');

const configs = <T extends z.ZodType>(t: T) => z.array(t).max(ROUTING_LIMITS.configsPerReceiver).optional();

const receiverSchema = z.strictObject({
  name: receiverName,
  consoleConfigs: configs(consoleConfig),
  logConfigs: configs(logConfig),
  fileConfigs: configs(fileConfig),
  slackConfigs: configs(slackConfig),
  webhookConfigs: configs(webhookConfig),
});

const matchers = z.record(z.string().min(1).max(63), z.string().max(4096));
const regexMatchers = z.record(
  z.string().min(1).max(63),
  z
    .string()
    .max(ROUTING_LIMITS.regexLength)
    .refine((re) => {
      try {
        new RegExp(re);
        return true;
      } catch {
        return false;
      }
    }, 'a valid regular expression'),
);

export interface RouteInput {
  receiver?: string;
  groupBy?: string[];
  match?: Record<string, string>;
  matchRe?: Record<string, string>;
  continue?: boolean;
  routes?: RouteInput[];
}

const routeSchema: z.ZodType<RouteInput> = z.lazy(() =>
  z.strictObject({
    receiver: receiverName.optional(),
    /** Accepted for Alertmanager familiarity; each notification is delivered on its own. */
    groupBy: z.array(z.string().max(63)).max(20).optional(),
    match: matchers.optional(),
    matchRe: regexMatchers.optional(),
    continue: z.boolean().optional(),
    routes: z.array(routeSchema).max(ROUTING_LIMITS.routes).optional(),
  }),
);

const routingConfigSchema = z
  .strictObject({
    route: routeSchema,
    receivers: z.array(receiverSchema).min(1).max(ROUTING_LIMITS.receivers),
  })
  .superRefine((cfg, ctx) => {
    const names = new Set<string>();
    cfg.receivers.forEach((r, i) => {
      if (names.has(r.name)) ctx.addIssue({ code: 'custom', message: `duplicate receiver "${r.name}"`, path: ['receivers', i, 'name'] });
      names.add(r.name);
    });
    if (!cfg.route.receiver) ctx.addIssue({ code: 'custom', message: 'the root route needs a receiver', path: ['route', 'receiver'] });
    let count = 0;
    const visit = (route: RouteInput, path: (string | number)[], depth: number) => {
      count++;
      if (depth > ROUTING_LIMITS.depth) ctx.addIssue({ code: 'custom', message: `routes nest deeper than ${ROUTING_LIMITS.depth}`, path });
      if (route.receiver && !names.has(route.receiver)) ctx.addIssue({ code: 'custom', message: `receiver "${route.receiver}" is not defined`, path: [...path, 'receiver'] });
      route.routes?.forEach((child, i) => depth <= ROUTING_LIMITS.depth && visit(child, [...path, 'routes', i], depth + 1));
    };
    visit(cfg.route, ['route'], 0);
    if (count > ROUTING_LIMITS.routes) ctx.addIssue({ code: 'custom', message: `more than ${ROUTING_LIMITS.routes} routes`, path: ['route'] });
  });

export type RoutingConfig = z.output<typeof routingConfigSchema>;
export type RoutingConfigInput = z.input<typeof routingConfigSchema>;
export type Receiver = RoutingConfig['receivers'][number];
export type Route = RouteInput;
export type FileConfig = z.output<typeof fileConfig>;
export type LogConfig = z.output<typeof logConfig>;
export type SlackConfig = z.output<typeof slackConfig>;
export type WebhookConfig = z.output<typeof webhookConfig>;

export class RoutingConfigError extends Error {
  override name = 'RoutingConfigError';
}

/** Validates and fills defaults; throws a RoutingConfigError naming every problem. */
export function parseRoutingConfig(input: unknown): RoutingConfig {
  const r = routingConfigSchema.safeParse(input);
  if (!r.success) {
    const msg = r.error.issues
      .slice(0, 10)
      .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
      .join('; ');
    throw new RoutingConfigError(`invalid notification routing: ${msg}`);
  }
  return r.data;
}

/** The YAML (or JSON) text of a routing configuration. */
export function parseRoutingYaml(text: string): RoutingConfig {
  if (Buffer.byteLength(text, 'utf8') > ROUTING_LIMITS.yamlBytes) throw new RoutingConfigError(`invalid notification routing: larger than ${ROUTING_LIMITS.yamlBytes} bytes`);
  let doc: unknown;
  try {
    // maxAliasCount bounds "billion laughs" expansion.
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (err) {
    throw new RoutingConfigError(`invalid notification routing: not YAML: ${(err as Error).message.split('\n')[0]}`);
  }
  return parseRoutingConfig(doc);
}

/** Without any configuration every notification goes to stdout and the structured log. */
export const DEFAULT_ROUTING_CONFIG: RoutingConfig = parseRoutingConfig({
  route: { receiver: 'default' },
  receivers: [{ name: 'default', consoleConfigs: [{}], logConfigs: [{}] }],
});
