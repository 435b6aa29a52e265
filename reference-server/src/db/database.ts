import { mkdir } from "node:fs/promises";
import * as path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import pg from "pg";

/** Something SQL can be sent to: the database, or one transaction on it. */
export interface Queryable {
  /** Runs one statement with `$1`-style parameters and resolves with its rows. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<Row[]>;
}

/** The thin query interface the stores use, the same over PGlite and PostgreSQL. */
export interface Database extends Queryable {
  /** `"pglite"` (embedded, one connection) or `"postgres"` (a pool). */
  readonly kind: "pglite" | "postgres";
  /** Runs `fn` in one transaction (READ COMMITTED): committed when it resolves, rolled back when it throws. */
  transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T>;
  /** Runs several statements separated by semicolons, without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Closes the connection(s). */
  close(): Promise<void>;
}

/** Where the database lives: a PostgreSQL URL (optionally a schema), or a PGlite directory (`undefined` in memory). */
export type DatabaseOptions =
  | { kind: "postgres"; url: string; schema?: string; max?: number }
  | { kind: "pglite"; dataDir: string | undefined };

const int8 = 20;
const numeric = 1700;

/**
 * Opens the database: a `pg` pool on PostgreSQL, or PGlite with its data in a directory.
 * Both return `bigint` columns as JavaScript numbers (points stay within the safe integer range).
 *
 * @example
 * ```ts
 * const db = await openDatabase({ kind: "pglite", dataDir: "./data/pglite" });
 * const [row] = await db.query<{ n: number }>("SELECT 1 AS n");
 * ```
 */
export async function openDatabase(options: DatabaseOptions): Promise<Database> {
  return options.kind === "postgres" ? openPostgres(options) : openPglite(options.dataDir);
}

async function openPglite(dataDir: string | undefined): Promise<Database> {
  if (dataDir !== undefined) await mkdir(path.dirname(dataDir), { recursive: true, mode: 0o700 });
  const db = dataDir === undefined ? new PGlite() : new PGlite(dataDir);
  await db.waitReady;
  const wrap = (q: { query: PGlite["query"] }): Queryable => ({
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await q.query<Row>(sql, params as unknown[]);
      return result.rows;
    },
  });
  const base = wrap(db);
  return {
    kind: "pglite",
    query: base.query,
    transaction: (fn) => db.transaction((tx) => fn(wrap(tx))),
    exec: async (sql) => {
      await db.exec(sql);
    },
    close: () => db.close(),
  };
}

async function openPostgres(options: { url: string; schema?: string; max?: number }): Promise<Database> {
  const types = {
    getTypeParser: (oid: number, format?: string) =>
      oid === int8 || oid === numeric
        ? (value: string) => Number(value)
        : (pg.types.getTypeParser as (oid: number, format?: string) => (value: string) => unknown)(
            oid,
            format,
          ),
  };
  const config: pg.PoolConfig = {
    connectionString: options.url,
    // A small pool: on a few cores, more backends only queue on the CPU (P10 ran faster with 8 than 20 or 40).
    max: options.max ?? 10,
    types: types as pg.CustomTypesConfig,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
  };
  if (options.schema !== undefined) config.options = `-c search_path=${options.schema}`;
  const pool = new pg.Pool(config);
  // An idle client losing its connection (PostgreSQL restarted) must not crash the process.
  pool.on("error", () => {});
  const wrap = (client: pg.Pool | pg.PoolClient): Queryable => ({
    async query<Row>(sql: string, params: readonly unknown[] = []) {
      const result = await client.query(sql, params as unknown[]);
      return result.rows as Row[];
    },
  });
  const base = wrap(pool);
  return {
    kind: "postgres",
    query: base.query,
    async transaction(fn) {
      const client = await pool.connect();
      let broken = false;
      try {
        await client.query("BEGIN");
        const result = await fn(wrap(client));
        await client.query("COMMIT");
        return result;
      } catch (error) {
        try {
          await client.query("ROLLBACK");
        } catch {
          broken = true;
        }
        throw error;
      } finally {
        client.release(broken);
      }
    },
    exec: async (sql) => {
      await pool.query(sql);
    },
    close: () => pool.end(),
  };
}
