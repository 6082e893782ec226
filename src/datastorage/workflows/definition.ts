/**
 * From submitted text or object to a validated, normalised catalog entry (workflow-schema.md §1-§2):
 * recognises the three input forms (canonical flat, RemediationWorkflow CRD with `spec.metadata`,
 * flattened CRD), maps them to the canonical form, validates it strictly, derives the bundle digest
 * and computes the content hash. Errors are `{path, message}`, with paths in the submitter's own form.
 */
import { createHash } from 'node:crypto';
import YAML from 'yaml';
import type { z } from 'zod';
import { workflowEntrySchema, type WorkflowEntry } from './entry-schema.ts';

export interface FieldError {
  path: string;
  message: string;
}

export type DefinitionForm = 'canonical' | 'crd-nested' | 'crd-flattened';

export type DefinitionResult =
  | { ok: true; entry: WorkflowEntry; contentHash: string; form: DefinitionForm }
  | { ok: false; errors: FieldError[] };

export interface DefinitionOptions {
  /** Reject bundles that are not pinned by digest (on in production). */
  requireDigest?: boolean;
}

const CRD_API_VERSION = 'kubernaut.ai/v1alpha1';
const CRD_KIND = 'RemediationWorkflow';
const DIGEST_SUFFIX_RE = /@(sha256:[a-f0-9]{64})$/;

/** `parameters[0].name` style, readable in an error list. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${String(seg)}` : String(seg);
  }
  return out;
}

/** Parses YAML (JSON is YAML too) holding exactly one document. */
export function parseDefinitionText(text: string): { ok: true; doc: unknown } | { ok: false; errors: FieldError[] } {
  try {
    return parseOneDocument(text);
  } catch (e) {
    // The YAML library refuses alias bombs ("billion laughs") by throwing, and a hostile nesting can
    // exhaust the stack while parsing: both are the sender's problem, not a server error.
    if (e instanceof ReferenceError || e instanceof RangeError) return { ok: false, errors: [{ path: '', message: `invalid YAML: ${e.message}` }] };
    throw e;
  }
}

/** Deeper than any workflow definition needs, as for JSON bodies. */
const MAX_DEFINITION_DEPTH = 64;

function parseOneDocument(text: string): { ok: true; doc: unknown } | { ok: false; errors: FieldError[] } {
  const docs = YAML.parseAllDocuments(text, { uniqueKeys: true });
  if (docs.length === 0) return { ok: false, errors: [{ path: '', message: 'the workflow definition is empty' }] };
  if (docs.length !== 1) return { ok: false, errors: [{ path: '', message: `expected one YAML document, found ${docs.length}` }] };
  const [doc] = docs;
  if (doc.errors.length > 0) {
    return { ok: false, errors: doc.errors.map((e) => ({ path: '', message: `invalid YAML: ${e.message.split('\n')[0]}` })) };
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (nestsDeeperThan(value, MAX_DEFINITION_DEPTH)) return { ok: false, errors: [{ path: '', message: `the workflow definition nests deeper than ${MAX_DEFINITION_DEPTH} levels` }] };
  return { ok: true, doc: value };
}

/** Depth of nested objects and arrays, walked with an explicit stack (a recursive walk could overflow). */
function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth + 1 > limit) return true;
    for (const child of Object.values(v)) pending.push([child, depth + 1]);
  }
  return false;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

interface Normalised {
  form: DefinitionForm;
  candidate: Record<string, unknown>;
  /** Maps a path of the canonical entry back to where the submitter wrote it. */
  sourcePath(path: string): string;
  errors: FieldError[];
}

const prefixed = (prefix: string) => (path: string) => (path ? `${prefix}.${path}` : prefix);

/** Maps a CRD object onto the canonical entry (§2). */
function fromCrd(doc: Record<string, unknown>): Normalised {
  const errors: FieldError[] = [];
  if (doc.apiVersion !== CRD_API_VERSION) errors.push({ path: 'apiVersion', message: `must be ${CRD_API_VERSION}` });
  if (doc.kind !== CRD_KIND) errors.push({ path: 'kind', message: `must be ${CRD_KIND}` });
  for (const key of Object.keys(doc)) {
    // status is what a `kubectl get -o yaml` export carries; it is never part of the entry.
    if (!['apiVersion', 'kind', 'metadata', 'spec', 'status'].includes(key)) errors.push({ path: key, message: 'unknown field' });
  }
  const objectName = isObject(doc.metadata) && typeof doc.metadata.name === 'string' ? doc.metadata.name : undefined;
  if (!isObject(doc.spec)) {
    errors.push({ path: 'spec', message: 'is required and must be an object' });
    return { form: 'crd-flattened', candidate: {}, sourcePath: (p) => p, errors };
  }
  const spec = doc.spec;
  if (isObject(spec.metadata)) {
    const { workflowName, ...meta } = spec.metadata;
    const idInSpec = meta.workflowId ?? workflowName;
    if (meta.workflowId !== undefined && workflowName !== undefined && meta.workflowId !== workflowName) {
      errors.push({ path: 'spec.metadata.workflowName', message: 'differs from spec.metadata.workflowId' });
    }
    if (idInSpec !== undefined && objectName !== undefined && idInSpec !== objectName) {
      errors.push({ path: 'metadata.name', message: `differs from the workflow id in spec (${String(idInSpec)})` });
    }
    const idSource = meta.workflowId !== undefined ? 'spec.metadata.workflowId' : workflowName !== undefined ? 'spec.metadata.workflowName' : 'metadata.name';
    return {
      form: 'crd-nested',
      candidate: { ...spec, metadata: { ...meta, workflowId: idInSpec ?? objectName } },
      sourcePath: (p) => (p === 'metadata.workflowId' ? idSource : prefixed('spec')(p)),
      errors,
    };
  }
  const { version, description, maintainers, workflowId, workflowName, ...rest } = spec;
  const idInSpec = workflowId ?? workflowName;
  if (idInSpec !== undefined && objectName !== undefined && idInSpec !== objectName) {
    errors.push({ path: 'metadata.name', message: `differs from the workflow id in spec (${String(idInSpec)})` });
  }
  const metadata: Record<string, unknown> = { workflowId: idInSpec ?? objectName, version, description };
  if (maintainers !== undefined) metadata.maintainers = maintainers;
  const metaFields = ['version', 'description', 'maintainers'];
  return {
    form: 'crd-flattened',
    candidate: { ...rest, metadata },
    sourcePath: (p) => {
      if (p === 'metadata.workflowId') return idInSpec !== undefined ? (workflowId !== undefined ? 'spec.workflowId' : 'spec.workflowName') : 'metadata.name';
      const meta = metaFields.find((f) => p === `metadata.${f}` || p.startsWith(`metadata.${f}.`) || p.startsWith(`metadata.${f}[`));
      return meta ? `spec.${p.slice('metadata.'.length)}` : prefixed('spec')(p);
    },
    errors,
  };
}

function normaliseForm(doc: Record<string, unknown>): Normalised {
  if ('apiVersion' in doc || 'kind' in doc) return fromCrd(doc);
  return { form: 'canonical', candidate: doc, sourcePath: (p) => p, errors: [] };
}

/** zod issues as `{path, message}`, one per unknown field. */
function issuesToErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) out.push({ path: formatPath([...issue.path, key]), message: 'unknown field' });
    } else {
      out.push({ path: formatPath(issue.path), message: issue.message });
    }
  }
  return out;
}

/** JSON with object keys sorted at every level: the same entry always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isObject(value)) {
    const keys = Object.keys(value).filter((k) => value[k] !== undefined).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export function contentHashOf(entry: WorkflowEntry): string {
  return createHash('sha256').update(canonicalJson(entry)).digest('hex');
}

/** Validates and normalises a parsed definition (any of the three forms). */
export function normaliseDefinition(doc: unknown, opts: DefinitionOptions = {}): DefinitionResult {
  if (!isObject(doc)) return { ok: false, errors: [{ path: '', message: 'the workflow definition must be an object' }] };
  const norm = normaliseForm(doc);
  const parsed = workflowEntrySchema.safeParse(norm.candidate);
  const errors = [...norm.errors, ...(parsed.success ? [] : issuesToErrors(parsed.error.issues).map((e) => ({ ...e, path: norm.sourcePath(e.path) })))];
  if (!parsed.success || errors.length > 0) return { ok: false, errors };

  const entry = parsed.data;
  const pinned = DIGEST_SUFFIX_RE.exec(entry.execution.bundle)?.[1];
  if (pinned) {
    if (entry.execution.bundleDigest && entry.execution.bundleDigest !== pinned) {
      errors.push({ path: norm.sourcePath('execution.bundleDigest'), message: `differs from the digest in execution.bundle (${pinned})` });
    }
    entry.execution.bundleDigest = pinned;
  }
  if (opts.requireDigest && !entry.execution.bundleDigest) {
    errors.push({ path: norm.sourcePath('execution.bundleDigest'), message: 'is required: the catalog only accepts bundles pinned by digest (requireDigest)' });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, entry, contentHash: contentHashOf(entry), form: norm.form };
}

/** Text (YAML or JSON) to a normalised entry. */
export function parseWorkflowDefinition(text: string, opts: DefinitionOptions = {}): DefinitionResult {
  const parsed = parseDefinitionText(text);
  if (!parsed.ok) return parsed;
  return normaliseDefinition(parsed.doc, opts);
}
