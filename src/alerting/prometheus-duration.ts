/**
 * Durations as Prometheus and Alertmanager configs write them (Go `model.Duration`): whole numbers
 * of y, w, d, h, m, s, ms, largest unit first ("1h30m", "500ms", "0s"). Both tools reject
 * fractions ("1.5s"), so rendering always produces whole units.
 *
 * Which duration parser reads what:
 * - this one: whatever Prometheus or Alertmanager read as a `model.Duration` (rule `for`,
 *   `keep_firing_for` and group `interval`, Alertmanager routing timers, the `parseDuration`
 *   template function) and, through the PromQL parser, durations in PromQL and in the HTTP API's
 *   parameters (which also take plain seconds);
 * - `parseDuration` of src/platform/clock.ts: Kubernaut's own command-line flags
 *   (`--scrape-interval 30s`, `--kubelet-delays mount=1.5s`), a lenient grammar of our own that
 *   takes fractions and units in any order, and whose values no Prometheus binary ever reads.
 */

const UNIT_MS = { y: 31_536_000_000, w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000, s: 1_000, ms: 1 } as const;

// The same grammar as model.ParseDuration, so whatever we accept the real binaries accept too.
const PROM_DURATION = /^(?:(\d+)y)?(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

/**
 * Parses "1h30m", "500ms", "0s" (or "0") into milliseconds; throws on anything else, surrounding
 * spaces included, as model.ParseDuration does.
 */
export function parsePromDuration(text: string): number {
  if (text === '0') return 0;
  const m = PROM_DURATION.exec(text);
  if (!m || text === '') throw new Error(`invalid duration "${text}" (use whole units, e.g. 30s, 5m, 1h30m, 500ms)`);
  const units = [UNIT_MS.y, UNIT_MS.w, UNIT_MS.d, UNIT_MS.h, UNIT_MS.m, UNIT_MS.s, UNIT_MS.ms];
  return units.reduce((total, unit, i) => total + Number(m[i + 1] ?? 0) * unit, 0);
}

/**
 * Renders milliseconds as a config duration: 90_000 -> "1m30s", 1_500 -> "1s500ms", 0 -> "0s".
 * Rounds to whole milliseconds, but never rounds a positive duration down to zero (a scaled
 * `for: 1ms` must not turn into "fire at once").
 */
export function formatPromDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) throw new Error(`cannot render duration ${ms} ms`);
  let rest = ms > 0 ? Math.max(1, Math.round(ms)) : 0;
  if (rest === 0) return '0s';
  let out = '';
  for (const [unit, size] of [['h', UNIT_MS.h], ['m', UNIT_MS.m], ['s', UNIT_MS.s], ['ms', UNIT_MS.ms]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) out += `${n}${unit}`;
    rest -= n * size;
  }
  return out;
}

/** A nominal duration as the real-time duration to put in a config run at `timeScale`. */
export function scaledDuration(nominalMs: number, timeScale: number): string {
  return formatPromDuration(nominalMs / timeScale);
}
