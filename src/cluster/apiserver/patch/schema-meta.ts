/**
 * Patch meta for custom resources, from the CRD's structural schema. Only SSA facts exist here:
 * the real server refuses strategic merge patches for custom resources.
 */
import type { JSONSchemaProps } from '../../core/types.ts';
import { listMeta, mapMeta, SCALAR, structMeta, UNTYPED, withFacts, type PatchMeta } from './patch-meta.ts';
import { objectMetaMeta } from './builtin-meta.ts';

const schemaCache = new WeakMap<JSONSchemaProps, PatchMeta>();

function fromSchema(s: JSONSchemaProps | undefined): PatchMeta {
  if (!s) return UNTYPED;
  const cached = schemaCache.get(s);
  if (cached) return cached;
  let meta: PatchMeta;
  if (s['x-kubernetes-int-or-string']) {
    meta = SCALAR;
  } else if (s.type === 'array' || s.items) {
    const listType = s['x-kubernetes-list-type'] ?? 'atomic';
    const keys = s['x-kubernetes-list-map-keys'];
    meta = listMeta(() => fromSchema(s.items), {
      listType,
      listMapKeys: listType === 'map' ? (keys && keys.length ? keys : undefined) : undefined,
    });
    // A map list without keys cannot be merged; treat it as atomic rather than guess.
    if (listType === 'map' && !meta.listMapKeys) meta = withFacts(meta, { listType: 'atomic' });
  } else if (s.type === 'object' || s.properties || s.additionalProperties !== undefined) {
    const mapType = s['x-kubernetes-map-type'] === 'atomic' ? 'atomic' : 'granular';
    if (s.properties) {
      const props = s.properties;
      const isEmbedded = s['x-kubernetes-embedded-resource'] === true;
      meta = structMeta(() => {
        const m = new Map<string, PatchMeta>();
        for (const [k, v] of Object.entries(props)) m.set(k, fromSchema(v));
        if (isEmbedded) m.set('metadata', objectMetaMeta());
        return m;
      }, { mapType });
    } else if (typeof s.additionalProperties === 'object') {
      const value = s.additionalProperties;
      meta = mapMeta(() => fromSchema(value), { mapType });
    } else {
      meta = mapType === 'atomic' ? withFacts(UNTYPED, { mapType }) : UNTYPED;
    }
  } else if (s.type) {
    meta = SCALAR;
  } else {
    meta = UNTYPED;
  }
  schemaCache.set(s, meta);
  return meta;
}

/**
 * Meta for a custom resource from its (structural) schema: lists are atomic unless
 * `x-kubernetes-list-type` says set/map; maps are granular unless `x-kubernetes-map-type: atomic`.
 * `metadata` always merges as ObjectMeta (CRD schemas only say `type: object` for it).
 */
export function patchMetaFromSchema(schema: JSONSchemaProps | undefined): PatchMeta {
  const root = fromSchema(schema);
  return {
    kind: root.kind === 'untyped' ? 'struct' : root.kind,
    child: (name) => (name === 'metadata' ? objectMetaMeta() : root.child(name)),
    item: () => UNTYPED,
    hasField: (name) => name === 'metadata' || root.hasField(name),
  };
}
