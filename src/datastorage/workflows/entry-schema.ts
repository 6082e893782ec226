/**
 * The canonical workflow catalog entry (workflow-schema.md §1) as a strict zod schema: unknown
 * fields anywhere are rejected, and the parsed output is the *normalised* entry (defaults applied,
 * detected-label booleans as the strings "true"/"false") whose canonical JSON is hashed.
 */
import { z } from 'zod';
import { parameterListSchema } from './parameters.ts';

export const WORKFLOW_ID_RE = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const ACTION_TYPE_RE = /^[A-Z][A-Za-z0-9]{2,63}$/;
export const SEVERITIES = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
export const PRIORITIES = ['P0', 'P1', 'P2', 'P3'] as const;
export const ENGINES = ['job', 'tekton', 'ansible'] as const;
export const BOOLEAN_DETECTED_LABELS = ['gitOpsManaged', 'pdbProtected', 'hpaEnabled', 'stateful', 'helmManaged', 'networkIsolated'] as const;
export type BooleanDetectedLabel = (typeof BOOLEAN_DETECTED_LABELS)[number];
export const DETECTED_LABELS = [...BOOLEAN_DETECTED_LABELS, 'gitOpsTool', 'serviceMesh'] as const;
/** A Kind, optionally with group/version (`StatefulSet`, `apps/v1/StatefulSet`, `v1/Pod`). */
export const COMPONENT_RE = /^(?:[a-z0-9][a-z0-9.-]*\/)?(?:v\d[a-z0-9]*\/)?[A-Za-z][A-Za-z0-9]*$/;
/** Workflow ids that would collide with the catalog's own routes. */
export const RESERVED_WORKFLOW_IDS = ['actions', 'by-catalog-id'];
const DNS_SUBDOMAIN_RE = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

const WILDCARD = '*';

const text = (max: number) =>
  z.string({ error: 'must be a string' }).max(max, `must be at most ${max} characters`).regex(/\S/, 'must not be empty');

/** `"*"` or a non-empty list of allowed values. */
function wildcardOrList<T extends z.ZodType<string>>(item: T, what: string) {
  return z.union([z.literal(WILDCARD), z.array(item).min(1)], { error: `must be "*" or a non-empty list of ${what}` });
}

const kind = z.string().regex(COMPONENT_RE, 'must be a Kind such as StatefulSet or apps/v1/StatefulSet');

const labelsSchema = z.strictObject({
  signalType: z.string().optional(), // informational only, never matched
  severity: wildcardOrList(z.enum(SEVERITIES), SEVERITIES.join(', ')),
  environment: wildcardOrList(z.string().regex(/^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/), 'environment names'),
  component: z.union([z.literal(WILDCARD), kind, z.array(kind).min(1)], {
    error: 'must be "*", a Kind (StatefulSet or apps/v1/StatefulSet) or a non-empty list of them',
  }),
  priority: z
    .union([z.literal(WILDCARD), z.enum(PRIORITIES), z.array(z.enum(PRIORITIES)).min(1)], { error: 'must be "*", one of P0-P3 or a list of them' })
    .default(WILDCARD),
});

/** YAML authors write `stateful: true` as often as `stateful: "true"`; both mean the same. */
const booleanLabel = z
  .union([z.enum(['true', 'false']), z.boolean()], { error: 'must be "true" or "false"' })
  .transform((v) => String(v) as 'true' | 'false');

const detectedLabelsSchema = z.strictObject({
  ...Object.fromEntries(BOOLEAN_DETECTED_LABELS.map((k) => [k, booleanLabel.optional()])) as Record<BooleanDetectedLabel, z.ZodOptional<typeof booleanLabel>>,
  gitOpsTool: z.enum(['argocd', 'flux', WILDCARD], { error: 'must be argocd, flux or "*"' }).optional(),
  serviceMesh: z.enum(['istio', 'linkerd', WILDCARD], { error: 'must be istio, linkerd or "*"' }).optional(),
});

const customLabelsSchema = z.record(
  z.string().regex(/^[a-z0-9_-]+$/, 'custom label keys must match ^[a-z0-9_-]+$'),
  z.union([z.literal(WILDCARD), z.array(z.string().min(1)).min(1)], { error: 'must be "*" or a non-empty list of strings' }),
);

const namedRef = z.strictObject({ name: z.string().regex(DNS_SUBDOMAIN_RE, 'must be a Kubernetes object name').max(253) });

export const workflowEntrySchema = z.strictObject({
  metadata: z.strictObject({
    workflowId: z.string().max(63, 'must be at most 63 characters').regex(WORKFLOW_ID_RE, 'must be a DNS label (^[a-z0-9]([-a-z0-9]*[a-z0-9])?$)')
      .refine((id) => !RESERVED_WORKFLOW_IDS.includes(id), { error: 'is reserved by the catalog API' }),
    version: z.string({ error: 'must be a string (quote it in YAML)' }).min(1, 'must not be empty').max(50, 'must be at most 50 characters'),
    description: z.strictObject({
      what: text(2000),
      whenToUse: text(2000),
      whenNotToUse: text(2000).optional(),
      preconditions: text(2000).optional(),
    }),
    maintainers: z.array(z.strictObject({ name: z.string().min(1), email: z.email().optional() })).optional(),
  }),
  actionType: z.string().regex(ACTION_TYPE_RE, 'must be PascalCase (^[A-Z][A-Za-z0-9]{2,63}$)'),
  labels: labelsSchema,
  customLabels: customLabelsSchema.optional(),
  detectedLabels: detectedLabelsSchema.optional(),
  execution: z.strictObject({
    engine: z.enum(ENGINES, { error: `must be one of ${ENGINES.join(', ')}` }),
    bundle: z.string().min(1, 'is required').max(1024),
    bundleDigest: z.string().regex(/^sha256:[a-f0-9]{64}$/, 'must be sha256: followed by 64 lower-case hex digits').optional(),
    serviceAccountName: z.string().regex(DNS_SUBDOMAIN_RE, 'must be a ServiceAccount name').max(253).optional(),
    engineConfig: z.record(z.string(), z.unknown()).optional(),
  }),
  dependencies: z.strictObject({ secrets: z.array(namedRef).optional(), configMaps: z.array(namedRef).optional() }).optional(),
  parameters: parameterListSchema,
  rollbackParameters: parameterListSchema.optional(),
});

export type WorkflowEntry = z.output<typeof workflowEntrySchema>;
export type WorkflowLabels = WorkflowEntry['labels'];
export type WorkflowDetectedLabels = NonNullable<WorkflowEntry['detectedLabels']>;
export type WorkflowCustomLabels = NonNullable<WorkflowEntry['customLabels']>;
export type WorkflowDescription = WorkflowEntry['metadata']['description'];

/** The Kind part of a component (`apps/v1/StatefulSet` -> `statefulset`), lower-cased for comparison. */
export function componentKind(component: string): string {
  return component.slice(component.lastIndexOf('/') + 1).toLowerCase();
}

/** A label dimension as the list of accepted values, or `null` for `"*"` (anything). */
export function labelValues(value: string | string[]): string[] | null {
  if (value === WILDCARD) return null;
  return Array.isArray(value) ? value : [value];
}
