/**
 * The patch engine: JSON patch, JSON merge patch, strategic merge patch, server-side apply and
 * managed-fields bookkeeping for non-apply writes, plus the patch metadata they run on.
 */
export type { PatchMeta, MetaKind, ListType, MetaFacts } from './patch-meta.ts';
export { UNTYPED } from './patch-meta.ts';
export { patchMetaForBuiltin, modelNameFor, type Gvk } from './builtin-meta.ts';
export { patchMetaFromSchema } from './schema-meta.ts';
export { applyJsonPatch } from './json-patch.ts';
export { applyMergePatch } from './merge-patch.ts';
export { applyStrategicMergePatch } from './strategic-merge.ts';
export { recordUpdate, managedView } from './managed-fields.ts';
export { serverSideApply, BEFORE_FIRST_APPLY, type ApplyOptions } from './server-side-apply.ts';
export { FieldSet, formatPath } from './fieldset.ts';
