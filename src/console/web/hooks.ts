// Small hooks every page uses: a JSON resource that reloads on demand, a ticking clock, the title.
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, getJson } from './api.ts';

export interface Resource<T> {
  /** The last answer for this path (or, with keepPrevious, for the previous path while the new one loads). */
  data?: T;
  /** The last load's failure; data, if any, is from an earlier load. */
  error?: ApiError;
  loading: boolean;
  /** Loads again; calls while a load is running fold into one more load after it. */
  reload: () => void;
}

interface LoadState<T> {
  path: string | null;
  data?: T;
  error?: ApiError;
}

/**
 * One path's loader. A reload asked for during a load never aborts it (a steady stream of
 * changes would otherwise starve the page); it runs once more when the load ends.
 */
class Loader<T> {
  private busy = false;
  private again = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly path: string,
    private readonly set: (update: (s: LoadState<T>) => LoadState<T>) => void,
  ) {}

  load(): void {
    if (this.abort.signal.aborted) return;
    if (this.busy) {
      this.again = true;
      return;
    }
    this.busy = true;
    getJson<T>(this.path, this.abort.signal).then(
      (data) => this.done(() => ({ path: this.path, data })),
      (e: unknown) => {
        const error = e instanceof ApiError ? e : new ApiError(0, String(e));
        this.done((s) => ({ path: this.path, data: s.data, error }));
      },
    );
  }

  dispose(): void {
    this.abort.abort();
  }

  private done(update: (s: LoadState<T>) => LoadState<T>): void {
    this.busy = false;
    if (this.abort.signal.aborted) return;
    this.set(update);
    if (this.again) {
      this.again = false;
      this.load();
    }
  }
}

export function useResource<T>(path: string | null, opts: { keepPrevious?: boolean } = {}): Resource<T> {
  const [state, setState] = useState<LoadState<T>>({ path: null });
  const loader = useRef<Loader<T> | null>(null);
  useEffect(() => {
    if (path === null) return;
    const l = new Loader<T>(path, setState);
    loader.current = l;
    l.load();
    return () => l.dispose();
  }, [path]);
  const reload = useCallback(() => loader.current?.load(), []);
  const current = state.path === path;
  return {
    data: current || opts.keepPrevious ? state.data : undefined,
    error: current ? state.error : undefined,
    loading: !current,
    reload,
  };
}

/** The current time, re-rendering the caller every intervalMs (ages, countdowns). */
export function useNow(intervalMs = 1000): number {
  const [now, setNow] = useState(Date.now);
  useEffect(() => {
    const t = setInterval(() => setNow(Date.now()), intervalMs);
    return () => clearInterval(t);
  }, [intervalMs]);
  return now;
}

/** Reloads every intervalMs while the page is visible (views no watch event announces). */
export function usePolling(reload: () => void, intervalMs: number): void {
  useEffect(() => {
    const t = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, intervalMs);
    return () => clearInterval(t);
  }, [reload, intervalMs]);
}

export function useTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Kubernaut console`;
  }, [title]);
}
