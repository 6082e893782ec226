/**
 * The resource registry: which resources are served at which group/version, built-in and
 * from CustomResourceDefinitions. Discovery, OpenAPI and request routing all read from here.
 */
import { builtinResources } from './builtin-resources.ts';
import type { JSONSchemaProps, KubeObject, PrinterColumn, ResourceInfo } from '../core/types.ts';

export class ResourceRegistry {
  private builtins: ResourceInfo[] = builtinResources();
  private custom = new Map<string, ResourceInfo[]>(); // CRD name -> its served versions
  private listeners: Array<() => void> = [];

  /** Every served (group, version, resource), built-ins first. */
  all(): ResourceInfo[] {
    return [...this.builtins, ...[...this.custom.values()].flat()];
  }

  find(group: string, version: string, resource: string): ResourceInfo | undefined {
    return this.all().find((r) => r.group === group && r.version === version && r.resource === resource);
  }

  /** The same resource at its storage version (where objects of every served version live). */
  storageInfo(info: ResourceInfo): ResourceInfo {
    if (info.version === info.storageVersion) return info;
    return this.find(info.group, info.storageVersion, info.resource) ?? info;
  }

  findKind(group: string, version: string, kind: string): ResourceInfo | undefined {
    return this.all().find((r) => r.group === group && r.version === version && r.kind === kind);
  }

  /** Resources grouped by group, in discovery order (core first, then by first appearance). */
  groups(): Map<string, ResourceInfo[]> {
    const out = new Map<string, ResourceInfo[]>();
    for (const r of this.all()) {
      if (!out.has(r.group)) out.set(r.group, []);
      out.get(r.group)!.push(r);
    }
    return out;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Serve (or stop serving) the kinds a CRD defines; called whenever a CRD is written. */
  setCustomResourceDefinition(crd: KubeObject): void {
    const name = crd.metadata.name!;
    // A terminating CRD stays served until its instances are gone and it is removed.
    this.custom.set(name, resourcesFromCrd(crd));
    this.changed();
  }

  removeCustomResourceDefinition(name: string): void {
    if (this.custom.delete(name)) this.changed();
  }

  /** Names (plural, singular, short names, kind) that another resource of the same group already uses. */
  conflictingNames(crd: KubeObject): string[] {
    const group = crd.spec?.group;
    const names = crd.spec?.names ?? {};
    const wanted = [names.plural, names.singular, ...(names.shortNames ?? [])].filter(Boolean);
    const out: string[] = [];
    for (const r of this.all()) {
      if (r.crd?.name === crd.metadata.name) continue;
      if (r.group === group && (wanted.includes(r.resource) || r.kind === names.kind)) out.push(r.resource);
      for (const s of r.shortNames) if ((names.shortNames ?? []).includes(s)) out.push(s);
    }
    return [...new Set(out)];
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}

export function resourcesFromCrd(crd: KubeObject): ResourceInfo[] {
  const spec = crd.spec ?? {};
  const names = spec.names ?? {};
  const versions: any[] = spec.versions ?? [];
  const storage = versions.find((v) => v.storage)?.name ?? versions[0]?.name;
  return versions
    .filter((v) => v.served !== false)
    .map((v) => ({
      group: spec.group,
      version: v.name,
      resource: names.plural,
      kind: names.kind,
      listKind: names.listKind ?? `${names.kind}List`,
      singular: names.singular ?? String(names.kind).toLowerCase(),
      namespaced: spec.scope !== 'Cluster',
      shortNames: names.shortNames ?? [],
      categories: names.categories ?? [],
      verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
      subresources: {
        status: Boolean(v.subresources?.status),
        scale: v.subresources?.scale,
      },
      storageVersion: storage,
      crd: {
        name: crd.metadata.name!,
        schema: v.schema?.openAPIV3Schema as JSONSchemaProps | undefined,
        printerColumns: (v.additionalPrinterColumns ?? []) as PrinterColumn[],
        selectableFields: (v.selectableFields ?? []).map((f: { jsonPath: string }) => f.jsonPath),
        preserveUnknownFields: Boolean(spec.preserveUnknownFields),
      },
    }));
}
