/**
 * How deeply a JSON text nests, measured on the text before it is parsed, without recursion, so a
 * hostile body (an audit event 1,000 arrays deep crashed the embedded PostgreSQL's WASM stack; 100,000
 * deep strains any recursive consumer) is refused up front instead of reaching code that recurses.
 */

/** Deep enough for every payload Kubernaut's services take (webhooks, events, audit data, catalog entries). */
export const DEFAULT_MAX_JSON_DEPTH = 64;

/** True when an object or array in `text` sits deeper than `limit` levels (the top level is 1). */
export function jsonNestsDeeperThan(text: string, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c /* \ */) i++; // the escaped character cannot end the string
      else if (c === 0x22 /* " */) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) {
      if (++depth > limit) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      depth--;
    }
  }
  return false;
}
