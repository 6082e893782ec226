/**
 * The DataStorage service: opens the database (a PostgreSQL URL, else the embedded PGlite under
 * `dataDir`, else in memory), applies the migrations, and serves the audit, workflow catalog and
 * remediation history APIs on one Fastify app.
 */
import type { Clock } from '../platform/clock.ts';
import { createHttpApp, ProblemError } from '../platform/http/app.ts';
import { addAccessControl, type HttpAuth } from '../platform/http/auth.ts';
import { componentLogger, type Logger } from '../platform/log.ts';
import { dataStorageAccess } from './access.ts';
import { openDatabase, type Database } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { ownEventRecorder } from './audit/own-events.ts';
import { registerAuditRoutes } from './audit/routes.ts';
import { registerHistoryRoutes } from './history/routes.ts';
import { updateRemediationHistory } from './history/repository.ts';
import { discoveryAuditEvent } from './workflows/discovery-audit.ts';
import { registerWorkflowRoutes, type WorkflowRoutesDeps } from './workflows/routes.ts';

export interface DataStorageOptions {
  host?: string;
  /** 0 (default): a free port. */
  port?: number;
  /** A PostgreSQL connection URL; without it the embedded PGlite is used. */
  databaseUrl?: string;
  /** Where PGlite keeps its files (ignored with `databaseUrl`); omit both for an in-memory database. */
  dataDir?: string;
  /** An already open database to serve instead (e.g. a test's); migrated here, not closed by close(). */
  database?: Database;
  clock: Clock;
  logger?: Logger;
  /**
   * Bearer tokens and per-verb rights (see access.ts), e.g. TokenReview + SubjectAccessReview;
   * without it, anyone who can connect may read and write.
   */
  auth?: HttpAuth;
  /** Workflow catalog policies (digest pinning). */
  workflows?: Pick<WorkflowRoutesDeps, 'requireDigest'>;
}

export interface DataStorageHandle {
  /** Base URL, e.g. `http://127.0.0.1:40123`. */
  url: string;
  close(): Promise<void>;
}

/** Batches of 1,000 audit events (and workflow YAML) exceed the usual 1 MiB. */
const BODY_LIMIT = 16 * 1024 * 1024;

export async function startDataStorage(opts: DataStorageOptions): Promise<DataStorageHandle> {
  const log = opts.logger ?? componentLogger('datastorage');
  const owned = !opts.database;
  const db = opts.database ?? (await openDatabase({ url: opts.databaseUrl, dataDir: opts.databaseUrl ? undefined : opts.dataDir }));
  const closeDb = () => (owned ? db.close() : Promise.resolve());
  let migrated = false;
  try {
    await migrate(db);
    migrated = true;
    const { app, metrics } = createHttpApp({ name: 'datastorage', bodyLimit: BODY_LIMIT, ready: () => migrated });
    if (opts.auth) {
      addAccessControl(app, {
        auth: opts.auth,
        access: dataStorageAccess,
        onError: (err) => log.warn({ err: (err as Error).message }, 'cannot check the credentials of a request'),
      });
    }
    const projections = [updateRemediationHistory];
    registerAuditRoutes(app, db, { clock: opts.clock, metrics, projections });
    registerHistoryRoutes(app, db);
    const recordOwnEvents = ownEventRecorder(db, { clock: opts.clock, projections });
    registerWorkflowRoutes(app, db, {
      ...opts.workflows,
      clock: opts.clock,
      metrics,
      logger: log.child({ api: 'workflows' }),
      recordDiscovery: (record) => recordOwnEvents([discoveryAuditEvent(record, opts.clock.now())]),
    });
    app.addHook('onError', async (req, _reply, err) => {
      const status = err instanceof ProblemError ? err.status : ((err as { statusCode?: number }).statusCode ?? 500);
      if (status >= 500) log.error({ err, method: req.method, url: req.url }, 'request failed');
    });
    const address = await app.listen({ host: opts.host ?? '127.0.0.1', port: opts.port ?? 0 });
    log.info({ url: address, database: db.kind }, 'datastorage listening');
    let closed = false;
    return {
      url: address,
      async close() {
        if (closed) return;
        closed = true;
        await app.close();
        await closeDb();
      },
    };
  } catch (err) {
    await closeDb().catch(() => undefined);
    throw err;
  }
}
