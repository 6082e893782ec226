/**
 * Typed client of `GET /api/v1/workflows/by-catalog-id/{catalogId}`: the exact catalog version an
 * AIAnalysis selected, whatever its status now, with its full content (parameter schema,
 * dependencies, execution bundle and digest). For the WorkflowExecution controller, which
 * re-validates parameters and mounts dependencies before it creates anything.
 *
 *   const entry = await new WorkflowCatalogClient({ baseUrl }).byCatalogId(we.spec.workflowRef.catalogId);
 *   if (!entry) ... // no such catalog entry: a permanent failure
 *
 * Failures other than 404 (timeout, unreachable, 400 for a malformed id, 5xx) throw DataStorageRequestError.
 */
import type { CatalogEntryView } from '../workflows/entry-view.ts';
import { getJson, type DataStorageReadClientOptions } from './read-client.ts';

export type { CatalogEntryView } from '../workflows/entry-view.ts';
export { DataStorageRequestError, type DataStorageReadClientOptions } from './read-client.ts';

export class WorkflowCatalogClient {
  constructor(private readonly opts: DataStorageReadClientOptions) {}

  /** The catalog version, or undefined when DataStorage has no entry with this id. */
  async byCatalogId(catalogId: string): Promise<CatalogEntryView | undefined> {
    return getJson<CatalogEntryView>(this.opts, `/api/v1/workflows/by-catalog-id/${encodeURIComponent(catalogId)}`, {}, { notFoundIsUndefined: true });
  }
}
