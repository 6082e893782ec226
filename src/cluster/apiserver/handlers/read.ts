/**
 * get, list (selectors, pagination) and watch (resume from a resourceVersion, 410 Gone when it
 * has left the watch cache, bookmarks, initial events, timeouts).
 */
import type { Clock } from '../../../platform/clock.ts';
import { errors } from '../errors.ts';
import type { ApiResponse, WatchEvent, WatchSink } from '../../core/api-request.ts';
import { parseLabelSelector, SelectorSyntaxError, type LabelSelector } from '../../core/selectors.ts';
import { parseFieldSelector } from '../field-selectors.ts';
import type { Change, ObjectStore } from '../storage/object-store.ts';
import { columnDefinitions, tableRow, toTable } from '../tables/index.ts';
import type { KubeObject } from '../../core/types.ts';
import { groupVersion } from '../../core/types.ts';
import type { ResourceRequest } from './context.ts';
import { resourceKey, TABLE_CONTENT_TYPE, toVersion, wantsTable } from './convert.ts';
import { validateReadParams } from './query-params.ts';

export interface ReadDeps {
  store: ObjectStore;
  clock: Clock;
}

type Filter = (obj: KubeObject) => boolean;

function labelSelectorParam(text: string): LabelSelector {
  try {
    return parseLabelSelector(text);
  } catch (e) {
    throw e instanceof SelectorSyntaxError ? errors.badRequest(e.message) : e;
  }
}

function buildFilter(r: ResourceRequest): Filter {
  const q = r.req.query;
  const label = q.get('labelSelector') ? labelSelectorParam(q.get('labelSelector')!) : undefined;
  const field = q.get('fieldSelector') ? parseFieldSelector(q.get('fieldSelector')!, r.info) : undefined;
  const name = r.verb === 'watch' ? r.name : undefined;
  return (obj) =>
    (name === undefined || obj.metadata.name === name) &&
    (label === undefined || label(obj.metadata.labels)) &&
    (field === undefined || field(obj));
}

export function getObject(deps: ReadDeps, r: ResourceRequest): KubeObject {
  const obj = deps.store.get(resourceKey(r.info), r.namespace ?? '', r.name!);
  if (!obj) throw errors.notFound(r.info.resource, r.info.group, r.name!);
  return toVersion(r.info, obj);
}

export function handleGet(deps: ReadDeps, r: ResourceRequest): ApiResponse {
  validateReadParams(r);
  const obj = getObject(deps, r);
  const table = wantsTable(r.req.headers.accept, r.req.query.get('includeObject'));
  if (table) {
    return { status: 200, contentType: TABLE_CONTENT_TYPE, body: toTable(r.info, [obj], { include: table.include, now: deps.clock.now(), listMeta: { resourceVersion: obj.metadata.resourceVersion } }) };
  }
  return { status: 200, body: obj };
}

interface ContinueToken {
  rv: number;
  start: string; // namespace/name of the last item returned
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeContinue(text: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
    if (typeof t.rv === 'number' && typeof t.start === 'string') return t;
  } catch {
    // fall through
  }
  throw errors.badRequest('continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
}

/** The objects of a list request and its ListMeta, honouring selectors, limit and continue. */
export function listObjects(deps: ReadDeps, r: ResourceRequest): { items: KubeObject[]; metadata: Record<string, unknown> } {
  validateReadParams(r);
  const filter = buildFilter(r);
  const q = r.req.query;
  const rv = deps.store.currentResourceVersion();
  let all = deps.store.list(resourceKey(r.info), r.namespace).filter(filter);
  const cont = q.get('continue');
  if (cont) {
    const token = decodeContinue(cont);
    all = all.filter((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}` > token.start);
  }
  const limit = Number(q.get('limit') ?? 0);
  const metadata: Record<string, unknown> = { resourceVersion: String(rv) };
  if (limit > 0 && all.length > limit) {
    const page = all.slice(0, limit);
    const last = page[page.length - 1];
    metadata.continue = encodeContinue({ rv, start: `${last.metadata.namespace ?? ''}/${last.metadata.name}` });
    metadata.remainingItemCount = all.length - limit;
    all = page;
  }
  return { items: all.map((o) => toVersion(r.info, o)), metadata };
}

export function handleList(deps: ReadDeps, r: ResourceRequest): ApiResponse {
  const { items, metadata } = listObjects(deps, r);
  const table = wantsTable(r.req.headers.accept, r.req.query.get('includeObject'));
  if (table) {
    return { status: 200, contentType: TABLE_CONTENT_TYPE, body: toTable(r.info, items, { include: table.include, now: deps.clock.now(), listMeta: metadata }) };
  }
  return { status: 200, body: { kind: r.info.listKind, apiVersion: groupVersion(r.info), metadata, items } };
}

/** Real servers send bookmarks about once a minute; waits go through the stack clock. */
const BOOKMARK_INTERVAL_MS = 60_000;
/** How long a watch from a resourceVersion the store has not reached waits for it (upstream: 3 s). */
const FRESHNESS_WAIT_MS = 3_000;

export function handleWatch(deps: ReadDeps, r: ResourceRequest): ApiResponse {
  validateReadParams(r);
  const filter = buildFilter(r);
  const q = r.req.query;
  const key = resourceKey(r.info);
  const ns = r.namespace;
  const rvParam = q.get('resourceVersion') ?? '';
  const sendInitial = q.get('sendInitialEvents') === 'true';
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const timeoutSeconds = Number(q.get('timeoutSeconds') ?? 0);
  const table = wantsTable(r.req.headers.accept, q.get('includeObject'));

  const inScope = (o: KubeObject | undefined): boolean => o !== undefined && (ns === undefined || (o.metadata.namespace ?? '') === ns) && filter(o);
  let columnsSent = false;
  const shape = (obj: KubeObject): unknown => {
    const v = toVersion(r.info, obj);
    if (!table) return v;
    const t = {
      kind: 'Table',
      apiVersion: 'meta.k8s.io/v1',
      metadata: { resourceVersion: v.metadata.resourceVersion },
      columnDefinitions: columnsSent ? [] : columnDefinitions(r.info),
      rows: [tableRow(r.info, v, table.include, deps.clock.now())],
    };
    columnsSent = true;
    return t;
  };

  /** A change as this watcher sees it: objects entering or leaving the selection become ADDED/DELETED. */
  const toEvent = (c: Change): WatchEvent | undefined => {
    const now = c.type === 'DELETED' ? false : inScope(c.object);
    const before = c.type === 'ADDED' ? false : inScope(c.previous);
    if (c.type === 'DELETED') return before ? { type: 'DELETED', object: shape(c.object) } : undefined;
    if (now && before) return { type: 'MODIFIED', object: shape(c.object) };
    if (now) return { type: 'ADDED', object: shape(c.object) };
    if (before) {
      const gone = { ...c.previous!, metadata: { ...c.previous!.metadata, resourceVersion: String(c.rv) } };
      return { type: 'DELETED', object: shape(gone) };
    }
    return undefined;
  };

  const bookmark = (rv: number, initialEnd = false): WatchEvent => ({
    type: 'BOOKMARK',
    object: {
      kind: r.info.kind,
      apiVersion: groupVersion(r.info),
      metadata: { resourceVersion: String(rv), ...(initialEnd ? { annotations: { 'k8s.io/initial-events-end': 'true' } } : {}) },
    },
  });

  return {
    status: 200,
    contentType: table ? TABLE_CONTENT_TYPE : 'application/json',
    watch: {
      start(sink: WatchSink) {
        let closed = false;
        const stop = () => {
          if (closed) return;
          closed = true;
          unsubscribe();
          timers.forEach((t) => t.cancel());
          sink.end();
        };
        const deliver = (e: WatchEvent | undefined) => {
          if (!e || closed) return;
          // A consumer that cannot keep up (or fails to take the event) is cut off; it re-watches
          // from its last resourceVersion. Its failure never reaches the write that caused the event,
          // which is already stored and must not be answered as failed.
          let taken: boolean;
          try {
            taken = sink.send(e);
          } catch {
            taken = false;
          }
          if (!taken) stop();
        };
        // A watch from resourceVersion N sees the changes after N, never those up to it.
        const fromRv = rvParam === '' || rvParam === '0' || sendInitial ? 0 : Number(rvParam);
        let waitingForFreshness: { cancel(): void } | undefined;
        const unsubscribe = deps.store.subscribe(key, (c) => {
          if (c.rv <= fromRv) return;
          deliver(toEvent(c));
        });
        const timers: Array<{ cancel(): void }> = [];
        if (timeoutSeconds > 0) timers.push(deps.clock.setTimeout(stop, timeoutSeconds * 1000));
        if (bookmarks) timers.push(deps.clock.setInterval(() => deliver(bookmark(deps.store.currentResourceVersion())), BOOKMARK_INTERVAL_MS));

        if (rvParam === '' || rvParam === '0' || sendInitial) {
          // Start from "now": the current state as synthetic ADDED events.
          for (const o of deps.store.list(key, ns)) if (filter(o)) deliver({ type: 'ADDED', object: shape(o) });
          if (sendInitial && bookmarks) deliver(bookmark(deps.store.currentResourceVersion(), true));
        } else if (fromRv > deps.store.currentResourceVersion()) {
          // A resourceVersion from the future (another server's, or made up): like upstream's watch
          // cache, wait a little for the store to reach it, then give up with "Too large resource
          // version" so the client re-lists instead of waiting silently forever.
          const reached = deps.store.subscribeAll(() => {
            if (deps.store.currentResourceVersion() < fromRv) return;
            reached();
            waitingForFreshness?.cancel();
          });
          waitingForFreshness = deps.clock.setTimeout(() => {
            reached();
            deliver({ type: 'ERROR', object: errors.tooLargeResourceVersion(fromRv, deps.store.currentResourceVersion()).toStatus() });
            stop();
          }, FRESHNESS_WAIT_MS);
          timers.push({ cancel: reached }, waitingForFreshness);
        } else {
          const changes = deps.store.changesSince(key, fromRv);
          if (changes === 'expired') {
            deliver({
              type: 'ERROR',
              object: errors.gone(`too old resource version: ${rvParam} (${deps.store.currentResourceVersion()})`).toStatus(),
            });
            stop();
            return stop;
          }
          for (const c of changes) deliver(toEvent(c));
        }
        return stop;
      },
    },
  };
}
