/**
 * The workflow catalog's SQL (tables of migration 002): registration of versions, status changes,
 * action types, and the reads of discovery. Every change is one transaction, serialised per workflow
 * id with an advisory lock, recomputes which version of the id is the latest active one, and bumps
 * the catalog generation, which lets discovery serve the discoverable entries from memory (reloaded
 * when another request or replica changed the catalog).
 */
import { randomUUID } from 'node:crypto';
import type { Clock } from '../../platform/clock.ts';
import type { Db } from '../db/database.ts';
import type { WorkflowDescription, WorkflowEntry } from './entry-schema.ts';
import { compareVersions } from './semver.ts';

/**
 * `superseded` is history only: versions are immutable (crds.md §12), so nothing supersedes a row
 * any more, but rows superseded by earlier releases keep that status and stay readable.
 */
export const CATALOG_STATUSES = ['active', 'disabled', 'deprecated', 'superseded', 'archived'] as const;
export type CatalogStatus = (typeof CATALOG_STATUSES)[number];

/** Arbitrary constant namespacing our advisory locks: "kubernaut workflow catalog". */
const LOCK_CLASS = 4_722_001;

export interface CatalogRecord {
  catalogId: string;
  workflowId: string;
  version: string;
  actionType: string;
  status: CatalogStatus;
  isLatest: boolean;
  contentHash: string;
  content: WorkflowEntry;
  source: string | null;
  registeredBy: string | null;
  registeredAt: string;
  statusChangedAt: string;
  statusReason: string | null;
}

/** What discovery needs of a discoverable entry (not the whole content). */
export interface DiscoverableRow {
  catalogId: string;
  workflowId: string;
  version: string;
  actionType: string;
  executionEngine: string;
  description: WorkflowDescription;
  labels: WorkflowEntry['labels'];
  detectedLabels?: WorkflowEntry['detectedLabels'];
  customLabels?: WorkflowEntry['customLabels'];
}

export type RegisterOutcome =
  | { outcome: 'created'; record: CatalogRecord }
  | { outcome: 'unchanged'; record: CatalogRecord }
  | { outcome: 'conflict'; existing: CatalogRecord };

export interface RegisterOptions {
  source?: string;
  registeredBy?: string;
}

export interface StatusChange {
  catalogId: string;
  version: string;
  from: CatalogStatus;
  to: CatalogStatus;
}

export type StatusChangeOutcome =
  | { outcome: 'changed'; workflowId: string; changes: StatusChange[] }
  | { outcome: 'not_found' }
  | { outcome: 'invalid'; message: string };

/** The discoverable entries and action-type descriptions as of one catalog generation. */
export interface DiscoverySnapshot {
  generation: string;
  rows: DiscoverableRow[];
  descriptions: Map<string, WorkflowDescription>;
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const RECORD_COLUMNS = `catalog_id, workflow_id, version, action_type, status, is_latest, content_hash, content, source,
  registered_by, registered_at, status_changed_at, status_reason`;

function toRecord(r: any): CatalogRecord {
  return {
    catalogId: r.catalog_id,
    workflowId: r.workflow_id,
    version: r.version,
    actionType: r.action_type,
    status: r.status,
    isLatest: r.is_latest,
    contentHash: r.content_hash,
    content: r.content,
    source: r.source,
    registeredBy: r.registered_by,
    registeredAt: new Date(r.registered_at).toISOString(),
    statusChangedAt: new Date(r.status_changed_at).toISOString(),
    statusReason: r.status_reason,
  };
}

export class WorkflowCatalog {
  private snapshot?: Promise<DiscoverySnapshot>;

  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Every write transaction ends here: readers (of any replica) see that they must reload. */
  private async bumpGeneration(tx: Db): Promise<void> {
    await tx.query('UPDATE workflow_catalog_state SET generation = generation + 1 WHERE id = 1');
  }

  private async lock(tx: Db, workflowId: string): Promise<void> {
    await tx.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [LOCK_CLASS, workflowId]);
  }

  /** Marks the highest active version of `workflowId` as latest (and no other row). */
  private async recomputeLatest(tx: Db, workflowId: string): Promise<void> {
    const { rows } = await tx.query<{ catalog_id: string; version: string; seq: string }>(
      `SELECT catalog_id, version, seq FROM workflow_catalog WHERE workflow_id = $1 AND status = 'active'`,
      [workflowId],
    );
    let best: (typeof rows)[number] | undefined;
    for (const r of rows) {
      if (!best) best = r;
      else {
        const c = compareVersions(r.version, best.version);
        if (c > 0 || (c === 0 && BigInt(r.seq) > BigInt(best.seq))) best = r;
      }
    }
    await tx.query(
      `UPDATE workflow_catalog SET is_latest = COALESCE(catalog_id = $2::uuid, false)
        WHERE workflow_id = $1 AND (is_latest OR catalog_id = $2::uuid)`,
      [workflowId, best?.catalog_id ?? null],
    );
  }

  /**
   * Stores a new (workflowId, version). A version is immutable: the same content again is
   * `unchanged`, other content is a `conflict` and changes nothing.
   */
  async register(entry: WorkflowEntry, contentHash: string, opts: RegisterOptions = {}): Promise<RegisterOutcome> {
    const { workflowId, version, description } = entry.metadata;
    return this.db.transaction(async (tx) => {
      await this.lock(tx, workflowId);
      const existing = await tx.query(
        `SELECT ${RECORD_COLUMNS} FROM workflow_catalog WHERE workflow_id = $1 AND version = $2 AND status <> 'superseded'`,
        [workflowId, version],
      );
      const old = existing.rows[0] ? toRecord(existing.rows[0]) : undefined;
      if (old && old.contentHash === contentHash) return { outcome: 'unchanged' as const, record: old };
      if (old) return { outcome: 'conflict' as const, existing: old };

      const now = this.clock.now().toISOString();
      // Unknown action types are created with this workflow's description (§1).
      await tx.query(
        `INSERT INTO workflow_action_types (action_type, description, created_at, updated_at) VALUES ($1, $2, $3, $3)
         ON CONFLICT (action_type) DO NOTHING`,
        [entry.actionType, JSON.stringify(description), now],
      );
      const inserted = await tx.query(
        `INSERT INTO workflow_catalog (catalog_id, workflow_id, version, action_type, status, content, content_hash, execution_engine,
           source, registered_by, registered_at, status_changed_at)
         VALUES ($1, $2, $3, $4, 'active', $5, $6, $7, $8, $9, $10, $10)
         RETURNING catalog_id`,
        [
          randomUUID(),
          workflowId,
          version,
          entry.actionType,
          JSON.stringify(entry),
          contentHash,
          entry.execution.engine,
          opts.source ?? null,
          opts.registeredBy ?? null,
          now,
        ],
      );
      await this.recomputeLatest(tx, workflowId);
      await this.bumpGeneration(tx);
      const record = await this.byCatalogId(inserted.rows[0].catalog_id as string, tx);
      return { outcome: 'created' as const, record: record! };
    });
  }

  /**
   * One exact version by its catalogId, whatever its status and whether or not a later version
   * exists (the WorkflowExecution controller re-reads what was selected). `catalogId` must be a UUID.
   */
  async byCatalogId(catalogId: string, db: Db = this.db): Promise<CatalogRecord | undefined> {
    const { rows } = await db.query(`SELECT ${RECORD_COLUMNS} FROM workflow_catalog WHERE catalog_id = $1`, [catalogId.toLowerCase()]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /**
   * Changes the status of a workflow's versions: one version (`version`, or `idOrCatalogId` a
   * catalogId), or, for the whole id, every version in a state the change applies to.
   */
  async setStatus(idOrCatalogId: string, to: 'active' | 'disabled' | 'deprecated', opts: { version?: string; reason?: string } = {}): Promise<StatusChangeOutcome> {
    const byCatalogId = UUID_RE.test(idOrCatalogId);
    const workflowId = byCatalogId
      ? ((await this.db.query<{ workflow_id: string }>('SELECT workflow_id FROM workflow_catalog WHERE catalog_id = $1', [idOrCatalogId])).rows[0]?.workflow_id)
      : idOrCatalogId;
    if (!workflowId) return { outcome: 'not_found' };
    return this.db.transaction(async (tx) => {
      await this.lock(tx, workflowId);
      const { rows } = await tx.query<{ catalog_id: string; version: string; status: CatalogStatus }>(
        'SELECT catalog_id, version, status FROM workflow_catalog WHERE workflow_id = $1 ORDER BY seq',
        [workflowId],
      );
      const single = byCatalogId || opts.version !== undefined;
      const targets = byCatalogId
        ? rows.filter((r) => r.catalog_id === idOrCatalogId.toLowerCase())
        : opts.version !== undefined
          ? rows.filter((r) => r.version === opts.version && r.status !== 'superseded')
          : rows.filter((r) => (to === 'active' ? r.status === 'disabled' : r.status === 'active' || (to === 'deprecated' && r.status === 'disabled')));
      if (rows.length === 0 || (single && targets.length === 0)) return { outcome: 'not_found' as const };
      const frozen = targets.find((r) => r.status === 'superseded' || r.status === 'archived');
      if (frozen) return { outcome: 'invalid' as const, message: `version ${frozen.version} is ${frozen.status} and can no longer change status` };
      const now = this.clock.now().toISOString();
      const changes: StatusChange[] = [];
      for (const t of targets) {
        if (t.status === to) continue;
        await tx.query('UPDATE workflow_catalog SET status = $2, status_changed_at = $3, status_reason = $4 WHERE catalog_id = $1', [
          t.catalog_id,
          to,
          now,
          opts.reason ?? null,
        ]);
        changes.push({ catalogId: t.catalog_id, version: t.version, from: t.status, to });
      }
      await this.recomputeLatest(tx, workflowId);
      if (changes.length > 0) await this.bumpGeneration(tx);
      return { outcome: 'changed' as const, workflowId, changes };
    });
  }

  /** Every version of an id, oldest registration first (administration, not discovery). */
  async versions(workflowId: string): Promise<CatalogRecord[]> {
    const { rows } = await this.db.query(`SELECT ${RECORD_COLUMNS} FROM workflow_catalog WHERE workflow_id = $1 ORDER BY seq`, [workflowId]);
    return rows.map(toRecord);
  }

  /** The discoverable (active, latest) entry of a workflow id, or of a catalogId if that row is it. */
  async discoverable(idOrCatalogId: string): Promise<CatalogRecord | undefined> {
    const column = UUID_RE.test(idOrCatalogId) ? 'catalog_id' : 'workflow_id';
    const { rows } = await this.db.query(
      `SELECT ${RECORD_COLUMNS} FROM workflow_catalog WHERE ${column} = $1 AND status = 'active' AND is_latest`,
      [column === 'catalog_id' ? idOrCatalogId.toLowerCase() : idOrCatalogId],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /**
   * The discoverable entries (active, latest) with the descriptions of their action types, from
   * memory unless the catalog generation moved since they were loaded.
   */
  async discoverySnapshot(): Promise<DiscoverySnapshot> {
    const { rows } = await this.db.query<{ generation: string }>('SELECT generation FROM workflow_catalog_state WHERE id = 1');
    const generation = rows[0].generation;
    const current = this.snapshot;
    if (current) {
      const snap = await current.catch(() => undefined);
      if (snap?.generation === generation) return snap;
    }
    // Concurrent requests share one reload. The generation is read before the rows, so a change
    // landing in between makes the next request reload again rather than serve a stale snapshot.
    if (this.snapshot === current) this.snapshot = this.loadSnapshot(generation);
    return this.snapshot!;
  }

  private async loadSnapshot(generation: string): Promise<DiscoverySnapshot> {
    const [entries, types] = await Promise.all([
      this.db.query<any>(
        `SELECT catalog_id, workflow_id, version, action_type, execution_engine,
                content->'metadata'->'description' AS description, content->'labels' AS labels,
                content->'detectedLabels' AS detected_labels, content->'customLabels' AS custom_labels
           FROM workflow_catalog WHERE status = 'active' AND is_latest`,
      ),
      this.db.query<{ action_type: string; description: WorkflowDescription }>('SELECT action_type, description FROM workflow_action_types'),
    ]);
    const rows = entries.rows.map(
      (r): DiscoverableRow => ({
        catalogId: r.catalog_id,
        workflowId: r.workflow_id,
        version: r.version,
        actionType: r.action_type,
        executionEngine: r.execution_engine,
        description: r.description,
        labels: r.labels,
        ...(r.detected_labels ? { detectedLabels: r.detected_labels } : {}),
        ...(r.custom_labels ? { customLabels: r.custom_labels } : {}),
      }),
    );
    return { generation, rows, descriptions: new Map(types.rows.map((t) => [t.action_type, t.description])) };
  }

  /** Explicit action-type registration: replaces the description (also one a workflow created). */
  async putActionType(actionType: string, description: WorkflowDescription): Promise<{ created: boolean }> {
    const now = this.clock.now().toISOString();
    return this.db.transaction(async (tx) => {
      const { rows } = await tx.query<{ inserted: boolean }>(
        `INSERT INTO workflow_action_types (action_type, description, explicit, created_at, updated_at) VALUES ($1, $2, true, $3, $3)
         ON CONFLICT (action_type) DO UPDATE SET description = EXCLUDED.description, explicit = true, updated_at = EXCLUDED.updated_at
         RETURNING (xmax = 0) AS inserted`,
        [actionType, JSON.stringify(description), now],
      );
      await this.bumpGeneration(tx);
      return { created: rows[0].inserted };
    });
  }
}
