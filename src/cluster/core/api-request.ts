/**
 * Transport-neutral requests and responses: the node HTTP adapter and the in-process client
 * both go through `ApiServer.handle`, so controllers take exactly the path kubectl takes.
 */

export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
  /** Extra attributes the authenticator found (e.g. the pod a ServiceAccount token is bound to). */
  extra?: Record<string, string[]>;
}

export interface ApiRequest {
  method: string;
  /** Path without the query string, e.g. `/api/v1/namespaces/default/pods`. */
  path: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body?: Buffer;
  /** Set by the transport when it authenticated the caller itself (in-process clients). */
  user?: UserInfo;
}

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: unknown;
}

/** Where a watch writes its events. `send` returns false when the consumer is too slow. */
export interface WatchSink {
  send(event: WatchEvent): boolean;
  end(): void;
}

export interface WatchStream {
  /** Starts streaming into the sink; the returned function stops it (client went away). */
  start(sink: WatchSink): () => void;
}

export type ApiResponse =
  | { status: number; body: unknown; contentType?: string; headers?: Record<string, string> }
  | { status: 200; watch: WatchStream; contentType?: string };

export function isWatchResponse(r: ApiResponse): r is { status: 200; watch: WatchStream; contentType?: string } {
  return 'watch' in r;
}
