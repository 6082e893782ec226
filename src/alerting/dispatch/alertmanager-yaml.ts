/**
 * Alertmanager configuration YAML <-> the Dispatcher's config, so one routing file serves both the
 * embedded Dispatcher and a real Alertmanager (`kubernaut up --prometheus external`).
 *
 * Supported subset: `global.resolve_timeout`; the root `route` with receiver, group_by, group_wait,
 * group_interval, repeat_interval; receivers made of one `webhook_configs` entry with url,
 * send_resolved, max_alerts and a bearer token (`http_config.authorization.credentials` or the
 * older `http_config.bearer_token`). Everything else that would change which alerts go where, or
 * how they are delivered (nested routes, matchers, inhibit rules, other receiver kinds, TLS/basic
 * auth, ...), is rejected with an error naming the key: silently ignoring it would route alerts
 * differently from what the file says. Empty `routes`, `inhibit_rules`, `templates` and time
 * interval lists change nothing and are accepted.
 */
import YAML from 'yaml';
import { formatPromDuration, parsePromDuration } from '../prometheus-duration.ts';
import { parseDispatcherConfig, type DispatcherConfig, type DispatcherConfigInput } from './config.ts';

export class AlertmanagerConfigError extends Error {
  constructor(message: string) {
    super(`alertmanager config: ${message}`);
    this.name = 'AlertmanagerConfigError';
  }
}

/** Why a known Alertmanager key is not supported, for a useful error. */
const UNSUPPORTED_REASON: Record<string, string> = {
  routes: 'nested routes are not supported: route every alert to one receiver',
  matchers: 'route matchers are not supported',
  match: 'route matchers are not supported',
  match_re: 'route matchers are not supported',
  continue: 'route "continue" is not supported',
  mute_time_intervals: 'mute time intervals are not supported',
  active_time_intervals: 'active time intervals are not supported',
  inhibit_rules: 'inhibit rules are not supported',
  email_configs: 'only webhook receivers are supported',
  slack_configs: 'only webhook receivers are supported',
  pagerduty_configs: 'only webhook receivers are supported',
  opsgenie_configs: 'only webhook receivers are supported',
  pushover_configs: 'only webhook receivers are supported',
  victorops_configs: 'only webhook receivers are supported',
  wechat_configs: 'only webhook receivers are supported',
  sns_configs: 'only webhook receivers are supported',
  telegram_configs: 'only webhook receivers are supported',
  webex_configs: 'only webhook receivers are supported',
  discord_configs: 'only webhook receivers are supported',
  msteams_configs: 'only webhook receivers are supported',
};

/** Keys whose empty value (null or []) means "nothing", so accepting them changes no routing. */
const EMPTY_OK = new Set(['routes', 'inhibit_rules', 'templates', 'mute_time_intervals', 'time_intervals']);

type YamlMap = Record<string, unknown>;

function isEmpty(v: unknown): boolean {
  return v === null || v === undefined || (Array.isArray(v) && v.length === 0);
}

/** Checks `value` is a mapping holding only `allowed` keys (or empty known-harmless ones). */
function mapping(value: unknown, path: string, allowed: readonly string[]): YamlMap {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new AlertmanagerConfigError(`${path} must be a mapping`);
  const map = value as YamlMap;
  for (const key of Object.keys(map)) {
    if (allowed.includes(key)) continue;
    if (EMPTY_OK.has(key) && isEmpty(map[key])) continue;
    const reason = UNSUPPORTED_REASON[key] ?? `supported keys here: ${allowed.join(', ')}`;
    throw new AlertmanagerConfigError(`unsupported key "${path}.${key}": ${reason}`);
  }
  return map;
}

function str(value: unknown, path: string): string {
  if (typeof value !== 'string' || value === '') throw new AlertmanagerConfigError(`${path} must be a non-empty string`);
  return value;
}

function durationMs(value: unknown, path: string): number {
  if (typeof value !== 'string' && typeof value !== 'number') throw new AlertmanagerConfigError(`${path} must be a duration such as 30s or 5m`);
  try {
    return parsePromDuration(String(value));
  } catch (e) {
    throw new AlertmanagerConfigError(`${path}: ${(e as Error).message}`);
  }
}

function bool(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') throw new AlertmanagerConfigError(`${path} must be true or false`);
  return value;
}

function bearerToken(httpConfig: unknown, path: string): string | undefined {
  if (httpConfig === undefined || httpConfig === null) return undefined;
  const hc = mapping(httpConfig, path, ['authorization', 'bearer_token']);
  if (hc.authorization !== undefined && hc.bearer_token !== undefined) {
    throw new AlertmanagerConfigError(`${path}: set only one of authorization and bearer_token`);
  }
  if (hc.bearer_token !== undefined) return str(hc.bearer_token, `${path}.bearer_token`);
  if (hc.authorization === undefined) return undefined;
  const auth = mapping(hc.authorization, `${path}.authorization`, ['type', 'credentials']);
  if (auth.type !== undefined && String(auth.type).toLowerCase() !== 'bearer') {
    throw new AlertmanagerConfigError(`${path}.authorization.type "${String(auth.type)}" is not supported (only Bearer)`);
  }
  return str(auth.credentials, `${path}.authorization.credentials`);
}

function receiver(raw: unknown, index: number): NonNullable<DispatcherConfigInput['receivers']>[number] {
  const path = `receivers[${index}]`;
  const r = mapping(raw, path, ['name', 'webhook_configs']);
  const name = str(r.name, `${path}.name`);
  const hooks = r.webhook_configs;
  if (!Array.isArray(hooks) || hooks.length === 0) {
    throw new AlertmanagerConfigError(`${path} ("${name}") has no webhook_configs: only webhook receivers are supported`);
  }
  if (hooks.length > 1) throw new AlertmanagerConfigError(`${path} ("${name}") has ${hooks.length} webhook_configs: only one per receiver is supported`);
  const hookPath = `${path}.webhook_configs[0]`;
  const w = mapping(hooks[0], hookPath, ['url', 'send_resolved', 'max_alerts', 'http_config']);
  const out: NonNullable<DispatcherConfigInput['receivers']>[number] = { name, url: str(w.url, `${hookPath}.url`) };
  if (w.send_resolved !== undefined) out.sendResolved = bool(w.send_resolved, `${hookPath}.send_resolved`);
  if (w.max_alerts !== undefined) {
    if (!Number.isInteger(w.max_alerts) || (w.max_alerts as number) < 0) throw new AlertmanagerConfigError(`${hookPath}.max_alerts must be a whole number >= 0`);
    out.maxAlerts = w.max_alerts as number;
  }
  const token = bearerToken(w.http_config, `${hookPath}.http_config`);
  if (token !== undefined) out.bearerToken = token;
  return out;
}

/** Alertmanager YAML -> the Dispatcher's input (defaults not filled yet). Throws AlertmanagerConfigError. */
export function alertmanagerYamlToDispatcherInput(text: string): DispatcherConfigInput {
  const doc = YAML.parseDocument(text);
  if (doc.errors.length > 0) throw new AlertmanagerConfigError(`invalid YAML: ${doc.errors[0].message}`);
  const top = mapping(doc.toJS() ?? {}, '(root)', ['global', 'route', 'receivers']);
  const out: Partial<DispatcherConfigInput> = {};
  if (top.global !== undefined && top.global !== null) {
    const g = mapping(top.global, 'global', ['resolve_timeout']);
    if (g.resolve_timeout !== undefined) out.resolveTimeoutMs = durationMs(g.resolve_timeout, 'global.resolve_timeout');
  }
  if (top.route === undefined || top.route === null) throw new AlertmanagerConfigError('route is required');
  const r = mapping(top.route, 'route', ['receiver', 'group_by', 'group_wait', 'group_interval', 'repeat_interval']);
  const route: DispatcherConfigInput['route'] = { receiver: str(r.receiver, 'route.receiver') };
  if (r.group_by !== undefined && r.group_by !== null) {
    if (!Array.isArray(r.group_by) || r.group_by.some((l) => typeof l !== 'string')) throw new AlertmanagerConfigError('route.group_by must be a list of label names');
    route.groupBy = r.group_by as string[];
  }
  if (r.group_wait !== undefined) route.groupWaitMs = durationMs(r.group_wait, 'route.group_wait');
  if (r.group_interval !== undefined) route.groupIntervalMs = durationMs(r.group_interval, 'route.group_interval');
  if (r.repeat_interval !== undefined) route.repeatIntervalMs = durationMs(r.repeat_interval, 'route.repeat_interval');
  out.route = route;
  if (!Array.isArray(top.receivers) || top.receivers.length === 0) throw new AlertmanagerConfigError('receivers must be a non-empty list');
  out.receivers = top.receivers.map(receiver);
  return out as DispatcherConfigInput;
}

/**
 * Alertmanager YAML -> a validated DispatcherConfig (defaults filled like Alertmanager's: 30s / 5m / 4h,
 * resolve_timeout 5m). `externalURL` is Alertmanager's `--web.external-url`, not part of its file.
 */
export function parseAlertmanagerYaml(text: string, opts: { externalURL?: string } = {}): DispatcherConfig {
  const input = alertmanagerYamlToDispatcherInput(text);
  try {
    return parseDispatcherConfig({ ...input, ...(opts.externalURL ? { externalURL: opts.externalURL } : {}) });
  } catch (e) {
    throw new AlertmanagerConfigError((e as Error).message);
  }
}

/**
 * DispatcherConfig -> Alertmanager YAML for a real Alertmanager running at `timeScale` (every
 * duration divided by it, like the embedded stack's Clock does). The retry policy has no
 * Alertmanager equivalent (it retries on its own) and is not rendered; `externalURL` is a flag.
 */
export function renderAlertmanagerYaml(config: DispatcherConfig, opts: { timeScale: number }): string {
  const d = (ms: number) => formatPromDuration(ms / opts.timeScale);
  const doc = {
    global: { resolve_timeout: d(config.resolveTimeoutMs) },
    route: {
      receiver: config.route.receiver,
      group_by: config.route.groupBy,
      group_wait: d(config.route.groupWaitMs),
      group_interval: d(config.route.groupIntervalMs),
      repeat_interval: d(config.route.repeatIntervalMs),
    },
    receivers: config.receivers.map((r) => ({
      name: r.name,
      webhook_configs: [
        {
          url: r.url,
          send_resolved: r.sendResolved,
          max_alerts: r.maxAlerts,
          ...(r.bearerToken ? { http_config: { authorization: { type: 'Bearer', credentials: r.bearerToken } } } : {}),
        },
      ],
    })),
  };
  return `# Rendered by Kubernaut (time scale ${opts.timeScale}); edit the source config, not this file.\n${YAML.stringify(doc)}`;
}

export const GATEWAY_RECEIVER = 'kubernaut-gateway';

/** Everything to the Gateway's Alertmanager webhook, grouped per alert name and namespace, Alertmanager's default timings. */
export function defaultGatewayRouting(gatewayUrl: string, bearerToken?: string): DispatcherConfig {
  return parseDispatcherConfig({
    route: { receiver: GATEWAY_RECEIVER, groupBy: ['alertname', 'namespace'], groupWaitMs: 30_000, groupIntervalMs: 300_000, repeatIntervalMs: 4 * 3_600_000 },
    receivers: [{ name: GATEWAY_RECEIVER, url: `${gatewayUrl.replace(/\/+$/, '')}/api/v1/signals/prometheus`, sendResolved: true, ...(bearerToken ? { bearerToken } : {}) }],
  });
}
