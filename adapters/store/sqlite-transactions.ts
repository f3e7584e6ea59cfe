import type { SqlClient } from "../../core/store/sql-client.ts";

/** The pragmas every SQLite store runs with (reliability.md, "SQLite audit DB"). */
export const SQLITE_PRAGMAS = [
  "PRAGMA journal_mode = WAL",
  "PRAGMA synchronous = FULL",
  "PRAGMA busy_timeout = 5000",
  "PRAGMA foreign_keys = ON",
] as const;

/**
 * Adds transactions to one synchronous SQLite connection (bun:sqlite, node:sqlite). Callers of
 * the top-level client queue behind each other (one connection holds one transaction at a
 * time); the `tx` handed to `work` runs nested transactions inline, inside the outer one.
 */
export function withSerialTransactions(
  base: Omit<SqlClient, "transaction">,
  exec: (sql: string) => void,
): SqlClient {
  const tx: SqlClient = { ...base, transaction: (work) => work(tx) };
  let queue: Promise<unknown> = Promise.resolve();
  async function inTransaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T> {
    exec("BEGIN IMMEDIATE");
    try {
      const result = await work(tx);
      exec("COMMIT");
      return result;
    } catch (error) {
      exec("ROLLBACK");
      throw error;
    }
  }
  return {
    ...base,
    transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T> {
      const run = queue.then(() => inTransaction(work));
      queue = run.catch(() => {});
      return run;
    },
  };
}
