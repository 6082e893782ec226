// The page's only way to the server: same-origin JSON requests to the routes of ../api-types.ts.
// A failed request becomes an ApiError carrying the server's own words (RFC 7807 title and detail).

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** "/api/approvals/" + each segment URL-encoded, so a name cannot reach another route. */
export function apiPath(...segments: string[]): string {
  return '/api/' + segments.map(encodeURIComponent).join('/');
}

async function problemText(res: Response): Promise<string> {
  try {
    const body = (await res.json()) as { title?: unknown; detail?: unknown };
    const parts = [body.title, body.detail].filter((s): s is string => typeof s === 'string' && s !== '');
    if (parts.length === 2 && parts[0] === parts[1]) parts.pop();
    if (parts.length > 0) return parts.join(': ');
  } catch {
    // not a problem document: say what HTTP said
  }
  return `${res.status} ${res.statusText}`.trim();
}

async function request<T>(method: string, path: string, init: { body?: unknown; csrfToken?: string; signal?: AbortSignal }): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (init.csrfToken) headers['x-csrf-token'] = init.csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: init.signal,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
  } catch (e) {
    if (init.signal?.aborted) throw e;
    throw new ApiError(0, 'The console server cannot be reached');
  }
  if (!res.ok) throw new ApiError(res.status, await problemText(res));
  return (await res.json()) as T;
}

export function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  return request<T>('GET', path, { signal });
}

/** A state-changing request: carries the session's CSRF token. */
export function sendJson<T>(method: 'POST' | 'DELETE', path: string, body: unknown, csrfToken: string | undefined): Promise<T> {
  return request<T>(method, path, { body, csrfToken });
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
