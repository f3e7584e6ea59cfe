import { Database } from "bun:sqlite";
import type { SqlRow, SqlValue } from "../../core/store/sql-client.ts";
import { SQLITE_PRAGMAS, withSerialTransactions } from "./sqlite-transactions.ts";

/**
 * SqlClient over bun:sqlite. WAL for concurrent readers (the CLI while the server writes),
 * FULL sync so an acknowledged audit batch survives a crash, and a busy timeout so the CLI and
 * the server wait for each other instead of failing.
 */
export function openBunSqlite(path: string) {
  const db = new Database(path, { create: true, strict: false });
  for (const pragma of SQLITE_PRAGMAS) db.exec(pragma);
  return withSerialTransactions(
    {
      dialect: "sqlite",
      async all(sql, params = []) {
        return db.query(sql).all(...(params as SqlValue[])) as SqlRow[];
      },
      async run(sql, params = []) {
        db.query(sql).run(...(params as SqlValue[]));
      },
      async close() {
        db.close();
      },
    },
    (sql) => db.exec(sql),
  );
}
