/**
 * Durations as the AIAnalysis CRD writes them (Go's time.Duration.String without the sign):
 * `350ms`, `2.5s`, `1m30.25s`, `1h2m3s`. Millisecond precision: an investigation that took 0.3 s
 * must not read `0s`.
 */
export function goDuration(ms: number): string {
  let rest = Math.max(0, Math.round(Number.isFinite(ms) ? ms : 0));
  if (rest === 0) return '0s';
  if (rest < 1000) return `${rest}ms`;
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const seconds = rest / 1000;
  // Up to three decimals, trailing zeros dropped (Go prints 1.5s, not 1.500s).
  const s = seconds === 0 ? '' : `${Number(seconds.toFixed(3))}s`;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : h ? '0m' : ''}${s || (h || m ? '0s' : '')}`;
}
