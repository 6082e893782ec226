// The live feed: one EventSource on /api/events for the whole page. Views subscribe with a
// predicate and refetch what they show when a change concerns them; after a reconnect every
// view refetches, as changes may have been missed meanwhile.
import type { ComponentChildren } from 'preact';
import { createContext } from 'preact';
import { useContext, useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { ConsoleEvent } from '../api-types.ts';

export type LiveStatus = 'connecting' | 'live' | 'reconnecting';
/** null: the feed reconnected, anything may have changed. */
type Listener = (event: ConsoleEvent | null) => void;

interface Live {
  status: LiveStatus;
  subscribe(listener: Listener): () => void;
}

const LiveContext = createContext<Live>({ status: 'connecting', subscribe: () => () => {} });

/** EventSource retries by itself after a dropped stream, but gives up on an HTTP error: then we retry. */
const RETRY_AFTER_HTTP_ERROR_MS = 3000;

/** connectionKey: reconnect when it changes (a sign-in may turn a refused stream into an allowed one). */
export function LiveProvider(props: { connectionKey: string; children: ComponentChildren }) {
  const [status, setStatus] = useState<LiveStatus>('connecting');
  const listeners = useMemo(() => new Set<Listener>(), []);
  useEffect(() => {
    let source: EventSource | undefined;
    let retry: ReturnType<typeof setTimeout> | undefined;
    let missed = false;
    const notify = (e: ConsoleEvent | null) => listeners.forEach((l) => l(e));
    const open = () => {
      const es = new EventSource('/api/events');
      source = es;
      es.onopen = () => {
        setStatus('live');
        if (missed) notify(null);
        missed = false;
      };
      es.onerror = () => {
        missed = true;
        setStatus('reconnecting');
        if (es.readyState === EventSource.CLOSED) {
          es.close();
          retry = setTimeout(open, RETRY_AFTER_HTTP_ERROR_MS);
        }
      };
      es.addEventListener('change', (m: MessageEvent<string>) => {
        let event: ConsoleEvent;
        try {
          event = JSON.parse(m.data) as ConsoleEvent;
        } catch {
          return;
        }
        notify(event);
      });
    };
    open();
    return () => {
      clearTimeout(retry);
      source?.close();
    };
  }, [props.connectionKey, listeners]);
  const value = useMemo<Live>(
    () => ({
      status,
      subscribe(l) {
        listeners.add(l);
        return () => listeners.delete(l);
      },
    }),
    [status, listeners],
  );
  return <LiveContext.Provider value={value}>{props.children}</LiveContext.Provider>;
}

export function useLiveStatus(): LiveStatus {
  return useContext(LiveContext).status;
}

/**
 * Calls onChange at most once per delayMs burst of events that match (the first matching event
 * starts the delay, later ones join it), so a view refetches soon after a change yet not once
 * per event of a busy pipeline. Also called after the feed reconnects.
 */
export function useLiveChanges(matches: (e: ConsoleEvent) => boolean, onChange: () => void, delayMs = 50): void {
  const { subscribe } = useContext(LiveContext);
  const latest = useRef({ matches, onChange });
  latest.current = { matches, onChange };
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = subscribe((e) => {
      if (e && !latest.current.matches(e)) return;
      timer ??= setTimeout(() => {
        timer = undefined;
        latest.current.onChange();
      }, delayMs);
    });
    return () => {
      unsubscribe();
      clearTimeout(timer);
    };
  }, [subscribe, delayMs]);
}
