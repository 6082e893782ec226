/**
 * Which channels a NotificationRequest goes to: pure functions of the NR and the routing config.
 *
 * Routes work like Alertmanager's: the root route matches everything; its children are tried in
 * order, a matching child is followed down (depth first) and, unless it says `continue: true`,
 * ends the search among its siblings; a route none of whose children match answers with its own
 * receiver (inherited from its parent when it names none). `match` compares exactly, `matchRe`
 * with an anchored regular expression; a missing key reads as "" (as an absent label does).
 *
 * `spec.channels` overrides the routing's choice of channel kinds: each listed kind is delivered
 * with the configurations of that kind in the receivers routing chose, else with those of the
 * first receiver (in config order) that has one; console and log need no configuration.
 */
import type { NotificationRequest } from '../../api/v1alpha1/index.ts';
import { ROUTING_LIMITS, type FileConfig, type LogConfig, type Receiver, type Route, type RoutingConfig, type SlackConfig, type WebhookConfig } from './routing-config.ts';

export const CHANNEL_KINDS = ['console', 'log', 'file', 'slack', 'webhook', 'email', 'teams', 'sms'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

/** One place to deliver to. `id` names it in `deliveryAttempts[].channel`, stable across restarts. */
export type DeliveryTarget =
  | { id: string; receiver: string; kind: 'console'; config: Record<string, never> }
  | { id: string; receiver: string; kind: 'log'; config: LogConfig }
  | { id: string; receiver: string; kind: 'file'; config: FileConfig }
  | { id: string; receiver: string; kind: 'slack'; config: SlackConfig }
  | { id: string; receiver: string; kind: 'webhook'; config: WebhookConfig }
  /** A kind this release cannot deliver (email, teams, sms) or that nothing configures. */
  | { id: string; receiver: string; kind: ChannelKind; config: undefined; unavailable: string };

export interface RoutingDecision {
  targets: DeliveryTarget[];
  receivers: string[];
  /** Channels left out over the per-notification limit. */
  dropped: string[];
}

/** The keys routes match on: the spec's fields, then every spec.metadata entry (reserved ones included). */
export function routingKeysOf(nr: NotificationRequest): Record<string, string> {
  const s = nr.spec;
  const keys: Record<string, string> = {};
  for (const [k, v] of Object.entries(s.metadata ?? {})) if (typeof v === 'string') keys[k] = v;
  // Spec fields win over metadata entries of the same name.
  keys.type = s.type;
  keys.priority = s.priority ?? 'medium';
  if (s.severity) keys.severity = s.severity;
  if (s.phase) keys.phase = s.phase;
  if (s.reviewSource) keys['review-source'] = s.reviewSource;
  // The target's namespace travels in metadata (§12); an NR made by hand falls back to its own.
  if (!keys.namespace && nr.metadata?.namespace) keys.namespace = nr.metadata.namespace;
  return keys;
}

const regexCache = new Map<string, RegExp>();
function anchored(source: string): RegExp {
  let re = regexCache.get(source);
  if (!re) {
    re = new RegExp(`^(?:${source})$`);
    if (regexCache.size > 1000) regexCache.clear();
    regexCache.set(source, re);
  }
  return re;
}

export function routeMatches(route: Route, keys: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(route.match ?? {})) if ((keys[k] ?? '') !== v) return false;
  for (const [k, re] of Object.entries(route.matchRe ?? {})) if (!anchored(re).test(keys[k] ?? '')) return false;
  return true;
}

/** The receivers routing chooses for these keys, in order, each once. */
export function matchReceivers(root: Route, keys: Record<string, string>): string[] {
  const found: string[] = [];
  const walk = (route: Route, inherited: string): void => {
    const receiver = route.receiver ?? inherited;
    let childMatched = false;
    for (const child of route.routes ?? []) {
      if (!routeMatches(child, keys)) continue;
      childMatched = true;
      walk(child, receiver);
      if (!child.continue) break;
    }
    if (!childMatched) found.push(receiver);
  };
  walk(root, root.receiver ?? '');
  return [...new Set(found)].filter((r) => r !== '');
}

function targetsOfReceiver(r: Receiver, only?: ChannelKind): DeliveryTarget[] {
  const out: DeliveryTarget[] = [];
  const id = (kind: string, i: number) => (i === 0 ? `${kind}:${r.name}` : `${kind}:${r.name}:${i}`);
  const want = (kind: ChannelKind) => only === undefined || only === kind;
  if (want('console')) r.consoleConfigs?.forEach((_c, i) => out.push({ id: id('console', i), receiver: r.name, kind: 'console', config: {} }));
  if (want('log')) r.logConfigs?.forEach((c, i) => out.push({ id: id('log', i), receiver: r.name, kind: 'log', config: c }));
  if (want('file')) r.fileConfigs?.forEach((c, i) => out.push({ id: id('file', i), receiver: r.name, kind: 'file', config: c }));
  if (want('slack')) r.slackConfigs?.forEach((c, i) => out.push({ id: id('slack', i), receiver: r.name, kind: 'slack', config: c }));
  if (want('webhook')) r.webhookConfigs?.forEach((c, i) => out.push({ id: id('webhook', i), receiver: r.name, kind: 'webhook', config: c }));
  return out;
}

function overrideTargets(kinds: readonly ChannelKind[], chosen: Receiver[], all: Receiver[]): DeliveryTarget[] {
  const out: DeliveryTarget[] = [];
  for (const kind of new Set(kinds)) {
    const fromChosen = chosen.flatMap((r) => targetsOfReceiver(r, kind));
    if (fromChosen.length > 0) {
      out.push(...fromChosen);
      continue;
    }
    const first = all.find((r) => targetsOfReceiver(r, kind).length > 0);
    if (first) out.push(...targetsOfReceiver(first, kind));
    else if (kind === 'console') out.push({ id: 'console', receiver: '', kind: 'console', config: {} });
    else if (kind === 'log') out.push({ id: 'log', receiver: '', kind: 'log', config: { level: 'info' } });
    else {
      const why = kind === 'email' || kind === 'teams' || kind === 'sms' ? `channel ${kind} is not supported by this release` : `no receiver configures a ${kind} channel`;
      out.push({ id: kind, receiver: '', kind, config: undefined, unavailable: why });
    }
  }
  return out;
}

export function routeNotification(nr: NotificationRequest, config: RoutingConfig): RoutingDecision {
  const receivers = matchReceivers(config.route, routingKeysOf(nr));
  const byName = new Map(config.receivers.map((r) => [r.name, r]));
  const chosen = receivers.map((n) => byName.get(n)).filter((r): r is Receiver => !!r);
  const override = nr.spec.channels?.filter((c): c is ChannelKind => (CHANNEL_KINDS as readonly string[]).includes(c));
  const all = override && override.length > 0 ? overrideTargets(override, chosen, config.receivers) : chosen.flatMap((r) => targetsOfReceiver(r));
  const unique = [...new Map(all.map((t) => [t.id, t])).values()];
  const max = ROUTING_LIMITS.channelsPerNotification;
  return { targets: unique.slice(0, max), receivers, dropped: unique.slice(max).map((t) => t.id) };
}
