/**
 * Time as the lifecycle decisions see it: the real "now" (timestamps written are real time) and
 * the clock's scale, so a nominal duration (a timeout of 10 minutes) is compared with real elapsed
 * time correctly under `--time-scale`. Pure: built from a Clock once per reconcile.
 */
import type { Clock } from '../../platform/clock.ts';

export interface TimeView {
  /** Real now. */
  readonly nowMs: number;
  /** Nominal → real milliseconds (a wait of `nominalMs` takes this long in real time). */
  scaled(nominalMs: number): number;
  /** Real → nominal milliseconds. */
  nominal(realMs: number): number;
}

export function timeViewOf(clock: Pick<Clock, 'nowMs' | 'scaled' | 'nominal'>): TimeView {
  return { nowMs: clock.nowMs(), scaled: (ms) => clock.scaled(ms), nominal: (ms) => clock.nominal(ms) };
}

export function nowIso(t: TimeView): string {
  return new Date(t.nowMs).toISOString();
}

/** The real timestamp `nominalMs` from now (e.g. a deadline written into an object). */
export function afterNow(t: TimeView, nominalMs: number): string {
  return new Date(t.nowMs + t.scaled(nominalMs)).toISOString();
}

/** The real timestamp `nominalMs` after `iso`. */
export function after(t: TimeView, iso: string, nominalMs: number): string {
  return new Date(Date.parse(iso) + t.scaled(nominalMs)).toISOString();
}

/** Nominal time elapsed since a real timestamp (0 for a missing or unparsable one). */
export function elapsedSince(t: TimeView, iso: string | Date | undefined): number {
  const at = toMs(iso);
  return at === undefined ? 0 : t.nominal(t.nowMs - at);
}

/** Nominal time left until a real timestamp (≤ 0 once it has passed; undefined without one). */
export function untilTime(t: TimeView, iso: string | Date | undefined): number | undefined {
  const at = toMs(iso);
  return at === undefined ? undefined : t.nominal(at - t.nowMs);
}

export function hasPassed(t: TimeView, iso: string | Date | undefined): boolean {
  const left = untilTime(t, iso);
  return left !== undefined && left <= 0;
}

export function toMs(iso: string | Date | undefined): number | undefined {
  if (iso === undefined || iso === '') return undefined;
  const ms = iso instanceof Date ? iso.getTime() : Date.parse(iso);
  return Number.isNaN(ms) ? undefined : ms;
}

/** The earliest of some optional waits (nominal ms), never negative; undefined when there is none. */
export function earliest(...waits: Array<number | undefined>): number | undefined {
  const defined = waits.filter((w): w is number => w !== undefined && Number.isFinite(w));
  return defined.length ? Math.max(0, Math.min(...defined)) : undefined;
}
