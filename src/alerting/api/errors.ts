/**
 * Errors of the Prometheus HTTP API. Deliberately NOT RFC 7807 like the rest of Kubernaut's
 * services: Grafana and other Prometheus clients parse `{status:'error', errorType, error}`.
 */
import { ProblemError } from '../../platform/http/app.ts';

export type ApiErrorType = 'bad_data' | 'execution' | 'internal' | 'not_found' | 'timeout' | 'canceled' | 'unavailable';

export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly errorType: ApiErrorType,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export function badData(message: string): ApiError {
  return new ApiError(400, 'bad_data', message);
}

export function invalidParam(name: string, reason: string): ApiError {
  return badData(`invalid parameter ${JSON.stringify(name)}: ${reason}`);
}

export interface ErrorBody {
  status: 'error';
  errorType: ApiErrorType;
  error: string;
}

/** Maps any error thrown in a Prometheus API route to its status code and JSON body. */
export function toErrorResponse(err: unknown): { statusCode: number; body: ErrorBody } {
  if (err instanceof ApiError) return { statusCode: err.statusCode, body: { status: 'error', errorType: err.errorType, error: err.message } };
  // The shared body parsers refuse with a ProblemError (e.g. a JSON body nested too deep).
  if (err instanceof ProblemError && err.status >= 400 && err.status < 500) {
    return { statusCode: err.status, body: { status: 'error', errorType: 'bad_data', error: err.message } };
  }
  const e = err as { statusCode?: unknown; message?: unknown };
  // Fastify's own 4xx errors (unsupported media type, body too large, malformed body) are bad input.
  if (typeof e?.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { statusCode: e.statusCode, body: { status: 'error', errorType: 'bad_data', error: String(e.message) } };
  }
  return { statusCode: 500, body: { status: 'error', errorType: 'internal', error: 'internal error' } };
}
