import type { SqlClient, SqlRow, SqlValue } from "../../core/store/sql-client.ts";
import { SQLITE_PRAGMAS, withSerialTransactions } from "./sqlite-transactions.ts";

/** The part of node:sqlite we use (declared here: @types/node 20 does not know the module). */
interface NodeSqliteModule {
  DatabaseSync: new (
    path: string,
  ) => {
    exec(sql: string): void;
    prepare(sql: string): { all(...params: SqlValue[]): unknown[]; run(...params: SqlValue[]): unknown };
    close(): void;
  };
}

// A variable specifier: bundlers and tsc must not try to resolve a module Node 20 lacks.
const NODE_SQLITE: string = "node:sqlite";

/** Thrown where node:sqlite is missing; the message tells the operator what to do instead. */
export class SqliteUnavailableError extends Error {
  override readonly name = "SqliteUnavailableError";
}

/**
 * SqlClient over node:sqlite (Node >= 22.5 and Deno), with the same pragmas and transaction
 * discipline as bun:sqlite. Imported lazily so the Node adapter still starts on Node 20 with
 * PostgreSQL.
 */
export async function openNodeSqlite(path: string): Promise<SqlClient> {
  let mod: NodeSqliteModule;
  try {
    mod = (await import(NODE_SQLITE)) as unknown as NodeSqliteModule;
  } catch {
    const version = typeof process === "object" ? process.version : "unknown";
    throw new SqliteUnavailableError(
      `SQLite needs node:sqlite, which this runtime (Node ${version}) does not have: it exists from Node 22.5 ` +
        "(behind --experimental-sqlite before 22.13). On Node 20 use PostgreSQL " +
        "(CAUSEWAY_DB=postgres://USER:PASSWORD@HOST:PORT/DB), or run Causeway on Bun (npm start) or Deno (npm run start:deno). " +
        `CAUSEWAY_DB is "${path}".`,
    );
  }
  const db = new mod.DatabaseSync(path);
  for (const pragma of SQLITE_PRAGMAS) db.exec(pragma);
  return withSerialTransactions(
    {
      dialect: "sqlite",
      async all(sql, params = []) {
        return db.prepare(sql).all(...params) as SqlRow[];
      },
      async run(sql, params = []) {
        db.prepare(sql).run(...params);
      },
      async close() {
        db.close();
      },
    },
    (sql) => db.exec(sql),
  );
}
