/**
 * The console's JSON routes (api-types.ts): remediations (list and one), approvals, catalog and
 * alerts, built from the watch hub's caches and the DataStorage / alerting reads. Bad input is a
 * 400 problem; an unknown remediation a 404; a failing DataStorage or alerting only fills the
 * view's `error`.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { ApprovalList, ObjectRef, RemediationDetail, RemediationList } from '../api-types.ts';
import { ProblemError } from '../../platform/http/app.ts';
import type { AlertingSource } from './sources/alerting-source.ts';
import { MAX_HISTORY_TARGETS, type DataStorageSource } from './sources/datastorage-source.ts';
import type { JobLogReader } from './sources/job-log.ts';
import { approvalList } from './views/approval.ts';
import { compareTimes, createdAt, objectRef, type RemediationFamily } from './views/objects.ts';
import { remediationDetail } from './views/remediation-detail.ts';
import { remediationList } from './views/remediation-list.ts';
import type { WatchHub } from './watch-hub.ts';

const filter = z.string().max(253, 'at most 253 characters').optional();
const ListQuery = z.strictObject({ namespace: filter, phase: filter, outcome: filter, target: filter });

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DetailParams = z.object({
  namespace: z.string().max(63).regex(DNS1123_LABEL, 'must be a namespace name'),
  name: z.string().max(253).regex(DNS1123_SUBDOMAIN, 'must be an object name'),
});

function badRequest(what: string, error: z.ZodError): ProblemError {
  const errors = error.issues.map((i) => ({ path: i.path.join('.') || (i.code === 'unrecognized_keys' ? i.keys.join(', ') : ''), message: i.code === 'unrecognized_keys' ? 'unknown parameter' : i.message }));
  return new ProblemError(400, 'Bad Request', `${what}: ${errors.map((e) => `${e.path} ${e.message}`.trim()).join('; ')}`, { errors });
}

export interface ApiRouteDeps {
  hub: WatchHub;
  dataStorage: DataStorageSource;
  alerting: AlertingSource;
  jobLogs: JobLogReader;
  now?: () => Date;
}

/** What a remediation changes (the analysis' affected resource), else the signal's target. */
function remediationTarget(f: RemediationFamily): ObjectRef | undefined {
  return objectRef(f.aa?.status?.rootCauseAnalysis?.affectedResource) ?? objectRef(f.rr.spec?.targetResource);
}

export function registerApiRoutes(app: FastifyInstance, deps: ApiRouteDeps): void {
  const now = deps.now ?? (() => new Date());

  app.get('/api/remediations', async (req): Promise<RemediationList> => {
    const q = ListQuery.safeParse(req.query ?? {});
    if (!q.success) throw badRequest('invalid filters (namespace, phase, outcome, target: substrings)', q.error);
    return remediationList(deps.hub.families(), q.data);
  });

  app.get('/api/remediations/:namespace/:name', async (req): Promise<RemediationDetail> => {
    const p = DetailParams.safeParse(req.params);
    if (!p.success) throw badRequest('invalid remediation path', p.error);
    const family = deps.hub.family(p.data.namespace, p.data.name);
    if (!family) throw new ProblemError(404, 'Not Found', `no RemediationRequest ${p.data.name} in namespace ${p.data.namespace}`);
    const [{ audit, evidence }, jobLog] = await Promise.all([deps.dataStorage.auditOf(p.data.name), family.we ? deps.jobLogs.tail(objectRef(family.we.status?.executionRef)) : undefined]);
    // The objects may have moved on while DataStorage answered: show the latest.
    const latest = deps.hub.family(p.data.namespace, p.data.name) ?? family;
    return remediationDetail(latest, { audit, evidence, jobLog, now: now() });
  });

  app.get('/api/approvals', async (): Promise<ApprovalList> => approvalList(deps.hub.list('RemediationApprovalRequest'), now()));

  app.get('/api/catalog', async () => {
    const families = deps.hub.families().sort((a, b) => compareTimes(createdAt(b.rr), createdAt(a.rr)));
    const targets = new Map<string, ObjectRef>();
    for (const f of families) {
      const t = remediationTarget(f);
      if (t) targets.set(`${t.kind}/${t.namespace ?? ''}/${t.name}`, t);
      if (targets.size >= MAX_HISTORY_TARGETS) break;
    }
    const namespaces = new Map(families.map((f) => [f.rr.metadata?.name ?? '', f.rr.metadata?.namespace ?? '']));
    return deps.dataStorage.catalog([...targets.values()], (name) => namespaces.get(name));
  });

  app.get('/api/alerts', async () => deps.alerting.alerts());
}
