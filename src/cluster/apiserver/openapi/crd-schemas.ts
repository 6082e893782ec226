/**
 * OpenAPI schemas of custom resources: the CRD's structural schema for one version, with
 * `apiVersion`/`kind` added, `metadata` pointing at ObjectMeta and the GVK extension kubectl
 * looks schemas up by, plus the matching `<Kind>List` schema.
 */
import type { JSONSchemaProps, ResourceInfo } from '../../core/types.ts';
import { DESCRIPTIONS, LIST_META, OBJECT_META, ref, refProperty, type Schema } from './schema-util.ts';

/** `kubernaut.ai` + `v1alpha1` + `RemediationRequest` -> `ai.kubernaut.v1alpha1.RemediationRequest`. */
export function crdDefinitionName(group: string, version: string, kind: string): string {
  const reversed = group.split('.').filter(Boolean).reverse().join('.');
  return `${reversed ? `${reversed}.` : ''}${version}.${kind}`;
}

function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}

/** The schemas published for one custom resource version: the kind and its list. */
export function crdSchemas(info: ResourceInfo): { kindName: string; listName: string; schemas: Map<string, Schema> } {
  const kindName = crdDefinitionName(info.group, info.version, info.kind);
  const listName = crdDefinitionName(info.group, info.version, info.listKind);
  const source: JSONSchemaProps = clone(info.crd?.schema) ?? {};
  const { properties: sourceProps, ...rest } = source;
  const kindSchema: Schema = { ...rest, type: 'object' };
  if (!kindSchema.description) kindSchema.description = `${info.kind} is a custom resource of ${info.group}/${info.version}.`;
  if (!info.crd?.schema || info.crd.preserveUnknownFields) kindSchema['x-kubernetes-preserve-unknown-fields'] = true;
  const properties: Schema = {
    apiVersion: { description: DESCRIPTIONS.apiVersion, type: 'string' },
    kind: { description: DESCRIPTIONS.kind, type: 'string' },
    metadata: refProperty(OBJECT_META, DESCRIPTIONS.objectMetadata),
  };
  for (const [name, prop] of Object.entries(sourceProps ?? {})) {
    if (name === 'apiVersion' || name === 'kind' || name === 'metadata') continue;
    properties[name] = prop;
  }
  kindSchema.properties = properties;
  if (Array.isArray(kindSchema.required)) {
    kindSchema.required = kindSchema.required.filter((r: string) => r !== 'metadata');
    if (kindSchema.required.length === 0) delete kindSchema.required;
  }
  kindSchema['x-kubernetes-group-version-kind'] = [{ group: info.group, kind: info.kind, version: info.version }];

  const listSchema: Schema = {
    description: `${info.listKind} is a list of ${info.kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { description: DESCRIPTIONS.apiVersion, type: 'string' },
      items: { description: DESCRIPTIONS.items(info.kind), type: 'array', items: ref(kindName) },
      kind: { description: DESCRIPTIONS.kind, type: 'string' },
      metadata: refProperty(LIST_META, DESCRIPTIONS.listMetadata),
    },
    'x-kubernetes-group-version-kind': [{ group: info.group, kind: info.listKind, version: info.version }],
  };
  return {
    kindName,
    listName,
    schemas: new Map([
      [kindName, kindSchema],
      [listName, listSchema],
    ]),
  };
}
