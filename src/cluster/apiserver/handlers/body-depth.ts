/**
 * The nesting-depth limit every request body meets before any handler walks it. Upstream's JSON
 * decoder stops at 10,000 levels; this server's handlers recurse over objects (cloning, managed
 * fields, pruning, strategic merge) and overflow the stack about 2,000 deep, so the embedded server
 * refuses from 1,000 levels on. No Kubernetes object nests anywhere near that deep; a body that
 * does is hostile and gets a 400, never a 500 or a stored object that cannot be deleted.
 */
import { jsonNestsDeeperThan } from '../../../platform/http/json-depth.ts';
import { errors, type ApiError } from '../errors.ts';

/** Deepest object/array nesting a request body may have (the top level is 1). */
export const MAX_BODY_DEPTH = 1000;

/** The wording of upstream's JSON decoder when a body nests too deeply. */
export function tooDeep(prefix = "couldn't get version/kind; json parse error"): ApiError {
  return errors.badRequest(`${prefix}: exceeded max depth`);
}

/** Refuses JSON text that nests too deeply, by scanning the text (nothing recursive runs). */
export function checkJsonTextDepth(text: string): void {
  if (jsonNestsDeeperThan(text, MAX_BODY_DEPTH)) throw tooDeep();
}

/**
 * True when a decoded value (from YAML or protobuf) nests deeper than `limit`. Walks with an
 * explicit stack; a node shared through YAML aliases is walked again only when reached at a greater
 * depth, so aliasing cannot make the walk exponential, and a cycle simply counts as too deep.
 */
export function valueNestsDeeperThan(value: unknown, limit: number): boolean {
  const deepestSeen = new Map<object, number>();
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth > limit) return true;
    const seen = deepestSeen.get(v);
    if (seen !== undefined && seen >= depth) continue;
    deepestSeen.set(v, depth);
    for (const child of Array.isArray(v) ? v : Object.values(v)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}
