import postgres from "postgres";
import type { SqlClient, SqlRow, SqlValue } from "../../core/store/sql-client.ts";

/** Rewrites the shared `?` placeholders to PostgreSQL's `$1, $2, ...` (queries never quote a `?`). */
export function toPostgresPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

export interface PostgresOptions {
  /** Pool size per instance; several instances share the server's max_connections. */
  readonly max?: number;
  /** Seconds to wait for a connection; past it the query fails (auth answers 503). */
  readonly connectTimeoutS?: number;
}

/**
 * SqlClient over the `postgres` package: pooled, pure JavaScript, the same code on Bun, Node and
 * Deno. BIGINT and COUNT come back as strings; SqlStore converts them. Every statement goes out
 * with parameters, never interpolated values (AUTH-02). While the server is unreachable, queries
 * fail after the connect timeout and the pool reconnects on the next query by itself.
 */
export function openPostgres(url: string, options: PostgresOptions = {}): SqlClient {
  const pool = postgres(url, {
    max: options.max ?? 10,
    connect_timeout: options.connectTimeoutS ?? 5,
    idle_timeout: 30,
    // Plain statements: the query set is small and dynamic `IN (...)` lists would churn names.
    prepare: false,
    onnotice: () => {},
    connection: { application_name: "causeway" },
  });
  const wrap = (db: postgres.Sql | postgres.TransactionSql, top: boolean): SqlClient => {
    const client: SqlClient = {
      dialect: "postgres",
      async all(sql, params = []) {
        return [...(await db.unsafe(toPostgresPlaceholders(sql), params as SqlValue[]))] as SqlRow[];
      },
      async run(sql, params = []) {
        await db.unsafe(toPostgresPlaceholders(sql), params as SqlValue[]);
      },
      async transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T> {
        // Nested calls run inside the outer transaction.
        if (!top) return work(client);
        return (await pool.begin((tx) => work(wrap(tx, false)))) as T;
      },
      async close() {
        if (top) await pool.end({ timeout: 5 });
      },
    };
    return client;
  };
  return wrap(pool, true);
}
