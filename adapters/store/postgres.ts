import postgres from "postgres";
import type { SqlClient, SqlRow, SqlValue } from "../../core/store/sql-client.ts";

/** Rewrites the shared `?` placeholders to PostgreSQL's `$1, $2, ...`. */
export function toPostgresPlaceholders(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

/** SqlClient over the `postgres` package: pooled, and the same code on Bun, Node and Deno. */
export function openPostgres(url: string, max = 10): SqlClient {
  const pool = postgres(url, { max, onnotice: () => {}, idle_timeout: 30, connect_timeout: 5 });
  const wrap = (run: postgres.Sql | postgres.TransactionSql, top: boolean): SqlClient => ({
    dialect: "postgres",
    async all(sql, params = []) {
      return (await run.unsafe(toPostgresPlaceholders(sql), params as SqlValue[])) as unknown as SqlRow[];
    },
    async run(sql, params = []) {
      await run.unsafe(toPostgresPlaceholders(sql), params as SqlValue[]);
    },
    async transaction(work) {
      if (!top) return work(wrap(run, false));
      return (await pool.begin((tx) => work(wrap(tx, false)))) as Awaited<ReturnType<typeof work>>;
    },
    async close() {
      if (top) await pool.end({ timeout: 5 });
    },
  });
  return wrap(pool, true);
}
