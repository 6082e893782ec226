/**
 * What a container wrote, kept per container instance the way the kubelet keeps log files: the
 * current instance and the previous one (`kubectl logs --previous`), and the query options of the
 * kubelet's /containerLogs endpoint.
 */

export interface LogLine {
  /** Real wall-clock time the line was written. */
  timeMs: number;
  text: string;
}

export interface LogQuery {
  /** Real time (ms) of the oldest line to return: sinceTime, or now - sinceSeconds. */
  sinceMs?: number;
  tailLines?: number;
  timestamps?: boolean;
  sinceSeconds?: number;
  limitBytes?: number;
}

/** RFC3339Nano as the CRI log format writes it: nanosecond digits with trailing zeros trimmed. */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2024-01-01T00:00:00.123Z
  const frac = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${frac ? '.' + frac : ''}Z`;
}

/** Renders lines for the query; `nowMs` anchors sinceSeconds (real seconds, like log file timestamps). */
export function renderLogs(lines: LogLine[], q: LogQuery, nowMs: number): string {
  let selected = lines;
  if (q.sinceSeconds !== undefined) selected = selected.filter((l) => l.timeMs >= nowMs - q.sinceSeconds! * 1000);
  if (q.sinceMs !== undefined) selected = selected.filter((l) => l.timeMs >= q.sinceMs!);
  if (q.tailLines !== undefined) selected = q.tailLines <= 0 ? [] : selected.slice(-q.tailLines);
  let text = selected.map((l) => `${q.timestamps ? rfc3339Nano(l.timeMs) + ' ' : ''}${l.text}\n`).join('');
  if (q.limitBytes !== undefined) text = Buffer.from(text).subarray(0, Math.max(0, q.limitBytes)).toString('utf8');
  return text;
}

/** Parses the endpoint's query string; invalid numbers are ignored like absent ones. */
export function parseLogQuery(params: URLSearchParams): LogQuery & { previous: boolean } {
  const num = (k: string): number | undefined => {
    const v = params.get(k);
    if (v === null || v === '') return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  };
  const sinceTime = Date.parse(params.get('sinceTime') ?? '');
  return {
    previous: params.get('previous') === 'true',
    ...(Number.isFinite(sinceTime) ? { sinceMs: sinceTime } : {}),
    timestamps: params.get('timestamps') === 'true',
    tailLines: num('tailLines'),
    sinceSeconds: num('sinceSeconds'),
    limitBytes: num('limitBytes'),
  };
}
