/**
 * Label fingerprints and Go-style timestamps for the Alertmanager-compatible dispatcher.
 */

export type LabelSet = Record<string, string>;

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;
const MASK64 = 0xffffffffffffffffn;
const SEPARATOR = 0xff;

/** 64-bit FNV-1a over the bytes given. */
function fnv1a64(bytes: Iterable<number>, seed = FNV_OFFSET): bigint {
  let h = seed;
  for (const b of bytes) {
    h ^= BigInt(b);
    h = (h * FNV_PRIME) & MASK64;
  }
  return h;
}

/**
 * Fingerprint of a label set: FNV-1a 64 over the label names and values sorted by name, each
 * followed by a 0xff separator byte. Empty values are ignored (an empty label is no label).
 * Rendered as 16 lowercase hex digits.
 */
export function labelsFingerprint(labels: LabelSet): string {
  const encoder = new TextEncoder();
  let h = FNV_OFFSET;
  for (const name of Object.keys(labels).sort()) {
    const value = labels[name];
    if (value === '' || value === undefined) continue;
    h = fnv1a64(encoder.encode(name), h);
    h = fnv1a64([SEPARATOR], h);
    h = fnv1a64(encoder.encode(value), h);
    h = fnv1a64([SEPARATOR], h);
  }
  return h.toString(16).padStart(16, '0');
}

/** `{a="1", b="2"}`: sorted, values quoted, as Alertmanager prints a label set in group keys. */
export function formatLabelSet(labels: LabelSet): string {
  const parts = Object.keys(labels)
    .sort()
    .map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `{${parts.join(', ')}}`;
}

/** The zero time as Go's JSON encoding prints it (what Alertmanager sends as `endsAt` of firing alerts). */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** RFC 3339 in UTC with the fraction trimmed of trailing zeros, like Go's `time.RFC3339Nano`. */
export function formatTime(ms: number): string {
  const iso = new Date(ms).toISOString(); // 2026-11-26T13:38:18.120Z
  return iso.replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}
