/**
 * The databases DataStorage tests run against: the embedded PGlite, and a real PostgreSQL server
 * named by `KUBERNAUT_TEST_PG_URL` (`.ci/run` starts one). Without that URL the PostgreSQL variants
 * are reported as skipped, so a run says what it did not cover; in CI (CI=true) they run and fail
 * instead, as CI must never lose them silently. Each test gets a fresh, empty, migrated database,
 * dropped afterwards.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../../src/datastorage/db/database.ts';
import { migrate } from '../../src/datastorage/db/migrate.ts';

export interface TestDatabaseKind {
  name: 'pglite' | 'postgresql';
  /** Why this kind's tests cannot run here (pass it as the test's `skip` option), or undefined. */
  skip?: string;
  /** A fresh migrated database; `close()` also drops it. */
  open(): Promise<Database>;
  /** For tests that start a server themselves: a fresh database's URL (undefined for PGlite). */
  freshUrl(): Promise<{ url?: string; drop(): Promise<void> }>;
}

const PG_URL = process.env.KUBERNAUT_TEST_PG_URL;
const PG_MISSING = 'KUBERNAUT_TEST_PG_URL is not set (scripts/ci/start-postgres.sh starts a server and prints it)';

async function createPgDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  if (!PG_URL) throw new Error(PG_MISSING);
  const name = `kubernaut_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(PG_URL!);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const c = new pg.Client({ connectionString: PG_URL });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export const TEST_DATABASES: TestDatabaseKind[] = [
  {
    name: 'pglite',
    async open() {
      const db = await openDatabase();
      await migrate(db);
      return db;
    },
    async freshUrl() {
      return { url: undefined, drop: async () => undefined };
    },
  },
  {
    name: 'postgresql',
    skip: PG_URL || process.env.CI === 'true' ? undefined : PG_MISSING,
    async open() {
      const fresh = await createPgDatabase();
      const db = await openDatabase({ url: fresh.url });
      await migrate(db);
      return {
        ...db,
        kind: db.kind,
        async close() {
          await db.close();
          await fresh.drop();
        },
      };
    },
    freshUrl: createPgDatabase,
  },
];
