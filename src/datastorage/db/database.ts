/**
 * DataStorage's one database access path: the `pg` client, against either a real PostgreSQL
 * server (a connection URL) or the embedded PGlite, which we serve on a loopback socket with
 * `@electric-sql/pglite-socket` so both run exactly the same SQL through the same driver (PGlite's
 * direct API returns other types, e.g. int8 as number). Stay within PostgreSQL 15 features.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import pg from 'pg';
import { componentLogger } from '../../platform/log.ts';
import { pgliteTemplate } from './pglite-template.ts';

const log = componentLogger('database');

export interface QueryResult<T> {
  rows: T[];
  rowCount: number;
}

export interface Db {
  query<T = Record<string, unknown>>(sql: string, params?: unknown[]): Promise<QueryResult<T>>;
  /** Runs `fn` in one transaction (BEGIN/COMMIT, ROLLBACK on throw) on one connection. */
  transaction<T>(fn: (tx: Db) => Promise<T>): Promise<T>;
}

export interface Database extends Db {
  /** `embedded` (PGlite) or `postgresql`. */
  readonly kind: 'embedded' | 'postgresql';
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** A PostgreSQL connection URL; without it the embedded PGlite is used. */
  url?: string;
  /** Where PGlite keeps its files; omit for an in-memory database. */
  dataDir?: string;
  /** Pool size for a real server (PGlite is one session: always 1). */
  maxConnections?: number;
}

function wrap(client: { query: (sql: string, params?: unknown[]) => Promise<any> }): Db {
  return {
    async query(sql, params) {
      const r = await client.query(sql, params);
      return { rows: r.rows, rowCount: r.rowCount ?? 0 };
    },
    transaction: (fn) => fn(wrap(client)),
  };
}

function poolDb(pool: pg.Pool): Db {
  return {
    async query(sql, params) {
      const r = await pool.query(sql, params as any[]);
      return { rows: r.rows, rowCount: r.rowCount ?? 0 };
    },
    async transaction(fn) {
      const conn = await pool.connect();
      try {
        await conn.query('BEGIN');
        const out = await fn(wrap(conn));
        await conn.query('COMMIT');
        return out;
      } catch (e) {
        await conn.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        conn.release();
      }
    },
  };
}

export async function openDatabase(opts: OpenDatabaseOptions = {}): Promise<Database> {
  if (opts.url) {
    const pool = new pg.Pool({ connectionString: opts.url, max: opts.maxConnections ?? 10 });
    // An idle connection the server closes (restart, admin command) must not crash the process;
    // the pool replaces it and the next query reports any real outage.
    pool.on('error', (e) => log.warn({ err: e.message }, 'idle database connection lost'));
    await pool.query('SELECT 1');
    return { kind: 'postgresql', ...poolDb(pool), close: () => pool.end() };
  }
  if (opts.dataDir) mkdirSync(opts.dataDir, { recursive: true });
  // A new database starts from the build's copy of initdb's output; an existing one opens as it is.
  const fresh = !opts.dataDir || !existsSync(join(opts.dataDir, 'PG_VERSION'));
  const lite = new PGlite({ dataDir: opts.dataDir, loadDataDir: fresh ? pgliteTemplate() : undefined });
  await lite.waitReady;
  const server = new PGLiteSocketServer({ db: lite, host: '127.0.0.1', port: 0, maxConnections: 4 });
  await server.start();
  const conn = server.getServerConn(); // host:port
  const [host, port] = [conn.slice(0, conn.lastIndexOf(':')), Number(conn.slice(conn.lastIndexOf(':') + 1))];
  // One session: transactions from several pooled connections would interleave inside PGlite.
  const pool = new pg.Pool({ host, port, user: 'postgres', database: 'postgres', max: 1 });
  pool.on('error', (e) => log.warn({ err: e.message }, 'idle database connection lost'));
  return {
    kind: 'embedded',
    ...poolDb(pool),
    async close() {
      await pool.end();
      await server.stop();
      await lite.close();
    },
  };
}
