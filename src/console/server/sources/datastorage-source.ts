/**
 * What the console reads from DataStorage: a remediation's audit trail (and the hash chain's check
 * over its time span), the workflow catalog and the remediation history of targets. Every request
 * has a timeout; a failure becomes the view's `error` text, never a failed page. The catalog
 * changes rarely and listing it is audited by DataStorage (a discovery call), so it is kept for a
 * short while instead of being asked for on every page view.
 */
import type { AuditView, CatalogView, CatalogWorkflow, ObjectRef, ToolCallView } from '../../api-types.ts';
import { AuditQueryClient } from '../../../datastorage/client/audit-query-client.ts';
import { RemediationHistoryClient, type RemediationHistoryEntry } from '../../../datastorage/client/history-client.ts';
import { getJson, type DataStorageReadClientOptions } from '../../../datastorage/client/read-client.ts';
import { auditView, toolCalls, MAX_AUDIT_EVENTS } from '../views/audit.ts';
import { catalogWorkflow, historyGroups } from '../views/catalog.ts';

export const DEFAULT_DATASTORAGE_TIMEOUT_MS = 5000;
/** Real milliseconds a catalog answer is reused. */
export const CATALOG_TTL_MS = 15_000;
/** The catalog lists at most this many workflows, and history of at most this many targets. */
const MAX_WORKFLOWS = 200;
export const MAX_HISTORY_TARGETS = 20;
const HISTORY_PER_TARGET = 20;

const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export interface AuditAndEvidence {
  audit: AuditView;
  evidence: ToolCallView[];
}

export class DataStorageSource {
  private readonly opts: DataStorageReadClientOptions;
  private readonly audit: AuditQueryClient;
  private readonly history: RemediationHistoryClient;
  private readonly configured: boolean;
  private catalogCache?: { at: number; workflows: Promise<CatalogWorkflow[]> };

  constructor(baseUrl: string | undefined, bearerToken?: () => string | undefined, timeoutMs = DEFAULT_DATASTORAGE_TIMEOUT_MS) {
    this.opts = { baseUrl: baseUrl ?? 'http://datastorage.invalid', bearerToken, timeoutMs };
    this.configured = !!baseUrl;
    this.audit = new AuditQueryClient(this.opts);
    this.history = new RemediationHistoryClient(this.opts);
  }

  /** The RR's audit events, the chain check over their span, and the investigation's tool calls. */
  async auditOf(rrName: string): Promise<AuditAndEvidence> {
    if (!this.configured) return { audit: { events: [], error: 'no DataStorage configured' }, evidence: [] };
    let events;
    try {
      events = await this.audit.byCorrelationId(rrName, { maxEvents: MAX_AUDIT_EVENTS });
    } catch (e) {
      return { audit: auditView([], undefined, errorText(e)), evidence: [] };
    }
    let chain;
    if (events.length) {
      const times = events.map((e) => e.eventTimestamp).sort();
      chain = await this.audit.verifyChain({ since: times[0], until: times.at(-1) }).catch((e: unknown) => ({ error: errorText(e) }));
    }
    return { audit: auditView(events, chain), evidence: toolCalls(events) };
  }

  /**
   * The catalog (cached briefly) and the history of `targets`, newest activity first. `rrNamespace`
   * tells the namespace of a RemediationRequest the console knows, for links.
   */
  async catalog(targets: ObjectRef[], rrNamespace: (name: string) => string | undefined): Promise<CatalogView> {
    if (!this.configured) return { workflows: [], history: [], error: 'no DataStorage configured' };
    const errors: string[] = [];
    const [workflows, history] = await Promise.all([
      this.workflows().catch((e: unknown) => {
        errors.push(errorText(e));
        return [] as CatalogWorkflow[];
      }),
      Promise.all(
        targets.slice(0, MAX_HISTORY_TARGETS).map(async (target) => ({
          target,
          entries: await this.history.byTarget({ kind: target.kind, name: target.name, namespace: target.namespace ?? '' }, { limit: HISTORY_PER_TARGET }).catch((e: unknown) => {
            errors.push(errorText(e));
            return [] as RemediationHistoryEntry[];
          }),
        })),
      ),
    ]);
    const error = [...new Set(errors)].join('; ');
    return { workflows, history: historyGroups(history, rrNamespace), ...(error ? { error } : {}) };
  }

  private workflows(): Promise<CatalogWorkflow[]> {
    const now = Date.now();
    if (this.catalogCache && now - this.catalogCache.at < CATALOG_TTL_MS) return this.catalogCache.workflows;
    const workflows = this.readWorkflows();
    this.catalogCache = { at: now, workflows };
    // A failure is not kept: the next page view asks again.
    workflows.catch(() => {
      if (this.catalogCache?.workflows === workflows) this.catalogCache = undefined;
    });
    return workflows;
  }

  /** Every active workflow (discovery without context), then each one's versions and its latest full entry. */
  private async readWorkflows(): Promise<CatalogWorkflow[]> {
    const listed: Array<{ workflowId: string; catalogId?: string }> = [];
    for (let offset = 0; offset < MAX_WORKFLOWS; offset += 50) {
      const page = await getJson<{ workflows?: Array<{ workflowId: string; catalogId?: string }>; pagination?: { hasMore?: boolean } }>(this.opts, '/api/v1/workflows', { limit: '50', offset: String(offset) });
      listed.push(...(page?.workflows ?? []));
      if (!page?.pagination?.hasMore) break;
    }
    const workflows = await Promise.all(
      listed.map(async ({ workflowId, catalogId }) => {
        const versions = await getJson<{ versions?: Array<{ version: string; catalogId: string; isLatest?: boolean; registeredAt?: string }> }>(this.opts, `/api/v1/workflows/${encodeURIComponent(workflowId)}/versions`, {}, { notFoundIsUndefined: true });
        const all = [...(versions?.versions ?? [])].sort((a, b) => ((a.registeredAt ?? '') < (b.registeredAt ?? '') ? 1 : -1));
        const latest = catalogId ?? all.find((v) => v.isLatest)?.catalogId ?? all[0]?.catalogId;
        const entry = latest ? await getJson<unknown>(this.opts, `/api/v1/workflows/by-catalog-id/${encodeURIComponent(latest)}`, {}, { notFoundIsUndefined: true }) : undefined;
        return catalogWorkflow(entry ?? { metadata: { workflowId } }, all.map((v) => v.version));
      }),
    );
    return workflows.sort((a, b) => (a.workflowId < b.workflowId ? -1 : a.workflowId > b.workflowId ? 1 : 0));
  }
}
