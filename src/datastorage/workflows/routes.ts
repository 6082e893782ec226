/**
 * DataStorage's workflow catalog HTTP API (workflow-schema.md §2-§3):
 *
 *   POST  /api/v1/workflows                          register (YAML body, JSON definition, or JSON {content, source, registeredBy})
 *   GET   /api/v1/workflows/actions?<context>        step 1: action types with matching workflows
 *   GET   /api/v1/workflows?actionType=&<context>    step 2: ranked workflows (alias GET /api/v1/workflows/actions/{type})
 *   GET   /api/v1/workflows/{id|catalogId}?<context> step 3: one workflow, 404 outside its context
 *   GET   /api/v1/workflows/by-catalog-id/{catalogId}  that exact version, any status, no context (400 not a UUID, 404 unknown)
 *   GET   /api/v1/workflows/{id}/versions            every version with its status (administration)
 *   PATCH /api/v1/workflows/{id|catalogId}           {status: active|disabled|deprecated, version?, reason?}
 *   PATCH /api/v1/workflows/{id}/enable|disable|deprecate   same, optional body {version?, reason?}
 *   PUT   /api/v1/workflows/actions/{type}           explicit action-type registration {description}
 *
 * A version is immutable: registering an existing (workflowId, version) with other content is a 409
 * naming the differing paths (`differences`); the same content again is 200 `previouslyExisted`.
 * Every discovery step is audited (`datastorage.workflow.discovery`, see discovery-audit.ts).
 * Errors are RFC 7807 problems; validation problems list every `{path, message}` in `errors`.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Counter, Histogram, type Registry } from 'prom-client';
import { z } from 'zod';
import type { Clock } from '../../platform/clock.ts';
import { ProblemError } from '../../platform/http/app.ts';
import { componentLogger, type Logger } from '../../platform/log.ts';
import type { Db } from '../db/database.ts';
import { UUID_RE, WorkflowCatalog, type CatalogRecord } from './catalog.ts';
import { contentDifferences, summariseDifferences } from './content-diff.ts';
import { parseDiscoveryQuery, type DiscoveryFilters, type IncidentContext, type Page } from './context.ts';
import type { DiscoveryAuditRecord, RecordDiscovery } from './discovery-audit.ts';
import { catalogEntryView } from './entry-view.ts';
import { formatPath, normaliseDefinition, parseWorkflowDefinition, type DefinitionResult, type FieldError } from './definition.ts';
import { getWorkflow, listActionTypes, listWorkflows } from './discovery.ts';
import { ACTION_TYPE_RE } from './entry-schema.ts';

export interface WorkflowRoutesDeps {
  clock: Clock;
  logger?: Logger;
  /** Refuse bundles not pinned by digest (on in production). */
  requireDigest?: boolean;
  /** Audits each discovery call; without it (tests of the catalog alone) nothing is recorded. */
  recordDiscovery?: RecordDiscovery;
  /** The service's registry (from createHttpApp) for the catalog's metrics. */
  metrics?: Registry;
}

export const YAML_CONTENT_TYPES = ['application/yaml', 'application/x-yaml', 'text/yaml'];

const envelopeSchema = z.strictObject({
  content: z.string().min(1, 'must not be empty'),
  source: z.string().max(253).optional(),
  registeredBy: z.string().max(253).optional(),
});

const statusBodySchema = z.strictObject({
  status: z.enum(['active', 'disabled', 'deprecated'], { error: 'must be active, disabled or deprecated' }),
  version: z.string().min(1).max(50).optional(),
  reason: z.string().max(1024).optional(),
});

const statusAliasBodySchema = statusBodySchema.omit({ status: true });

const descriptionSchema = z.strictObject({
  what: z.string().min(1).max(2000),
  whenToUse: z.string().min(1).max(2000),
  whenNotToUse: z.string().max(2000).optional(),
  preconditions: z.string().max(2000).optional(),
});

const actionTypeBodySchema = z.strictObject({ description: descriptionSchema });

function invalid(title: string, errors: FieldError[]): ProblemError {
  const detail = errors.length === 1 ? `${errors[0].path || '(body)'}: ${errors[0].message}` : `${errors.length} problems, see errors`;
  return new ProblemError(400, title, detail, { errors });
}

function parseBody<T>(schema: z.ZodType<T>, body: unknown, title: string): T {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  throw invalid(
    title,
    r.error.issues.flatMap((i) =>
      i.code === 'unrecognized_keys' ? i.keys.map((k) => ({ path: formatPath([...i.path, k]), message: 'unknown field' })) : [{ path: formatPath(i.path), message: i.message }],
    ),
  );
}

function discoveryQuery(req: FastifyRequest, extra: string[] = []): { context: IncidentContext; filters: DiscoveryFilters; page: Page } {
  const r = parseDiscoveryQuery(req.query as Record<string, unknown>, extra);
  if (!r.ok) throw invalid('Invalid discovery query', r.errors);
  return r;
}

function checkActionType(actionType: unknown): string {
  if (typeof actionType !== 'string' || !ACTION_TYPE_RE.test(actionType)) {
    throw invalid('Invalid discovery query', [{ path: 'actionType', message: 'must be PascalCase (^[A-Z][A-Za-z0-9]{2,63}$)' }]);
  }
  return actionType;
}

function registrationView(record: CatalogRecord, previouslyExisted: boolean) {
  return {
    catalogId: record.catalogId,
    workflowId: record.workflowId,
    version: record.version,
    actionType: record.actionType,
    status: record.status,
    isLatest: record.isLatest,
    contentHash: record.contentHash,
    registeredAt: record.registeredAt,
    previouslyExisted,
  };
}

function versionView(record: CatalogRecord) {
  const { content: _content, ...rest } = record;
  return rest;
}

export function registerWorkflowRoutes(app: FastifyInstance, db: Db, deps: WorkflowRoutesDeps): void {
  const catalog = new WorkflowCatalog(db, deps.clock);
  const log = deps.logger ?? componentLogger('datastorage.workflows');
  const registrations = new Counter({
    name: 'datastorage_workflow_registrations_total',
    help: 'Workflow registrations by outcome (created, unchanged, conflict, invalid)',
    labelNames: ['outcome'],
    registers: deps.metrics ? [deps.metrics] : [],
  });
  const discoveryDuration = new Histogram({
    name: 'datastorage_workflow_discovery_duration_seconds',
    help: 'Duration of workflow discovery requests by step (actions, workflows, workflow)',
    labelNames: ['step'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: deps.metrics ? [deps.metrics] : [],
  });
  const timed = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    const end = discoveryDuration.startTimer({ step });
    try {
      return await fn();
    } finally {
      end();
    }
  };

  // Encapsulated: the YAML parser applies to these routes only, not to the rest of DataStorage.
  app.register(async (scope) => {
    scope.addContentTypeParser(YAML_CONTENT_TYPES, { parseAs: 'string' }, (_req, body, done) => done(null, body));

    scope.post('/api/v1/workflows', async (req, reply) => {
      let result: DefinitionResult;
      let meta: { source?: string; registeredBy?: string } = {};
      const opts = { requireDigest: deps.requireDigest };
      if (typeof req.body === 'string') {
        result = parseWorkflowDefinition(req.body, opts);
      } else if (req.body && typeof req.body === 'object' && 'content' in req.body) {
        const envelope = parseBody(envelopeSchema, req.body, 'Invalid registration request');
        meta = { source: envelope.source, registeredBy: envelope.registeredBy };
        result = parseWorkflowDefinition(envelope.content, opts);
      } else {
        result = normaliseDefinition(req.body, opts);
      }
      if (!result.ok) {
        registrations.inc({ outcome: 'invalid' });
        throw invalid('Invalid workflow definition', result.errors);
      }

      const outcome = await catalog.register(result.entry, result.contentHash, { source: meta.source ?? 'api', registeredBy: meta.registeredBy });
      const { workflowId, version } = result.entry.metadata;
      registrations.inc({ outcome: outcome.outcome });
      if (outcome.outcome === 'conflict') {
        const differences = contentDifferences(outcome.existing.content, result.entry);
        throw new ProblemError(
          409,
          'Conflict',
          `workflow ${workflowId} version ${version} is already registered with different content (${summariseDifferences(differences)}); a version is immutable, register the change under a new version`,
          { workflowId, version, catalogId: outcome.existing.catalogId, contentHash: outcome.existing.contentHash, differences },
        );
      }
      if (outcome.outcome === 'unchanged') return reply.code(200).send(registrationView(outcome.record, true));
      log.info({ workflowId, version, catalogId: outcome.record.catalogId }, 'workflow registered');
      return reply.code(201).send(registrationView(outcome.record, false));
    });

    const audit = async (record: DiscoveryAuditRecord) => {
      if (deps.recordDiscovery) await deps.recordDiscovery(record);
    };

    scope.get('/api/v1/workflows/actions', async (req) => {
      const { context, filters, page } = discoveryQuery(req);
      const answer = await timed('actions', () => listActionTypes(catalog, context, page));
      await audit({
        step: 'actions',
        filters,
        remediationId: context.remediationId,
        returnedIds: answer.actionTypes.map((a) => a.actionType),
        total: answer.pagination.total,
        offset: page.offset,
        limit: page.limit,
      });
      return answer;
    });

    const step2 = async (req: FastifyRequest, actionType: string | undefined) => {
      const { context, filters, page } = discoveryQuery(req, ['actionType']);
      const { workflows, pagination } = await timed('workflows', () => listWorkflows(catalog, context, page, actionType));
      await audit({
        step: 'workflows',
        filters,
        remediationId: context.remediationId,
        actionType,
        returnedIds: workflows.map((w) => w.workflowId),
        returnedCatalogIds: workflows.map((w) => w.catalogId),
        total: pagination.total,
        offset: page.offset,
        limit: page.limit,
      });
      return { ...(actionType ? { actionType } : {}), workflows, pagination };
    };

    scope.get('/api/v1/workflows', async (req) => {
      const q = req.query as Record<string, unknown>;
      return step2(req, q.actionType === undefined ? undefined : checkActionType(q.actionType));
    });

    scope.get<{ Params: { actionType: string } }>('/api/v1/workflows/actions/:actionType', async (req) => {
      const q = req.query as Record<string, unknown>;
      if (q.actionType !== undefined) throw invalid('Invalid discovery query', [{ path: 'actionType', message: 'is already given in the path' }]);
      return step2(req, checkActionType(req.params.actionType));
    });

    scope.put<{ Params: { actionType: string } }>('/api/v1/workflows/actions/:actionType', async (req, reply) => {
      const actionType = req.params.actionType;
      if (!ACTION_TYPE_RE.test(actionType)) throw invalid('Invalid action type', [{ path: 'actionType', message: 'must be PascalCase (^[A-Z][A-Za-z0-9]{2,63}$)' }]);
      const body = parseBody(actionTypeBodySchema, req.body, 'Invalid action type');
      const { created } = await catalog.putActionType(actionType, body.description);
      return reply.code(created ? 201 : 200).send({ actionType, description: body.description });
    });

    scope.get<{ Params: { id: string } }>('/api/v1/workflows/:id', async (req) => {
      const { context, filters } = discoveryQuery(req);
      const found = await timed('workflow', () => getWorkflow(catalog, context, req.params.id));
      await audit({
        step: 'workflow',
        filters,
        remediationId: context.remediationId,
        requestedId: req.params.id,
        returnedIds: found ? [found.record.workflowId] : [],
        returnedCatalogIds: found ? [found.record.catalogId] : [],
      });
      // Filtered out and missing look the same: an id learnt elsewhere gives nothing away.
      if (!found) throw new ProblemError(404, 'Not Found', `no workflow ${req.params.id} matches this context`);
      const { record, score, explanation } = found;
      return {
        ...record.content,
        catalogId: record.catalogId,
        status: record.status,
        contentHash: record.contentHash,
        registeredAt: record.registeredAt,
        registeredBy: record.registeredBy,
        source: record.source,
        score,
        explanation,
      };
    });

    // Not discovery: the WorkflowExecution controller re-reads the version that was selected, as it
    // is, to re-validate parameters and mount dependencies. No context filters, any status.
    scope.get<{ Params: { catalogId: string } }>('/api/v1/workflows/by-catalog-id/:catalogId', async (req) => {
      const { catalogId } = req.params;
      if (!UUID_RE.test(catalogId)) throw invalid('Invalid catalog id', [{ path: 'catalogId', message: 'must be a UUID' }]);
      const record = await catalog.byCatalogId(catalogId);
      if (!record) throw new ProblemError(404, 'Not Found', `no catalog entry ${catalogId}`);
      return catalogEntryView(record);
    });

    scope.get<{ Params: { id: string } }>('/api/v1/workflows/:id/versions', async (req) => {
      const versions = await catalog.versions(req.params.id);
      if (versions.length === 0) throw new ProblemError(404, 'Not Found', `no workflow ${req.params.id}`);
      return { workflowId: req.params.id, versions: versions.map(versionView) };
    });

    const changeStatus = async (id: string, to: 'active' | 'disabled' | 'deprecated', body: { version?: string; reason?: string }) => {
      const r = await catalog.setStatus(id, to, body);
      if (r.outcome === 'not_found') throw new ProblemError(404, 'Not Found', `no workflow ${id}${body.version ? ` version ${body.version}` : ''}`);
      if (r.outcome === 'invalid') throw new ProblemError(409, 'Conflict', r.message);
      log.info({ workflowId: r.workflowId, to, changes: r.changes.length }, 'workflow status changed');
      return { workflowId: r.workflowId, status: to, changes: r.changes };
    };

    scope.patch<{ Params: { id: string } }>('/api/v1/workflows/:id', async (req) => {
      const body = parseBody(statusBodySchema, req.body, 'Invalid status change');
      return changeStatus(req.params.id, body.status, body);
    });

    for (const [op, to] of [['enable', 'active'], ['disable', 'disabled'], ['deprecate', 'deprecated']] as const) {
      scope.patch<{ Params: { id: string } }>(`/api/v1/workflows/:id/${op}`, async (req) => {
        const body = parseBody(statusAliasBodySchema, req.body, 'Invalid status change');
        return changeStatus(req.params.id, to, body);
      });
    }
  });
}
