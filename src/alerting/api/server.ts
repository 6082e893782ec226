/**
 * The embedded Prometheus-compatible HTTP server: Prometheus 2.x query/rules/alerts/targets API,
 * Alertmanager 0.25's GET /api/v2/alerts, probes, and the /alerts HTML page. Read-only.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createHttpApp, ProblemError } from '../../platform/http/app.ts';
import { addAccessControl, PUBLIC_PATHS, routedToPublicPath, type DenyResponder, type HttpAuth } from '../../platform/http/auth.ts';
import { renderAlertsPage } from './alerts-page.ts';
import { AlertFilterError, gettableAlerts } from './alertmanager-view.ts';
import type { AlertingApiBackend } from './backend.ts';
import { toErrorResponse } from './errors.ts';
import { labelNames, labelValues, seriesOf } from './metadata.ts';
import { Params } from './params.ts';
import { instantQuery, rangeQuery } from './query.ts';
import { alertsJson, parseRuleType, rulesJson, targetsJson } from './rules-view.ts';

export const BUILD_VERSION = '2.42.0-kubernaut';
const TEXT = 'text/plain; charset=utf-8';

function success<T>(data: T): { status: 'success'; data: T } {
  return { status: 'success', data };
}

/** The /api/v1 routes, in their own scope so their errors use Prometheus' format. */
function registerPrometheusApi(app: FastifyInstance, backend: AlertingApiBackend): void {
  void app.register(async (api) => {
    api.setErrorHandler((err, _req, reply) => {
      const { statusCode, body } = toErrorResponse(err);
      return reply.code(statusCode).send(body);
    });
    for (const method of ['GET', 'POST'] as const) {
      api.route({ method, url: '/api/v1/query', handler: async (req) => success(instantQuery(backend, Params.of(req))) });
      api.route({ method, url: '/api/v1/query_range', handler: async (req) => success(rangeQuery(backend, Params.of(req))) });
      api.route({ method, url: '/api/v1/series', handler: async (req) => success(seriesOf(backend, Params.of(req))) });
      api.route({ method, url: '/api/v1/labels', handler: async (req) => success(labelNames(backend, Params.of(req))) });
    }
    // A wildcard, not `:name`: the router refuses parameters over 100 characters (414, not in
    // Prometheus' format), and label names may be longer.
    api.get<{ Params: { '*': string } }>('/api/v1/label/*', async (req, reply) => {
      const name = /^(.*)\/values$/s.exec(req.params['*'])?.[1];
      if (name === undefined || name === '') return reply.callNotFound();
      return success(labelValues(backend, name, Params.of(req)));
    });
    api.get('/api/v1/alerts', async () => success(alertsJson(backend.ruleGroups())));
    api.get('/api/v1/rules', async (req) => success(rulesJson(backend.ruleGroups(), parseRuleType(Params.of(req).get('type')))));
    api.get('/api/v1/targets', async () => success(targetsJson(backend.targets())));
    // Grafana's metric browser asks for metadata; the embedded store keeps none.
    api.get('/api/v1/metadata', async () => success({}));
    api.get('/api/v1/status/buildinfo', async () =>
      success({ version: BUILD_VERSION, revision: 'kubernaut', branch: 'kubernaut', buildUser: 'kubernaut', buildDate: '', goVersion: 'none' }),
    );
  });
}

function registerAlertmanagerApi(app: FastifyInstance, backend: AlertingApiBackend): void {
  app.get('/api/v2/alerts', async (req, reply) => {
    if (!backend.dispatcher) throw new ProblemError(404, 'Not Found', 'no Alertmanager-compatible dispatcher is running');
    try {
      return gettableAlerts(backend.dispatcher, Params.of(req));
    } catch (e) {
      // Alertmanager answers bad filters with the message as a JSON string.
      if (e instanceof AlertFilterError) return reply.code(400).type('application/json').send(JSON.stringify(e.message));
      throw e;
    }
  });
}

/** Probes and metrics, Prometheus' own probes included, stay open. */
const PUBLIC_ALERTING_PATHS: ReadonlySet<string> = new Set([...PUBLIC_PATHS, '/-/healthy', '/-/ready']);
/** Everything else is reading alerts and series: `get` on `alerts.kubernaut.ai`. */
const READ_ALERTS = { verb: 'get', resource: 'alerts' } as const;

/** Refusals in Prometheus' error JSON, which its clients parse. */
const prometheusDenial: DenyResponder = (reply, status, message) =>
  reply.code(status).send({ status: 'error', errorType: { 401: 'unauthorized', 403: 'forbidden', 503: 'unavailable' }[status], error: message });

/** `auth`: bearer tokens and the right to read (`get` on `alerts.kubernaut.ai`); without it, open to anyone. */
export function createAlertingApi(backend: AlertingApiBackend, auth?: HttpAuth): FastifyInstance {
  const { app } = createHttpApp({ name: 'prometheus' });
  if (auth) addAccessControl(app, { auth, access: (req) => (routedToPublicPath(req, PUBLIC_ALERTING_PATHS) ? 'public' : READ_ALERTS), deny: prometheusDenial });
  // Prometheus clients POST queries as HTML forms; createHttpApp only parses JSON.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
    done(null, new URLSearchParams(body as string));
  });
  registerPrometheusApi(app, backend);
  registerAlertmanagerApi(app, backend);
  app.get('/-/healthy', async (_req, reply) => reply.type(TEXT).send('Prometheus Server is Healthy.\n'));
  app.get('/-/ready', async (_req, reply) => reply.type(TEXT).send('Prometheus Server is Ready.\n'));
  app.get('/', async (_req, reply) => reply.redirect('/alerts'));
  app.get('/alerts', async (_req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .send(renderAlertsPage({ groups: backend.ruleGroups(), problems: backend.ruleProblems(), nowMs: backend.clock.nowMs() })),
  );
  return app;
}

export interface AlertingApiServer {
  /** Base URL, e.g. http://127.0.0.1:9190 */
  url: string;
  close(): Promise<void>;
}

/** Listens on host:port (0 = any free port). A busy port fails: choosing another is the caller's job. */
export async function startAlertingApi(opts: { backend: AlertingApiBackend; host: string; port: number; auth?: HttpAuth }): Promise<AlertingApiServer> {
  const app = createAlertingApi(opts.backend, opts.auth);
  try {
    await app.listen({ host: opts.host, port: opts.port });
  } catch (e) {
    await app.close();
    throw e;
  }
  const addr = app.server.address() as AddressInfo;
  const host = addr.family === 'IPv6' || addr.address.includes(':') ? `[${addr.address}]` : addr.address;
  return { url: `http://${host}:${addr.port}`, close: () => app.close() };
}
