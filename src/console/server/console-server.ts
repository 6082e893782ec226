/**
 * The console's HTTP server: the page (HTML shell and bundle), the JSON views of api-types.ts, the
 * `/api/events` stream and, from src/console/auth, sign-in, the read guard and the decision route.
 * It watches the cluster through client-node informers (the watch hub) and reads DataStorage and
 * a Prometheus-compatible alerting API over HTTP; nothing else.
 *
 *   const console = await startConsole({ kubeconfig: kc, port: 0, dataStorageUrl, alertingUrl, auth: { mode: 'tokenreview', anonymousRead: false, secureCookies: false } });
 *   console.url; await console.close();
 */
import type { Server } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';
import { createConsoleAuth, type ConsoleAuthOptions } from '../auth/console-auth.ts';
import { registerDecisionRoute } from '../auth/decision-route.ts';
import { ScaledClock, type Clock } from '../../platform/clock.ts';
import { createHttpApp } from '../../platform/http/app.ts';
import { componentLogger } from '../../platform/log.ts';
import { registerApiRoutes } from './api-routes.ts';
import { EventStreams, type EventStreamLimits } from './event-stream.ts';
import { SECURITY_HEADERS } from './security-headers.ts';
import { AlertingSource } from './sources/alerting-source.ts';
import { DataStorageSource } from './sources/datastorage-source.ts';
import { JobLogReader } from './sources/job-log.ts';
import { registerStaticRoutes } from './static-assets.ts';
import { objectRef } from './views/objects.ts';
import { WatchHub } from './watch-hub.ts';

/** Real milliseconds the requests under way may take to finish when the console closes. */
const CLOSE_GRACE_MS = 2000;
/** The largest request body: a sign-in token or a decision message. */
const BODY_LIMIT = 16 * 1024;

export interface ConsoleOptions {
  /** The cluster: watched for remediations, asked for Job logs, TokenReviews and SubjectAccessReviews. */
  kubeconfig: KubeConfig;
  host?: string;
  /** 0 = a free port. */
  port?: number;
  /** DataStorage's base URL: audit trail, workflow catalog, remediation history. */
  dataStorageUrl?: string;
  /** For a DataStorage that requires a bearer token (asked on every request). */
  dataStorageToken?: () => string | undefined;
  /** A Prometheus-compatible API base whose `/api/v1/alerts` the Alerts page lists. */
  alertingUrl?: string;
  alertingToken?: () => string | undefined;
  /** The alerting's own alerts page, linked from the Alerts page. */
  alertsPageUrl?: string;
  /** Passed to createConsoleAuth (its `kc` is this console's kubeconfig). */
  auth: Omit<ConsoleAuthOptions, 'kc'>;
  /** Where the page bundle is (default: dist/console/web/assets of this checkout). */
  assetsDir?: string;
  events?: EventStreamLimits;
  /** Real milliseconds to wait for the first list of every watched kind before giving up (default 60 s). */
  syncTimeoutMs?: number;
  /** DataStorage and alerting request timeout in real milliseconds (default 5 s). */
  upstreamTimeoutMs?: number;
  clock?: Clock;
}

export interface RunningConsole {
  url: string;
  close(): Promise<void>;
}

export async function startConsole(opts: ConsoleOptions): Promise<RunningConsole> {
  const log = componentLogger('console');
  // The console's own observation of the cluster: real time, whatever the stack's time scale.
  const clock = opts.clock ?? new ScaledClock(1);
  const hub = new WatchHub(opts.kubeconfig, clock, log);
  const streams = new EventStreams(hub, opts.events);
  const { app } = createHttpApp({ name: 'console', bodyLimit: BODY_LIMIT, ready: () => hub.unsynced().length === 0 });
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) reply.header(name, value);
    return payload;
  });
  const auth = createConsoleAuth({ ...opts.auth, kc: opts.kubeconfig });
  auth.register(app);
  registerDecisionRoute(app, { kc: opts.kubeconfig, auth });
  const jobLogs = new JobLogReader(opts.kubeconfig);
  // A Job is deleted a while after it ran: its log is read as the execution progresses (changes
  // only: the executions already there at start are read when someone looks).
  hub.subscribe((e) => {
    if (e.kind !== 'WorkflowExecution' || e.type !== 'MODIFIED') return;
    const we = hub.get('WorkflowExecution', e.namespace, e.name);
    if (we?.status?.phase === 'Running' || we?.status?.phase === 'Completed' || we?.status?.phase === 'Failed') jobLogs.capture(objectRef(we.status?.executionRef));
  });
  registerApiRoutes(app, {
    hub,
    dataStorage: new DataStorageSource(opts.dataStorageUrl, opts.dataStorageToken, opts.upstreamTimeoutMs),
    alerting: new AlertingSource(opts.alertingUrl, opts.alertsPageUrl, opts.alertingToken, opts.upstreamTimeoutMs),
    jobLogs,
  });
  streams.register(app);
  registerStaticRoutes(app, opts.assetsDir);
  const requests = trackRequests(app.server);

  try {
    await syncWithin(hub, opts.syncTimeoutMs ?? 60_000);
    await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
  } catch (e) {
    await hub.stop();
    await app.close().catch(() => undefined);
    throw e;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const host = opts.host && opts.host !== '0.0.0.0' && opts.host !== '::' ? opts.host : '127.0.0.1';
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info({ url, dataStorage: opts.dataStorageUrl, alerting: opts.alertingUrl, anonymousRead: opts.auth.anonymousRead }, 'console is up');

  let closing: Promise<void> | undefined;
  return {
    url,
    close: () =>
      (closing ??= (async () => {
        // Open streams would keep the server from closing: end them first.
        streams.closeAll();
        const closed = app.close();
        // Browsers keep connections open (idle, or opened ahead of a request) that would hold the
        // close: once the requests under way are answered (or after a short grace) all are closed.
        await requests.settled(CLOSE_GRACE_MS);
        app.server.closeAllConnections();
        await closed;
        await hub.stop();
      })()),
  };
}

/** The informers' first lists, or a clear error naming the kinds the console could not list. */
async function syncWithin(hub: WatchHub, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the console could not list ${hub.unsynced().join(', ')} within ${Math.round(timeoutMs / 1000)} s: are the Kubernaut CRDs installed, and may its ServiceAccount list and watch them in every namespace?`)), timeoutMs);
  });
  try {
    await Promise.race([hub.start(), timedOut]);
  } finally {
    clearTimeout(timer);
  }
}

/** Counts the requests under way (the event streams included, until they end). */
function trackRequests(server: Server): { settled(graceMs: number): Promise<void> } {
  let open = 0;
  let onIdle: (() => void) | undefined;
  server.on('request', (_req, res) => {
    open++;
    res.once('close', () => {
      if (--open === 0) onIdle?.();
    });
  });
  return {
    settled: (graceMs) =>
      new Promise<void>((resolve) => {
        if (open === 0) return resolve();
        const timer = setTimeout(resolve, graceMs);
        onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      }),
  };
}
