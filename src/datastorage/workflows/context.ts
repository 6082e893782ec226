/**
 * The incident context of a discovery request (workflow-schema.md §3): query parameters `severity`,
 * `component`, `environment`, `priority`, `custom_labels` (JSON), `detected_labels` (JSON) and
 * `remediation_id`, plus `offset`/`limit`. Malformed or unknown parameters are errors, never
 * silently ignored: a misspelt filter would otherwise widen what the investigator may select.
 */
import { z } from 'zod';
import { BOOLEAN_DETECTED_LABELS, COMPONENT_RE, DETECTED_LABELS, PRIORITIES, SEVERITIES, componentKind, type BooleanDetectedLabel } from './entry-schema.ts';
import { formatPath, type FieldError } from './definition.ts';

export interface IncidentDetectedLabels {
  /** Boolean labels as detected; a label listed in `failedDetections` is left out (its value is unknown). */
  flags: Partial<Record<BooleanDetectedLabel, boolean>>;
  /** `argocd`, `flux` or undefined (empty / failed). */
  gitOpsTool?: string;
  /** `istio`, `linkerd` or undefined (empty / failed). */
  serviceMesh?: string;
}

export interface IncidentContext {
  severity?: string;
  /** The incident's Kind, lower-cased. */
  component?: string;
  environment?: string;
  priority?: string;
  customLabels: Record<string, string[]>;
  detectedLabels: IncidentDetectedLabels;
  remediationId?: string;
}

/**
 * The context filters exactly as the caller sent them (JSON parameters parsed), for the audit
 * record of a discovery call; absent dimensions are left out.
 */
export interface DiscoveryFilters {
  severity?: string;
  component?: string;
  environment?: string;
  priority?: string;
  customLabels?: Record<string, string[]>;
  detectedLabels?: Record<string, unknown>;
}

export interface Page {
  offset: number;
  limit: number;
}

export const DEFAULT_LIMIT = 10;
export const MAX_LIMIT = 50;

const jsonObject = <T extends z.ZodType>(inner: T) =>
  z.string().transform((text, ctx): z.output<T> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
      return z.NEVER;
    }
    const r = inner.safeParse(value);
    if (!r.success) {
      for (const i of r.error.issues) {
        const where = i.code === 'unrecognized_keys' ? [...i.path, ...i.keys] : i.path;
        ctx.addIssue({ code: 'custom', message: `${formatPath(where) || '(object)'}: ${i.code === 'unrecognized_keys' ? 'unknown label' : i.message}` });
      }
      return z.NEVER;
    }
    return r.data;
  });

const flag = z.union([z.boolean(), z.enum(['true', 'false'])], { error: 'must be true or false' }).transform((v) => v === true || v === 'true');

const detectedLabelsQuery = z.strictObject({
  ...(Object.fromEntries(BOOLEAN_DETECTED_LABELS.map((k) => [k, flag.optional()])) as Record<BooleanDetectedLabel, z.ZodOptional<typeof flag>>),
  gitOpsTool: z.enum(['argocd', 'flux', ''], { error: 'must be argocd, flux or ""' }).optional(),
  serviceMesh: z.enum(['istio', 'linkerd', ''], { error: 'must be istio, linkerd or ""' }).optional(),
  failedDetections: z.array(z.enum(DETECTED_LABELS, { error: `must name detected labels (${DETECTED_LABELS.join(', ')})` })).optional(),
});

const customLabelsQuery = z.record(z.string().regex(/^[a-z0-9_-]+$/, 'keys must match ^[a-z0-9_-]+$'), z.array(z.string()));

const nonNegativeInt = (max: number, what: string) =>
  z.string().regex(/^\d{1,9}$/, `must be ${what}`).transform(Number).refine((n) => n <= max, { error: `must be ${what}` });

const querySchema = z.strictObject({
  severity: z.enum(SEVERITIES, { error: `must be one of ${SEVERITIES.join(', ')}` }).optional(),
  component: z.string().regex(COMPONENT_RE, 'must be a Kind such as StatefulSet').optional(),
  environment: z.string().regex(/^[A-Za-z0-9][-A-Za-z0-9_.]{0,62}$/, 'must be an environment name').optional(),
  priority: z.enum(PRIORITIES, { error: 'must be one of P0, P1, P2, P3' }).optional(),
  custom_labels: jsonObject(customLabelsQuery).optional(),
  detected_labels: jsonObject(detectedLabelsQuery).optional(),
  remediation_id: z.string().max(253).optional(),
  offset: nonNegativeInt(1_000_000, 'an integer >= 0').optional(),
  limit: nonNegativeInt(MAX_LIMIT, `an integer from 1 to ${MAX_LIMIT}`)
    .refine((n) => n >= 1, { error: `must be an integer from 1 to ${MAX_LIMIT}` })
    .optional(),
});

export type ContextParse = { ok: true; context: IncidentContext; filters: DiscoveryFilters; page: Page } | { ok: false; errors: FieldError[] };

/**
 * Parses the query string of a discovery request. `extra` names route-specific parameters (e.g.
 * `actionType`) that the caller handles itself.
 */
export function parseDiscoveryQuery(query: Record<string, unknown>, extra: string[] = []): ContextParse {
  const own = Object.fromEntries(Object.entries(query).filter(([k]) => !extra.includes(k)));
  const repeated = Object.keys(own).filter((k) => Array.isArray(own[k]));
  if (repeated.length > 0) return { ok: false, errors: repeated.map((k) => ({ path: k, message: 'must be given at most once' })) };
  const r = querySchema.safeParse(own);
  if (!r.success) {
    const errors = r.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys'
        ? i.keys.map((k) => ({ path: k, message: 'unknown query parameter' }))
        : [{ path: formatPath(i.path), message: i.message }],
    );
    return { ok: false, errors };
  }
  const q = r.data;
  const detected: z.output<typeof detectedLabelsQuery> = q.detected_labels ?? {};
  const failed = new Set<string>(detected.failedDetections ?? []);
  const flags: IncidentDetectedLabels['flags'] = {};
  for (const k of BOOLEAN_DETECTED_LABELS) {
    if (detected[k] !== undefined && !failed.has(k)) flags[k] = detected[k];
  }
  const context: IncidentContext = {
    severity: q.severity,
    component: q.component === undefined ? undefined : componentKind(q.component),
    environment: q.environment,
    priority: q.priority,
    customLabels: q.custom_labels ?? {},
    detectedLabels: {
      flags,
      gitOpsTool: detected.gitOpsTool && !failed.has('gitOpsTool') ? detected.gitOpsTool : undefined,
      serviceMesh: detected.serviceMesh && !failed.has('serviceMesh') ? detected.serviceMesh : undefined,
    },
    remediationId: q.remediation_id,
  };
  const filters: DiscoveryFilters = {
    ...(q.severity !== undefined ? { severity: q.severity } : {}),
    ...(q.component !== undefined ? { component: q.component } : {}),
    ...(q.environment !== undefined ? { environment: q.environment } : {}),
    ...(q.priority !== undefined ? { priority: q.priority } : {}),
    ...(q.custom_labels !== undefined ? { customLabels: q.custom_labels } : {}),
    ...(q.detected_labels !== undefined ? { detectedLabels: q.detected_labels } : {}),
  };
  return { ok: true, context, filters, page: { offset: q.offset ?? 0, limit: q.limit ?? DEFAULT_LIMIT } };
}
