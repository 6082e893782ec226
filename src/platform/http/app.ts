/**
 * The HTTP foundation of Kubernaut's own services (Gateway, DataStorage, ...): a Fastify app whose
 * every error is an RFC 7807 `application/problem+json` document, with JSON bodies only, a body
 * limit, liveness/readiness probes and a Prometheus `/metrics` endpoint (prom-client registry).
 */
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { DEFAULT_MAX_JSON_DEPTH, jsonNestsDeeperThan } from './json-depth.ts';
import { capConnectionsPerClient, DEFAULT_MAX_CONNECTIONS_PER_CLIENT } from './connection-limits.ts';
import { problemClientErrorHandler } from './client-errors.ts';

/** An error that becomes an RFC 7807 problem document. */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail?: string,
    /** Extra members (e.g. `errors: [{path, message}]`). */
    readonly extra: Record<string, unknown> = {},
    /** A URI identifying the problem type; `about:blank` means "see the status code". */
    readonly type = 'about:blank',
  ) {
    super(detail ?? title);
  }
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export function sendProblem(reply: FastifyReply, p: ProblemError, instance?: string): FastifyReply {
  return reply
    .code(p.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send({ type: p.type, title: p.title, status: p.status, ...(p.detail ? { detail: p.detail } : {}), ...(instance ? { instance } : {}), ...p.extra });
}

export interface HttpAppOptions {
  /** Service name, used as the `service` label of default metrics. */
  name: string;
  /** Largest accepted request body (default 1 MiB). */
  bodyLimit?: number;
  /** Deepest nesting of objects and arrays a JSON body may have (default 64): deeper is a 400. */
  maxJsonDepth?: number;
  /**
   * Deadline for a whole request, headers and body, to arrive (default 30 s): a client trickling
   * its body is cut off with 408 instead of holding a connection and a request slot indefinitely.
   */
  requestTimeoutMs?: number;
  /** Open connections one client address may hold (default 256); more are closed as they arrive. */
  maxConnectionsPerClient?: number;
  /** Readiness: resolves true when the service can take traffic. */
  ready?: () => boolean | Promise<boolean>;
  /** Registries whose metrics /metrics adds to the service's own, asked on every scrape (e.g. per leadership term). */
  extraMetrics?: () => Registry[];
}

export interface HttpApp {
  app: FastifyInstance;
  metrics: Registry;
}

export function createHttpApp(opts: HttpAppOptions): HttpApp {
  // Fastify's own logger stays off: services log through pino component loggers.
  const requestTimeout = opts.requestTimeoutMs ?? 30_000;
  const app = Fastify({
    bodyLimit: opts.bodyLimit ?? 1024 * 1024,
    logger: false,
    return503OnClosing: true,
    requestTimeout,
    clientErrorHandler: problemClientErrorHandler,
    // Requests the router refuses (a malformed URL, an over-long path parameter) answer like any other error.
    frameworkErrors: (err: any, req, reply) => {
      const status = typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
      const title = status === 414 ? 'URI Too Long' : 'Bad Request';
      return sendProblem(reply, new ProblemError(status, title, status === 414 ? 'a path parameter exceeds the length limit' : 'the URL is not valid'), req.url.slice(0, 200));
    },
    // Node checks the request deadline every connectionsCheckingInterval (30 s by default, which
    // would let a slow client overstay a short deadline many times over).
    http: { headersTimeout: Math.min(10_000, requestTimeout), connectionsCheckingInterval: Math.min(1000, requestTimeout) },
  });
  capConnectionsPerClient(app.server, opts.maxConnectionsPerClient ?? DEFAULT_MAX_CONNECTIONS_PER_CLIENT);
  const metrics = new Registry();
  metrics.setDefaultLabels({ service: opts.name });
  collectDefaultMetrics({ register: metrics });

  // Only JSON bodies unless a service adds a parser (e.g. YAML); anything else is 415.
  app.removeContentTypeParser('text/plain');
  // Fastify's own JSON parsing (prototype-poisoning checks included), behind a nesting limit.
  const maxJsonDepth = opts.maxJsonDepth ?? DEFAULT_MAX_JSON_DEPTH;
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if (jsonNestsDeeperThan(body as string, maxJsonDepth)) {
      return done(new ProblemError(400, 'Bad Request', `the JSON body nests deeper than ${maxJsonDepth} levels`), undefined);
    }
    return parseJson(req, body as string, done);
  });
  app.setErrorHandler((err: any, req, reply) => {
    if (err instanceof ProblemError) return sendProblem(reply, err, req.url);
    const status: number = typeof err.statusCode === 'number' && err.statusCode >= 400 ? err.statusCode : 500;
    const titles: Record<number, string> = {
      400: 'Bad Request',
      413: 'Payload Too Large',
      415: 'Unsupported Media Type',
      404: 'Not Found',
      405: 'Method Not Allowed',
      503: 'Service Unavailable',
    };
    const detail = status === 500 ? 'internal error' : err.message;
    return sendProblem(reply, new ProblemError(status, titles[status] ?? (status >= 500 ? 'Internal Server Error' : 'Bad Request'), detail), req.url);
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, new ProblemError(404, 'Not Found', `no route for ${req.method} ${req.url.split('?')[0]}`), req.url));

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_req, reply) => {
    const ok = opts.ready ? await opts.ready() : true;
    if (!ok) return sendProblem(reply, new ProblemError(503, 'Service Unavailable', 'not ready'));
    return { status: 'ready' };
  });
  app.get('/metrics', async (_req, reply) => {
    const extra = opts.extraMetrics?.() ?? [];
    const all = extra.length ? Registry.merge([metrics, ...extra]) : metrics;
    return reply.type(all.contentType).send(await all.metrics());
  });
  return { app, metrics };
}
