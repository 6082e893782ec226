/**
 * Reads the model catalog that ships with `@kubernetes/client-node` (generated from the
 * Kubernetes OpenAPI spec) straight from its files, synchronously:
 *
 * - `dist/gen/models/<Class>.js`: the static `attributeTypeMap` (a JSON array literal) gives every
 *   field's JSON name, TypeScript type and format;
 * - `dist/gen/models/<Class>.d.ts`: JSDoc comments give the class and field descriptions, and the
 *   `?` marks which fields are optional;
 * - `dist/gen/apis/<Group><Version>Api.js`: the REST paths with the types they take and return,
 *   which tell which group and version each top-level kind belongs to.
 *
 * Reading the text instead of importing the package keeps this synchronous (the publisher answers
 * requests without awaiting) and avoids loading ~850 classes we only need the metadata of.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Attribute {
  /** The TypeScript property name (e.g. `_default`). */
  name: string;
  /** The JSON field name (e.g. `default`). */
  baseName: string;
  /** TypeScript type: `string`, `number`, `Array<V1Container>`, `{ [key: string]: string; }`, ... */
  type: string;
  format: string;
}

export interface ClassDocs {
  description?: string;
  fields: Map<string, { description?: string; required: boolean }>;
}

/** A REST operation of the generated API classes. */
export interface ApiOperation {
  path: string;
  method: string;
  bodyType?: string;
  responseType?: string;
}

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Prefixes the generator put in front of class names that would otherwise clash. */
const GROUP_PREFIXES: Record<string, string> = {
  Admissionregistration: 'admissionregistration.k8s.io',
  Apiextensions: 'apiextensions.k8s.io',
  Apiregistration: 'apiregistration.k8s.io',
  Authentication: 'authentication.k8s.io',
  Core: '',
  Discovery: 'discovery.k8s.io',
  Events: 'events.k8s.io',
  Flowcontrol: 'flowcontrol.apiserver.k8s.io',
  Rbac: 'rbac.authorization.k8s.io',
  Resource: 'resource.k8s.io',
  Storage: 'storage.k8s.io',
};

const META_V1 = 'io.k8s.apimachinery.pkg.apis.meta.v1';

/** Classes of k8s.io/apimachinery's meta/v1 package (they appear in every group). */
const META_CLASSES = new Set([
  'V1APIGroup',
  'V1APIGroupList',
  'V1APIResource',
  'V1APIResourceList',
  'V1APIVersions',
  'V1Condition',
  'V1DeleteOptions',
  'V1FieldSelectorRequirement',
  'V1GroupVersionForDiscovery',
  'V1LabelSelector',
  'V1LabelSelectorRequirement',
  'V1ListMeta',
  'V1ManagedFieldsEntry',
  'V1ObjectMeta',
  'V1OwnerReference',
  'V1Preconditions',
  'V1ServerAddressByClientCIDR',
  'V1Status',
  'V1StatusCause',
  'V1StatusDetails',
  'V1WatchEvent',
]);

/** Kinds only reachable as subresources, so their group is not visible from collection paths. */
const FIXED_GROUPS: Record<string, string> = {
  V1Scale: 'autoscaling',
  V1ScaleSpec: 'autoscaling',
  V1ScaleStatus: 'autoscaling',
  V1Eviction: 'policy',
};

/** The Go package part of a definition name for an API group. */
export function packageForGroup(group: string): string {
  switch (group) {
    case '':
    case 'core':
      return 'io.k8s.api.core';
    case 'apiextensions.k8s.io':
      return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions';
    case 'apiregistration.k8s.io':
      return 'io.k8s.kube-aggregator.pkg.apis.apiregistration';
    case 'rbac.authorization.k8s.io':
      return 'io.k8s.api.rbac';
    case 'internal.apiserver.k8s.io':
      return 'io.k8s.api.apiserverinternal';
    default:
      return `io.k8s.api.${group.split('.')[0]}`;
  }
}

const VERSION_RE = /^(V\d+(?:alpha\d+|beta\d+)?)([A-Z]\w*)$/;

/** Splits a class name into its explicit group (if prefixed), version and bare type name. */
export function splitClassName(cls: string): { group?: string; version: string; base: string } | undefined {
  for (const [prefix, group] of Object.entries(GROUP_PREFIXES)) {
    if (cls.startsWith(prefix)) {
      const m = VERSION_RE.exec(cls.slice(prefix.length));
      if (m) return { group, version: m[1].toLowerCase(), base: m[2] };
    }
  }
  const m = VERSION_RE.exec(cls);
  if (m) return { version: m[1].toLowerCase(), base: m[2] };
  return undefined;
}

/** Model class names referenced by a type string (`Array<V1Container>` -> ['V1Container']). */
export function referencedClasses(type: string): string[] {
  const out: string[] = [];
  for (const m of type.matchAll(/\b([A-Z][A-Za-z0-9]*)\b/g)) {
    if (m[1] !== 'Array' && m[1] !== 'Date' && m[1] !== 'IntOrString') out.push(m[1]);
  }
  return out;
}

function unescapeDoc(text: string): string {
  return text.replace(/\\(['"\\])/g, '$1').trim();
}

/** Parses the JSDoc comments of a generated model `.d.ts`. */
export function parseClassDocs(dts: string): ClassDocs {
  const docs: ClassDocs = { fields: new Map() };
  const classAt = dts.search(/export declare class \w+/);
  if (classAt < 0) return docs;
  const head = dts.slice(0, classAt);
  const lastDoc = /\/\*\*\n\* ([\s\S]*?)\n\*\/\s*$/.exec(head);
  if (lastDoc) docs.description = unescapeDoc(lastDoc[1]);
  const body = dts.slice(classAt);
  const fieldRe = /(?:\/\*\*\n\s*\* ([\s\S]*?)\n\s*\*\/\n)?\s*'([^']+)'(\?)?: /g;
  for (const m of body.matchAll(fieldRe)) {
    docs.fields.set(m[2], { description: m[1] !== undefined ? unescapeDoc(m[1]) : undefined, required: m[3] === undefined });
  }
  return docs;
}

/** Parses a generated `<X>Api.js` into its operations. */
export function parseApiFile(js: string): ApiOperation[] {
  const requests = new Map<string, ApiOperation>();
  const responses = new Map<string, string>();
  const chunks = js.split(/\n {4}async /);
  for (const chunk of chunks.slice(1)) {
    const name = /^(\w+)\(/.exec(chunk)?.[1];
    if (!name) continue;
    if (name.endsWith('WithHttpInfo')) {
      const t = /ObjectSerializer\.deserialize\(ObjectSerializer\.parse\([^)]*\)[^"]*, "([^"]+)"/.exec(chunk);
      if (t) responses.set(name.slice(0, -'WithHttpInfo'.length), t[1]);
      continue;
    }
    const path = /localVarPath = '([^']+)'/.exec(chunk)?.[1];
    const method = /HttpMethod\.(\w+)/.exec(chunk)?.[1];
    if (!path || !method) continue;
    const body = /ObjectSerializer\.serialize\(body, "([^"]+)"/.exec(chunk)?.[1];
    requests.set(name, { path, method, bodyType: body });
  }
  const out: ApiOperation[] = [];
  for (const [name, op] of requests) out.push({ ...op, responseType: responses.get(name) });
  return out;
}

/** Splits `/apis/apps/v1/namespaces/{namespace}/statefulsets/{name}/scale` into its parts. */
export function parseResourcePath(
  path: string,
): { group: string; version: string; resource: string; named: boolean; subresource?: string } | undefined {
  const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/([^/]+))\/(?:namespaces\/\{namespace\}\/)?([a-z0-9]+)(\/\{name\})?(?:\/([a-z]+))?$/.exec(
    path,
  );
  if (!m) return undefined;
  if (m[4] === 'watch') return undefined;
  return {
    group: m[2] ?? '',
    version: m[1] ?? m[3],
    resource: m[4],
    named: m[5] !== undefined,
    subresource: m[6],
  };
}

export class ClientNodeCatalog {
  readonly modelsDir: string;
  readonly apisDir: string;
  /** attributeTypeMap per model class. */
  readonly classes = new Map<string, Attribute[]>();
  /** Definition name (`io.k8s.api.core.v1.Pod`) per model class. */
  readonly definitionNames = new Map<string, string>();
  /** `group/version/kind` (group '' for core) -> model class, for every top-level kind. */
  readonly kinds = new Map<string, string>();
  /** Model class -> the GVKs it is served as. */
  readonly kindsOfClass = new Map<string, GroupVersionKind[]>();
  private readonly docsCache = new Map<string, ClassDocs>();

  /** `root`: client-node's `dist` folder (found by module resolution by default); `null`: empty. */
  constructor(root?: string | null) {
    const base = root === null ? '' : (root ?? dirname(createRequire(import.meta.url).resolve('@kubernetes/client-node')));
    this.modelsDir = join(base, 'gen', 'models');
    this.apisDir = join(base, 'gen', 'apis');
    if (root === null) return;
    this.loadModels();
    const operations = this.loadApis();
    this.assignGroups(operations);
  }

  private loadModels(): void {
    for (const file of readdirSync(this.modelsDir)) {
      if (!file.endsWith('.js') || file === 'ObjectSerializer.js' || file === 'all.js') continue;
      const text = readFileSync(join(this.modelsDir, file), 'utf8');
      const m = /\n(\w+)\.attributeTypeMap = (\[[\s\S]*?\n\]);/.exec(text);
      if (!m) continue;
      try {
        this.classes.set(m[1], JSON.parse(m[2]) as Attribute[]);
      } catch {
        // A file we cannot read is left out; its references fall back to a free-form object.
      }
    }
  }

  private loadApis(): ApiOperation[] {
    const files = readdirSync(this.apisDir).filter((f) => /V\d+(alpha\d+|beta\d+)?Api\.js$/.test(f));
    // Core first: types shared by several groups (PodTemplateSpec, ObjectReference ...) live there.
    files.sort((a, b) => (a.startsWith('CoreV1') ? -1 : b.startsWith('CoreV1') ? 1 : a.localeCompare(b)));
    const all: ApiOperation[] = [];
    for (const file of files) {
      all.push(...parseApiFile(readFileSync(join(this.apisDir, file), 'utf8')));
    }
    return all;
  }

  private addKind(gvk: GroupVersionKind, cls: string): void {
    const key = `${gvk.group}/${gvk.version}/${gvk.kind}`;
    if (this.kinds.has(key)) return;
    this.kinds.set(key, cls);
    const list = this.kindsOfClass.get(cls) ?? [];
    list.push(gvk);
    this.kindsOfClass.set(cls, list);
  }

  private assignGroups(operations: ApiOperation[]): void {
    const groupOf = new Map<string, string>();
    // 1. Top-level kinds: what collection paths take and return.
    const roots: string[] = [];
    const addRoot = (cls: string, group: string): void => {
      if (!this.classes.has(cls) || META_CLASSES.has(cls) || groupOf.has(cls)) return;
      const split = splitClassName(cls);
      if (split?.group !== undefined && split.group !== group) return;
      groupOf.set(cls, group);
      roots.push(cls);
    };
    for (const op of operations) {
      const p = parseResourcePath(op.path);
      if (!p || p.subresource) continue;
      for (const cls of [op.bodyType, op.responseType]) {
        if (!cls || !this.classes.has(cls)) continue;
        addRoot(cls, p.group);
        const split = splitClassName(cls);
        if (!split || META_CLASSES.has(cls) || split.version !== p.version) continue;
        if (op.method === 'GET' && !p.named && cls.endsWith('List') && this.classes.has(cls.slice(0, -4))) {
          const item = cls.slice(0, -4);
          const itemKind = splitClassName(item)?.base;
          if (itemKind) {
            this.addKind({ group: p.group, version: p.version, kind: itemKind }, item);
            this.addKind({ group: p.group, version: p.version, kind: split.base }, cls);
          }
        } else if (!cls.endsWith('List') && (op.method === 'POST' || op.method === 'GET')) {
          // Create-only kinds (TokenReview, SubjectAccessReview, Binding ...).
          this.addKind({ group: p.group, version: p.version, kind: split.base }, cls);
        }
      }
    }
    for (const [cls, group] of Object.entries(FIXED_GROUPS)) {
      if (this.classes.has(cls) && !groupOf.has(cls)) {
        groupOf.set(cls, group);
        roots.push(cls);
      }
    }
    for (const cls of this.classes.keys()) {
      const explicit = splitClassName(cls)?.group;
      if (explicit !== undefined && !groupOf.has(cls)) {
        groupOf.set(cls, explicit);
        roots.push(cls);
      }
    }
    this.addKind({ group: 'autoscaling', version: 'v1', kind: 'Scale' }, 'V1Scale');
    this.addKind({ group: 'policy', version: 'v1', kind: 'Eviction' }, 'V1Eviction');
    // 2. Nested types belong to the group of the first kind (core first) that reaches them.
    for (const root of roots) {
      const group = groupOf.get(root)!;
      const queue = [root];
      while (queue.length > 0) {
        const cls = queue.shift()!;
        for (const attr of this.classes.get(cls) ?? []) {
          for (const ref of referencedClasses(attr.type)) {
            if (!this.classes.has(ref) || META_CLASSES.has(ref) || groupOf.has(ref)) continue;
            const split = splitClassName(ref);
            groupOf.set(ref, split?.group ?? group);
            queue.push(ref);
          }
        }
      }
    }
    // 3. Types no kind reaches (e.g. versions without an API class): same group as a namesake.
    const groupOfBase = new Map<string, string>();
    for (const [cls, group] of groupOf) {
      const base = splitClassName(cls)?.base;
      if (base && !groupOfBase.has(base)) groupOfBase.set(base, group);
    }
    for (const cls of this.classes.keys()) {
      const base = splitClassName(cls)?.base;
      if (!groupOf.has(cls) && base) groupOf.set(cls, groupOfBase.get(base) ?? '');
    }
    // 4. Names.
    for (const cls of this.classes.keys()) {
      const split = splitClassName(cls);
      if (cls === 'VersionInfo') {
        this.definitionNames.set(cls, 'io.k8s.apimachinery.pkg.version.Info');
      } else if (!split) {
        this.definitionNames.set(cls, `io.k8s.unknown.${cls}`);
      } else if (META_CLASSES.has(cls)) {
        this.definitionNames.set(cls, `${META_V1}.${split.base}`);
      } else {
        const group = split.group ?? groupOf.get(cls);
        this.definitionNames.set(cls, `${packageForGroup(group ?? '')}.${split.version}.${split.base}`);
      }
    }
  }

  /** The class and field descriptions of a model class (read on first use). */
  docs(cls: string): ClassDocs {
    let docs = this.docsCache.get(cls);
    if (!docs) {
      try {
        docs = parseClassDocs(readFileSync(join(this.modelsDir, `${cls}.d.ts`), 'utf8'));
      } catch {
        docs = { fields: new Map() };
      }
      this.docsCache.set(cls, docs);
    }
    return docs;
  }

  classForKind(group: string, version: string, kind: string): string | undefined {
    return this.kinds.get(`${group}/${version}/${kind}`);
  }
}

let shared: ClientNodeCatalog | undefined;

/**
 * The process-wide catalog, read on first use. If client-node's files cannot be read the catalog
 * is empty and built-in kinds get free-form schemas (documents stay valid, explain is terse).
 */
export function clientNodeCatalog(): ClientNodeCatalog {
  if (!shared) {
    try {
      shared = new ClientNodeCatalog();
    } catch {
      shared = new ClientNodeCatalog(null);
    }
  }
  return shared;
}
