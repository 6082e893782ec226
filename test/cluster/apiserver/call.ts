/** One request to an in-process ApiServer, as the HTTP layer would hand it over, for the API server's tests. */
import type { ApiServer } from '../../../src/cluster/apiserver/server.ts';
import type { UserInfo } from '../../../src/cluster/core/api-request.ts';

export const ADMIN: UserInfo = { username: 'admin', groups: ['system:masters', 'system:authenticated'] };

/** `body`: a string is sent as is, anything else as JSON. The answer's body is loosely typed on purpose. */
export function callServer(server: ApiServer, method: string, path: string, opts: { body?: unknown; contentType?: string; user?: UserInfo } = {}) {
  const [p, q] = path.split('?');
  const { body } = opts;
  const res = server.handleSync({
    method,
    path: p,
    query: new URLSearchParams(q ?? ''),
    headers: { 'content-type': opts.contentType ?? 'application/json' },
    body: body === undefined ? undefined : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    user: opts.user ?? ADMIN,
  });
  return { status: res.status, body: ('body' in res ? res.body : undefined) as any, headers: ('headers' in res ? res.headers : undefined) ?? {} };
}
