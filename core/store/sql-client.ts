export type SqlValue = string | number | null;
export type SqlRow = Record<string, SqlValue>;

/**
 * The one thing storage drivers implement (bun:sqlite, node:sqlite, PostgreSQL). Queries are
 * written once with `?` placeholders; a driver rewrites them if its database wants `$1`.
 */
export interface SqlClient {
  readonly dialect: "sqlite" | "postgres";
  all(sql: string, params?: readonly SqlValue[]): Promise<SqlRow[]>;
  run(sql: string, params?: readonly SqlValue[]): Promise<void>;
  /** Runs `work` in one transaction; a driver serialises concurrent callers if it must. */
  transaction<T>(work: (tx: SqlClient) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}
