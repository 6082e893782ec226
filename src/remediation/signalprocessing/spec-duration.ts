/**
 * Durations as the SP CRD accepts them (Go's time.ParseDuration without a sign:
 * `10s`, `1.5m`, `1h30m`, `250ms`, `500us`), in milliseconds.
 */
const UNIT_MS: Record<string, number> = { ns: 1e-6, us: 1e-3, µs: 1e-3, ms: 1, s: 1e3, m: 6e4, h: 36e5 };

export function parseSpecDuration(text: string): number {
  const re = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/gy;
  let total = 0;
  let end = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    total += Number(m[1]) * UNIT_MS[m[2]];
    end = re.lastIndex;
  }
  if (end === 0 || end !== text.length) throw new Error(`invalid duration "${text}"`);
  return total;
}
