/**
 * GET /api/v2/alerts of Alertmanager 0.25 over the embedded Dispatcher: the alerts it holds that
 * are not resolved, filtered by `filter` matchers, `receiver` (regex) and the state flags, sorted
 * by fingerprint. Nothing is silenced or inhibited here, so every alert's state is `active`.
 */
import type { Dispatcher } from '../dispatch/dispatcher.ts';
import { anchoredRegex, matchesAll, type Matcher } from '../promql/storage.ts';
import { amTime } from './format.ts';
import { MatcherError, parseMatcher } from './matchers.ts';
import type { Params } from './params.ts';

export interface GettableAlert {
  annotations: Record<string, string>;
  endsAt: string;
  fingerprint: string;
  receivers: { name: string }[];
  startsAt: string;
  status: { inhibitedBy: string[]; silencedBy: string[]; state: 'active' | 'suppressed' | 'unprocessed' };
  updatedAt: string;
  generatorURL?: string;
  labels: Record<string, string>;
}

/** A bad filter; Alertmanager answers 400 with the message as a JSON string. */
export class AlertFilterError extends Error {}

function boolParam(p: Params, name: string): boolean {
  const v = p.get(name);
  if (v === undefined || v === '' || v === 'true') return true;
  if (v === 'false') return false;
  throw new AlertFilterError(`${name} must be true or false, got ${JSON.stringify(v)}`);
}

interface AlertFilter {
  active: boolean;
  matchers: Matcher[];
  receiver?: RegExp;
}

function parseFilter(p: Params): AlertFilter {
  // silenced/inhibited/unprocessed only exclude alerts in those states, which never exist here.
  for (const name of ['silenced', 'inhibited', 'unprocessed']) boolParam(p, name);
  let matchers: Matcher[];
  try {
    matchers = p.getAll('filter').map(parseMatcher);
  } catch (e) {
    if (e instanceof MatcherError) throw new AlertFilterError(e.message);
    throw e;
  }
  const receiver = p.get('receiver');
  let receiverRe: RegExp | undefined;
  if (receiver !== undefined && receiver !== '') {
    try {
      receiverRe = anchoredRegex(receiver);
    } catch {
      throw new AlertFilterError(`failed to parse receiver param: ${receiver}`);
    }
  }
  return { active: boolParam(p, 'active'), matchers, receiver: receiverRe };
}

export function gettableAlerts(dispatcher: Dispatcher, p: Params): GettableAlert[] {
  const filter = parseFilter(p);
  if (!filter.active) return [];
  const now = dispatcher.clock.nowMs();
  return dispatcher
    .alerts()
    .filter((a) => a.endsAtMs > now)
    .filter((a) => matchesAll(filter.matchers, a.labels))
    .filter((a) => !filter.receiver || a.receivers.some((r) => filter.receiver!.test(r)))
    .sort((a, b) => (a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0))
    .map((a) => ({
      annotations: a.annotations,
      endsAt: amTime(a.endsAtMs),
      fingerprint: a.fingerprint,
      receivers: a.receivers.map((name) => ({ name })),
      startsAt: amTime(a.startsAtMs),
      status: { inhibitedBy: [], silencedBy: [], state: 'active' as const },
      updatedAt: amTime(a.updatedAtMs),
      generatorURL: a.generatorURL,
      labels: a.labels,
    }));
}
