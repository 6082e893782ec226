/**
 * The messages between `kubernaut up` and the services process it forks (one JSON object per
 * message over Node's IPC channel). up → services: `prepare` at once (the options, so the modules
 * load while the cluster starts), `start` once the API server serves, `controlPlane` once the
 * control plane runs (or failed), `close` on shutdown. services → up: readiness and progress as
 * each service comes up, then `started` or `failed`.
 */
import type { Component, EndpointUrls } from './endpoints.ts';
import type { ServicesPlan } from './up-services.ts';
import type { UpOptions } from './up.ts';

/** The hidden subcommand of bin/kubernaut.js that runs the services process. */
export const SERVICES_SUBCOMMAND = '__up-services';

export type ToServices =
  | { type: 'prepare'; opts: UpOptions }
  | { type: 'start'; plan: ServicesPlan }
  | { type: 'controlPlane'; ok: true; kubeStateMetricsUrl?: string }
  | { type: 'controlPlane'; ok: false }
  | { type: 'close' };

/** An error as it crosses the channel: enough to report it as the services process saw it. */
export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  /** The error's own plain properties: code, errno, syscall, address, port... */
  props?: Record<string, string | number | boolean>;
}

export type FromServices =
  | { type: 'ready'; component: Component; urls: EndpointUrls; lines: string[] }
  | { type: 'update'; urls: EndpointUrls; lines: string[] }
  | { type: 'started' }
  | { type: 'failed'; error: SerializedError };

export function serializeError(e: unknown): SerializedError {
  if (e instanceof Error) {
    const props = Object.fromEntries(Object.entries(e).filter(([, v]) => ['string', 'number', 'boolean'].includes(typeof v))) as Record<string, string | number | boolean>;
    return { name: e.name, message: e.message, stack: e.stack, props };
  }
  return { name: 'Error', message: String(e) };
}

/** The error again, with the services process's stack, so `up` fails with what failed and where. */
export function deserializeError(s: SerializedError): Error {
  const e = Object.assign(new Error(s.message), s.props);
  e.name = s.name;
  if (s.stack) e.stack = s.stack;
  return e;
}
