/**
 * The short hashes controllers put into names and labels (`pod-template-hash`,
 * `controller-revision-hash`): 32-bit FNV-1a over a canonical JSON of the data, with an optional
 * collision count mixed in, rendered with the consonant-and-digit alphabet Kubernetes uses so
 * names never spell words.
 */

const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Object keys sorted, so equal objects hash equally whatever the key order. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>)
      .filter(([, x]) => x !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, x]) => `${JSON.stringify(k)}:${canonicalJson(x)}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

export function fnv32a(text: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const byte of Buffer.from(text, 'utf8')) {
    h ^= byte;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Maps each character of a decimal string onto the safe alphabet (like rand.SafeEncodeString). */
export function safeEncode(text: string): string {
  let out = '';
  for (const ch of text) out += SAFE_ALPHABET[ch.charCodeAt(0) % SAFE_ALPHABET.length];
  return out;
}

/** The hash of `data` (e.g. a pod template), with `collisionCount` mixed in when set. */
export function computeHash(data: unknown, collisionCount?: number): string {
  let text = canonicalJson(data);
  if (collisionCount) text += `#${collisionCount}`;
  return safeEncode(String(fnv32a(text)));
}
