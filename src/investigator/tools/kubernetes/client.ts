/**
 * Read-only access to the API server through client-node's own request pipeline (kubeconfig auth,
 * TLS, proxies), with the caller's abort signal, a chosen Accept header (server-side Tables, plain
 * text logs) and the answer exactly as the server sent it. GET is the only verb this file can send.
 */
import { ApiException, HttpMethod, KubernetesObjectApi, type KubeConfig, type KubernetesObject, type ResponseContext } from '@kubernetes/client-node';
import { messageOf, statusCodeOf } from '../../../kube/api-errors.ts';
import { ToolError } from '../types.ts';

export type Query = Record<string, string | number | boolean | undefined>;

export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    creationTimestamp?: string;
    deletionTimestamp?: string;
    ownerReferences?: Array<{ apiVersion: string; kind: string; name: string; uid: string; controller?: boolean }>;
    [k: string]: unknown;
  };
  [k: string]: any;
}

class RawReadApi extends KubernetesObjectApi {
  async readRaw(path: string, query: Query, accept: string, signal: AbortSignal): Promise<unknown> {
    const ctx = this.configuration.baseServer.makeRequestContext(path, HttpMethod.GET);
    ctx.setHeaderParam('Accept', accept);
    for (const [name, value] of Object.entries(query)) if (value !== undefined) ctx.setQueryParam(name, String(value));
    ctx.setSignal(signal);
    return this.requestPromise(ctx);
  }

  /** The body as sent: client-node's own would turn an object's metadata into typed classes (timestamps into Dates). */
  protected override async processResponse<T extends KubernetesObject>(response: ResponseContext): Promise<T> {
    const text = await response.body.text();
    const json = /\bjson\b/.test(response.headers['content-type'] ?? '');
    if (response.httpStatusCode >= 200 && response.httpStatusCode <= 299) return (json ? JSON.parse(text) : text) as T;
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not a Status document: keep the text
    }
    throw new ApiException(response.httpStatusCode, 'Unsuccessful HTTP Request', body, response.headers);
  }
}

const apis = new WeakMap<KubeConfig, RawReadApi>();

/** The largest page one list request asks for. */
const PAGE = 500;

export class KubeReader {
  private readonly api: RawReadApi;

  constructor(
    kubeconfig: KubeConfig,
    readonly signal: AbortSignal,
  ) {
    let api = apis.get(kubeconfig);
    if (!api) {
      api = kubeconfig.makeApiClient(RawReadApi);
      apis.set(kubeconfig, api);
    }
    this.api = api;
  }

  json<T = any>(path: string, query: Query = {}): Promise<T> {
    return this.api.readRaw(path, query, 'application/json', this.signal) as Promise<T>;
  }

  /** A GET that answers undefined on 404 (a missing object is often an answer, not an error). */
  async optional<T = any>(path: string, query: Query = {}): Promise<T | undefined> {
    try {
      return await this.json<T>(path, query);
    } catch (e) {
      if (statusCodeOf(e) === 404) return undefined;
      throw e;
    }
  }

  /** Every item of a list, page by page, up to `max` items. */
  async list<T = KubeObject>(path: string, query: Query = {}, max = 5000): Promise<T[]> {
    const items: T[] = [];
    let cont: string | undefined;
    do {
      const page = await this.json<{ items?: T[]; metadata?: { continue?: string } }>(path, { ...query, limit: Math.min(PAGE, max - items.length), continue: cont });
      items.push(...(page.items ?? []));
      cont = page.metadata?.continue || undefined;
    } while (cont && items.length < max);
    return items;
  }

  /** Like `list`, but an error (e.g. no permission for a related kind) reads as no items. */
  async listOrEmpty<T = KubeObject>(path: string, query: Query = {}, max = 5000): Promise<T[]> {
    try {
      return await this.list<T>(path, query, max);
    } catch (e) {
      if (this.signal.aborted) throw e;
      return [];
    }
  }

  table(path: string, query: Query): Promise<any> {
    return this.api.readRaw(path, query, 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json;as=Table;v=v1beta1;g=meta.k8s.io, application/json', this.signal);
  }

  async text(path: string, query: Query): Promise<string> {
    const body = await this.api.readRaw(path, query, 'text/plain, */*', this.signal);
    return typeof body === 'string' ? body : JSON.stringify(body);
  }
}

/**
 * Turns an API error the LLM can act on (not found, forbidden, bad request) into a ToolError with
 * the server's own explanation; anything else (network, 5xx, abort) is rethrown as it is.
 */
export function toToolError(err: unknown, what: string): never {
  const code = statusCodeOf(err);
  if (code === 404) throw new ToolError(`${what} not found`);
  if (code === 403) throw new ToolError(`forbidden: the investigator may not read ${what}: ${messageOf(err)}`);
  if (code === 401) throw new ToolError(`unauthorized: the investigator's credentials were refused reading ${what}`);
  if (code !== undefined && code >= 400 && code < 500) throw new ToolError(`cannot read ${what}: ${messageOf(err)}`);
  throw err;
}
