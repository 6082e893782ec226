/**
 * Raw GETs against the cluster of a kubeconfig, for what client-node's typed clients cannot ask for:
 * server-side Tables (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io`), on lists and on
 * watch streams. Authentication is client-node's own (`applyToHTTPSOptions`: CA, client
 * certificates, bearer tokens, exec and auth-provider plugins, basic auth), applied afresh to every
 * request so refreshed tokens are picked up when a watch reconnects.
 */
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json';

/** An answer other than 2xx, with the server's Status message when it sent one. */
export class KubeHttpError extends Error {
  constructor(
    readonly statusCode: number,
    message: string,
    readonly reason?: string,
  ) {
    super(message);
    this.name = 'KubeHttpError';
  }
}

/** The URL of `path` on the kubeconfig's current cluster (servers behind a path prefix keep it). */
export function clusterUrl(kc: KubeConfig, path: string, query: Record<string, string | undefined> = {}): URL {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('the kubeconfig has no current cluster (set a context with --context or `kubectl config use-context`)');
  const url = new URL(cluster.server.replace(/\/+$/, '') + path);
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, v);
  return url;
}

/**
 * Sends a GET and resolves with the response once its status is known. Non-2xx answers reject with
 * a KubeHttpError carrying the server's Status message. `signal` aborts the request and its body.
 */
export async function kubeGet(kc: KubeConfig, url: URL, accept: string, signal?: AbortSignal): Promise<IncomingMessage> {
  const opts: RequestOptions & { ca?: Buffer; cert?: Buffer; key?: Buffer; rejectUnauthorized?: boolean; servername?: string } = { headers: {} };
  await kc.applyToHTTPSOptions(opts);
  const headers = { ...(opts.headers as Record<string, string>), Accept: accept, 'User-Agent': 'kubernaut-watch' };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { ...opts, method: 'GET', headers, signal }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        // A watch may sit idle for minutes: keepalive probes notice a peer that vanished.
        res.socket?.setKeepAlive(true, 30_000);
        resolve(res);
        return;
      }
      readBody(res).then(
        (text) => reject(statusError(status, text)),
        (e: Error) => reject(e),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

/** GET and parse a JSON answer. */
export async function kubeGetJson<T>(kc: KubeConfig, url: URL, accept = 'application/json', signal?: AbortSignal): Promise<T> {
  const res = await kubeGet(kc, url, accept, signal);
  const text = await readBody(res);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new Error(`${url.pathname}: the server's answer is not JSON`);
  }
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function statusError(status: number, text: string): KubeHttpError {
  try {
    const s = JSON.parse(text) as { kind?: string; message?: string; reason?: string };
    if (s.kind === 'Status' && s.message) return new KubeHttpError(status, s.message, s.reason);
  } catch {
    // not a Status: fall through to the HTTP status
  }
  const hint = status === 401 ? 'Unauthorized: the kubeconfig\'s credentials were not accepted' : status === 403 ? 'Forbidden' : `HTTP ${status}`;
  return new KubeHttpError(status, text.trim() ? `${hint}: ${text.trim().slice(0, 200)}` : hint);
}
