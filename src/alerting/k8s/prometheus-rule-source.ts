/**
 * Watches `monitoring.coreos.com/v1` PrometheusRule objects in every namespace through client-node's
 * informer (list, then watch, relist on 410), like prometheus-operator does, and reports every add,
 * change and delete. A failed watch is restarted after a back-off, so rules keep following the
 * cluster across API server restarts.
 */
import { CustomObjectsApi, makeInformer, type KubeConfig, type KubernetesListObject } from '@kubernetes/client-node';
import { componentLogger } from '../../platform/log.ts';

export const PROMETHEUS_RULE_GROUP = 'monitoring.coreos.com';
export const PROMETHEUS_RULE_VERSION = 'v1';
export const PROMETHEUS_RULE_PLURAL = 'prometheusrules';

export interface PrometheusRuleObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; uid?: string; resourceVersion?: string; generation?: number; labels?: Record<string, string> };
  spec: { groups?: unknown[] };
}

export interface PrometheusRuleHandlers {
  upsert(obj: PrometheusRuleObject): void;
  remove(obj: PrometheusRuleObject): void;
}

export interface PrometheusRuleSource {
  /** Resolves once the first list has been delivered to the handlers. */
  synced: Promise<void>;
  /** The objects currently known. */
  list(): readonly PrometheusRuleObject[];
  stop(): Promise<void>;
}

const RESTART_MIN_MS = 500;
const RESTART_MAX_MS = 30_000;

export function watchPrometheusRules(kc: KubeConfig, handlers: PrometheusRuleHandlers): PrometheusRuleSource {
  const log = componentLogger('prometheus-rules');
  const api = kc.makeApiClient(CustomObjectsApi);
  const path = `/apis/${PROMETHEUS_RULE_GROUP}/${PROMETHEUS_RULE_VERSION}/${PROMETHEUS_RULE_PLURAL}`;
  const list = () =>
    api.listClusterCustomObject({ group: PROMETHEUS_RULE_GROUP, version: PROMETHEUS_RULE_VERSION, plural: PROMETHEUS_RULE_PLURAL }) as Promise<
      KubernetesListObject<PrometheusRuleObject>
    >;
  const informer = makeInformer<PrometheusRuleObject>(kc, path, list);
  let stopped = false;
  let restartTimer: ReturnType<typeof setTimeout> | undefined;
  let backoff = RESTART_MIN_MS;
  let markSynced!: () => void;
  const synced = new Promise<void>((resolve) => (markSynced = resolve));

  const safe = (what: string, fn: (o: PrometheusRuleObject) => void) => (o: PrometheusRuleObject) => {
    try {
      fn(o);
    } catch (e) {
      log.error({ err: (e as Error).message, rule: `${o.metadata?.namespace}/${o.metadata?.name}` }, `PrometheusRule ${what} handler failed`);
    }
  };
  informer.on('add', safe('add', handlers.upsert));
  informer.on('update', safe('update', handlers.upsert));
  informer.on('delete', safe('delete', handlers.remove));
  informer.on('connect', () => {
    backoff = RESTART_MIN_MS;
  });
  const start = () => {
    informer.start().then(markSynced, onError);
  };
  function onError(err: unknown): void {
    if (stopped) return;
    log.warn({ err: err instanceof Error ? err.message : String(err), retryInMs: backoff }, 'PrometheusRule watch failed; restarting');
    const delay = backoff;
    backoff = Math.min(backoff * 2, RESTART_MAX_MS);
    // Real time on purpose: this is a reconnect back-off against the API server, not a story wait.
    restartTimer = setTimeout(() => {
      if (!stopped) start();
    }, delay);
  }
  informer.on('error', onError);
  start();

  return {
    synced,
    list: () => informer.list(),
    async stop() {
      stopped = true;
      clearTimeout(restartTimer);
      await informer.stop();
    },
  };
}
