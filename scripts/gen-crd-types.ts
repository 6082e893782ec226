/**
 * Generates the TypeScript types of Kubernaut's custom resources from their CRD manifests, so the
 * YAML under deploy/crds/ stays the single source of truth:
 *
 *   node --import tsx scripts/gen-crd-types.ts [--out DIR]     (default: src/api/v1alpha1/generated)
 *
 * Each deploy/crds/kubernaut.ai_<plural>.yaml becomes generated/<singular>.ts with `<Kind>`,
 * `<Kind>Spec`, `<Kind>Status` and `<Kind>List`. The structural schema is translated into plain JSON
 * Schema for json-schema-to-typescript (Kubernetes' extensions mean something to the API server, not
 * to that tool). Output is deterministic: test/api/generated-types.test.ts regenerates into a temporary
 * directory and fails when the committed files differ.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compile, type JSONSchema } from 'json-schema-to-typescript';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const CRD_DIR = join(ROOT, 'deploy/crds');
export const GENERATED_DIR = join(ROOT, 'src/api/v1alpha1/generated');

type Schema = Record<string, any>;

interface CrdManifest {
  spec: {
    group: string;
    names: { kind: string; plural: string; singular: string };
    versions: { name: string; storage?: boolean; schema?: { openAPIV3Schema?: Schema } }[];
  };
}

/**
 * Structural schema -> JSON Schema as json-schema-to-typescript reads it:
 * - objects with declared properties are closed (the API server prunes anything else);
 * - `x-kubernetes-preserve-unknown-fields` keeps them open (`[k: string]: unknown`), or is `unknown`
 *   when no type is given; `nullable` becomes a union with null; int-or-string a number|string;
 * - other `x-kubernetes-*` keywords, formats, bounds and patterns do not change the TS type and are
 *   dropped (validation is the API server's job); descriptions stay as doc comments.
 */
function toJsonSchema(s: Schema): Schema {
  const out: Schema = {};
  if (s.description) out.description = s.description;
  if (s['x-kubernetes-int-or-string']) return { ...out, tsType: 'number | string' };
  if (!s.type) return s['x-kubernetes-preserve-unknown-fields'] ? { ...out, tsType: 'unknown' } : out;
  out.type = s.nullable ? [s.type, 'null'] : s.type;
  if (s.enum) out.enum = s.nullable ? [...s.enum, null] : s.enum;
  if (s.type === 'array' && s.items) out.items = toJsonSchema(s.items);
  if (s.type === 'object') {
    if (s.properties) {
      out.properties = Object.fromEntries(Object.entries(s.properties as Record<string, Schema>).map(([k, v]) => [k, toJsonSchema(v)]));
      if (s.required?.length) out.required = s.required;
    }
    if (typeof s.additionalProperties === 'object') out.additionalProperties = toJsonSchema(s.additionalProperties);
    else out.additionalProperties = !!s['x-kubernetes-preserve-unknown-fields'] || !s.properties;
  }
  return out;
}

function rootSchema(crd: CrdManifest): Schema {
  const kind = crd.spec.names.kind;
  const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
  const open = version.schema?.openAPIV3Schema;
  if (!open) throw new Error(`${kind}: no openAPIV3Schema`);
  const root = toJsonSchema(open);
  const props = root.properties as Record<string, Schema>;
  // Named types for the parts every controller handles on its own.
  if (props.spec) props.spec.title = `${kind}Spec`;
  if (props.status) props.status.title = `${kind}Status`;
  props.apiVersion = { tsType: `'${crd.spec.group}/${version.name}'` };
  props.kind = { tsType: `'${kind}'` };
  props.metadata = { tsType: 'V1ObjectMeta' };
  return { ...root, title: kind };
}

const BANNER = (source: string) => `/**
 * generated — do not edit. Source: deploy/crds/${source}
 * Regenerate with: node --import tsx scripts/gen-crd-types.ts
 */
import type { V1ListMeta, V1ObjectMeta } from '@kubernetes/client-node';
`;

/** Renders one CRD manifest (YAML text) into the TypeScript module for its kind. */
export async function renderCrdTypes(yamlText: string, sourceName: string): Promise<{ file: string; code: string }> {
  const crd = parse(yamlText) as CrdManifest;
  const kind = crd.spec.names.kind;
  const code = await compile(rootSchema(crd) as JSONSchema, kind, {
    bannerComment: BANNER(sourceName),
    additionalProperties: false,
    ignoreMinAndMaxItems: true,
    strictIndexSignatures: true,
    unknownAny: true,
    declareExternallyReferenced: true,
    format: true,
    style: { singleQuote: true, bracketSpacing: true, printWidth: 120, trailingComma: 'all' },
  });
  const list = `
/** A list of ${kind} objects, as returned by list calls. */
export interface ${kind}List {
  apiVersion?: '${crd.spec.group}/${crd.spec.versions.find((v) => v.storage)?.name ?? crd.spec.versions[0].name}';
  kind?: '${kind}List';
  metadata?: V1ListMeta;
  items: ${kind}[];
}
`;
  return { file: `${crd.spec.names.singular}.ts`, code: code + list };
}

/** The Kubernaut CRD manifests (deploy/crds/kubernaut.ai_*.yaml), sorted by file name. */
export function crdFiles(dir = CRD_DIR): string[] {
  return readdirSync(dir)
    .filter((f) => /^kubernaut\.ai_[a-z]+\.yaml$/.test(f))
    .sort()
    .map((f) => join(dir, f));
}

/** Names of every kind (from the manifests too), as a const object keyed by kind. */
export function renderKindsModule(yamlTexts: string[]): string {
  const entries = yamlTexts.map((text) => {
    const crd = parse(text) as CrdManifest & { spec: { names: { listKind: string; shortNames?: string[]; categories?: string[] } } };
    const n = crd.spec.names;
    const version = crd.spec.versions.find((v) => v.storage) ?? crd.spec.versions[0];
    const meta = {
      group: crd.spec.group,
      version: version.name,
      kind: n.kind,
      listKind: n.listKind,
      plural: n.plural,
      singular: n.singular,
      shortNames: n.shortNames ?? [],
      categories: n.categories ?? [],
    };
    const fields = Object.entries(meta).map(([k, v]) => `    ${k}: ${Array.isArray(v) ? `[${v.map((x) => `'${x}'`).join(', ')}]` : `'${v}'`},`);
    return `  ${n.kind}: {\n${fields.join('\n')}\n  },`;
  });
  return `/**
 * generated — do not edit. Source: the names of deploy/crds/kubernaut.ai_*.yaml
 * Regenerate with: node --import tsx scripts/gen-crd-types.ts
 */
export const KUBERNAUT_KIND_NAMES = {
${entries.sort().join('\n')}
} as const;
`;
}

/** Generates every module into `outDir`; returns the file names written. */
export async function generateCrdTypes(outDir = GENERATED_DIR, crdDir = CRD_DIR): Promise<string[]> {
  mkdirSync(outDir, { recursive: true });
  const written: string[] = [];
  const texts: string[] = [];
  for (const path of crdFiles(crdDir)) {
    const text = readFileSync(path, 'utf8');
    texts.push(text);
    const { file, code } = await renderCrdTypes(text, basename(path));
    writeFileSync(join(outDir, file), code);
    written.push(file);
  }
  writeFileSync(join(outDir, 'kinds.ts'), renderKindsModule(texts));
  written.push('kinds.ts');
  return written;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const i = process.argv.indexOf('--out');
  const out = i > 0 ? process.argv[i + 1] : GENERATED_DIR;
  const files = await generateCrdTypes(out);
  console.log(`generated ${files.length} files in ${out}: ${files.join(', ')}`);
}
