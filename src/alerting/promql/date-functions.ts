/**
 * PromQL's calendar functions (day_of_month, hour, year, ...): each reads a sample value as Unix
 * seconds and returns a field of that instant in UTC. Fractions of a second are dropped (toward
 * zero) first, so 59.9 s past a minute is still that minute. A value that is not a representable
 * instant (NaN, ±Inf, beyond JavaScript's date range) gives NaN.
 */

type DateField = (d: Date) => number;

const DAY_MS = 86_400_000;

/** Midnight UTC of a calendar day; unlike Date.UTC, years 0-99 are not taken as 1900-1999. */
function utcMidnight(year: number, monthIndex: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, monthIndex, day);
  return d.getTime();
}

export const DATE_FUNCTIONS: Record<string, DateField> = {
  day_of_month: (d) => d.getUTCDate(),
  /** 0 = Sunday */
  day_of_week: (d) => d.getUTCDay(),
  /** 1 = January 1st */
  day_of_year: (d) => (utcMidnight(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()) - utcMidnight(d.getUTCFullYear(), 0, 1)) / DAY_MS + 1,
  /** Day 0 of the next month is the last day of this one. */
  days_in_month: (d) => new Date(utcMidnight(d.getUTCFullYear(), d.getUTCMonth() + 1, 0)).getUTCDate(),
  hour: (d) => d.getUTCHours(),
  minute: (d) => d.getUTCMinutes(),
  /** 1 = January */
  month: (d) => d.getUTCMonth() + 1,
  year: (d) => d.getUTCFullYear(),
};

/** Applies a calendar field to a value in Unix seconds. */
export function dateField(name: string, seconds: number): number {
  const d = new Date(Math.trunc(seconds) * 1000);
  if (Number.isNaN(d.getTime())) return NaN;
  return DATE_FUNCTIONS[name](d);
}
