/**
 * A small API client for the embedded control plane's own controllers. It speaks the same
 * REST requests kubectl sends, delivered in-process to `ApiServer.handle` (no sockets), so the
 * controllers are ordinary clients that never touch the server's storage.
 */
import type { ApiRequest, ApiResponse, UserInfo, WatchEvent } from '../core/api-request.ts';
import { isWatchResponse } from '../core/api-request.ts';
import type { KubeObject } from '../core/types.ts';
import { copyJson } from '../core/json-copy.ts';

export interface Transport {
  handle(req: ApiRequest): Promise<ApiResponse>;
}

export class ClientError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly status: unknown,
  ) {
    super(message);
  }
}

/** Identifies a resource: `{group: 'apps', version: 'v1', resource: 'statefulsets'}`. */
export interface Gvr {
  group: string;
  version: string;
  resource: string;
}

export function gvrPath(gvr: Gvr, namespace?: string, name?: string, subresource?: string): string {
  const base = gvr.group ? `/apis/${gvr.group}/${gvr.version}` : `/api/${gvr.version}`;
  return [base, namespace !== undefined ? `namespaces/${encodeURIComponent(namespace)}` : '', gvr.resource, name !== undefined ? encodeURIComponent(name) : '', subresource ?? '']
    .filter(Boolean)
    .join('/');
}

export interface ListResult {
  items: KubeObject[];
  resourceVersion: string;
}

export class ClusterClient {
  constructor(
    private readonly transport: Transport,
    private readonly user: UserInfo,
    private readonly userAgent: string,
  ) {}

  async request(method: string, path: string, opts: { query?: Record<string, string>; body?: unknown; contentType?: string } = {}): Promise<any> {
    const res = await this.transport.handle({
      method,
      path,
      query: new URLSearchParams(opts.query ?? {}),
      headers: { 'content-type': opts.contentType ?? 'application/json', accept: 'application/json', 'user-agent': this.userAgent },
      body: opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body)),
      user: this.user,
    });
    if (isWatchResponse(res)) throw new Error('unexpected watch response');
    if (res.status >= 400) {
      const s = res.body as any;
      throw new ClientError(res.status, s?.reason ?? 'Unknown', s?.message ?? `HTTP ${res.status}`, s);
    }
    // Callers own what they get, as after decoding an HTTP response; stored objects stay untouched.
    return copyJson(res.body);
  }

  get(gvr: Gvr, namespace: string | undefined, name: string): Promise<KubeObject> {
    return this.request('GET', gvrPath(gvr, namespace, name));
  }

  /** get, or undefined on 404. */
  async find(gvr: Gvr, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    try {
      return await this.get(gvr, namespace, name);
    } catch (e) {
      if (e instanceof ClientError && e.code === 404) return undefined;
      throw e;
    }
  }

  async list(gvr: Gvr, namespace?: string, query: Record<string, string> = {}): Promise<ListResult> {
    const body = await this.request('GET', gvrPath(gvr, namespace), { query });
    return { items: body.items, resourceVersion: body.metadata.resourceVersion };
  }

  create(gvr: Gvr, namespace: string | undefined, obj: KubeObject): Promise<KubeObject> {
    return this.request('POST', gvrPath(gvr, namespace), { body: obj });
  }

  update(gvr: Gvr, obj: KubeObject, subresource?: string): Promise<KubeObject> {
    return this.request('PUT', gvrPath(gvr, obj.metadata.namespace, obj.metadata.name, subresource), { body: obj });
  }

  patch(gvr: Gvr, namespace: string | undefined, name: string, patch: unknown, type: 'merge' | 'json' | 'strategic' = 'merge', subresource?: string): Promise<KubeObject> {
    const contentType = { merge: 'application/merge-patch+json', json: 'application/json-patch+json', strategic: 'application/strategic-merge-patch+json' }[type];
    return this.request('PATCH', gvrPath(gvr, namespace, name, subresource), { body: patch, contentType });
  }

  delete(gvr: Gvr, namespace: string | undefined, name: string, options: Record<string, unknown> = {}): Promise<KubeObject> {
    return this.request('DELETE', gvrPath(gvr, namespace, name), { body: { kind: 'DeleteOptions', apiVersion: 'v1', ...options } });
  }

  /**
   * Watches from a resourceVersion; `onEvent` gets every event, `onEnd` when the stream closes
   * (including after a 410 ERROR event). Returns a function that stops the watch.
   */
  async watch(gvr: Gvr, namespace: string | undefined, resourceVersion: string, onEvent: (e: WatchEvent) => void, onEnd: () => void): Promise<() => void> {
    const res = await this.transport.handle({
      method: 'GET',
      path: gvrPath(gvr, namespace),
      query: new URLSearchParams({ watch: 'true', resourceVersion, allowWatchBookmarks: 'true' }),
      headers: { accept: 'application/json', 'user-agent': this.userAgent },
      user: this.user,
    });
    if (!isWatchResponse(res)) {
      const s = (res as any).body;
      throw new ClientError(res.status, s?.reason ?? 'Unknown', s?.message ?? `HTTP ${res.status}`, s);
    }
    let done = false;
    // Events are delivered on a microtask so a handler never runs inside the writer's request.
    const queue: WatchEvent[] = [];
    let scheduled = false;
    const flush = () => {
      scheduled = false;
      while (queue.length && !done) onEvent(queue.shift()!);
    };
    return res.watch.start({
      send(e) {
        if (done) return false;
        queue.push({ type: e.type, object: copyJson(e.object) });
        if (!scheduled) {
          scheduled = true;
          queueMicrotask(flush);
        }
        return true;
      },
      end() {
        if (done) return;
        queueMicrotask(() => {
          flush();
          done = true;
          onEnd();
        });
      },
    });
  }
}

