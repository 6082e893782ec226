/**
 * One catalog version as `GET /api/v1/workflows/by-catalog-id/{catalogId}` returns it: the full
 * normalised entry (workflow-schema.md §1: metadata, labels, execution with bundle and digest,
 * dependencies, parameters) plus what the catalog knows about the row, its status included, since
 * that lookup ignores status (a disabled or deprecated version is still the version that was chosen).
 */
import type { CatalogRecord, CatalogStatus } from './catalog.ts';
import type { WorkflowEntry } from './entry-schema.ts';

export type CatalogEntryView = WorkflowEntry & {
  catalogId: string;
  status: CatalogStatus;
  /** The highest active version of its workflow id (the one discovery serves). */
  isLatest: boolean;
  contentHash: string;
  registeredAt: string;
  registeredBy: string | null;
  source: string | null;
  statusChangedAt: string;
  statusReason: string | null;
};

export function catalogEntryView(record: CatalogRecord): CatalogEntryView {
  return {
    ...record.content,
    catalogId: record.catalogId,
    status: record.status,
    isLatest: record.isLatest,
    contentHash: record.contentHash,
    registeredAt: record.registeredAt,
    registeredBy: record.registeredBy,
    source: record.source,
    statusChangedAt: record.statusChangedAt,
    statusReason: record.statusReason,
  };
}
