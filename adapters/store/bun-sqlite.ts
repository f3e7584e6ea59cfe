import { Database } from "bun:sqlite";
import type { SqlClient, SqlRow, SqlValue } from "../../core/store/sql-client.ts";

/**
 * SqlClient over bun:sqlite. WAL for concurrent readers (the CLI while the server writes),
 * FULL sync so an acknowledged audit batch survives a crash, and a busy timeout so the CLI and
 * the server wait for each other instead of failing.
 */
export function openBunSqlite(path: string): SqlClient {
  const db = new Database(path, { create: true, strict: false });
  db.exec("PRAGMA journal_mode = WAL");
  db.exec("PRAGMA synchronous = FULL");
  db.exec("PRAGMA busy_timeout = 5000");
  db.exec("PRAGMA foreign_keys = ON");
  let depth = 0;
  // One connection: transactions from concurrent callers queue behind each other.
  let queue: Promise<unknown> = Promise.resolve();
  const client: SqlClient = {
    dialect: "sqlite",
    async all(sql, params = []) {
      return db.query(sql).all(...(params as SqlValue[])) as SqlRow[];
    },
    async run(sql, params = []) {
      db.query(sql).run(...(params as SqlValue[]));
    },
    transaction(work) {
      // Nested calls join the outer transaction.
      if (depth > 0) return work(client);
      const run = queue.then(() => inTransaction(work));
      queue = run.catch(() => {});
      return run;
    },
    async close() {
      db.close();
    },
  };
  async function inTransaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T> {
    depth++;
    db.exec("BEGIN IMMEDIATE");
    try {
      const result = await work(client);
      db.exec("COMMIT");
      return result;
    } catch (error) {
      db.exec("ROLLBACK");
      throw error;
    } finally {
      depth--;
    }
  }
  return client;
}
