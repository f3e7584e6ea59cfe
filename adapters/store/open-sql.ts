import type { SqlClient } from "../../core/store/sql-client.ts";

/** Whether CAUSEWAY_DB names a PostgreSQL database rather than a SQLite file. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//.test(db);
}

/**
 * Opens the store a CAUSEWAY_DB value names, with the runtime's SQLite driver for file paths.
 * The driver may be async: node:sqlite is imported lazily because Node 20 does not have it.
 */
export async function openSql(
  db: string,
  openSqlite: (path: string) => SqlClient | Promise<SqlClient>,
): Promise<SqlClient> {
  if (isPostgresUrl(db)) {
    const { openPostgres } = await import("./postgres.ts");
    return openPostgres(db);
  }
  return openSqlite(db);
}
