/**
 * Patch metadata: a navigable description of how each node of an object merges.
 *
 * Two consumers read it:
 *  - strategic merge patch (SMP) looks at `patchStrategy` / `patchMergeKey` / `retainKeys`,
 *    the facts Kubernetes publishes as `x-kubernetes-patch-*` for built-in types;
 *  - server-side apply (SSA) and managed-fields tracking look at `listType` / `listMapKeys` /
 *    `mapType`, the structural-merge facts (`x-kubernetes-list-type` etc.).
 * Built-in kinds get both (see builtin-meta.ts); custom resources only get the SSA facts,
 * derived from their CRD schema here, because the real server refuses SMP for them.
 */

export type MetaKind = 'struct' | 'map' | 'list' | 'scalar' | 'untyped';
export type ListType = 'atomic' | 'set' | 'map';

export interface PatchMeta {
  /**
   * struct: fixed named fields; map: string keys to one value type; list: items;
   * scalar: a leaf; untyped: unknown JSON (maps merge per key, lists are atomic).
   */
  readonly kind: MetaKind;
  /** Meta of a named child: a struct field or a map value. Unknown names give untyped meta. */
  child(name: string): PatchMeta;
  /** Meta of each item of a list (untyped for non-lists). */
  item(): PatchMeta;
  /** struct only: whether `name` is a declared field (tells data from `$` directives). */
  hasField(name: string): boolean;
  /** SMP, lists: 'merge' merges by `patchMergeKey` (or by value for primitives); else replace. */
  readonly patchStrategy?: 'merge' | 'replace';
  readonly patchMergeKey?: string;
  /** SMP: this struct (or each item of this list) honours `$retainKeys`. */
  readonly retainKeys?: boolean;
  /** SSA, lists: atomic lists are owned whole; sets by value (`v:`); maps by key (`k:`). */
  readonly listType?: ListType;
  readonly listMapKeys?: readonly string[];
  /** SSA: values a missing key field takes when matching items (e.g. protocol TCP). */
  readonly keyDefaults?: Readonly<Record<string, unknown>>;
  /** SSA, structs and maps: atomic ones are owned and replaced whole. */
  readonly mapType?: 'atomic' | 'granular';
}

/** Optional facts attached to a meta node. */
export interface MetaFacts {
  patchStrategy?: 'merge' | 'replace';
  patchMergeKey?: string;
  retainKeys?: boolean;
  listType?: ListType;
  listMapKeys?: readonly string[];
  keyDefaults?: Readonly<Record<string, unknown>>;
  mapType?: 'atomic' | 'granular';
}

/** Unknown JSON: the conservative reading every engine agrees on. */
export const UNTYPED: PatchMeta = {
  kind: 'untyped',
  child: () => UNTYPED,
  item: () => UNTYPED,
  hasField: () => false,
  listType: 'atomic',
  mapType: 'granular',
};

export const SCALAR: PatchMeta = { kind: 'scalar', child: () => UNTYPED, item: () => UNTYPED, hasField: () => false };

/** A struct whose fields are resolved on first use (the type graph is recursive). */
export function structMeta(fields: () => Map<string, PatchMeta>, facts: MetaFacts = {}): PatchMeta {
  let resolved: Map<string, PatchMeta> | undefined;
  const get = (): Map<string, PatchMeta> => (resolved ??= fields());
  return {
    kind: 'struct',
    child: (name) => get().get(name) ?? UNTYPED,
    item: () => UNTYPED,
    hasField: (name) => get().has(name),
    ...facts,
  };
}

export function mapMeta(value: () => PatchMeta, facts: MetaFacts = {}): PatchMeta {
  let resolved: PatchMeta | undefined;
  return { kind: 'map', child: () => (resolved ??= value()), item: () => UNTYPED, hasField: () => false, ...facts };
}

/**
 * A list. Without explicit SSA facts the list type follows the SMP facts the way Kubernetes
 * types are annotated: merge-by-key lists are list-maps, merged primitive lists are sets,
 * everything else is atomic.
 */
export function listMeta(items: () => PatchMeta, facts: MetaFacts = {}): PatchMeta {
  let resolved: PatchMeta | undefined;
  const patchStrategy = facts.patchStrategy ?? (facts.patchMergeKey ? 'merge' : undefined);
  const listType: ListType =
    facts.listType ?? (facts.patchMergeKey ? 'map' : patchStrategy === 'merge' ? 'set' : 'atomic');
  const listMapKeys =
    facts.listMapKeys ?? (listType === 'map' && facts.patchMergeKey ? [facts.patchMergeKey] : undefined);
  return {
    kind: 'list',
    child: () => UNTYPED,
    item: () => (resolved ??= items()),
    hasField: () => false,
    ...facts,
    patchStrategy,
    listType,
    listMapKeys,
  };
}

/** The same node with some facts replaced (e.g. a struct field declared retainKeys). */
export function withFacts(base: PatchMeta, facts: MetaFacts): PatchMeta {
  return {
    kind: base.kind,
    child: (n) => base.child(n),
    item: () => base.item(),
    hasField: (n) => base.hasField(n),
    patchStrategy: base.patchStrategy,
    patchMergeKey: base.patchMergeKey,
    retainKeys: base.retainKeys,
    listType: base.listType,
    listMapKeys: base.listMapKeys,
    keyDefaults: base.keyDefaults,
    mapType: base.mapType,
    ...facts,
  };
}

/** True when SSA owns this node as a single value (no per-field/per-item ownership). */
export function isAtomic(meta: PatchMeta, value: unknown): boolean {
  if (Array.isArray(value)) return meta.kind !== 'list' ? true : (meta.listType ?? 'atomic') === 'atomic';
  if (typeof value === 'object' && value !== null) return meta.mapType === 'atomic' || meta.kind === 'list' || meta.kind === 'scalar';
  return true;
}
